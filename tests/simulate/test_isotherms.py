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
    assert model.model.params["n_m"] == pytest.approx(5.0, rel=1e-6) and model.model.params["K"] == pytest.approx(
        2.0, rel=1e-6
    )
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
    single = {
        g: pd.DataFrame(
            {
                "id": ["A"] * len(P) + ["B"] * 2,
                "pressure_bar": list(P) + [0.1, 1.0],
                f"loading_{g}_mol_kg": list(_langmuir(P, 4.0, kk)) + [0.1, 0.5],
            }
        )
        for g, kk in (("CO2", 3.0), ("N2", 0.1))
    }
    mixture = pd.DataFrame(
        {
            "id": ["A"],
            "pressure_bar": [1.0],
            "loading_CO2_mol_kg": [1.2],
            "loading_se_CO2_mol_kg": [0.1],
            "loading_N2_mol_kg": [0.2],
            "loading_se_N2_mol_kg": [0.02],
        }
    )
    table = iast_table(single, {"CO2": 0.15, "N2": 0.85}, 1.0, 298.0, model="Langmuir", mixture=mixture).set_index("id")
    assert table.loc["A", "error"] == "" and table.loc["A", "iast_selectivity_CO2_N2"] == pytest.approx(30.0, rel=1e-3)
    assert table.loc["A", "gcmc_loading_CO2_mol_kg"] == 1.2
    assert table.loc["B", "error"] == "" and np.isfinite(table.loc["B", "iast_CO2_mol_kg"])  # 2 points: Langmuir fits
    strict = iast_table(single, {"CO2": 0.15, "N2": 0.85}, 1.0, 298.0, model="DSLangmuir").set_index("id")
    assert "needs at least 4 distinct pressures" in strict.loc["B", "error"] and np.isnan(
        strict.loc["B", "iast_CO2_mol_kg"]
    )


def test_a_framework_whose_isotherm_cannot_be_fitted_fails_alone_and_extrapolation_is_said():
    P4 = np.array([0.01, 0.1, 0.5, 1.0])
    noisy = _langmuir(P4, 3.0, 1.5) * np.array([1.03, 0.97, 1.02, 0.99])  # a real 4-point GCMC isotherm is noisy
    weird = [2.0, 0.0, 3.0, 0.0]  # not an isotherm at all
    single = {
        g: pd.DataFrame(
            {
                "id": ["ok"] * 4 + ["bad"] * 4,
                "pressure_bar": list(P4) * 2,
                f"loading_{g}_mol_kg": list(noisy * (1 if g == "CO2" else 0.1)) + weird,
            }
        )
        for g in ("CO2", "N2")
    }
    table = iast_table(single, {"CO2": 0.15, "N2": 0.85}, 0.05, 298.0).set_index("id")
    assert table.loc["ok", "error"] == "" and np.isfinite(table.loc["ok", "iast_CO2_mol_kg"])
    assert table.loc["ok", "model_CO2"] in ("Langmuir", "DSLangmuir") and table.loc["ok", "warning"] == ""
    # at 1 bar the weakly adsorbed N2 is read at p° = y p / x = 6.5 bar of its pure isotherm: beyond its data
    at_one_bar = iast_table(single, {"CO2": 0.15, "N2": 0.85}, 1.0, 298.0).set_index("id")
    assert "N2's isotherm extrapolated to 6.51 bar" in at_one_bar.loc["ok", "warning"]
    assert table.loc["bad", "error"].startswith("bad: ") and np.isnan(table.loc["bad", "iast_CO2_mol_kg"])
    far = iast_table(single, {"CO2": 0.15, "N2": 0.85}, 1000.0, 298.0).set_index("id")
    assert "extrapolated" in far.loc["ok", "warning"] and "simulated up to 1 bar" in far.loc["ok", "warning"]
    with pytest.raises(ValueError, match="two or more gases"):
        iast_table(single, {"CO2": 1.0}, 1.0, 298.0)


def test_auto_takes_henrys_law_for_a_gas_still_in_its_henry_regime():
    linear = fit_isotherm([0.15, 1.0], [0.045, 0.3], "N2", 298.0)  # no capacity to find: Langmuir does not converge
    assert linear.model.name == "Henry" and linear.model.params["K"] == pytest.approx(0.3, rel=1e-3)
    curved = fit_isotherm(P, _langmuir(P, 5.0, 2.0), "CO2", 298.0)
    assert curved.model.name == "Langmuir"
