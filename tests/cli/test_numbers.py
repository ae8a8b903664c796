"""Nonsense refused at the door: every numeric option of every command, fed its own bad values (0 K, NaN, a
negative count, a pressure of inf, mole fractions that do not sum to 1, ...), stops with exit 2 and one
``error:`` line that names the option, before anything runs; no option is left with a bare int/float type."""

from __future__ import annotations

import argparse

import pytest

from atomlearn.cli.app import build_parser, main


def _numeric_options() -> list[tuple[list[str], str, object]]:
    """(command path, option, its argparse type) for every option of every command."""
    found = []

    def walk(parser: argparse.ArgumentParser, path: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, [*path, name])
            elif action.option_strings and action.type is not None:
                found.append((path, action.option_strings[0], action.type))

    walk(build_parser(), [])
    return found


OPTIONS = _numeric_options()


def test_no_numeric_option_is_parsed_unchecked():
    bare = [f"{' '.join(path)} {option}" for path, option, kind in OPTIONS if kind in (int, float)]
    assert not bare, f"options parsed without a range check: {bare}"
    assert len(OPTIONS) > 100


CASES = [(path, option, bad) for path, option, kind in OPTIONS for bad in getattr(kind, "bad_values", ())]


@pytest.mark.parametrize(("path", "option", "bad"), CASES, ids=[f"{' '.join(p)} {o} {b}" for p, o, b in CASES])
def test_a_bad_number_is_refused_with_one_line_naming_the_option(path, option, bad, capsys):
    assert main([*path, f"{option}={bad}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error:") and option in err and "Traceback" not in err, err


def test_good_numbers_pass_the_door(capsys):
    from atomlearn.cli.simulate import mixture, pressures_bar

    assert pressures_bar("0.01, 0.15,1") == [0.01, 0.15, 1.0]
    assert mixture("CO2:0.15,N2:0.85") == {"CO2": 0.15, "N2": 0.85}
    assert main(["simulate", "gcmc", "--mixture", "CO2:0.3,N2:0.3"]) == 2
    assert "sum to 0.6, not 1" in capsys.readouterr().err
    assert main(["simulate", "gcmc", "--mixture", "CO2:0.5,CO2:0.5"]) == 2
    assert "names CO2 twice" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command",
    [
        ["simulate", "gcmc", "{empty}", "--pressures", "1", "--out", "{empty}/e.csv"],
        ["simulate", "henry", "{empty}", "--out", "{empty}/h.csv"],
        ["charges", "{empty}", "--out", "{empty}/charged"],
    ],
)
def test_an_empty_folder_is_an_error_not_an_empty_result(command, tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("no structures here")
    assert main([part.format(empty=tmp_path) for part in command]) == 2
    err = capsys.readouterr().err
    assert "no structure files in this folder" in err and err.count("\n") == 1
    assert not (tmp_path / "e.csv").exists() and not (tmp_path / "h.csv").exists()
