# `make demo` and `make test` set everything up from a bare machine (python3 + venv).
VENV   := .venv
PYTHON := $(VENV)/bin/python
READY  := $(VENV)/.installed

.PHONY: demo test bench clean

$(READY): pyproject.toml
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e ".[test]"
	touch $(READY)

demo: $(READY)
	$(VENV)/bin/atomlearn fit qm9 --target U0_atomization_kcal_mol \
		--featurizer element_fraction --model ridge --n 2000 --out demo-run

# pytest exits with 5 when it collects no test: that is not a failure of the set-up.
test: $(READY)
	$(PYTHON) -m pytest -q; status=$$?; if [ $$status -eq 5 ]; then exit 0; fi; exit $$status

bench: $(READY)
	$(PYTHON) -m pip install --quiet -e ".[bench]"
	$(PYTHON) benchmarks/bench_cif.py
	$(PYTHON) benchmarks/bench_datasets.py
	$(PYTHON) benchmarks/bench_featurizers.py
	$(PYTHON) benchmarks/bench_racs_all_coremof.py
	$(PYTHON) benchmarks/bench_krr_search.py --n 8000 --memory-n 16000
	$(PYTHON) benchmarks/bench_qm9_krr.py --sizes 1000,2000,4000,8000,16000

clean:
	rm -rf $(VENV) build src/*.egg-info demo-run
