"""The energy of a guest at the points of a grid through a crystal's cell, shared by the energy-histogram
and grid-Henry featurizers.

A single-site guest (CH4, Ar, Kr, Xe) is one Lennard-Jones site: its energy at a point is the grid value.
A rigid molecule with several sites and charges (CO2, N2) takes ``n_orientations`` orientations at each
point, fixed to the cell's own frame (so a rotated crystal gives the same numbers); each site's
Lennard-Jones and Coulomb energy is interpolated from the framework's grids (its partial charges from
the CIF, else EQeq, as Widom takes them), and the point's energy is the orientational free energy
−kT ln⟨e^(−U/kT)⟩ over the orientations. Energies are clipped at ±50 kT before the Boltzmann factor.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from ase import Atoms

__all__ = ["CHARGE_SOURCES", "fit_guest", "point_energies"]

#: where a charged guest's framework charges come from (as ``simulate.widom_henry`` takes them)
CHARGE_SOURCES = ("auto", "cif", "eqeq", "off")
#: grid points whose orientations are evaluated at once (memory: points x orientations x sites x 3 floats)
ORIENTATION_CHUNK = 20_000


def fit_guest(featurizer: Any) -> None:
    """Check a guest featurizer's settings and set what its ``point_energies`` read: ``guest_name_``,
    ``site_epsilon_K_``, ``site_sigma_A_``, ``spacing_A_``, ``orientations_`` and ``forcefield_``.

    Parameters
    ----------
    featurizer : Featurizer
        With ``guest``, ``forcefield``, ``spacing_A``, ``grid_spacing_A``, ``cutoff_A``, ``temperature_K``,
        ``charges``, ``n_orientations`` and ``random_state``.

    Raises
    ------
    ValueError
        For settings out of range.
    """
    from atomlearn.physics.guests import get_guest
    from atomlearn.physics.lj_parameters import load_forcefield

    guest = get_guest(featurizer.guest)
    molecule = len(guest.sites) > 1 or guest.charged
    spacing = featurizer.spacing_A if featurizer.spacing_A is not None else (0.7 if molecule else 1.0)
    featurizer.spacing_A_ = float(spacing)
    if not (
        featurizer.spacing_A_ > 0
        and featurizer.cutoff_A > 0
        and featurizer.temperature_K > 0
        and featurizer.grid_spacing_A > 0
        and featurizer.n_orientations >= 1
    ):
        raise ValueError("spacing_A, grid_spacing_A, cutoff_A and temperature_K must be > 0 and n_orientations >= 1")
    if featurizer.charges not in CHARGE_SOURCES:
        raise ValueError(f"charges must be one of {', '.join(CHARGE_SOURCES)}, not {featurizer.charges!r}")
    featurizer.guest_name_ = guest.name
    featurizer.site_epsilon_K_, featurizer.site_sigma_A_ = guest.sites[0].epsilon_K, guest.sites[0].sigma_A
    featurizer.orientations_ = None
    if molecule:
        from scipy.spatial.transform import Rotation

        rotations = Rotation.random(featurizer.n_orientations, random_state=featurizer.random_state)
        featurizer.orientations_ = rotations.as_matrix()
    featurizer.forcefield_ = load_forcefield(featurizer.forcefield)  # once, not per structure


def point_energies(featurizer: Any, atoms: Atoms) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The guest's energy at every point of the featurizer's grid through the cell of ``atoms``.

    Parameters
    ----------
    featurizer : Featurizer
        Fitted by :func:`fit_guest`.
    atoms : ase.Atoms
        A periodic framework.

    Returns
    -------
    energy_K : ndarray, shape (n_points,)
        A single site's energy, or a molecule's orientational free energy (K).
    boltzmann : ndarray, shape (n_points,)
        ⟨e^(−U/kT)⟩ at each point.
    weighted_K : ndarray, shape (n_points,)
        ⟨U e^(−U/kT)⟩ at each point (K).
    """
    if getattr(featurizer, "orientations_", None) is None:  # a single site (or one fitted before molecules came)
        energy_K = _site_energies(featurizer, atoms)
        clipped = np.clip(energy_K, -50 * featurizer.temperature_K, 50 * featurizer.temperature_K)
        boltzmann = np.exp(-clipped / featurizer.temperature_K)
        return energy_K, boltzmann, clipped * boltzmann
    return _molecule_energies(featurizer, atoms)


