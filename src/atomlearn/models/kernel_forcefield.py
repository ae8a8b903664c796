"""A kernel force field: Gaussian kernel ridge regression of the energy of one molecule on its
SOAP descriptor, with forces from the derivative of the fitted model (DScribe gives ∂SOAP/∂r).

The descriptor is the SOAP power spectrum of every atom, in the molecule's atom order, side by
side: it is invariant to translation and rotation, and for one molecule sampled by MD (fixed
atom order) it tells conformations apart, where an average over atoms would blur them. The
model is fitted on energies only; its forces
F_j = −∂E/∂r_j = −Σ_m α_m ∂k(q, x_m)/∂q · ∂q/∂r_j are exact derivatives of the energy model,
so they are conservative (``centre_moves`` completes DScribe's derivatives). Width and λ are chosen by
``FastKernelRidge`` (leave-one-out).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from atomlearn.models.krr import FastKernelRidge


class KernelForceField(RegressorMixin, BaseEstimator):
    """Energies and forces of one molecule from SOAP + Gaussian KRR: ``fit(structures, y)``,
    ``predict(structures)``, ``predict_forces(structures)``, ``potential()``.

    ``cutoff_A`` (Å), ``n_max``, ``l_max``, ``sigma_A`` (Å) set the SOAP; ``alpha`` the λ grid.
    ``forces`` passed to ``fit`` are not fitted (energy-only training), only checked.
    Energies in the unit of ``y``, forces in that unit per Å.
    """

    def __init__(
        self,
        cutoff_A: float = 5.0,
        n_max: int = 4,
        l_max: int = 3,
        sigma_A: float = 0.5,
        alpha: Sequence[float] = (1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3),
    ) -> None:
        self.cutoff_A = cutoff_A
        self.n_max = n_max
        self.l_max = l_max
        self.sigma_A = sigma_A
        self.alpha = alpha

    def fit(
        self, structures: Sequence[Atoms], y: np.ndarray, forces: Sequence[np.ndarray] | None = None
    ) -> KernelForceField:
        """Fit the kernel ridge energy model on the frames' SOAP vectors.

        Parameters
        ----------
        structures : sequence of ase.Atoms
        y : array-like of shape (n_frames,)
            Energies in eV.
        forces : sequence of ndarray of shape (n_atoms, 3), optional
            Checked, not fitted: this baseline learns energies only (its forces are their derivatives).

        Returns
        -------
        self
        """
        structures = list(structures)
        y = np.asarray(y, dtype=float)
        if len(structures) != len(y):
            raise ValueError(f"{len(structures)} structures but {len(y)} energies")
        if len(structures) < 2:
            raise ValueError(f"{len(structures)} structure(s): a kernel force field needs at least 2")
        if not np.isfinite(y).all():
            raise ValueError(f"energy of structure {int(np.flatnonzero(~np.isfinite(y))[0])} is not finite")
        if any(atoms.pbc.any() for atoms in structures):
            raise ValueError("the kernel force field describes molecules (pbc=False); use painn or schnet for crystals")
        self.numbers_ = structures[0].numbers.copy()
        for index, atoms in enumerate(structures):
            if not np.array_equal(atoms.numbers, self.numbers_):
                raise ValueError(
                    f"structure {index} is {atoms.get_chemical_formula()}, structure 0 "
                    f"{structures[0].get_chemical_formula()}: a kernel force field describes one molecule"
                )
        self.species_ = sorted(set(structures[0].get_chemical_symbols()))
        soap = self._soap()
        X = np.stack([soap.create(atoms).ravel() for atoms in structures])
        self.scale_ = float(np.sqrt((X**2).sum(axis=1).mean())) or 1.0  # puts descriptors on unit length
        self.krr_ = FastKernelRidge(kernel="rbf", alpha=list(self.alpha)).fit(X / self.scale_, y)
        return self

    def predict(self, structures: Sequence[Atoms]) -> np.ndarray:
        """Energy of each structure (unit of ``y``)."""
        check_is_fitted(self, "krr_")
        soap = self._soap()
        X = np.stack([soap.create(self._checked(atoms)).ravel() for atoms in structures])
        return self.krr_.predict(X / self.scale_)

    def predict_forces(self, structures: Sequence[Atoms]) -> list[np.ndarray]:
        """Forces −∂E/∂r, one (n_atoms, 3) array per structure (unit of ``y`` per Å)."""
        potential = self.potential()
        return [potential(atoms)[1] for atoms in structures]

    def potential(self):
        """``atoms -> (energy, forces)`` through one SOAP-with-derivatives call per structure."""
        check_is_fitted(self, "krr_")
        soap, krr, scale = self._soap(), self.krr_, self.scale_
        centres = krr.X_fit_.astype(float)
        coef, gamma = krr.dual_coef_.astype(float), krr.gamma_

        def energy_and_forces(atoms: Atoms) -> tuple[float, np.ndarray]:
            derivatives, descriptor = soap.derivatives(
                self._checked(atoms), method="analytical", return_descriptor=True
            )
            centre_moves(derivatives)
            q = descriptor.ravel() / scale
            difference = q - centres  # (m, d)
            weights = coef * np.exp(-gamma * (difference**2).sum(axis=1))
            energy = float(weights.sum() + krr.intercept_)
            gradient = (-2.0 * gamma * weights @ difference).reshape(descriptor.shape) / scale  # ∂E/∂SOAP
            forces = -np.einsum("if,ijxf->jx", gradient, derivatives)
            return energy, forces

        return energy_and_forces

    def _soap(self):
        from dscribe.descriptors import SOAP

        return SOAP(
            species=self.species_,
            r_cut=float(self.cutoff_A),
            n_max=int(self.n_max),
            l_max=int(self.l_max),
            sigma=float(self.sigma_A),
            average="off",
        )

    def _checked(self, atoms: Atoms) -> Atoms:
        if not np.array_equal(atoms.numbers, self.numbers_):
            raise ValueError(
                f"{atoms.get_chemical_formula()} (in this atom order) is not the molecule this kernel "
                "force field was fitted on"
            )
        return atoms


def centre_moves(derivatives: np.ndarray) -> None:
    """Add, in place, how each centre's own displacement changes its spectrum.

    DScribe's ``derivatives`` (centres, atoms, 3, features) hold the centre fixed, so its own
    entries are zero. The spectrum depends only on the vectors from the centre to its
    neighbours, so by translation invariance ∂q_i/∂r_i = −Σ_(j≠i) ∂q_i/∂r_j.
    """
    own = np.arange(derivatives.shape[0])
    others = derivatives.sum(axis=1) - derivatives[own, own]
    derivatives[own, own] = -others
