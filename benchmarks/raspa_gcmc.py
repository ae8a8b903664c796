"""Run the same GCMC through RASPA3 (``raspalib`` 3.1.0, PyPI): UFF framework + TraPPE guests,
Lorentz–Berthelot, 12 Å shifted Lennard-Jones, Ewald, the framework's own partial charges.

What this driver works around (raspalib 3.1.0's binary does not match its stubs): the framework is
given as fractional ``Atom``s in P1 (Hall number 1); ``SimulationBox`` angles are in radians;
``Atom(is_fractional=...)`` is the CFCMC flag, so it stays 0; ``swap_cbmc_probability`` (a plain
swap leaves the insertion energy out of the running energy); results are read from
``mc.systems[0]`` (the ``System`` passed in is copied). There is no mole fraction in the binding, and
raspalib normalises the components' own (1 each) to 1/n: each of n components gets n·φ_i·y_i as its
fugacity coefficient, so that f_i = φ_i y_i p (with φ_i·y_i alone, every loading of the 15:85 flue
gas came out half of atomlearn's, both gases alike).
"""

from __future__ import annotations

import math
import time
import warnings

from ase import Atoms

from atomlearn.physics.eos import critical_constants, fugacity_coefficients
from atomlearn.physics.grid import supercell_for_cutoff
from atomlearn.physics.guests import get_guest
from atomlearn.physics.lj_parameters import load_forcefield


def run_raspa(
    atoms: Atoms,
    composition: dict[str, float],
    temperature_K: float,
    pressure_Pa: float,
    cycles: int,
    init_cycles: int,
    seed: int = 1,
) -> dict:
    """Absolute loadings (mol/kg, with RASPA's block errors) and the CPU seconds of one raspalib GCMC run."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import raspalib as r

    species = [get_guest(name) for name in composition]
    total = sum(composition.values())
    phi = fugacity_coefficients(
        {g.name: composition[n] / total for g, n in zip(species, composition)}, temperature_K, pressure_Pa
    )
    forcefield = load_forcefield("uff")
    symbols = sorted(set(atoms.get_chemical_symbols()))
    eps, sig = forcefield.parameters(symbols, "raspa")
    pseudo, parameters, index = [], [], {}
    for symbol, e, s in zip(symbols, eps, sig):
        index[symbol] = len(pseudo)
        pseudo.append(
            r.PseudoAtom(f"{symbol}_fw", True, float(atoms[atoms.get_chemical_symbols().index(symbol)].mass), 0.0)
        )
        parameters.append(r.VDWParameters(float(e), float(s)))
    for guest in species:
        for site in guest.sites:
            if site.type not in index:
                index[site.type] = len(pseudo)
                pseudo.append(r.PseudoAtom(site.type, False, 12.0, site.charge_e))
                parameters.append(r.VDWParameters(float(site.epsilon_K), float(site.sigma_A)))
    field = r.ForceField(
        pseudo, parameters, r.ForceField.MixingRule.LORENTZ_BERTHELOT, 12.0, 12.0, 12.0, True, False, True
    )
    a, b, c, alpha, beta, gamma = atoms.cell.cellpar()
    box = r.SimulationBox(a, b, c, math.radians(alpha), math.radians(beta), math.radians(gamma))
    charges = atoms.get_initial_charges()
    framework_atoms = [
        r.Atom(list(map(float, f)), float(q), 1.0, 0, index[s], 0, 0, 0)
        for f, q, s in zip(atoms.get_scaled_positions(), charges, atoms.get_chemical_symbols())
    ]
    framework = r.Framework(
        field, "framework", box, 1, framework_atoms, list(supercell_for_cutoff(atoms.cell[:], 12.0))
    )
    components = []
    for number, guest in enumerate(species):
        constants = critical_constants()[guest.name]
        centre = guest.positions.mean(axis=0)
        defined = [
            r.Atom(list(map(float, p - centre)), float(site.charge_e), 1.0, 0, index[site.type], number, 0, 0)
            for p, site in zip(guest.positions, guest.sites)
        ]
        moves = r.MCMoveProbabilities(
            translation_probability=0.5,
            rotation_probability=0.5 if len(defined) > 1 else 0.0,
            reinsertion_cbmc_probability=0.5,
            swap_cbmc_probability=1.0,
            identity_change_probability=1.0 if len(species) > 1 else 0.0,
        )
        y = composition[list(composition)[number]] / total
        components.append(
            r.Component(
                field,
                guest.name,
                constants.temperature_K,
                constants.pressure_Pa,
                constants.acentric,
                defined,
                particle_probabilities=moves,
                fugacity_coefficient=phi[guest.name] * y * len(species),
            )
        )
    system = r.System(
        field, None, False, temperature_K, pressure_Pa, 0.0, framework, components, [], [0] * len(components), 5
    )
    mc = r.MonteCarlo(cycles, init_cycles, 0, 10**9, 10**9, 1000, 100, [system], seed, 5, False)
    clock = time.process_time()
    mc.run()
    seconds = time.process_time() - clock
    done = mc.systems[0]
    loadings = done.average_loadings if hasattr(done, "average_loadings") else None
    return {"raw": loadings, "cpu_s": seconds, "system": done}