def _site_energies(featurizer, atoms: Atoms) -> np.ndarray:
    """Lennard-Jones energy (K) of the single-site guest at each grid point, shape (n_points,)."""
    from atomlearn.physics.grid import grid_shape, lj_grids

    epsilon, sigma = featurizer.forcefield_.parameters(
        atoms.get_chemical_symbols(), str(atoms.info.get("id", "structure"))
    )
    cell = np.asarray(atoms.cell, dtype=float)
    shape, _ = grid_shape(cell, getattr(featurizer, "spacing_A_", featurizer.spacing_A), featurizer.max_points)
    return (
        lj_grids(
            cell,
            atoms.get_scaled_positions(wrap=True),
            epsilon,
            sigma,
            np.array([featurizer.site_epsilon_K_]),
            np.array([featurizer.site_sigma_A_]),
            shape,
            featurizer.cutoff_A,
        )[0]
        .astype(float)
        .ravel()
    )


def _molecule_energies(featurizer, atoms: Atoms) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Orientational free energy −kT ln⟨e^(−U/kT)⟩ (K) of the rigid guest at each grid point, its mean
    Boltzmann factor ⟨e^(−U/kT)⟩ and its Boltzmann-weighted energy ⟨U e^(−U/kT)⟩ (K) there; each shape
    (n_points,)."""
    from atomlearn.physics import FrameworkModel, framework_charges, get_guest, grid_shape

    source = str(atoms.info.get("id", "structure"))
    guest = get_guest(featurizer.guest_name_)
    _, charges_e = framework_charges(atoms, guest.name, guest.charged, featurizer.charges, [])
    model = FrameworkModel(
        atoms,
        guest,
        featurizer.forcefield_,
        featurizer.cutoff_A,
        False,
        featurizer.grid_spacing_A,
        featurizer.max_points,
        featurizer.temperature_K,
        charges_e,
        source,
    )
    model.build_grids()
    shape, _ = grid_shape(model.cell, featurizer.spacing_A_, featurizer.max_points)
    axes = [np.arange(n) / n for n in shape]
    centres = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, 1, 1, 3)
    # orientations fixed to the cell's own frame (Q of its QR decomposition): a rotated crystal rotates them too
    frame, upper = np.linalg.qr(model.cell.T)
    frame = frame * np.sign(np.diag(upper))
    offsets = guest.positions - guest.positions.mean(axis=0)
    fractional = np.einsum("ij,ojk,sk->osi", frame, featurizer.orientations_, offsets) @ model.inverse_cell
    boltzmann, weighted = np.empty(len(centres)), np.empty(len(centres))
    for start in range(0, len(centres), ORIENTATION_CHUNK):
        sites = centres[start : start + ORIENTATION_CHUNK] + fractional[None]  # (points, orientations, sites, 3)
        energy = model.grid_energies(sites.reshape(-1, *sites.shape[2:])).reshape(sites.shape[:2])
        clipped = np.clip(energy, -50 * featurizer.temperature_K, 50 * featurizer.temperature_K)  # as a single site's
        weight = np.exp(-clipped / featurizer.temperature_K)
        boltzmann[start : start + ORIENTATION_CHUNK] = weight.mean(axis=1)
        weighted[start : start + ORIENTATION_CHUNK] = (clipped * weight).mean(axis=1)
    return -featurizer.temperature_K * np.log(boltzmann), boltzmann, weighted
