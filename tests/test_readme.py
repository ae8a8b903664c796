"""Every command and snippet of the README and of the user guide (``docs/guide``), run as written in a
small mode, in the order of ``DOCUMENTS``, in one working folder (later commands use what earlier ones
wrote, as a reader's would).

The small mode only shrinks sizes, never changes what runs. The mapping:

- ``--n N`` -> at most 120 (QM9), 24 (CoRE MOF in fit/featurize), 3 (simulate henry, charges) or 40 (datasets export);
  ``--sizes`` -> 20,40; ``--nested 5x5`` -> 3x3; ``--degrees 1-10`` -> 1-3 (+ ``--rounds 20``);
- networks: ``--param max_epochs=N`` -> 2 (and ``max_epochs=2`` added where no --param says it);
  ``forcefield train``: ``--n-train`` -> 8, ``--epochs 2`` added; ``forcefield md``: ``--steps`` -> 20,
  ``--replicas`` -> 2 (a 2-epoch force field may fall apart: md's exit 1, UNSTABLE with its reason,
  counts as having run); ``simulate xtb-md``: ``--frames`` -> 14, ``--equilibration 4`` added;
- ``simulate henry``: ``--target-error 0.3 --grid-spacing 0.4 --coarse-grid`` added; ``simulate gcmc``: ``--cycles 40
  --init-cycles 10 --grid-spacing 0.4 --coarse-grid`` added;
- Python: ``n=2000`` -> ``n=200``, ``.sample(N`` -> ``.sample(40``, ``n_train=N`` -> ``n_train=8``,
  ``max_epochs`` -> 2, ``10_000`` MD steps -> 20, ``target_relative_error=0.02`` -> 0.3,
  ``cycles=N`` -> 40 and ``init_cycles=N`` -> 10 (GCMC); ``screen_coremof_co2``: ``n_simulate`` -> 12,
  ``n_screen`` -> 40, ``n_shortlist`` -> 8, ``rounds`` -> 1, ``n_confirm`` -> 1, ``n_henry`` -> 2,
  ``grid_spacing_A=0.15`` -> 0.3
  (with ``allow_coarse_grid=True``);
  Boltzmann generators: ``iterations`` and ``energy_steps`` -> 30; word embeddings: ``epochs`` -> 3;
- ``datasets info coremof2019 --check``: on ``coremof2019-co2`` (600 of its CIFs);
- ``sample train``: ``--samples 2000 --iterations 60 --n-eval 500`` (200 for the particle systems; and
  ``--energy-steps`` -> 60 where given;
  alanine dipeptide: ``--samples 300 --energy-steps 5 --reference-ns 0.02``; FRAMES.extxyz:
  ``--samples 40 --iterations 20 --energy-steps 5 --reference-ns 0.002``);
  ``sample draw|report``: ``--n`` -> at most 500; ``text train|timesplit``: ``--epochs 3``;
  ``text corpus``: ``--max-documents 300``;
- ``screen``: ``--n`` -> at most 16 (added where absent), ``--budget 6 --batch 3``; GCMC and Widom labels:
  ``--cycles 40 --init-cycles 10 --target-error 0.3 --grid-spacing 0.4 --coarse-grid`` added; Python:
  ``budget=N`` -> 12, ``batch=N`` -> 3;
- ``make demo`` / ``make test`` / ``make bench`` are not run here: ``make demo`` runs ``atomlearn demo co2``,
  ``make test`` is this suite, ``make bench`` the benchmarks;
- ``atomlearn demo co2`` and ``atomlearn demo mof`` are run, in a small mode of their own, by the tests of
  ``COVERED_ELSEWHERE`` (each checks every MOF is accounted for), not twice here.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from atomlearn.cli import main
from atomlearn.threads import environment_threads, set_threads

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "guide"
#: the README, then the guide pages in the order their commands build on each other
DOCUMENTS = [
    README,
    *(
        GUIDE / f"{name}.md"
        for name in (
            "installation",
            "your-data",
            "featurizers",
            "benchmarks",
            "simulation",
            "screening",
            "forcefields",
            "local-kernels",
            "sampling",
            "text",
            "networks",
            "evaluation",
            "models",
            "report",
            "dask",
            "bundles",
            "troubleshooting",
            "cli",
            "architecture",
        )
    ),
]


def blocks(documents: list[Path] = DOCUMENTS) -> list[tuple[str, str, str]]:
    """(language, text, ``file:line`` of its first line) of each fenced block, in order."""
    found = []
    for document in documents:
        language, lines, start = None, [], 0
        for number, line in enumerate(document.read_text().splitlines(), start=1):
            if line.lstrip().startswith("```"):
                if language is None:
                    language, lines, start = line.strip()[3:].strip() or "shell", [], number + 1
                else:
                    found.append((language, "\n".join(lines), f"{document.relative_to(ROOT)}:{start}"))
                    language = None
            elif language is not None:
                lines.append(line)
    return found


def shell_commands(text: str) -> list[str]:
    """Commands of a shell block: continuation lines joined, trailing comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", text)
    commands = []
    for line in joined.splitlines():
        line = re.sub(r"\s+#\s.*$", "", line).strip()
        if line and not line.startswith("#"):
            commands.append(line)
    return commands


