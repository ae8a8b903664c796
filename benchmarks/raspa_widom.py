"""Run RASPA2 Widom insertion with exactly atomlearn's parameters (used by bench_widom_vs_raspa.py).

Writes into a scratch folder: the framework as a P1 CIF whose atom labels are element symbols (with
its partial charges, and Ewald at RASPA's precision 1e-6, when the guest is charged),
``pseudo_atoms.def`` and ``force_field_mixing_rules.def`` generated from atomlearn's UFF
table (truncated LJ, no tail corrections, Lorentz–Berthelot), the guest as a rigid molecule
definition, and ``simulation.input``; then runs RASPA in that folder and parses the
block averages of the Henry coefficient and of the heat of adsorption.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from ase import Atoms

from atomlearn.physics.grid import supercell_for_cutoff
from atomlearn.physics.guests import Guest
from atomlearn.physics.lj_parameters import FrameworkForceField

R_KJ = 8.314462618e-3  # kJ/(mol K)
RUNNER = "from RASPA2 import run_script; run_script('simulation.input', None, False)"


def write_inputs(
    folder: Path,
    atoms: Atoms,
    guest: Guest,
    forcefield: FrameworkForceField,
    temperature_K: float,
    cutoff_A: float,
    cycles: int,
    seed: int,
) -> None:
    symbols = atoms.get_chemical_symbols()
    elements = sorted(set(symbols))
    eps, sig = forcefield.parameters(elements)
    a, b, c, alpha, beta, gamma = atoms.cell.cellpar()
    frac = atoms.get_scaled_positions(wrap=True)
    lines = [
        "data_framework",
        f"_cell_length_a {a:.10f}",
        f"_cell_length_b {b:.10f}",
        f"_cell_length_c {c:.10f}",
        f"_cell_angle_alpha {alpha:.10f}",
        f"_cell_angle_beta {beta:.10f}",
        f"_cell_angle_gamma {gamma:.10f}",
        "_symmetry_space_group_name_H-M 'P 1'",
        "_symmetry_Int_Tables_number 1",
        "loop_",
        "_symmetry_equiv_pos_as_xyz",
        " 'x, y, z'",
        "loop_",
        "_atom_site_label",
        "_atom_site_type_symbol",
        "_atom_site_fract_x",
        "_atom_site_fract_y",
        "_atom_site_fract_z",
        "_atom_site_charge",
    ]
    charges = atoms.get_initial_charges() if guest.charged else np.zeros(len(atoms))
    lines += [f"{s} {s} {f[0]:.10f} {f[1]:.10f} {f[2]:.10f} {q:.8f}" for s, f, q in zip(symbols, frac, charges)]
    (folder / "framework.cif").write_text("\n".join(lines) + "\n")

    guest_types = {site.type: site for site in guest.sites}
    masses = dict(zip(atoms.get_chemical_symbols(), atoms.get_masses()))
    pseudo = [f"{e} yes {e} {e} 0 {masses[e]:.6f} 0.0 0.0 1.0 1.0 0 0 absolute 0" for e in elements]
    pseudo += [f"{t} yes {t} {t} 0 1.0 {s.charge_e} 0.0 1.0 1.0 0 0 absolute 0" for t, s in guest_types.items()]
    (folder / "pseudo_atoms.def").write_text(
        f"#number of pseudo atoms\n{len(pseudo)}\n#type print as chem oxidation "
        "mass charge polarization B-factor radii connectivity anisotropic "
        "anisotropic-type tinker-type\n" + "\n".join(pseudo) + "\n"
    )
    rules = [f"{e} lennard-jones {ep:.8f} {sg:.8f}" for e, ep, sg in zip(elements, eps, sig)]
    rules += [
        f"{t} lennard-jones {s.epsilon_K} {s.sigma_A}" if s.epsilon_K > 0 else f"{t} none"
        for t, s in guest_types.items()
    ]
    (folder / "force_field_mixing_rules.def").write_text(
        "# general rule for shifted vs truncated\ntruncated\n# general rule tailcorrections\nno\n"
        f"# number of defined interactions\n{len(rules)}\n# type interaction\n"
        + "\n".join(rules)
        + "\n# general mixing rule for Lennard-Jones\nLorentz-Berthelot\n"
    )
    (folder / "force_field.def").write_text(
        "# rules to overwrite\n0\n# number of defined interactions\n0\n# mixing rules to overwrite\n0\n"
    )
    atoms_lines = [
        f"{i} {s.type} {s.position_A[0]} {s.position_A[1]} {s.position_A[2]}" for i, s in enumerate(guest.sites)
    ]
    n = len(guest.sites)
    bonds = [f"{i} {i + 1} RIGID_BOND" for i in range(n - 1)]
    (folder / f"{guest.name}.def").write_text(
        "# critical constants: Temperature [T], Pressure [Pa], and Acentric factor [-]\n190.0\n4600000.0\n0.01\n"
        f"# Number Of Atoms\n{n}\n# Number Of Groups\n1\n# group\nrigid\n# number of atoms\n{n}\n"
        "# atomic positions\n" + "\n".join(atoms_lines) + "\n"
        "# Chiral centers Bond  BondDipoles Bend  UrayBradley InvBend  Torsion Imp. Torsion Bond/Bond Stretch/Bend "
        "Bend/Bend Stretch/Torsion Bend/Torsion IntraVDW IntraCoulomb\n"
        f"0 {len(bonds)} 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
        + ("# Bond stretch: atom n1-n2, type, parameters\n" + "\n".join(bonds) + "\n" if bonds else "")
        + "# Number of config moves\n0\n"
    )
    cells = " ".join(map(str, supercell_for_cutoff(np.array(atoms.cell[:]), cutoff_A)))
    (folder / "simulation.input").write_text(f"""SimulationType MonteCarlo
