"""``TextEmbedding`` keeps the featurizer contract: fraction-weighted element vectors (checked by
hand), a formula's own vector where asked, the declared symmetries, a NaN row and a record for a
structure it cannot describe, clone and skops round trips, and a place in a scikit-learn pipeline."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from ase import Atoms
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline

from atomlearn.featurizers.invariance import TOLERANCE, check
from atomlearn.text import Embeddings, train_embeddings
from atomlearn.text.featurizer import TextEmbedding

WORDS = ["bond", "orbital", "molecule", "reaction", "polar", "gas", "acid", "ring"]


@pytest.fixture(scope="module")
def embeddings(tmp_path_factory):
    """Embeddings of a corpus naming H, C, N, O (symbols), fluorine (its name) and the formula CH4."""
    folder = tmp_path_factory.mktemp("text")
    rng = np.random.default_rng(0)
    with open(folder / "corpus.txt", "w") as handle:
        for _ in range(600):
            words = list(rng.choice(["H", "C", "N", "O", "fluorine", "CH4", "H4C"], 3)) + list(rng.choice(WORDS, 4))
            handle.write(" ".join(words) + "\n")
    train_embeddings(
        folder / "corpus.txt", folder / "emb", vector_size=8, min_count=2, epochs=5, sample=0.0, phrases=False
    )
    return str(folder / "emb")


def test_features_are_the_fraction_weighted_element_vectors(embeddings, qm9_molecules):
    vectors = Embeddings(embeddings).vectors
    featurizer = TextEmbedding(embeddings=embeddings).fit(qm9_molecules[:5])
    X = featurizer.transform(qm9_molecules[:5])
    atoms = qm9_molecules[1]
    symbols = atoms.get_chemical_symbols()
    expected = np.mean([vectors["fluorine" if s == "F" else s] for s in symbols], axis=0)
    np.testing.assert_allclose(X[1], expected, rtol=1e-6)
    assert list(featurizer.get_feature_names_out()) == [f"text_{i}" for i in range(8)]
    methane = Atoms("CH4", positions=np.random.default_rng(1).normal(size=(5, 3)))
    with_formula = TextEmbedding(embeddings=embeddings, prefer_formula=True).fit([methane])
    np.testing.assert_allclose(with_formula.transform([methane])[0], vectors["CH4"], rtol=1e-6)


def test_the_contract_holds(embeddings, qm9_molecules):
    featurizer = TextEmbedding(embeddings=embeddings)
    assert clone(featurizer).get_params() == featurizer.get_params()
    X = featurizer.fit_transform(qm9_molecules[:4])
    molecules = check(clone(featurizer), qm9_molecules[:3], n_trials=1).set_index("symmetry")
    assert (molecules.loc[["translation", "rotation", "permutation"], "max_relative_change"] < TOLERANCE).all()
    ice = Atoms("H4O2", scaled_positions=np.random.default_rng(3).random((6, 3)), cell=[4.5, 4.6, 4.7], pbc=True)
    crystal = check(clone(featurizer), [ice], n_trials=1).set_index("symmetry")
    assert crystal.loc["supercell", "max_relative_change"] < TOLERANCE
    silicon = Atoms("SiH4", positions=np.random.default_rng(2).normal(size=(5, 3)), info={"id": "silane"})
    mixed = featurizer.transform([qm9_molecules[0], silicon])
    np.testing.assert_array_equal(mixed[0], X[0])
    assert np.isnan(mixed[1]).all() and featurizer.errors_[0]["item_id"] == "silane"
    assert "Si have no vector" in featurizer.errors_[0]["reason"]
    data = sio.dumps(featurizer)
    loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    np.testing.assert_array_equal(loaded.transform(qm9_molecules[:4]), X)


def test_it_feeds_a_pipeline(embeddings, qm9_molecules):
    y = np.array([len(atoms) for atoms in qm9_molecules[:20]], dtype=float)
    pipeline = make_pipeline(TextEmbedding(embeddings=embeddings), Ridge(alpha=1e-3)).fit(qm9_molecules[:20], y)
    assert pipeline.predict(qm9_molecules[:2]).shape == (2,)


def test_fit_takes_it_as_a_featurizer_and_its_bundle_predicts(embeddings, tmp_path, capsys):
    """``atomlearn fit --featurizer text_embedding``: the side package's featurizer through the
    registry's plug-in entry, its fitted vectors saved in the bundle and loaded through the allow-list."""
    from atomlearn.cli import main

    run = tmp_path / "run"
    code = main(
        [
            "fit",
            "qm9",
            "--target",
            "U0_atomization_kcal_mol",
            "--featurizer",
            "text_embedding",
            "--set",
            f"text_embedding.embeddings={embeddings}",
            "--model",
            "ridge",
            "--n",
            "120",
            "--out",
            str(run),
        ]
    )
    text = capsys.readouterr().out
    assert code == 0, text
    result = json.loads((run / "results.json").read_text())
    assert result["featurizer"]["name"] == "text_embedding"
    folder = tmp_path / "new"
    assert main(["datasets", "export", "qm9", "--out", str(folder), "--n", "3", "--seed", "5"]) == 0
    assert main(["predict", str(run), str(folder), "--out", str(tmp_path / "p.csv")]) == 0
    predicted = pd.read_csv(tmp_path / "p.csv")
    assert predicted["y_pred"].notna().all() and len(predicted) == 3
    assert main(["featurize", "--list"]) == 0
    assert "text_embedding" in capsys.readouterr().out
