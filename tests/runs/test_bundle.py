"""Model bundles: every featurizer and model saves and loads with equal predictions; a bundle that
could run code, or a damaged one, is refused before anything in it is built."""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.model_selection import KFold

from atomlearn.evaluate.nested import tuned
from atomlearn.featurizers import FEATURIZERS, make_featurizer
from atomlearn.files import file_sha256
from atomlearn.models import MODELS, make_model, takes_structures
from atomlearn.runs.bundle import CARD_FILE, MODEL_FILE, load_bundle, save_bundle
from atomlearn.runs.bundle_safety import BundleError

PERIODIC_ONLY = {
    "pores",
    "coremof_pores",
    "energy_histogram",
    "henry_grid",
    "racs",
}  # MOF featurizers: tried on a MOF slice
TARGET = "U0_atomization_kcal_mol"


@pytest.fixture(scope="module")
def molecules(qm9):
    part = qm9.take(range(0, 24_000, 800))
    return part.structures.materialize(), part.labels[TARGET].to_numpy()


@pytest.mark.parametrize("name", FEATURIZERS.builtin())  # text_embedding: tests/text/test_featurizer.py
def test_every_featurizer_saves_and_loads_with_equal_predictions(name, molecules, small_mof_dataset, tmp_path):
    if name in PERIODIC_ONLY:
        structures = small_mof_dataset.structures.materialize()
        y = small_mof_dataset.labels["density_g_cm3"].to_numpy()
    else:
        structures, y = molecules
    ids = [str(atoms.info["id"]) for atoms in structures]  # coremof_pores looks its table up by id
    featurizer = make_featurizer(name)
    X = featurizer.fit_transform(structures)
    usable = np.isfinite(X).all(axis=1)
    assert usable.sum() >= 5, featurizer.errors_table()
    model = make_model("ridge").fit(X[usable], y[usable])
    save_bundle(tmp_path, featurizer, model, {"target": "y"})
    bundle = load_bundle(tmp_path)
    predicted = bundle.predict(structures, ids)
    np.testing.assert_allclose(predicted["y_pred"].to_numpy()[usable], model.predict(X[usable]), rtol=1e-9, atol=1e-9)
    assert json.loads((tmp_path / CARD_FILE).read_text())["model_types"]


@pytest.mark.parametrize("tuning", ["plain", "nested"])
@pytest.mark.parametrize("name", list(MODELS))
def test_every_model_saves_and_loads_with_equal_predictions(name, tuning, molecules, tmp_path):
    structures, y = molecules
    featurizer = make_featurizer("element_fraction")
    X = featurizer.fit_transform(structures)
    model = make_model(name)
    if tuning == "nested":  # as nested CV leaves it: a search or an inner splitter inside the model
        if takes_structures(model):
            pytest.skip("networks are not tuned by nested CV")
        model = tuned(model, MODELS[name].info["search_space"], inner=KFold(3, shuffle=True, random_state=0))
    if takes_structures(model):
        if "max_epochs" in model.get_params():  # a network: two epochs are enough to compare
            model.set_params(max_epochs=2, verbose=False)
        model.fit(structures, y)
        expected = model.predict(structures)
    else:
        expected = model.fit(X, y).predict(X)
    save_bundle(tmp_path, featurizer, model, {"target": "y"})
    predicted = load_bundle(tmp_path).predict(structures, [str(i) for i in range(len(structures))])
    np.testing.assert_allclose(predicted["y_pred"].to_numpy(), expected, rtol=1e-6, atol=1e-6)


# ---- red team: bundles built to run code --------------------------------------------------------


def _json(value) -> dict:
    return {
        "__class__": "str",
        "__module__": "builtins",
        "__loader__": "JsonNode",
        "content": json.dumps(value),
        "is_json": True,
    }


def _tuple(*values) -> dict:
    return {
        "__class__": "tuple",
        "__module__": "builtins",
        "__loader__": "TupleNode",
        "content": [_json(v) for v in values],
    }


def _call(function: str, *args) -> dict:
    """A node that skops rebuilds by calling ``function(*args)``."""
    module, name = function.rsplit(".", 1)
    return {
        "__class__": name,
        "__module__": module,
        "__loader__": "ConstructorFromReduceNode",
        "content": _tuple(*args),
    }


def _partial_call(function: str, *args) -> dict:
    """``functools.partial(function, *args)``: called later by whatever uses it."""
    module, name = function.rsplit(".", 1)
    return {
        "__class__": "partial",
        "__module__": "functools",
        "__loader__": "PartialNode",
        "content": {
            "func": {"__class__": name, "__module__": module, "__loader__": "FunctionNode", "content": {}},
            "args": _tuple(*args),
            "kwds": {
                "__class__": "dict",
                "__module__": "builtins",
                "__loader__": "DictNode",
                "content": {},
                "key_types": {"__class__": "list", "__module__": "builtins", "__loader__": "ListNode", "content": []},
            },
            "namespace": _json(None),
        },
    }


def _payloads(marker: Path) -> dict[str, dict]:
    code = f"open({str(marker)!r}, 'w').write('ran')"
    return {
        "eval": _call("builtins.eval", code),
        "exec": _call("builtins.exec", code),
        "os.system": _call("os.system", f"touch {marker}"),
        "subprocess": _call("subprocess.check_call", ["touch", str(marker)]),
        "ase.io.write": _call("ase.io.write", str(marker), [], "xyz"),
        "numpy.save": _call("numpy.save", str(marker), [1, 2]),
        "numpy.load": _call("numpy.load", str(marker) + ".npy", None, True),
        "partial(exec)": _partial_call("builtins.exec", code),
        "getattr": _call("builtins.getattr", "x", "upper"),
    }


