import numpy as np
import pandas as pd
import pytest

from atomlearn.explain.dimensions import format_unit, parse_unit
from atomlearn.explain.sisso import SISSORegressor


def test_recovers_a_planted_formula_exactly():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.uniform(0.5, 2.0, size=(200, 4)), columns=["a", "b", "c", "d"])
    y = 3.0 * X["a"] / X["b"] ** 2 + 0.01 * rng.normal(size=200)
    model = SISSORegressor(complexity=2, n_terms=1, units=["eV", "Å", "Å", "1"]).fit(X, y)
    best = model.models_[0]
    assert best["formulas"] == ["a / (b)^2"] and best["units"] == ["eV Å^-2"]
    assert best["coef"][0] == pytest.approx(3.0, rel=2e-3) and abs(best["intercept"]) < 0.01
    assert best["rmse"] == pytest.approx(0.01, rel=0.2)
    np.testing.assert_allclose(model.predict(X.to_numpy()), 3.0 * X["a"] / X["b"] ** 2, atol=0.01)


def test_tolerance_factor_from_ionic_radii():
    """Goldschmidt's t = (r_A + r_X) / (√2 (r_B + r_X)) from A, B and X radii (Å) of ABX3 perovskites."""
    rng = np.random.default_rng(1)
    radii = pd.DataFrame(
        {"r_A": rng.uniform(1.0, 1.9, 150), "r_B": rng.uniform(0.5, 1.1, 150), "r_X": rng.uniform(1.3, 2.2, 150)}
    )
    t = (radii["r_A"] + radii["r_X"]) / (np.sqrt(2) * (radii["r_B"] + radii["r_X"]))
    model = SISSORegressor(complexity=2, n_terms=1, units={"r_A": "Å", "r_B": "Å", "r_X": "Å"}).fit(radii, t)
    best = model.models_[0]
    assert best["formulas"] == ["(r_A + r_X) / (r_B + r_X)"] and best["units"] == ["1"]
    assert best["coef"][0] == pytest.approx(1 / np.sqrt(2), rel=1e-9) and best["rmse"] < 1e-12


def test_units_forbid_invalid_sums_and_a_second_term_lowers_the_error():
    rng = np.random.default_rng(2)
    X = rng.uniform(1.0, 3.0, size=(120, 3))
    y = X[:, 0] * X[:, 1] + 2.0 * np.sqrt(X[:, 2]) + 0.001 * rng.normal(size=120)
    with_units = SISSORegressor(complexity=1, n_terms=2, n_sis=10, units=["m", "s", "kg"]).fit(X, y)
    frame = with_units.models_frame()
    assert frame["rmse"].iloc[1] < 0.01 < frame["rmse"].iloc[0]
    assert sorted(frame["formulas"].iloc[1]) == ["sqrt(x2)", "x0 * x1"]
    built = with_units.n_candidates_
    free = SISSORegressor(complexity=1, n_terms=1, n_sis=10).fit(X, y).n_candidates_
    assert built[0] == free[0] == 3 and built[1] < free[1]  # m + s, exp(m), ... are never built


def test_units_parse_and_bad_input_is_named():
    assert format_unit(parse_unit("eV/Å^2")) == "eV Å^-2" and parse_unit("1") == parse_unit("") == ()
    assert format_unit(parse_unit("kg m^2 s^-2")) == "kg m^2 s^-2"
    with pytest.raises(ValueError, match="cannot read"):
        parse_unit("eV^^2")
    with pytest.raises(ValueError, match="finite"):
        SISSORegressor().fit(np.array([[1.0, np.nan]]), [1.0])
    with pytest.raises(ValueError, match="more rows than n_terms"):
        SISSORegressor(n_terms=2).fit(np.empty((0, 3)), [])
    with pytest.raises(ValueError, match="unknown operators"):
        SISSORegressor(operators=["add", "tanh"]).fit(np.ones((3, 2)), [1, 2, 3])
