# `make demo` and `make test` set everything up from a bare machine (python3 + venv).
VENV   := .venv
PYTHON := $(VENV)/bin/python
READY  := $(VENV)/.installed

SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test bench clean browser corpora docs tutorials

$(READY): pyproject.toml
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e ".[test]"
	touch $(READY)

demo: $(READY)
	$(VENV)/bin/atomlearn demo co2 --out demo-co2

# the tutorials, executed (each again only when its source changed); `make docs` shows them
tutorials: $(READY) corpora
	$(PYTHON) -m pip install --quiet -e ".[docs]"
	$(PYTHON) docs/build_tutorials.py

# the documentation site, offline, into site/ (open site/index.html)
docs: tutorials
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site

# the report test opens the HTML report in headless Chromium (a Debian package)
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
		{ $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends chromium; }

# offline text for `atomlearn text corpus`: Webster's dictionary and WordNet (Debian packages)
corpora:
	@[ -f /usr/share/dictd/gcide.index ] && [ -f /usr/share/wordnet/data.noun ] || \
		{ $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends dict-gcide wordnet-base; }

# one pytest worker per core, at most 4 (pytest-xdist; each file on one worker, the slowest files first:
# tests/conftest.py). pytest exits with 5 when it collects no test: that is not a failure of the set-up.
PYTEST_WORKERS  ?= $(shell python3 -c "import os; print(min(4, len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count() or 1))")
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder
test: $(READY) browser corpora
	$(VENV)/bin/ruff check --quiet . && $(VENV)/bin/ruff format --check --quiet .
	ATOMLEARN_REQUIRE_BROWSER=1 ATOMLEARN_REQUIRE_CORPORA=1 $(PYTHON) -m pytest -q $(PYTEST_PARALLEL); status=$$?; if [ $$status -eq 5 ]; then exit 0; fi; exit $$status

bench: $(READY)
	$(PYTHON) -m pip install --quiet -e ".[bench]"
	$(PYTHON) benchmarks/bench_cif.py
	$(PYTHON) benchmarks/bench_threads.py
	$(PYTHON) benchmarks/bench_datasets.py
	$(PYTHON) benchmarks/bench_featurizers.py
	$(PYTHON) benchmarks/bench_bond_graph.py
	$(PYTHON) benchmarks/bench_racs_all_coremof.py
	$(PYTHON) benchmarks/bench_krr_search.py --n 8000 --memory-n 16000
	$(PYTHON) benchmarks/bench_qm9_krr.py --sizes 1000,2000,4000,8000,16000
	$(PYTHON) benchmarks/bench_qm9_local_kernels.py --dtype float32 --sizes 1000 --qmllib-max 1000 --mofs 600  # qmllib ~22 min
	$(PYTHON) benchmarks/bench_qm9_local_kernels.py --sizes 1000,2000,4000,8000,16000 --qmllib-max 0  # 16k: ~22 min
	$(PYTHON) benchmarks/bench_explain.py
	$(PYTHON) benchmarks/bench_featurizer_costs.py
	$(PYTHON) benchmarks/bench_guest_grids.py --n 30
	$(PYTHON) benchmarks/bench_screen.py   # ~15 min: featurizing 564 MOFs (cached for the next two), 25 screens
	$(PYTHON) benchmarks/bench_screen.py --top-fraction 0.05
	$(PYTHON) benchmarks/bench_screen.py --objective pareto
	$(PYTHON) benchmarks/bench_co2_funnel.py   # the demo's surrogate on the bundled label set: 10 random test halves
	$(PYTHON) benchmarks/bench_dask_gcmc.py --n 50   # ~9 min: a scheduler and 2 workers as separate processes
	$(PYTHON) benchmarks/bench_widom_vs_raspa.py --n 12 --cycles 2000
	$(PYTHON) benchmarks/bench_gcmc_vs_raspa.py   # ~50 min, RASPA3 most of it
	$(PYTHON) benchmarks/bench_gcmc_error_bars.py --seeds 5   # ~4 min: short runs against 20,000-cycle runs
	$(PYTHON) benchmarks/bench_forcefield.py --molecules ethanol,aspirin --frames 1000
	$(PYTHON) benchmarks/bench_md_speed.py --molecules ethanol,aspirin --replicas 1,16,64,256
	$(PYTHON) benchmarks/bench_qm9_networks.py --sizes 1000,4000,16000 --minutes 2,4,6
	$(PYTHON) benchmarks/bench_flow_libraries.py
	$(PYTHON) benchmarks/bench_sampling.py --seconds 300
	$(VENV)/bin/atomlearn simulate xtb-md --smiles CCO --temperature 500 --frames 1000 --interval 50 --out bench-ethanol/ethanol.extxyz
	[ -f bench-ethanol/ff/complete.json ] || $(VENV)/bin/atomlearn --threads 1 forcefield train bench-ethanol/ethanol.extxyz --model painn --n-train 900 --out bench-ethanol/ff/
	$(PYTHON) benchmarks/bench_sampling.py --systems molecule --frames bench-ethanol/ethanol.extxyz --potential bench-ethanol/ff --seconds 300
	$(PYTHON) benchmarks/bench_text.py --repeat 20 --epochs 5 --workers 2
	$(MAKE) corpora
	$(VENV)/bin/atomlearn text corpus --out bench-text/corpus.jsonl
	[ -f bench-text/emb/complete.json ] || $(VENV)/bin/atomlearn text train bench-text/corpus.jsonl --min-count 3 --out bench-text/emb
	$(PYTHON) benchmarks/bench_text_power_factor.py --embeddings bench-text/emb --n 3000

clean:
	rm -rf $(VENV) build src/*.egg-info demo-run demo-co2 bench-ethanol bench-text site docs/tutorials/generated
