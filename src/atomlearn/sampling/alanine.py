"""Alanine dipeptide (Ace-Ala-NMe, 22 atoms) with Amber ff99SB-ILDN and OBC implicit solvent, from
OpenMM's shipped force-field files: the Boltzmann-generator paper's molecule (Noé et al. 2019).

The molecule is built from its SMILES by RDKit (three residues, so that OpenMM matches the Amber
templates by bond graph); no PDB file is needed. The generator works in internal coordinates
(``sampling.internal``, 60 of them); the states are the Ramachandran basins C7eq/β (φ < 0, ψ
outside [−120°, 50°)) and αR (φ < 0, ψ in [−120°, 50°)). The reference is long Langevin MD at 300 K
(1 fs steps, no constraints: the generator models bond lengths too), cached in the atomlearn cache.
OpenMM's Reference platform is used throughout: for 22 atoms it ran 20,000 MD steps/s here, 20x
its CPU platform.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from atomlearn.sampling.internal import ZMatrix
from atomlearn.sampling.molecule import MoleculeSystem, cached_frames
from atomlearn.sampling.potentials import OpenMMPotential

SMILES = "CC(=O)N[C@@H](C)C(=O)NC"
RESIDUE_OF_HEAVY_ATOM = ("ACE", "ACE", "ACE", "ALA", "ALA", "ALA", "ALA", "ALA", "NME", "NME")
PHI_ATOMS, PSI_ATOMS = (1, 3, 4, 6), (3, 4, 6, 8)  # heavy atoms in SMILES order: C(ACE)-N-CA-C, N-CA-C-N(NME)
CA = 4
TIMESTEP_PS, STRIDE, EQUILIBRATION_STEPS = 0.001, 100, 10_000
REFERENCE_RUNS = 4  # independent reference MD runs


def build_alanine_dipeptide():
    """(openmm Topology, openmm System, positions (22, 3) in nm, SMILES index -> atom index) for Ace-Ala-NMe."""
    import openmm.app as app
    from rdkit import Chem
    from rdkit.Chem import AllChem

    molecule = Chem.AddHs(Chem.MolFromSmiles(SMILES))
    AllChem.EmbedMolecule(molecule, randomSeed=7)
    residue_of = [
        RESIDUE_OF_HEAVY_ATOM[a.GetIdx() if a.GetAtomicNum() > 1 else a.GetNeighbors()[0].GetIdx()]
        for a in molecule.GetAtoms()
    ]
    topology = app.Topology()
    chain = topology.addChain()
    index, order = {}, []
    for name in ("ACE", "ALA", "NME"):  # atoms grouped by residue, as OpenMM expects
        residue = topology.addResidue(name, chain)
        for atom in molecule.GetAtoms():
            if residue_of[atom.GetIdx()] == name:
                index[atom.GetIdx()] = topology.addAtom(
                    f"{atom.GetSymbol()}{atom.GetIdx()}", app.Element.getByAtomicNumber(atom.GetAtomicNum()), residue
                )
                order.append(atom.GetIdx())
    for bond in molecule.GetBonds():
        topology.addBond(index[bond.GetBeginAtomIdx()], index[bond.GetEndAtomIdx()])
    forcefield = app.ForceField("amber99sbildn.xml", "amber99_obc.xml")
    system = forcefield.createSystem(topology, nonbondedMethod=app.NoCutoff, constraints=None)
    positions = molecule.GetConformer().GetPositions()[order] / 10.0
    return topology, system, positions, {smiles: atom.index for smiles, atom in index.items()}


@dataclass
class AlanineDipeptide(MoleculeSystem):
    """Alanine dipeptide in internal coordinates at 300 K (Amber ff99SB-ILDN, OBC implicit solvent).

    Parameters
    ----------
    torsion_low, typical : list of float, optional
        The torsions' periods and a valid point (set from the first training samples, then saved).
    reference_ns : float
        Length of the reference MD (ns, cached).
    """

    torsion_low: list[float] | None = None
    typical: list[float] | None = None
    reference_ns: float = 2.0
    name: str = "alanine-dipeptide"
    default_flow: str = "spline"  # spline couplings: ESS 1.7 % against 0.1 % for RealNVP on the same data
    default_energy_weight: float = 0.5  # 60 coordinates: more of the likelihood keeps both basins
    temperature: float = 300.0
    energy_unit: str = "kJ/mol"
    cv_label: str = "φ (degrees)"
    reference_description: str = (
        "Langevin MD at 300 K (4 independent runs; 1 fs steps, a frame every 0.1 ps, after 10 ps of equilibration)"
    )
    states: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.topology, self.openmm_system, self.start, smiles_index = build_alanine_dipeptide()
        self.phi_atoms = [smiles_index[i] for i in PHI_ATOMS]
        self.psi_atoms = [smiles_index[i] for i in PSI_ATOMS]
        bonds = [(b[0].index, b[1].index) for b in self.topology.bonds()]
        self.atomic_numbers = np.array([a.element.atomic_number for a in self.topology.atoms()])
        heavy = self.atomic_numbers > 1
        self.zmatrix = ZMatrix.from_bonds(22, bonds, root=smiles_index[CA], heavy=heavy)
        self.dim = 60
        self.cartesian = OpenMMPotential(self.openmm_system)
        self.states = {"beta": self._beta, "alpha_R": self._alpha}

    SPEC_FIELDS = ("torsion_low", "typical", "reference_ns")
    ANGSTROM_PER_UNIT = 10.0  # OpenMM works in nm

    # ---- coordinates
    def ramachandran(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """φ and ψ in degrees of internal coordinates (n, 60)."""
        phi, psi = self.torsions(z, self.phi_atoms, self.psi_atoms)
        return phi, psi

    def _alpha(self, z: np.ndarray) -> np.ndarray:
        phi, psi = self.ramachandran(z)
        return (phi < 0) & (psi >= -120) & (psi < 50)

    def _beta(self, z: np.ndarray) -> np.ndarray:
        phi, psi = self.ramachandran(z)
        return (phi < 0) & ((psi < -120) | (psi >= 50))

    def collective_variable(self, z: np.ndarray) -> np.ndarray:
        return self.torsion(z, self.phi_atoms)

    # ---- molecular dynamics
    def md_frames(self, random_state: int = 0) -> Iterator[np.ndarray]:
        """Langevin MD at 300 K from the minimized structure after 10 ps of equilibration: an endless
        stream of frames (22, 3) in nm, one per 0.1 ps."""
        import openmm
        import openmm.unit as unit

        integrator = openmm.LangevinMiddleIntegrator(
            self.temperature * unit.kelvin, 1.0 / unit.picosecond, TIMESTEP_PS * unit.picoseconds
        )
        integrator.setRandomNumberSeed(int(random_state) + 1)  # 0 would mean a random seed in OpenMM
        context = openmm.Context(self.openmm_system, integrator, openmm.Platform.getPlatformByName("Reference"))
        context.setPositions(self.start)
        openmm.LocalEnergyMinimizer.minimize(context)
        context.setVelocitiesToTemperature(self.temperature * unit.kelvin, int(random_state) + 1)
        integrator.step(EQUILIBRATION_STEPS)
        while True:
            integrator.step(STRIDE)
            yield context.getState(getPositions=True).getPositions(asNumpy=True)._value

    def md(self, steps: int, random_state: int = 0) -> np.ndarray:
        """``steps`` of MD (``md_frames``) as frames (steps // 100, 22, 3) in nm."""
        return np.array(list(itertools.islice(self.md_frames(random_state), steps // STRIDE)))

    def training_samples(self, n: int, random_state: int | None = 0) -> np.ndarray:
        return self.internal(self.md(n * STRIDE, random_state=random_state or 0))

    @cached_property
    def reference_frames(self) -> np.ndarray:
        """The reference MD: ``REFERENCE_RUNS`` independent runs (seeds 1000, 1001, ...) of
        ``reference_ns / REFERENCE_RUNS`` each, run in parallel and cached in the atomlearn cache;
        frames (n, 22, 3) in nm, run after run."""
        from atomlearn.parallel import parallel_map

        steps = int(round(self.reference_ns * 1000 / TIMESTEP_PS / REFERENCE_RUNS))
        runs = parallel_map(
            _cached_md_run,
            [(steps, 1000 + run) for run in range(REFERENCE_RUNS)],
            n_jobs=REFERENCE_RUNS,
            chunk_size=1,
            stage="reference MD",
            description=f"reference MD ({self.reference_ns:g} ns)",
        )
        if runs.errors:
            raise RuntimeError(f"reference MD failed: {runs.errors[0].reason}")
        return np.concatenate(runs.results)


def _cached_md_run(task: tuple[int, int]) -> np.ndarray:
    """One reference MD run (``steps`` steps, seed ``seed``), loaded from the cache or run and cached whole."""
    steps, seed = task
    return cached_frames(
        f"alanine-dipeptide-md-{steps}-seed{seed}", lambda: AlanineDipeptide().md(steps, random_state=seed)
    )
