"""Isotherms written as AIF files (simulate/aif.py) are read back by pyGAPS with the same points, units,
standard errors and settings; a mixture names its composition; fitted models keep their parameters;
a broken file is refused with its name."""

import json

import numpy as np
import pandas as pd
import pygaps
import pytest

from atomlearn.cli import main
from atomlearn.schema import FileFormatError
from atomlearn.simulate.aif import gcmc_to_aif, models_to_aif, read_aif
from atomlearn.simulate.isotherms import fit_isotherm

P = np.array([0.01, 0.1, 0.5, 1.0])
SETTINGS = json.dumps({"forcefield": "uff", "cycles": 2000, "grid_spacing_A": 0.15, "target_relative_error": None})


def _table(composition: str, fractions: dict[str, float]) -> pd.DataFrame:
    rows = []
    for item_id, capacity in (("MOF-A", 4.0), ("MOF B/2", 2.0)):
        for p in P:
            row = {"id": item_id, "composition": composition, "temperature_K": 298.0, "pressure_bar": p}
            for gas, y in fractions.items():
                loading = capacity * 3 * y * p / (1 + 3 * p)
                row |= {f"y_{gas}": y, f"loading_{gas}_mol_kg": loading, f"loading_se_{gas}_mol_kg": 0.01 * loading}
                row[f"excess_loading_{gas}_mol_kg"] = 0.9 * loading
            rows.append(row | {"converged": p != 0.01, "settings": SETTINGS, "electrostatics": "ewald (EQeq charges)"})
    return pd.DataFrame(rows)


def test_gcmc_isotherms_round_trip_through_pygaps(tmp_path):
    table = _table("CO2", {"CO2": 1.0})
    written = gcmc_to_aif(table, tmp_path / "aif")
    assert sorted(p.name for p in written) == ["MOF-A_CO2.aif", "MOF_B_2_CO2.aif"]  # a safe file name
    assert (tmp_path / "aif" / "complete.json").is_file()
    isotherm = read_aif(tmp_path / "aif" / "MOF_B_2_CO2.aif")
    assert (str(isotherm.material), str(isotherm.adsorbate), isotherm.temperature) == ("MOF B/2", "carbon dioxide", 298)
    assert (isotherm.pressure_unit, isotherm.loading_unit, isotherm.material_unit) == ("bar", "mmol", "g")
    data = isotherm.data()
    expected = table[table["id"] == "MOF B/2"]
    assert np.allclose(data["pressure"], P) and np.allclose(data["loading"], expected["loading_CO2_mol_kg"], rtol=1e-5)
    assert np.allclose(data["loading_standard_error"], expected["loading_se_CO2_mol_kg"], rtol=1e-4)
    assert np.allclose(data["excess_loading"], expected["excess_loading_CO2_mol_kg"], rtol=1e-5)
    properties = isotherm.properties
    assert properties["simulation_forcefield"] == "uff" and properties["simulation_cycles"] == 2000
    assert properties["simulation_unconverged_pressures_bar"] == 0.01
    assert properties["simulation_electrostatics"] == "ewald (EQeq charges)"
    # pyGAPS computes with what it read: a Langmuir fit gives back the capacity and constant of the points
    fitted = pygaps.ModelIsotherm.from_pointisotherm(isotherm, model="Langmuir", verbose=False)
    assert fitted.model.params["n_m"] == pytest.approx(2.0, rel=1e-4) and fitted.model.params["K"] == pytest.approx(
        3.0, rel=1e-4
    )


def test_a_mixture_writes_one_file_per_gas_with_its_composition(tmp_path):
    table = _table("CO2:0.15,N2:0.85", {"CO2": 0.15, "N2": 0.85})
    names = sorted(p.name for p in gcmc_to_aif(table, tmp_path))
    assert names[:2] == ["MOF-A_CO2_in_CO2-0.15_N2-0.85.aif", "MOF-A_N2_in_CO2-0.15_N2-0.85.aif"]
    nitrogen = read_aif(tmp_path / names[1])
    assert str(nitrogen.adsorbate) == "nitrogen"
    assert nitrogen.properties["simulation_mixture"] == "CO2:0.15,N2:0.85"
    assert nitrogen.properties["simulation_pressure_is"] == "total pressure of the mixture"
    with pytest.raises(ValueError, match="empty"):
        gcmc_to_aif(table.iloc[:0], tmp_path / "none")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        gcmc_to_aif(table, tmp_path / names[0])


def test_fitted_models_keep_their_parameters_and_a_broken_file_is_refused(tmp_path):
    model = fit_isotherm(P, 5.0 * 2.0 * P / (1 + 2.0 * P), "CO2", 298.0, model="Langmuir", material="MOF-A")
    (path,) = models_to_aif({("MOF-A", "CO2"): model}, tmp_path, {"model": "Langmuir", "iast_pressure_bar": 1.0})
    assert path.name == "MOF-A_CO2_model.aif"
    back = read_aif(path)
    assert back.model.name == "Langmuir" and back.model.params["n_m"] == pytest.approx(5.0, rel=1e-5)
    assert back.properties["simulation_iast_pressure_bar"] == 1.0
    path.write_text(path.read_text()[:200])
    with pytest.raises(FileFormatError, match="MOF-A_CO2_model.aif: not a readable AIF file"):
        read_aif(path)
    with pytest.raises(FileFormatError, match="missing"):
        read_aif(tmp_path / "absent.aif")


def test_iast_writes_the_fitted_models_from_the_command_line(tmp_path, capsys):
    for gas, capacity in (("CO2", 4.0), ("N2", 1.0)):
        table = _table(gas, {gas: 1.0})
        table[f"loading_{gas}_mol_kg"] *= capacity / 4.0
        table.drop(columns=["converged"]).to_csv(tmp_path / f"{gas}.csv", index=False)
    arguments = [
        "simulate",
        "iast",
        str(tmp_path / "CO2.csv"),
        str(tmp_path / "N2.csv"),
        "--mixture",
        "CO2:0.15,N2:0.85",
    ]
    assert main([*arguments, "--pressure", "1", "--aif", str(tmp_path / "CO2.csv")]) == 2  # a file: refused first
    assert "is a file, not a folder" in capsys.readouterr().err
    assert main([*arguments, "--pressure", "1", "--aif", str(tmp_path / "iast_aif")]) == 0
    assert "AIF model isotherms written to" in (out := capsys.readouterr().out) and ": 4 files" in out
    back = read_aif(tmp_path / "iast_aif" / "MOF-A_N2_model.aif")
    assert str(back.adsorbate) == "nitrogen" and back.properties["simulation_iast_mixture"] == "CO2:0.15,N2:0.85"