def _planted(folder: Path, payload: dict, where: str) -> Path:
    """A copy of the bundle in ``folder`` with ``payload`` planted at ``where``, its card's SHA-256 and
    type list recomputed as an attacker would."""
    model_path = folder / MODEL_FILE
    with zipfile.ZipFile(model_path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    schema = json.loads(files["schema.json"])
    content = schema["content"]  # {"featurizer": ..., "model": ...}
    attributes = content["featurizer"]["content"]["content"]  # the featurizer's __dict__
    if where == "model":
        content["model"] = payload
    elif where == "pipeline step":  # inside the ridge pipeline's steps list
        steps = content["model"]["content"]["content"]["steps"]["content"]
        steps[0]["content"][1] = payload
    elif where == "dict":
        attributes["on_error"] = payload
    elif where == "list":
        attributes["errors_"] = {
            "__class__": "list",
            "__module__": "builtins",
            "__loader__": "ListNode",
            "content": [_json(1), payload],
        }
    files["schema.json"] = json.dumps(schema).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    model_path.write_bytes(buffer.getvalue())
    card = json.loads((folder / CARD_FILE).read_text())
    card["model_sha256"] = file_sha256(model_path)
    card.pop("model_types")
    (folder / CARD_FILE).write_text(json.dumps(card))
    return model_path


@pytest.fixture
def honest_bundle(molecules, tmp_path):
    structures, y = molecules
    featurizer = make_featurizer("element_fraction")
    model = make_model("ridge").fit(featurizer.fit_transform(structures), y)
    return save_bundle(tmp_path / "honest", featurizer, model, {"target": "y"})


@pytest.mark.parametrize("where", ["model", "pipeline step", "dict", "list"])
@pytest.mark.parametrize("attack", list(_payloads(Path("x"))))
def test_a_bundle_that_would_run_code_is_refused_with_the_type_named(attack, where, honest_bundle, tmp_path):
    import shutil

    marker = tmp_path / "marker"
    folder = tmp_path / "evil"
    shutil.copytree(honest_bundle, folder)
    payload = _payloads(marker)[attack]
    model_path = _planted(folder, payload, where)
    with pytest.raises(BundleError, match="does not trust") as refused:
        load_bundle(folder)
    named = payload["__module__"] + "." + payload["__class__"]
    assert named in str(refused.value)
    assert not marker.exists() and not Path(str(marker) + ".npy").exists()
    if where == "model" and attack in ("eval", "os.system", "ase.io.write"):
        # the payload is live: skops, trusting what the file declares (as a module prefix did), runs it
        try:
            sio.load(model_path, trusted=sio.get_untrusted_types(file=model_path))
        except Exception:  # noqa: BLE001 - the payload may raise after it ran
            pass
        assert marker.exists()


@pytest.mark.parametrize("damage", ["truncated", "empty", "pickle", "not a zip of skops"])
def test_a_damaged_model_file_is_not_a_valid_bundle(damage, honest_bundle):
    model_path = honest_bundle / MODEL_FILE
    data = model_path.read_bytes()
    damaged = {
        "truncated": data[: len(data) // 2],
        "empty": b"",
        "pickle": pickle.dumps({"model": 1}),
        "not a zip of skops": _zip_without_schema(),
    }[damage]
    model_path.write_bytes(damaged)
    card = json.loads((honest_bundle / CARD_FILE).read_text())
    card["model_sha256"] = file_sha256(model_path)
    (honest_bundle / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(BundleError, match="not a valid atomlearn bundle"):
        load_bundle(honest_bundle)


def _zip_without_schema() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


def test_a_bundle_written_before_the_layout_change_loads_as_it_did(honest_bundle, molecules):
    # ElementFraction lived in featurizers/composition.py: a bundle of then names that path
    structures, _ = molecules
    before = load_bundle(honest_bundle).predict(structures[:5], [str(i) for i in range(5)])
    model_path = honest_bundle / MODEL_FILE
    with zipfile.ZipFile(model_path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    new, old = b"atomlearn.featurizers.element_fraction", b"atomlearn.featurizers.composition"
    assert new in files["schema.json"]
    files["schema.json"] = files["schema.json"].replace(new, old)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    model_path.write_bytes(buffer.getvalue())
    card = json.loads((honest_bundle / CARD_FILE).read_text())
    card["model_sha256"] = file_sha256(model_path)
    card["model_types"] = sorted(t.replace(new.decode(), old.decode()) for t in card["model_types"])
    (honest_bundle / CARD_FILE).write_text(json.dumps(card))
    after = load_bundle(honest_bundle)
    assert type(after.featurizer).__module__ == new.decode()
    np.testing.assert_array_equal(after.predict(structures[:5], [str(i) for i in range(5)])["y_pred"], before["y_pred"])


def test_a_card_that_lists_other_types_than_the_file_is_refused(honest_bundle):
    card = json.loads((honest_bundle / CARD_FILE).read_text())
    card["model_types"] = card["model_types"][1:]
    (honest_bundle / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(BundleError, match="other types than its card"):
        load_bundle(honest_bundle)


def test_a_loaded_featurizer_runs_here_whatever_its_file_says(molecules, tmp_path):
    structures, y = molecules
    featurizer = make_featurizer("element_fraction", cache=True, scheduler="tcp://203.0.113.9:8786", n_jobs=4)
    featurizer.fit(structures)
    save_bundle(tmp_path, featurizer, make_model("dummy").fit(np.zeros((len(y), 1)), y), {})
    params = load_bundle(tmp_path).featurizer.get_params()
    assert (params["scheduler"], params["cache"], params["n_jobs"]) == (None, False, 1)