def _set(words: list[str], option: str, value: str) -> None:
    if option in words:
        words[words.index(option) + 1] = value
    else:
        words += [option, value]


#: commands this test leaves to a test that runs the same command from the command line and checks its result
COVERED_ELSEWHERE = {
    "demo co2": ROOT / "tests" / "workflows" / "test_co2_screening.py",
    "demo mof": ROOT / "tests" / "workflows" / "test_coremof_screening.py",
}


def small_command(words: list[str]) -> list[str] | None:
    """The README command in small mode (see the module docstring); None: not run here."""
    if words[0] == "make":
        return None
    words = list(words)
    if words[0] != "atomlearn":
        return words
    args, global_options = words[1:], []
    while args and args[0] in ("-v", "--verbose", "--threads"):  # global options come first; kept as written
        taken = 2 if args[0] == "--threads" else 1
        global_options, args = global_options + args[:taken], args[taken:]
    command = " ".join(args[:2])
    if command in COVERED_ELSEWHERE:
        return None
    source = args[1] if len(args) > 1 else ""
    if "--n" in args:
        if args[0] == "datasets":
            cap = 40
        elif args[0] in ("simulate", "charges"):
            cap = 3
        elif "coremof" in source:
            cap = 24
        elif args[0] == "sample":  # flow samples: enough that every state holds some
            cap = 500
        else:
            cap = 120
        _set(args, "--n", str(min(int(args[args.index("--n") + 1]), cap)))
    if args[:3] == ["datasets", "info", "coremof2019"] and "--check" in args:
        args[2] = "coremof2019-co2"  # the same reading and checks on 600 of its CIFs (11 s instead of 33)
    for option, value in (
        ("--sizes", "20,40"),
        ("--nested", "3x3"),
        ("--degrees", "1-3"),
        ("--n-train", "8"),
        ("--steps", "20"),
        ("--replicas", "2"),
        ("--frames", "14"),
    ):
        if option in args:
            _set(args, option, value)
    if args[0] == "bias-variance":
        _set(args, "--rounds", "20")
    args = [re.sub(r"^max_epochs=\d+$", "max_epochs=2", a) for a in args]
    if (
        args[0] == "fit"
        and args[args.index("--model") + 1] in ("painn", "schnet", "bond_graph", "mlp")
        and not any(a.startswith("max_epochs=") for a in args)
    ):
        args += ["--param", "max_epochs=2"]
    if command == "forcefield train":
        _set(args, "--epochs", "2")
    if command == "sample train":
        for option, value in (("--samples", "2000"), ("--iterations", "60"), ("--n-eval", "500")):
            _set(args, option, value)
        if "--energy-steps" in args:
            _set(args, "--energy-steps", "60")
        if args[2] in ("dw4", "lj13"):  # a flow-matching sample and its density cost an ODE solve each
            _set(args, "--n-eval", "200")
        if "alanine-dipeptide" in args:  # 300 MD frames, a 20 ps reference
            for option, value in (("--samples", "300"), ("--energy-steps", "5"), ("--reference-ns", "0.02")):
                _set(args, option, value)
        if args[2].endswith(".extxyz"):  # a molecule's frames: a 2 ps reference with its force field
            small = {"--samples": "40", "--iterations": "20", "--energy-steps": "5", "--reference-ns": "0.002"}
            for option, value in small.items():
                _set(args, option, value)
    if command in ("text train", "text timesplit"):
        _set(args, "--epochs", "3")
    if command == "text corpus":
        _set(args, "--max-documents", "300")
    if command == "simulate xtb-md":
        _set(args, "--equilibration", "4")
    if command == "simulate henry":
        args += ["--target-error", "0.3", "--grid-spacing", "0.4", "--coarse-grid"]
    if command == "simulate gcmc":
        args += ["--cycles", "40", "--init-cycles", "10", "--grid-spacing", "0.4", "--coarse-grid"]
    if args[0] == "screen":
        _set(args, "--n", str(min(int(args[args.index("--n") + 1]), 16) if "--n" in args else 16))
        _set(args, "--budget", "6")
        _set(args, "--batch", "3")
        if "gcmc:" in " ".join(args) or "henry:" in " ".join(args):
            args += ["--cycles", "40", "--init-cycles", "10", "--target-error", "0.3", "--grid-spacing", "0.4"]
            args += ["--coarse-grid"]
    return ["atomlearn", *global_options, *args]


