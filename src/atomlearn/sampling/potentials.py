"""Energies a Boltzmann generator samples: reduced energies u(x) = U(x)/kT of flat coordinate
vectors, differentiable with PyTorch (reverse-KL training needs ∂u/∂x).

A potential maps ``x`` of shape (n, dim) to ``U(x)`` of shape (n,) in its own energy unit, and says
how large kT is in that unit at a temperature. Three kinds:

* ``TorchPotential``: a plain PyTorch energy function (the model systems in ``systems.py``);
* ``ASEPotential``: any ASE calculator (atomlearn's ML force fields, GFN2-xTB); the gradient comes
  from the calculator's forces through a custom autograd function;
* ``ForceFieldPotential``: an atomlearn force field (``FF_DIR``), many molecules per network call;
* ``OpenMMPotential``: an OpenMM ``System`` (kJ/mol, nm), its forces likewise.

Non-finite energies (a flow sample with overlapping atoms, a failed SCF) are kept as ``inf``: the
reweighting gives them zero weight and counts them, and training leaves them out.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from atomlearn.units import K_TO_EV, K_TO_KJ_MOL


class Potential:
    """A potential energy of flat coordinate vectors.

    Attributes
    ----------
    dim : int
        Length of one coordinate vector.
    energy_unit : str
        Unit of :meth:`energy` (``"kT"`` for reduced model systems).
    """

    dim: int
    energy_unit: str = "kT"

    def energy(self, x: torch.Tensor) -> torch.Tensor:
        """U(x) of shape (n,) for ``x`` of shape (n, dim), in ``energy_unit``; differentiable."""
        raise NotImplementedError

    def thermal_energy(self, temperature: float) -> float:
        """kT in ``energy_unit`` at ``temperature`` (kelvin, or reduced units for a reduced potential)."""
        return float(temperature)

    def reduced(self, x: torch.Tensor, temperature: float) -> torch.Tensor:
        """u(x) = U(x)/kT, shape (n,); NaN becomes +inf (a configuration of zero weight)."""
        u = self.energy(x) / self.thermal_energy(temperature)
        return torch.where(torch.isnan(u), torch.full_like(u, float("inf")), u)


class TorchPotential(Potential):
    """A PyTorch energy function as a potential.

    Parameters
    ----------
    fn : callable
        ``fn(x) -> U``: x of shape (n, dim), U of shape (n,) in kT at temperature 1.
    dim : int
    energy_unit : str
    """

    def __init__(self, fn: Callable[[torch.Tensor], torch.Tensor], dim: int, energy_unit: str = "kT") -> None:
        self.fn, self.dim, self.energy_unit = fn, int(dim), energy_unit

    def energy(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(x)


class _EnergyWithForces(torch.autograd.Function):
    """U(x) from a non-torch engine whose forces give the gradient: ∂U/∂x = -F."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, engine: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]) -> torch.Tensor:
        energies, forces = engine(x.detach().cpu().double().numpy())
        ctx.save_for_backward(torch.as_tensor(-forces, dtype=x.dtype, device=x.device))
        return torch.as_tensor(energies, dtype=x.dtype, device=x.device)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> tuple[torch.Tensor, None]:
        (gradient,) = ctx.saved_tensors
        gradient = torch.nan_to_num(gradient, nan=0.0, posinf=0.0, neginf=0.0)
        return grad_output[:, None] * gradient, None


