"""A trained force field as an ASE calculator: ``atoms.calc = Calculator(FF_DIR)``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ase import Atoms
from ase.calculators.calculator import Calculator as AseCalculator
from ase.calculators.calculator import all_changes

from atomlearn.files import require_complete
from atomlearn.runs.bundle import CARD_FILE, MODEL_FILE, load_bundle


class Calculator(AseCalculator):
    """An ASE calculator: energies (eV) and forces (eV/Å) from a force field written by ``atomlearn
    forcefield train``.

    Refuses atoms of elements the force field never saw. With ``n_replicas`` > 1 the atoms are that many
    copies of one molecule laid end to end (as ``run_md`` builds them), evaluated as independent molecules
    in one batch, so they never interact wherever they move; ``results["replica_energies"]`` holds each
    one's energy.

    Parameters
    ----------
    folder : str or Path
        ``FF_DIR``.
    device : {"cpu", "auto", "cuda"}
        The CPU is fastest for one small molecule.
    dtype : {"float32", "float64"}, optional
        ``float64`` evaluates a network in double precision (same weights), e.g. for long NVE runs.
    n_replicas : int
    **kwargs
        Passed to ``ase.calculators.calculator.Calculator``.
    """

    implemented_properties = ["energy", "free_energy", "forces"]

    def __init__(
        self, folder: str | Path, device: str = "cpu", dtype: str | None = None, n_replicas: int = 1, **kwargs
    ) -> None:
        super().__init__(**kwargs)
        require_complete(folder, "force field", "retrain it with `atomlearn forcefield train`", [CARD_FILE, MODEL_FILE])
        bundle = load_bundle(folder)
        if bundle.card.get("kind") != "forcefield":
            raise ValueError(
                f"{folder} is a model bundle but not a force field (written by `atomlearn forcefield train`)"
            )
        if n_replicas < 1:
            raise ValueError(f"n_replicas must be at least 1, got {n_replicas}")
        self.folder, self.card, self.n_replicas = Path(folder), bundle.card, int(n_replicas)
        self.model = bundle.model
        wanted = {"device": device, "dtype": dtype}
        self.model.set_params(**{k: v for k, v in wanted.items() if v is not None and k in self.model.get_params()})
        self.potential = self.model.potential()

    def calculate(self, atoms: Atoms | None = None, properties=("energy",), system_changes=all_changes) -> None:
        super().calculate(atoms, properties, system_changes)
        unknown = sorted(set(self.atoms.get_chemical_symbols()) - set(self.card["species"]))
        if unknown:
            raise ValueError(
                f"the force field in {self.folder} was trained on {', '.join(self.card['species'])}; "
                f"it cannot describe {', '.join(unknown)}"
            )
        if self.n_replicas == 1:
            energy, forces = self.potential(self.atoms)
            self.results = {"energy": energy, "free_energy": energy, "forces": forces}
            return
        energies, forces = self._replicas()
        self.results = {
            "energy": float(energies.sum()),
            "free_energy": float(energies.sum()),
            "forces": forces.reshape(-1, 3),
            "replica_energies": energies,
        }

    def _replicas(self) -> tuple[np.ndarray, np.ndarray]:
        """Energies (R,) and forces (R, N, 3) of the replicas, batched where the model can."""
        atoms, n_replicas = self.atoms, self.n_replicas
        numbers = atoms.numbers.reshape(n_replicas, -1) if len(atoms) % n_replicas == 0 else None
        if numbers is None or (numbers != numbers[0]).any() or atoms.pbc.any():
            raise ValueError(
                f"n_replicas={n_replicas} needs {n_replicas} copies of one molecule (no periodic cell) "
                f"laid end to end; got {len(atoms)} atoms, {atoms.get_chemical_formula()}"
            )
        positions = atoms.positions.reshape(n_replicas, -1, 3)
        if hasattr(self.potential, "replicas"):
            return self.potential.replicas(numbers[0], positions)
        results = [self.potential(Atoms(numbers=numbers[0], positions=p)) for p in positions]  # the kernel model
        return np.array([energy for energy, _ in results]), np.stack([forces for _, forces in results])
