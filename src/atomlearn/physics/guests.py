"""Guest molecules for Widom insertion: rigid sets of LJ sites with partial charges.

Parameters (ε/k_B in K, σ in Å, charge in e, positions in Å from the centre of mass):

* CH4: TraPPE united atom, M. G. Martin, J. I. Siepmann, J. Phys. Chem. B 102, 2569 (1998).
* N2, CO2: TraPPE rigid three-site models, J. J. Potoff, J. I. Siepmann, AIChE J. 47, 1676 (2001).
* Ar: ε/k_B 119.8 K, σ 3.405 Å (Rowley, Nicholson & Parsonage, J. Comput. Phys. 17, 401 (1975)).
* Kr, Xe: ε/k_B 166.4 / 221 K, σ 3.636 / 4.1 Å (Hirschfelder, Curtiss & Bird, Molecular Theory
  of Gases and Liquids, 1954), as used for Xe/Kr screening by Sikora et al., Chem. Sci. 3, 2217 (2012).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atomlearn.registry import Entry, Registry


@dataclass(frozen=True)
class GuestSite:
    """One interaction site of a rigid guest.

    Attributes
    ----------
    type : str
        Lennard-Jones type name (sites of one type share an energy grid).
    epsilon_K : float
        ε/k_B (K); 0 for a charge-only site.
    sigma_A : float
        σ (Å).
    charge_e : float
        Partial charge (e).
    position_A : tuple of float
        Position in the guest's own frame (Å).
    """

    type: str
    epsilon_K: float
    sigma_A: float
    charge_e: float
    position_A: tuple[float, float, float]


@dataclass(frozen=True)
class Guest:
    """A rigid guest molecule.

    Attributes
    ----------
    name : str
    sites : tuple of GuestSite
    citation : str
        Where its parameters come from.
    """

    name: str
    sites: tuple[GuestSite, ...]
    citation: str

    @property
    def positions(self) -> np.ndarray:
        """Site positions in the guest's own frame, shape (n_sites, 3), Å."""
        return np.array([site.position_A for site in self.sites], dtype=float)

    @property
    def charged(self) -> bool:
        """Whether any site carries a partial charge (electrostatics then matter)."""
        return any(site.charge_e != 0.0 for site in self.sites)

    @property
    def lj_types(self) -> list[GuestSite]:
        """One site per LJ type with ε > 0, in first-seen order (each gets an energy grid)."""
        seen: dict[str, GuestSite] = {}
        for site in self.sites:
            if site.epsilon_K > 0 and site.type not in seen:
                seen[site.type] = site
        return list(seen.values())


def _atom(name: str, epsilon_K: float, sigma_A: float, citation: str) -> Guest:
    return Guest(name, (GuestSite(name, epsilon_K, sigma_A, 0.0, (0.0, 0.0, 0.0)),), citation)


def _linear(name: str, outer: GuestSite, centre: GuestSite, citation: str) -> Guest:
    half = outer.position_A[2]
    mirrored = GuestSite(outer.type, outer.epsilon_K, outer.sigma_A, outer.charge_e, (0.0, 0.0, -half))
    return Guest(name, (outer, centre, mirrored), citation)


TRAPPE_UA = "M. G. Martin, J. I. Siepmann, J. Phys. Chem. B 102, 2569-2577 (1998). doi:10.1021/jp972543+"
TRAPPE_SMALL = "J. J. Potoff, J. I. Siepmann, AIChE J. 47, 1676-1682 (2001). doi:10.1002/aic.690470719"
NOBLE = (
    "J. O. Hirschfelder, C. F. Curtiss, R. B. Bird, Molecular Theory of Gases and Liquids (Wiley, 1954); "
    "as used by B. J. Sikora et al., Chem. Sci. 3, 2217-2223 (2012). doi:10.1039/c2sc01097a"
)
ARGON = "W. L. Rowley, D. Nicholson, N. G. Parsonage, J. Comput. Phys. 17, 401-414 (1975)."


def _entry(guest: Guest, description: str) -> Entry:
    return Entry(guest.name, guest, description, guest.citation)


#: guest name -> the rigid molecule (``load`` gives the ``Guest``); names are case-insensitive, "methane" is CH4
GUESTS = Registry(
    "guest",
    [
        _entry(_atom("CH4", 148.0, 3.73, TRAPPE_UA), "methane, one united-atom LJ site (TraPPE-UA)"),
        _entry(_atom("Ar", 119.8, 3.405, ARGON), "argon, one LJ site"),
        _entry(_atom("Kr", 166.4, 3.636, NOBLE), "krypton, one LJ site"),
        _entry(_atom("Xe", 221.0, 4.1, NOBLE), "xenon, one LJ site"),
        _entry(
            _linear(
                "N2",
                GuestSite("N_n2", 36.0, 3.31, -0.482, (0.0, 0.0, 0.55)),
                GuestSite("N_com", 0.0, 1.0, 0.964, (0.0, 0.0, 0.0)),
                TRAPPE_SMALL,
            ),
            "nitrogen, two LJ sites and three charges (TraPPE)",
        ),
        _entry(
            _linear(
                "CO2",
                GuestSite("O_co2", 79.0, 3.05, -0.35, (0.0, 0.0, 1.16)),
                GuestSite("C_co2", 27.0, 2.80, 0.70, (0.0, 0.0, 0.0)),
                TRAPPE_SMALL,
            ),
            "carbon dioxide, three charged LJ sites (TraPPE)",
        ),
    ],
    aliases={"methane": "CH4"},
    case_sensitive=False,
)


def get_guest(name: str) -> Guest:
    """A guest by name.

    Parameters
    ----------
    name : str
        CH4 (or methane), Ar, Kr, Xe, N2 or CO2, case-insensitive.

    Returns
    -------
    Guest

    Raises
    ------
    UnknownNameError
        For another name, with the closest known one.
    """
    return GUESTS.load(name)
