"""Lennard-Jones parameters of framework atoms (UFF, DREIDING) and Lorentz–Berthelot mixing.

The tables ship in ``atomlearn/package_data`` in the units of the papers (well position x in Å,
well depth D in kcal/mol); σ = x / 2^(1/6) and ε/k_B = D · 503.22 K.

* UFF: A. K. Rappé, C. J. Casewit, K. S. Colwell, W. A. Goddard III, W. M. Skiff,
  J. Am. Chem. Soc. 114, 10024–10035 (1992), Table 1 (elements 1–103).
* DREIDING: S. L. Mayo, B. D. Olafson, W. A. Goddard III, J. Phys. Chem. 94, 8897–8909
  (1990), main-group elements; metals and the rest fall back to UFF, as in the common
  "DREIDING + UFF" MOF force field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from atomlearn.units import KCAL_MOL_TO_K

#: x (the LJ well position) = 2^(1/6) σ
SIGMA_PER_X = 2.0 ** (-1.0 / 6.0)

CITATIONS = {
    "uff": "A. K. Rappé, C. J. Casewit, K. S. Colwell, W. A. Goddard III, W. M. Skiff, UFF, a full periodic "
    "table force field for molecular mechanics and molecular dynamics simulations, J. Am. Chem. Soc. 114, "
    "10024-10035 (1992). doi:10.1021/ja00051a040",
    "dreiding": "S. L. Mayo, B. D. Olafson, W. A. Goddard III, DREIDING: a generic force field for molecular "
    "simulations, J. Phys. Chem. 94, 8897-8909 (1990). doi:10.1021/j100389a010 (elements it lacks: UFF)",
}


@dataclass(frozen=True)
class FrameworkForceField:
    """Per-element Lennard-Jones parameters of framework atoms.

    Attributes
    ----------
    name : str
    epsilon_K : mapping of str to float
        ε/k_B (K) by element symbol.
    sigma_A : mapping of str to float
        σ (Å) by element symbol.
    """

    name: str
    epsilon_K: Mapping[str, float]
    sigma_A: Mapping[str, float]

    def parameters(self, symbols: Sequence[str], source: str = "structure") -> tuple[np.ndarray, np.ndarray]:
        """(ε/k_B in K, σ in Å) for each symbol; a clear error names elements without parameters."""
        unknown = sorted(set(symbols) - set(self.epsilon_K))
        if unknown:
            raise ValueError(
                f"{source}: no {self.name} Lennard-Jones parameters for {', '.join(unknown)}; "
                "give them with forcefield overrides, e.g. {'X': (epsilon_K, sigma_A)}"
            )
        return (
            np.array([self.epsilon_K[s] for s in symbols], dtype=float),
            np.array([self.sigma_A[s] for s in symbols], dtype=float),
        )

    def citation(self) -> str:
        """The paper the parameters come from."""
        return CITATIONS.get(self.name.split("+")[0], self.name)


@cache
def _table(filename: str) -> pd.DataFrame:
    with resources.files("atomlearn.package_data").joinpath(filename).open() as handle:
        return pd.read_csv(handle)


def load_forcefield(
    name: str = "uff", overrides: Mapping[str, tuple[float, float]] | None = None
) -> FrameworkForceField:
    """A framework force field shipped with atomlearn.

    Parameters
    ----------
    name : {"uff", "dreiding"}
    overrides : mapping of str to (float, float), optional
        Element symbol -> (ε/k_B in K, σ in Å) replacing the table's values.

    Returns
    -------
    FrameworkForceField
    """
    key = name.lower()
    if key not in CITATIONS:
        raise ValueError(f"unknown framework force field {name!r}; choose one of {', '.join(CITATIONS)}")
    rows = pd.concat([_table("uff_lj.csv"), _table("dreiding_lj.csv")] if key == "dreiding" else [_table("uff_lj.csv")])
    rows = rows.drop_duplicates("symbol", keep="last")  # DREIDING rows replace UFF ones
    epsilon = dict(zip(rows["symbol"], rows["D_kcal_mol"] * KCAL_MOL_TO_K))
    sigma = dict(zip(rows["symbol"], rows["x_A"] * SIGMA_PER_X))
    for symbol, (eps, sig) in (overrides or {}).items():
        if eps < 0 or sig <= 0:
            raise ValueError(f"override for {symbol}: epsilon_K must be >= 0 and sigma_A > 0, got {(eps, sig)}")
        epsilon[symbol], sigma[symbol] = float(eps), float(sig)
    return FrameworkForceField(key + ("+overrides" if overrides else ""), epsilon, sigma)


def lorentz_berthelot(
    eps_a: np.ndarray | float, sig_a: np.ndarray | float, eps_b: np.ndarray | float, sig_b: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """Lorentz–Berthelot mixing of Lennard-Jones parameters.

    Parameters
    ----------
    eps_a, sig_a, eps_b, sig_b : float or ndarray
        ε (any energy unit) and σ (any length unit) of the two kinds; arrays broadcast.

    Returns
    -------
    eps : float or ndarray
        √(ε_a ε_b).
    sig : float or ndarray
        (σ_a + σ_b)/2.
    """
    return np.sqrt(np.multiply(eps_a, eps_b)), 0.5 * np.add(sig_a, sig_b)
