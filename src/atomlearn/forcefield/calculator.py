"""A trained force field as an ASE calculator: ``atoms.calc = Calculator(FF_DIR)``."""

from __future__ import annotations

from pathlib import Path

from ase import Atoms
from ase.calculators.calculator import Calculator as AseCalculator
from ase.calculators.calculator import all_changes

from atomlearn.models.bundle import load_bundle


class Calculator(AseCalculator):
    """Energies (eV) and forces (eV/Å) from a force field written by ``atomlearn forcefield train``.

    Refuses atoms of elements the force field never saw. Runs on the CPU (fastest for one small
    molecule); ``device="auto"`` or ``"cuda"`` for a GPU. ``dtype="float64"`` evaluates a network
    in double precision (same weights), e.g. for long NVE runs or finite-difference checks.
    """

    implemented_properties = ["energy", "free_energy", "forces"]

    def __init__(self, folder: str | Path, device: str = "cpu", dtype: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        bundle = load_bundle(folder)
        if bundle.card.get("kind") != "forcefield":
            raise ValueError(f"{folder} is a model bundle but not a force field (written by `atomlearn forcefield train`)")
        self.folder, self.card = Path(folder), bundle.card
        self.model = bundle.model
        wanted = {"device": device, "dtype": dtype}
        self.model.set_params(**{k: v for k, v in wanted.items() if v is not None and k in self.model.get_params()})
        self.potential = self.model.potential()

    def calculate(self, atoms: Atoms | None = None, properties=("energy",), system_changes=all_changes) -> None:
        super().calculate(atoms, properties, system_changes)
        unknown = sorted(set(self.atoms.get_chemical_symbols()) - set(self.card["species"]))
        if unknown:
            raise ValueError(f"the force field in {self.folder} was trained on {', '.join(self.card['species'])}; "
                             f"it cannot describe {', '.join(unknown)}")
        energy, forces = self.potential(self.atoms)
        self.results = {"energy": energy, "free_energy": energy, "forces": forces}