def small_python(code: str) -> str:
    for pattern, replacement in (
        (r"\bn=2000\b", "n=200"),
        (r"\.sample\(\d+", ".sample(40"),
        (r"\bn_train=\d+", "n_train=8"),
        (r"\"max_epochs\": \d+", '"max_epochs": 2'),
        (r"\b10_000\b", "20"),
        (r"target_relative_error=0\.\d+", "target_relative_error=0.3"),
        (r"\bcycles=\d+", "cycles=40"),
        (r"\binit_cycles=\d+", "init_cycles=10"),
        (r"\bn_simulate=\d+", "n_simulate=12"),
        (r"\bn_shortlist=\d+", "n_shortlist=8"),
        (r"\brounds=\d+", "rounds=1"),
        (r"\bn_screen=\d+", "n_screen=40"),
        (r"\bn_confirm=\d+", "n_confirm=1"),
        (r"\bn_henry=\d+", "n_henry=2"),
        (r"\bgrid_spacing_A=0\.15\b", "grid_spacing_A=0.3, allow_coarse_grid=True"),
        (r"\biterations=\d+", "iterations=30"),
        (r"\benergy_steps=\d+", "energy_steps=30"),
        (r"\bepochs=\d+", "epochs=3"),
        (r"\bbudget=\d+", "budget=12"),
        (r"\bbatch=\d+", "batch=3"),
    ):
        code = re.sub(pattern, replacement, code)
    return code


def test_the_commands_left_to_other_tests_are_run_there():
    for command, test_file in COVERED_ELSEWHERE.items():
        first, second = command.split()
        assert re.search(rf'"{first}",\s*"{second}",', test_file.read_text()), f"{test_file} runs no `{command}`"
    assert small_command(["atomlearn", "demo", "co2", "--out", "x"]) is None


def test_every_guide_page_is_run_here():
    assert sorted(GUIDE.glob("*.md")) == sorted(DOCUMENTS[1:]), "add the new guide page to DOCUMENTS"


def test_the_readme_opens_with_the_two_commands():
    language, text, _ = blocks([README])[0]
    assert [line.split()[:2] for line in text.splitlines()] == [["make", "demo"], ["make", "test"]]


@pytest.mark.slow
def test_every_command_and_snippet_of_the_readme_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    threads = environment_threads()  # this worker's share of the cores: a `--threads N` below must not keep it
    ran = 0
    for language, text, line in blocks():
        if language == "python":
            code = small_python(text)
            try:
                exec(compile(code, line, "exec"), {"__name__": "__readme__"})
            except Exception as exc:  # noqa: BLE001 - the README line is what the failure must name
                pytest.fail(f"{line}: the Python snippet failed: {type(exc).__name__}: {exc}")
            ran += 1
            continue
        if language not in ("shell", "bash", "sh"):  # ```text: printed output or an error message, shown only
            continue
        for command in shell_commands(text):
            words = small_command(shlex.split(command))
            if words is None:
                continue
            if words[0] == "atomlearn":
                code = main(words[1:])
                if threads:
                    set_threads(threads)
                output = capsys.readouterr()
                if words[1:3] == ["forcefield", "md"] and code == 1:  # a 2-epoch force field may fall apart:
                    assert "UNSTABLE" in output.out  # exit 1 is md's documented verdict, with its reason
                    code = 0
                assert code == 0, f"{line}: `{' '.join(words)}` exited {code}:\n{output.err}{output.out[-2000:]}"
            else:  # plain shell (cat, printf): the system's shell, in the same folder
                done = subprocess.run(
                    command,
                    shell=True,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"},
                )
                assert done.returncode == 0, f"{line}: `{command}`: {done.stderr}"
            ran += 1
    assert ran >= 35