NumberOfCycles {cycles}
NumberOfInitializationCycles 0
PrintEvery {max(cycles, 1)}
RandomSeed {seed + 1}
Forcefield Local
CutOffVDW {cutoff_A}
ChargeMethod {"Ewald" if guest.charged else "None"}
EwaldPrecision 1e-6
UseChargesFromCIFFile {"yes" if guest.charged else "no"}
Framework 0
FrameworkName framework
RemoveAtomNumberCodeFromLabel no
UnitCells {cells}
ExternalTemperature {temperature_K}
Component 0 MoleculeName {guest.name}
            MoleculeDefinition Local
            WidomProbability 1.0
            CreateNumberOfMolecules 0
""")


def _blocks(text: str, heading: str) -> np.ndarray:
    start = text.index(heading)
    section = text[start : start + 2000]
    return np.array([float(v) for v in re.findall(r"Block\[\s*\d+\]\s+(\S+)", section)[:5]])


def run_raspa(
    atoms: Atoms,
    guest: Guest,
    forcefield: FrameworkForceField,
    temperature_K: float,
    cutoff_A: float,
    cycles: int,
    seed: int = 0,
) -> dict:
    """Henry coefficient (mol/kg/Pa) and heat of adsorption (kJ/mol) with the SE of 5 RASPA blocks, and time."""
    with tempfile.TemporaryDirectory(prefix="raspa-") as scratch:
        folder = Path(scratch)
        write_inputs(folder, atoms, guest, forcefield, temperature_K, cutoff_A, cycles, seed)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", RUNNER], cwd=folder, check=True, capture_output=True)
        elapsed = time.perf_counter() - start
        text = next((folder / "Output" / "System_0").glob("*.data")).read_text()
    henry = _blocks(text, "Average Henry coefficient:")
    energy_K = _blocks(text, "Average adsorption energy <U_gh>_1-<U_h>_0 obtained from Widom-insertion:")  # ⟨U⟩_w in K
    density = float(re.search(r"Framework Density:\s+(\S+)", text).group(1))
    return {
        "henry": henry.mean(),
        "henry_se": henry.std(ddof=1) / np.sqrt(len(henry)),
        "qst": R_KJ * (temperature_K - energy_K.mean()),
        "qst_se": R_KJ * energy_K.std(ddof=1) / np.sqrt(len(energy_K)),
        "time_s": elapsed,
        "insertions": cycles * 20 * _trials(text),
        "density_kg_m3": density,
        "output": text,
    }


def _trials(text: str) -> int:
    match = re.search(r"Number of trial positions:\s+(\d+)", text)
    return int(match.group(1)) if match else 10
