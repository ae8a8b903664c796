"""Isotherm fits and IAST (simulate/isotherms.py, through pyGAPS) against closed forms: a Langmuir
isotherm is recovered, and IAST of two Langmuir gases with one saturation capacity is the extended
Langmuir model."""

import numpy as np
import pandas as pd
import pytest

from atomlearn.simulate.isotherms import fit_isotherm, iast_loadings, iast_table

P = np.array([0.01, 0.05, 0.15, 0.5, 1.0, 2.0])  # bar


def _langmuir(p, capacity, k):
    return capacity * k * p / (1 + k * p)


def test_a_langmuir_isotherm_is_recovered():
    model = fit_isotherm(P, _langmuir(P, 5.0, 2.0), "CO2", 298.0, model="Langmuir")
    assert model.model.params["n_m"] == pytest.approx(5.0, rel=1e-6) and model.model.params["K"] == pytest.approx(2.0, rel=1e-6)
    with pytest.raises(ValueError, match="at least 4 distinct pressures"):
        fit_isotherm(P[:3], _langmuir(P[:3], 5.0, 2.0), "CO2", 298.0, model="DSLangmuir")


def test_iast_of_two_langmuir_gases_with_one_capacity_is_extended_langmuir():
    k = {"CO2": 2.0, "N2": 0.2}
    models = {g: fit_isotherm(P, _langmuir(P, 5.0, k[g]), g, 298.0, model="Langmuir") for g in k}
    predicted = iast_loadings(models, {"CO2": 0.15, "N2": 0.85}, 1.0)
    denominator = 1 + k["CO2"] * 0.15 + k["N2"] * 0.85
    assert predicted["CO2"] == pytest.approx(5.0 * k["CO2"] * 0.15 / denominator, rel=1e-4)
    assert predicted["N2"] == pytest.approx(5.0 * k["N2"] * 0.85 / denominator, rel=1e-4)


def test_a_table_per_framework_with_the_mixture_gcmc_beside_it():
    single = {g: pd.DataFrame({"id": ["A"] * len(P) + ["B"] * 2, "pressure_bar": list(P) + [0.1, 1.0],
                               f"loading_{g}_mol_kg": list(_langmuir(P, 4.0, kk)) + [0.1, 0.5]})
              for g, kk in (("CO2", 3.0), ("N2", 0.1))}
    mixture = pd.DataFrame({"id": ["A"], "pressure_bar": [1.0], "loading_CO2_mol_kg": [1.2], "loading_se_CO2_mol_kg": [0.1],
                            "loading_N2_mol_kg": [0.2], "loading_se_N2_mol_kg": [0.02]})
    table = iast_table(single, {"CO2": 0.15, "N2": 0.85}, 1.0, 298.0, model="Langmuir", mixture=mixture).set_index("id")
    assert table.loc["A", "error"] == "" and table.loc["A", "iast_selectivity_CO2_N2"] == pytest.approx(30.0, rel=1e-3)
    assert table.loc["A", "gcmc_loading_CO2_mol_kg"] == 1.2
    assert table.loc["B", "error"] == "" and np.isfinite(table.loc["B", "iast_CO2_mol_kg"])  # 2 points: Langmuir fits
    strict = iast_table(single, {"CO2": 0.15, "N2": 0.85}, 1.0, 298.0, model="DSLangmuir").set_index("id")
    assert "needs at least 4 distinct pressures" in strict.loc["B", "error"] and np.isnan(strict.loc["B", "iast_CO2_mol_kg"])
