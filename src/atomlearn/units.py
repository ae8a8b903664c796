"""Every physical constant and unit conversion, once (CODATA 2018). Convert at the edge, with these names."""

__all__ = [
    "A3_TO_M3",
    "AMU_KG",
    "AMU_PER_A3_TO_G_PER_CM3",
    "ANGSTROM_TO_M",
    "AVOGADRO",
    "BAR_TO_PA",
    "BOHR_TO_ANGSTROM",
    "BOLTZMANN",
    "COULOMB_CONSTANT",
    "COULOMB_EV_A",
    "COULOMB_K_A",
    "ELEMENTARY_CHARGE",
    "EV_TO_KCAL_MOL",
    "GAS_CONSTANT",
    "HARTREE_TO_EV",
    "HARTREE_TO_KCAL_MOL",
    "KCAL_MOL_TO_K",
    "K_TO_EV",
    "K_TO_KJ_MOL",
]

# ---- constants (SI)
GAS_CONSTANT = 8.314462618  # J/(mol K)
BOLTZMANN = 1.380649e-23  # J/K
ELEMENTARY_CHARGE = 1.602176634e-19  # C
COULOMB_CONSTANT = 8.9875517923e9  # N m² / C², 1/(4πε₀)
AMU_KG = 1.66053906660e-27  # kg per atomic mass unit
AVOGADRO = GAS_CONSTANT / BOLTZMANN  # 1/mol, from R and k_B above (consistent with both)

# ---- conversions
HARTREE_TO_EV = 27.211386245988
HARTREE_TO_KCAL_MOL = 627.5094740631
EV_TO_KCAL_MOL = HARTREE_TO_KCAL_MOL / HARTREE_TO_EV
BOHR_TO_ANGSTROM = 0.529177210903
ANGSTROM_TO_M = 1.0e-10
A3_TO_M3 = 1.0e-30
BAR_TO_PA = 1.0e5
AMU_PER_A3_TO_G_PER_CM3 = 1.66053906660  # 1 u/Å³ in g/cm³ (AMU_KG in g over 1 Å³ in cm³)
COULOMB_EV_A = ELEMENTARY_CHARGE * COULOMB_CONSTANT / ANGSTROM_TO_M  # e²/(4πε₀ · 1 Å) in eV: 14.3996 eV·Å
KCAL_MOL_TO_K = 4184.0 / GAS_CONSTANT  # an energy of 1 kcal/mol as a temperature, K
K_TO_KJ_MOL = GAS_CONSTANT * 1e-3  # an energy of 1 K (k_B · 1 K) per mole, kJ/mol
K_TO_EV = BOLTZMANN / ELEMENTARY_CHARGE  # k_B · 1 K in eV (8.617e-5)
COULOMB_K_A = ELEMENTARY_CHARGE**2 * COULOMB_CONSTANT / ANGSTROM_TO_M / BOLTZMANN  # e²/(4πε₀ · 1 Å) / k_B in K·Å
