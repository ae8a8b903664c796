"""Regenerate ``src/atomlearn/package_data/elements.csv`` (Z = 1-94) from the ``mendeleev`` package.

Run once by a developer (``pip install mendeleev``); atomlearn reads the shipped CSV and
does not depend on mendeleev at run time. Sources of each column are listed in
``atomlearn.featurizers.elements.SOURCES``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from mendeleev import element
from mendeleev.fetch import fetch_table

#: Pauling electronegativities mendeleev lacks: CRC Handbook estimates (as in WebElements
#: and pymatgen). He, Ne and Ar have none and stay empty.
PAULING_FILL = {"Kr": 3.00, "Pm": 1.13, "Eu": 1.2, "Tb": 1.1, "Yb": 1.1, "Rn": 2.2}

OUT = Path(__file__).resolve().parents[1] / "src" / "atomlearn" / "package_data" / "elements.csv"


def main() -> None:
    table = fetch_table("elements").set_index("atomic_number").loc[1:94]
    elements = [element(int(z)) for z in table.index]
    frame = pd.DataFrame(
        {
            "symbol": table["symbol"],
            "atomic_mass_amu": table["atomic_weight"],
            "group": table["group_id"].fillna(3).astype(int),
            "period": table["period"].astype(int),
            "valence_electrons": [e.nvalence() for e in elements],
            "electronegativity_pauling": table["en_pauling"].fillna(table["symbol"].map(PAULING_FILL)),
            "covalent_radius_A": table["covalent_radius_cordero"] / 100.0,
            "vdw_radius_A": table["vdw_radius_alvarez"] / 100.0,
            "polarizability_bohr3": table["dipole_polarizability"],
            "ionization_energy_eV": [e.ionenergies.get(1) for e in elements],
            "mendeleev_number": table["mendeleev_number"],
        }
    )
    frame.index.name = "Z"
    frame.to_csv(OUT, float_format="%.6g")
    print(f"wrote {OUT}: {len(frame)} elements")


if __name__ == "__main__":
    main()
