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

import numpy as np
from ase import Atoms

from atomlearn.featurizers.base import Featurizer

__all__ = ["CHARGE_SOURCES", "GuestGridFeaturizer"]

#: where a charged guest's framework charges come from (as ``simulate.widom_henry`` takes them)
CHARGE_SOURCES = ("auto", "cif", "eqeq", "off")
#: grid points whose orientations are evaluated at once (memory: points x orientations x sites x 3 floats)
ORIENTATION_CHUNK = 20_000
#: real-space cutoff (Å) of the Ewald potential grid of a descriptor: on 12 shortlisted CoRE MOFs the CO2
#: ``henry_grid`` took 0.39 s per MOF instead of 0.67 s at Widom's 6 Å, its features equal to 8e-6
#: (Widom and GCMC keep 6 Å, so that their labels stay bit for bit what they were)
DESCRIPTOR_POTENTIAL_CUTOFF_A = 4.0


class GuestGridFeaturizer(Featurizer):
    """Base of the featurizers that evaluate a guest on a grid through the cell (``EnergyHistogram``,
    ``HenryGrid``): the settings check in ``fit`` and the energies at the points.

    A subclass takes ``guest``, ``forcefield``, ``spacing_A``, ``grid_spacing_A``, ``cutoff_A``,
    ``temperature_K``, ``charges``, ``n_orientations``, ``random_state`` and ``max_points`` as parameters.
    ``fit`` sets ``guest_name_``, ``site_epsilon_K_``, ``site_sigma_A_``, ``spacing_A_``, ``orientations_``
    (None for a single site) and ``forcefield_``.
    """

    def _fit(self, structures) -> None:
        from atomlearn.physics.guests import get_guest
        from atomlearn.physics.lj_parameters import load_forcefield

        guest = get_guest(self.guest)
        molecule = len(guest.sites) > 1 or guest.charged
        self.spacing_A_ = float(self.spacing_A if self.spacing_A is not None else (0.7 if molecule else 1.0))
        if not (
            self.spacing_A_ > 0
            and self.cutoff_A > 0
            and self.temperature_K > 0
            and self.grid_spacing_A > 0
            and isinstance(self.n_orientations, int | np.integer)
            and self.n_orientations >= 1
        ):
            raise ValueError(
                "spacing_A, grid_spacing_A, cutoff_A and temperature_K must be > 0 and n_orientations a whole "
                "number >= 1"
            )
        if self.charges not in CHARGE_SOURCES:
            raise ValueError(f"charges must be one of {', '.join(CHARGE_SOURCES)}, not {self.charges!r}")
        self.guest_name_ = guest.name
        self.site_epsilon_K_, self.site_sigma_A_ = guest.sites[0].epsilon_K, guest.sites[0].sigma_A
        self.orientations_ = None
        if molecule:
            from scipy.spatial.transform import Rotation

            self.orientations_ = Rotation.random(self.n_orientations, random_state=self.random_state).as_matrix()
        self.forcefield_ = load_forcefield(self.forcefield)  # once, not per structure

    def _fitted_state(self) -> dict[str, object]:
        orientations = getattr(self, "orientations_", None)
        return {"orientations": None if orientations is None else orientations.round(12).tolist()}

    def point_energies(self, atoms: Atoms) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The guest's energy at every point of the grid through the cell of ``atoms``.

        Parameters
        ----------
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
        if getattr(self, "orientations_", None) is None:  # a single site (or one fitted before molecules came)
            energy_K = self.site_energies(atoms, self.site_epsilon_K_, self.site_sigma_A_)
            clipped = np.clip(energy_K, -50 * self.temperature_K, 50 * self.temperature_K)
            boltzmann = np.exp(-clipped / self.temperature_K)
            return energy_K, boltzmann, clipped * boltzmann
        return self._molecule_energies(atoms)

    def site_energies(self, atoms: Atoms, epsilon_K: float, sigma_A: float) -> np.ndarray:
        """Lennard-Jones energy of one site at every point of the grid through the cell.

        Parameters
        ----------
        atoms : ase.Atoms
        epsilon_K, sigma_A : float
            The site's ε/k_B (K) and σ (Å), mixed with the framework's by Lorentz–Berthelot.

        Returns
        -------
        ndarray, shape (n_points,)
            Energies (K).
        """
        from atomlearn.physics.grid import grid_shape, lj_grids

        epsilon, sigma = self.forcefield_.parameters(
            atoms.get_chemical_symbols(), str(atoms.info.get("id", "structure"))
        )
        cell = np.asarray(atoms.cell, dtype=float)
        shape, _ = grid_shape(cell, getattr(self, "spacing_A_", self.spacing_A), self.max_points)
        points = lj_grids(
            cell,
            atoms.get_scaled_positions(wrap=True),
            epsilon,
            sigma,
            np.array([epsilon_K]),
            np.array([sigma_A]),
            shape,
            self.cutoff_A,
        )[0]
        return points.astype(float).ravel()

    def _molecule_energies(self, atoms: Atoms) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Orientational free energy −kT ln⟨e^(−U/kT)⟩ (K) of the rigid guest at each grid point, its mean
        Boltzmann factor ⟨e^(−U/kT)⟩ and its Boltzmann-weighted energy ⟨U e^(−U/kT)⟩ (K) there; each shape
        (n_points,)."""
        from atomlearn.physics import FrameworkModel, framework_charges, get_guest, grid_shape

        source = str(atoms.info.get("id", "structure"))
        guest = get_guest(self.guest_name_)
        _, charges_e = framework_charges(atoms, guest.name, guest.charged, self.charges, [])
        model = FrameworkModel(
            atoms,
            guest,
            self.forcefield_,
            self.cutoff_A,
            False,
            self.grid_spacing_A,
            self.max_points,
            self.temperature_K,
            charges_e,
            source,
            DESCRIPTOR_POTENTIAL_CUTOFF_A,
        )
        model.build_grids()
        shape, _ = grid_shape(model.cell, self.spacing_A_, self.max_points)
        axes = [np.arange(n) / n for n in shape]
        centres = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, 1, 1, 3)
        # orientations fixed to the cell's own frame (Q of its QR decomposition): a rotated crystal rotates them too
        frame, upper = np.linalg.qr(model.cell.T)
        frame = frame * np.sign(np.diag(upper))
        offsets = guest.positions - guest.positions.mean(axis=0)
        fractional = np.einsum("ij,ojk,sk->osi", frame, self.orientations_, offsets) @ model.inverse_cell
        boltzmann, weighted = np.empty(len(centres)), np.empty(len(centres))
        for start in range(0, len(centres), ORIENTATION_CHUNK):
            sites = centres[start : start + ORIENTATION_CHUNK] + fractional[None]  # (points, orientations, sites, 3)
            energy = model.grid_energies(sites.reshape(-1, *sites.shape[2:])).reshape(sites.shape[:2])
            clipped = np.clip(energy, -50 * self.temperature_K, 50 * self.temperature_K)  # as a single site's
            weight = np.exp(-clipped / self.temperature_K)
            boltzmann[start : start + ORIENTATION_CHUNK] = weight.mean(axis=1)
            weighted[start : start + ORIENTATION_CHUNK] = (clipped * weight).mean(axis=1)
        return -self.temperature_K * np.log(boltzmann), boltzmann, weighted