class ASEPotential(Potential):
    """An ASE calculator as a potential of the flattened Cartesian positions (Å) of ``atoms``; energies in eV.

    Parameters
    ----------
    atoms : ase.Atoms
        The molecule: its elements, cell and periodicity; its positions are replaced per sample.
    calculator : ase.calculators.calculator.Calculator
        Gives ``energy`` and ``forces`` (e.g. ``atomlearn.forcefield.Calculator`` or tblite's GFN2-xTB).
    """

    energy_unit = "eV"

    def __init__(self, atoms, calculator) -> None:
        self.atoms = atoms.copy()
        self.atoms.calc = calculator
        self.dim = 3 * len(atoms)

    def thermal_energy(self, temperature: float) -> float:
        return K_TO_EV * float(temperature)

    def _energies_and_forces(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        energies, forces = np.full(len(x), np.inf), np.zeros_like(x)
        for row, positions in enumerate(x):
            try:
                self.atoms.positions = positions.reshape(-1, 3)
                energies[row] = self.atoms.get_potential_energy()
                forces[row] = self.atoms.get_forces().ravel()
            except Exception:  # noqa: BLE001 - a failed evaluation is an infinite energy (zero weight), counted later
                energies[row] = np.inf
        return energies, forces

    def energy(self, x: torch.Tensor) -> torch.Tensor:
        return _EnergyWithForces.apply(x, self._energies_and_forces)


class ForceFieldPotential(Potential):
    """An atomlearn force field (``FF_DIR``) as a potential of flattened positions.

    A sample it cannot describe (an atom with no neighbour) gets an infinite energy.

    Parameters
    ----------
    folder : str or Path
        A force field written by ``atomlearn forcefield train``.
    numbers : ndarray of int, shape (n_atoms,)
        The molecule's atomic numbers.
    batch : int
        Molecules per network call (``NetworkPotential.replicas``; kernel force fields one by one).
    dtype : {"float32", "float64"}, optional
        ``float64`` evaluates the network in double precision (e.g. for finite-difference checks).
    """

    energy_unit = "eV"

    def __init__(self, folder: str | Path, numbers: np.ndarray, batch: int = 256, dtype: str | None = None) -> None:
        from ase.data import atomic_numbers

        from atomlearn.forcefield import Calculator

        calculator = Calculator(folder, dtype=dtype)
        unknown = sorted({int(z) for z in numbers} - {atomic_numbers[s] for s in calculator.card["species"]})
        if unknown:
            raise ValueError(
                f"the force field in {folder} was trained on {', '.join(calculator.card['species'])}; "
                f"it cannot describe atomic numbers {unknown}"
            )
        self.potential, self.numbers, self.batch = calculator.potential, np.asarray(numbers), int(batch)
        self.dim = 3 * len(numbers)

    def thermal_energy(self, temperature: float) -> float:
        return K_TO_EV * float(temperature)

    def _energies_and_forces(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        energies, forces = np.full(len(x), np.inf), np.zeros_like(x)
        finite = np.flatnonzero(np.isfinite(x).all(axis=1))
        with torch.enable_grad():  # the network's forces are a gradient; an autograd forward runs without grad
            self._evaluate(x, finite, energies, forces)
        return energies, forces

    def _evaluate(self, x: np.ndarray, finite: np.ndarray, energies: np.ndarray, forces: np.ndarray) -> None:
        from ase import Atoms

        for start in range(0, len(finite), self.batch):
            rows = finite[start : start + self.batch]
            if hasattr(self.potential, "replicas"):  # the networks: one batch
                try:
                    energies[rows], batch_forces = self.potential.replicas(
                        self.numbers, x[rows].reshape(len(rows), -1, 3)
                    )
                    forces[rows] = batch_forces.reshape(len(rows), -1)
                    continue
                except ValueError:  # a sample fell apart: one by one below, the broken ones stay at +inf
                    pass
            for row in rows:
                try:
                    energy, atom_forces = self.potential(Atoms(numbers=self.numbers, positions=x[row].reshape(-1, 3)))
                    energies[row], forces[row] = energy, atom_forces.ravel()
                except ValueError:
                    pass

    def energy(self, x: torch.Tensor) -> torch.Tensor:
        return _EnergyWithForces.apply(x, self._energies_and_forces)


class OpenMMPotential(Potential):
    """An OpenMM ``System`` as a potential of flattened positions in nm; energies in kJ/mol.

    Parameters
    ----------
    system : openmm.System
        The force field applied to the molecule (e.g. Amber ff99SB-ILDN with OBC implicit solvent).
    platform : str
        OpenMM platform. Default ``"Reference"`` (double precision): for one small molecule at a time
        it was 14x faster here than ``"CPU"`` (alanine dipeptide: 0.08 vs 1.1 ms per energy and forces).
    """

    energy_unit = "kJ/mol"

    def __init__(self, system, platform: str = "Reference") -> None:
        import openmm

        self.dim = 3 * system.getNumParticles()
        properties = {"Threads": "1"} if platform == "CPU" else {}
        self.context = openmm.Context(
            system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName(platform), properties
        )

    def thermal_energy(self, temperature: float) -> float:
        return K_TO_KJ_MOL * float(temperature)

    def _energies_and_forces(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        energies, forces = np.full(len(x), np.inf), np.zeros_like(x)
        for row, positions in enumerate(x):
            if not np.all(np.isfinite(positions)):
                continue
            self.context.setPositions(positions.reshape(-1, 3))
            state = self.context.getState(getEnergy=True, getForces=True)
            energies[row] = state.getPotentialEnergy()._value  # kJ/mol
            forces[row] = np.asarray(state.getForces(asNumpy=True)._value).ravel()  # kJ/mol/nm
        return energies, forces

    def energy(self, x: torch.Tensor) -> torch.Tensor:
        return _EnergyWithForces.apply(x, self._energies_and_forces)
