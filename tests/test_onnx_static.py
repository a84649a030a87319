"""The ``"int8-static"`` ONNX route: SmoothQuant + static int8 with fixed, calibrated scales.

Unit tests (fast, synthetic graphs): smoothing keeps the fp32 function and leaves the GELU-fed
projections alone; the method is registered and per-text deterministic by construction (not in
BATCH_DEPENDENT).  Integration tests (the packaged model and the ``ukraine-media`` corpus):
a text's vector is the same alone or in a batch, and close to torch's.
"""
from __future__ import annotations

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
    try:
        onnx_static.calibration_sentences()
    except EmbeddingError as err:
        pytest.skip(f"ukraine-media unavailable: {err}")
    cache = tmp_path_factory.mktemp("static")
    return cache, embed.Encoder(cache_dir=cache, quantize="int8-static", show_progress=False)


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
