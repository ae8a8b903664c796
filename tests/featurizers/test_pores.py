import numpy as np
import pandas as pd
import pytest
from ase.build import bulk, molecule
from scipy.stats import spearmanr

from atomlearn.featurizers import PoreGeometry
from atomlearn.parallel import call_in_child

#: 22 CoRE MOF 2019 structures of at most 300 atoms (a seeded random sample of 24; ERAQAR and XEKJUT, with overlapping
#: sites, left out: reading refuses them)
IDS = [
    "FOQNOQ_clean",
    "OCUMUX_clean",
    "OZUKOK_clean",
    "UVEXAV_clean",
    "UVUPOR_clean",
    "acs.inorgchem.6b02407_ic6b02407_si_003_clean",
    "cm503311x_OH-mil-53-Al-lp-ortho_clean",
    "COYVAO_clean",
    "CUTBOK_clean",
    "DAWWEF_clean",
    "DIVMUR_clean",
    "DUYVEA_clean",
    "EFOTAV_clean",
    "EMANAH_clean",
    "ETEQUQ_clean",
    "GITTOT01_manual",
    "HASNUN_clean",
    "HOXKUB_clean",
    "ILENOC_clean",
    "ILOJOJ_clean",
    "JASNAT_clean",
    "KEQDER_clean",
]


@pytest.mark.slow
def test_agrees_with_the_zeo_values_of_the_coremof_table(coremof):
    subset = coremof.subset(IDS)
    featurizer = PoreGeometry(n_jobs=2).fit(subset.structures)
    ours = pd.DataFrame(
        featurizer.transform(subset.structures), columns=featurizer.get_feature_names_out(), index=subset.ids
    )
    assert featurizer.errors_table().empty
    table = subset.labels.loc[ours.index]
    np.testing.assert_allclose(ours.pore_density_g_cm3, table.density_g_cm3, rtol=1e-4)
    for column, reference in (("pore_Di_A", "LCD_A"), ("pore_Df_A", "PLD_A"), ("pore_Dif_A", "LFPD_A")):
        difference = (ours[column] - table[reference]).abs()
        assert difference.median() < 0.15 and difference.max() < 0.6, (column, difference.describe())
    assert (ours.pore_void_fraction - table.void_fraction).abs().max() < 0.03
    # the table was computed with Zeo++'s high-accuracy option, which this default run skips:
    # accessible areas rank the same but sit lower (see the closing note)
    assert spearmanr(ours.pore_ASA_m2_g, table.ASA_m2_g)[0] > 0.85


def test_molecules_and_crashes_become_error_records():
    featurizer = PoreGeometry().fit([bulk("Cu", cubic=True)])
    values = featurizer.transform([molecule("H2O")])
    assert np.isnan(values).all()
    assert "periodic crystal" in featurizer.errors_table().reason[0]


def _exit_like_zeo():
    import os

    os._exit(1)


def test_a_child_that_exits_or_hangs_does_not_take_the_caller_down():
    with pytest.raises(RuntimeError, match="aborted"):
        call_in_child(_exit_like_zeo, (), 30, what="Zeo++")
    with pytest.raises(TimeoutError):
        call_in_child(__import__("time").sleep, (10,), 0.5, what="Zeo++")
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        call_in_child(divmod, (1, 0), 30, what="Zeo++")
    assert call_in_child(divmod, (7, 2), 30, what="Zeo++") == (3, 1)
