import numpy as np
import pytest
from ase import Atoms

from atomlearn.featurizers import EnergyHistogram
from atomlearn.featurizers.invariance import check
from atomlearn.physics.guests import get_guest
from atomlearn.physics.lj_parameters import load_forcefield, lorentz_berthelot
from atomlearn.simulate import widom_henry
from atomlearn.units import K_TO_KJ_MOL

T = 298.0


def _by_hand(atoms: Atoms, shape: tuple[int, int, int], cutoff: float) -> np.ndarray:
    """CH4 energy (K) at the grid points of a cubic cell by explicit sums over the 27 nearest images."""
    site = get_guest("CH4").sites[0]
    ff = load_forcefield("uff")
    eps, sig = lorentz_berthelot(site.epsilon_K, site.sigma_A, *ff.parameters(atoms.get_chemical_symbols()))
    axes = [np.arange(n) / n for n in shape]
    points = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, 3) @ atoms.cell.array
    shifts = np.array([[i, j, k] for i in (-1, 0, 1) for j in (-1, 0, 1) for k in (-1, 0, 1)]) @ atoms.cell.array
    images = (atoms.positions[None, :, :] + shifts[:, None, :]).reshape(-1, 3)
    eps, sig = np.tile(eps, 27), np.tile(sig, 27)
    r = np.linalg.norm(points[:, None, :] - images[None], axis=2)
    s6 = (sig / r) ** 6
    return np.where(r < cutoff, 4 * eps * (s6 * s6 - s6), 0.0).sum(axis=1)


def test_histogram_of_two_atoms_in_a_box_equals_explicit_sums():
    box = Atoms("CO", positions=[[3.3, 4.6, 5.2], [9.7, 8.1, 7.4]], cell=[17.0] * 3, pbc=True)
    featurizer = EnergyHistogram(spacing_A=1.0, cutoff_A=8.0, bin_width_kJ_mol=0.5, min_kJ_mol=-2.0).fit([box])
    row = dict(zip(featurizer.get_feature_names_out(), featurizer.transform([box])[0]))
    energy = _by_hand(box, (17, 17, 17), 8.0)
    kj = energy * K_TO_KJ_MOL
    expected, _ = np.histogram(np.maximum(kj[kj <= 0], -2.0), bins=[-2.0, -1.5, -1.0, -0.5, 0.0])
    got = [row[f"eh_CH4_{lo:g}_{hi:g}"] for lo, hi in ((-2, -1.5), (-1.5, -1), (-1, -0.5), (-0.5, 0))]
    np.testing.assert_allclose(got, expected / kj.size, atol=2 / kj.size)  # float32 grid: a point may sit on an edge
    assert row["eh_CH4_repulsive"] == pytest.approx((kj > 0).mean(), abs=2 / kj.size)
    assert row["eh_CH4_min_kJ_mol"] == pytest.approx(kj.min(), rel=1e-4)
    boltzmann = np.exp(-np.clip(energy, -50 * T, 50 * T) / T).mean()
    assert row["eh_CH4_log10_boltzmann"] == pytest.approx(np.log10(boltzmann), abs=1e-4)


def test_coarse_boltzmann_factor_tracks_widom(coremof):
    """The 1 Å grid's mean Boltzmann factor is a coarse Widom average (same force field, no blocking)."""
    featurizer = EnergyHistogram()
    for item_id in ("UZUNAF_clean", "MIDSUP_clean"):
        atoms = coremof.structure(item_id)
        row = featurizer.fit([atoms]).transform([atoms])[0]
        widom = widom_henry(
            atoms, "CH4", T, cutoff_A=8.0, block_pockets=False, method="direct", target_relative_error=0.03
        )
        assert row[-1] == pytest.approx(np.log10(widom.boltzmann_average), abs=0.05)


def test_rotation_and_atom_order_do_not_change_the_row(small_mofs):
    table = check(EnergyHistogram(), small_mofs[:2], symmetries=["rotation", "permutation"]).set_index("symmetry")
    assert table["holds"].all(), table


@pytest.mark.parametrize("item_id", ["MIDSUP_clean", "OWIHEJ_clean"])
def test_co2_with_framework_charges_tracks_widom(coremof, item_id):
    """CO2 (three sites, TraPPE charges) over 48 orientations per point of a 0.7 Å grid, the framework's
    EQeq charges by Ewald, 0.2 Å energy grids: the mean Boltzmann factor is a coarse charged Widom average
    (on 25 CoRE MOFs: within 0.18 on average, Spearman 0.995; ``benchmarks/bench_guest_grids.py``)."""
    atoms = coremof.structure(item_id)
    row = EnergyHistogram(guest="CO2").fit([atoms]).transform([atoms])[0]
    widom = widom_henry(atoms, "CO2", T, cutoff_A=8.0, block_pockets=False, target_relative_error=0.03)
    assert widom.electrostatics == "ewald (EQeq charges)"
    assert row[-1] == pytest.approx(np.log10(widom.boltzmann_average), abs=0.2)


def test_co2_sees_the_framework_charges_as_widom_does(coremof):
    """What the framework's charges add to CO2's log10 Boltzmann factor in RASXIT, here and in Widom."""
    atoms = coremof.structure("RASXIT_clean")
    rows = {c: EnergyHistogram(guest="CO2", charges=c).fit([atoms]).transform([atoms])[0][-1] for c in ("auto", "off")}
    widom = {
        c: np.log10(
            widom_henry(
                atoms, "CO2", T, charges=c, cutoff_A=8.0, block_pockets=False, target_relative_error=0.03
            ).boltzmann_average
        )
        for c in ("auto", "off")
    }
    assert rows["auto"] - rows["off"] > 1.0  # the quadrupole binds to the charged sites
    assert rows["auto"] - rows["off"] == pytest.approx(widom["auto"] - widom["off"], abs=0.4)


def test_a_rotated_crystal_and_reordered_atoms_give_the_same_co2_row(small_mofs):
    # the orientations are fixed to the cell's own frame, so they turn with the crystal
    featurizer = EnergyHistogram(guest="N2", n_orientations=8)
    table = check(featurizer, small_mofs[:2], symmetries=["rotation", "permutation"]).set_index("symmetry")
    assert table["holds"].all(), table


@pytest.mark.parametrize(
    "params",
    [{"charges": "sometimes"}, {"n_orientations": 0}, {"n_orientations": 2.5}, {"grid_spacing_A": float("nan")}],
)
def test_nonsense_settings_are_refused_at_fit(small_mofs, params):
    with pytest.raises(ValueError, match="charges must be|n_orientations|grid_spacing_A"):
        EnergyHistogram(guest="CO2", **params).fit(small_mofs[:1])


def test_a_featurizer_saved_before_molecules_came_restores_and_gives_the_same_row(small_mofs):
    featurizer = EnergyHistogram().fit(small_mofs[:1])
    row = featurizer.transform(small_mofs[:1])
    state = {k: v for k, v in featurizer.__dict__.items() if k not in NEW_SETTINGS}
    old = EnergyHistogram.__new__(EnergyHistogram)
    old.__setstate__({**state, "spacing_A": 1.0})  # as skops restores a bundle written then
    np.testing.assert_array_equal(old.transform(small_mofs[:1]), row)
    assert old.get_params()["n_orientations"] == 48  # the bundle loader reads the parameters


NEW_SETTINGS = ("spacing_A_", "orientations_", "charges", "n_orientations", "grid_spacing_A", "random_state")
