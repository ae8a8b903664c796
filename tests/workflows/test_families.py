"""One row per framework: refcode families and same-cell duplicates collapse, excluded families stay out."""

import numpy as np
import pandas as pd
import pytest
from ase.build import bulk

from atomlearn.workflows.families import distinct_frameworks, family_key


@pytest.mark.parametrize(
    ("item_id", "family"),
    [
        ("MISQIQ03_clean", "MISQIQ"),
        ("MISQIQ_clean", "MISQIQ"),
        ("OBEDAA_charged", "OBEDAA"),
        ("VACFOV_clean_h", "VACFOV"),
        ("ja406030p_si_002_manual", "ja406030p"),
        ("ABCDEF123_clean", "ABCDEF123"),
    ],
)
def test_family_key(item_id, family):
    assert family_key(item_id) == family


def _structures():
    copper = bulk("Cu", "fcc", a=3.6, cubic=True)
    strained = copper.copy()
    strained.set_cell(copper.cell * 1.005, scale_atoms=True)  # within the 2 % tolerance: the same framework
    rotated = copper.copy()
    rotated.set_cell(copper.cell[[1, 2, 0]], scale_atoms=True)  # another cell setting of the same lattice
    larger = bulk("Cu", "fcc", a=3.9, cubic=True)  # 8 % larger: another framework
    gold = bulk("Au", "fcc", a=3.6, cubic=True)  # another composition
    return {
        "AAAAAA_clean": copper,
        "AAAAAA01_clean": larger,
        "BBBBBB_clean": strained,
        "CCCCCC_clean": rotated,
        "DDDDDD_clean": larger,
        "EEEEEE_clean": gold,
    }


def test_families_and_same_cells_collapse_in_rank_order():
    structures = _structures()
    ranked = pd.DataFrame({"id": list(structures), "score": np.arange(6)[::-1]})
    rows = distinct_frameworks(ranked, structures.__getitem__, 10)
    # AAAAAA01 joins AAAAAA by refcode; BBBBBB and CCCCCC by cell; DDDDDD is the first of a new cell
    assert rows["id"].tolist() == ["AAAAAA_clean", "DDDDDD_clean", "EEEEEE_clean"]
    assert rows["members"].tolist()[0] == "AAAAAA_clean;AAAAAA01_clean;BBBBBB_clean;CCCCCC_clean"
    assert rows["n_members"].tolist() == [4, 1, 1]
    assert rows["score"].tolist() == [5, 1, 0]  # the rows themselves, untouched


def test_n_rows_exclusion_and_unreadable_structures():
    structures = _structures()
    ranked = pd.DataFrame({"id": ["broken_x", *structures]})

    def read(item_id):
        if item_id == "broken_x":
            raise ValueError("unreadable")
        return structures[item_id]

    assert distinct_frameworks(ranked, read, 2)["id"].tolist() == ["broken_x", "AAAAAA_clean"]
    kept = distinct_frameworks(ranked, read, 10, exclude=["AAAAAA01_clean", "broken_y"])
    # the AAAAAA family is out, and with it nothing else: BBBBBB is now the first of its cell
    assert kept["id"].tolist() == ["BBBBBB_clean", "DDDDDD_clean", "EEEEEE_clean"]
