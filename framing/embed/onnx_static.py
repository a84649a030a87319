"""The ``"int8-static"`` quantisation route: SmoothQuant, then static int8 with fixed scales.

``onnxruntime.quantization.quantize_dynamic`` computes each activation's scale from the batch
it sees, so a text's vector depends on the texts encoded with it. Here every scale is fixed
once, on calibration sentences, so a text's vector depends on that text only:

1. **SmoothQuant** (Xiao et al. 2023): the per-channel outliers of the layer-norm outputs are
   moved into the weights of the linear layers that read them (query/key/value, attention
   output, feed-forward input; not the GELU-fed feed-forward output, where smoothing hurt).
2. **Static int8** (``quantize_static``, QDQ): int8 weights per output channel, one uint8
   scale per activation tensor from MinMax calibration, MatMul outputs kept fp32.

The calibration sentences are :data:`STATIC_CALIBRATION`: news of April 2022 from the
``ukraine-media`` corpus, none of them in the bench's event window. Texts of at most
:data:`framing.embed.onnx.SHORT_TEXT_TOKENS` tokens run through the fp32 graph.

References
----------
Xiao, G., Lin, J., Seznec, M., Wu, H., Demouth, J., & Han, S. (2023). SmoothQuant: Accurate
and efficient post-training quantization for large language models. *ICML 2023*.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .cache import EmbeddingError
from .onnx import _st_config

__all__ = ["STATIC_CALIBRATION", "calibration_sentences"]


#: ``"int8-static"`` calibrates on ``sentences`` distinct sentences (drawn with
#: ``numpy.random.default_rng(seed)``) of the ``corpus`` articles published in ``published``
#: (inclusive), less every sentence also found in the bench's event window ``exclude_published``.
STATIC_CALIBRATION: dict[str, Any] = {"corpus": "ukraine-media", "published": ("2022-04-01", "2022-04-30"),
                                      "exclude_published": ("2022-09-16", "2022-10-07"), "sentences": 512, "seed": 0}


def calibration_sentences() -> list[str]:
    """The calibration sentences of ``"int8-static"`` (:data:`STATIC_CALIBRATION`); an
    :class:`~framing.embed.EmbeddingError` when the corpus is not available."""
    from ..corpora import load_corpus
    from ..segment import split_sentences

    cfg = STATIC_CALIBRATION
    try:
        corpus = load_corpus(cfg["corpus"])
    except Exception as err:  # noqa: BLE001 - any failure: say which corpus and how to get it
        raise EmbeddingError(f"quantize='int8-static' calibrates on {cfg['corpus']!r}, not available ({err}); "
                             "run `framing corpus fetch` or set FRAMING_MIRROR") from err
    pub = corpus["published"].to_numpy()

    def sentences(lo: str, hi: str) -> list[str]:
        keep = (pub >= np.datetime64(lo)) & (pub <= np.datetime64(hi))
        return split_sentences(corpus[keep])["text"].drop_duplicates().tolist()

    held = set(sentences(*cfg["exclude_published"]))
    pool = [t for t in sentences(*cfg["published"]) if t not in held]
    idx = np.random.default_rng(cfg["seed"]).choice(len(pool), size=min(cfg["sentences"], len(pool)), replace=False)
    return [pool[i] for i in idx]


def _weight_matmuls(graph: Any) -> list[Any]:
    """The MatMul nodes of ``graph`` whose second input is a constant 2-D weight."""
    inits = {t.name: t for t in graph.initializer}
    return [n for n in graph.node if n.op_type == "MatMul" and len(n.input) == 2
            and n.input[1] in inits and len(inits[n.input[1]].dims) == 2]


def _gelu_fed(graph: Any, node: Any, depth: int = 6) -> bool:
    """Whether ``node`` reads a GELU output: a fused ``*Gelu``, or element-wise operators with an
    ``Erf``/``Tanh`` among them (the exported forms); the walk back stops at any other operator."""
    producer = {o: n for n in graph.node for o in n.output}
    frontier = [node.input[0]]
    for _ in range(depth):
        nodes = [producer[t] for t in frontier if t in producer]
        if any("Gelu" in n.op_type or n.op_type in ("Erf", "Tanh") for n in nodes):
            return True
        frontier = [i for n in nodes if n.op_type in ("Add", "Sub", "Mul", "Div", "Pow", "Sqrt") for i in n.input]
    return False


def _calibration_feeds(model_dir: Path, input_names: list[str]) -> list[dict[str, np.ndarray]]:
    """Unpadded calibration batches (one token count per batch, <= 32): padding never widens a range."""
    from transformers import AutoTokenizer

    st = _st_config(model_dir)
    texts = [t.lower() for t in calibration_sentences()] if st.get("do_lower_case") else calibration_sentences()
    enc = AutoTokenizer.from_pretrained(str(model_dir))(
        texts, padding=False, truncation="longest_first", max_length=int(st.get("max_seq_length") or 256),
        return_token_type_ids=True, return_attention_mask=True, verbose=False)
    lengths = [len(ids) for ids in enc["input_ids"]]
    groups = [[i for i, m in enumerate(lengths) if m == n] for n in sorted(set(lengths))]
    return [{k: np.array([enc[k][i] for i in rows[a:a + 32]], dtype=np.int64) for k in input_names}
            for rows in groups for a in range(0, len(rows), 32)]


def _smooth(source: Path, dest: Path, feeds: list[dict[str, np.ndarray]], work: Path, alpha: float = 0.5) -> None:
    """SmoothQuant the linear layers of ``source`` not fed by a GELU into ``dest`` (same fp32 function).

    Input channel j is divided by ``s_j = max|X_j| ** alpha / max|W_j| ** (1 - alpha)`` (``X`` on the
    calibration feeds), weight row j multiplied by it; readers of one tensor share one ``Mul``.  GELU-fed
    layers are left alone (smoothed, min cosine to torch fell from 0.98 to 0.95)."""
    import onnx
    import onnxruntime as ort
    from onnx import helper, numpy_helper

    graph = (model := onnx.load(str(source))).graph
    inits = {t.name: t for t in graph.initializer}
    groups: dict[str, list[Any]] = {}
    for node in _weight_matmuls(graph):
        if not _gelu_fed(graph, node):
            groups.setdefault(node.input[0], []).append(node)
    xs, aug = sorted(groups), onnx.load(str(source))
    aug.graph.output.extend(helper.make_tensor_value_info(x, onnx.TensorProto.FLOAT, None) for x in xs)
    onnx.save(aug, str(work / "augmented.onnx"))
    session = ort.InferenceSession(str(work / "augmented.onnx"), providers=["CPUExecutionProvider"])
    amax = {x: np.zeros(1, dtype=np.float32) for x in xs}
    for feed in feeds:
        for x, v in zip(xs, session.run(xs, feed)):
            amax[x] = np.maximum(amax[x], np.abs(v).reshape(-1, v.shape[-1]).max(axis=0))
    order = list(graph.node)
    for x, nodes in groups.items():
        weights = [numpy_helper.to_array(inits[n.input[1]]).astype(np.float32) for n in nodes]
        wmax = np.max([np.abs(w).max(axis=1) for w in weights], axis=0)
        s = np.clip(np.clip(amax[x], 1e-5, None) ** alpha / np.clip(wmax, 1e-5, None) ** (1 - alpha), 1e-5, None)
        graph.initializer.append(numpy_helper.from_array((1.0 / s).astype(np.float32), f"{x}_smooth_scale"))
        order.insert(order.index(nodes[0]),  # right before its first reader: the graph stays sorted
                     helper.make_node("Mul", [x, f"{x}_smooth_scale"], [f"{x}_smoothed"], name=f"{x}_smooth"))
        for n, w in zip(nodes, weights):
            inits[n.input[1]].CopyFrom(numpy_helper.from_array((w * s[:, None]).astype(np.float32), n.input[1]))
            n.input[0] = f"{x}_smoothed"
    del graph.node[:]
    graph.node.extend(order)
    onnx.save(model, str(dest))


def _static_int8(source: Path, dest: Path, model_dir: Path) -> None:
    """``"int8-static"``: :func:`_smooth`, then ``quantize_static`` (QDQ) of the linear layers: int8
    weights per channel, one uint8 scale per activation tensor (MinMax on :func:`calibration_sentences`),
    fp32 outputs (``MatMulIntegerToFloat``); attention scores, softmax, norms and GELU stay fp32."""
    import tempfile
    from functools import partial
    from types import SimpleNamespace

    import onnx
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static

    graph = onnx.load(str(source), load_external_data=False).graph
    feeds = _calibration_feeds(model_dir, sorted({i.name for i in graph.input} - {t.name for t in graph.initializer}))
    reader = SimpleNamespace(get_next=partial(next, iter(feeds), None))  # a CalibrationDataReader
    with tempfile.TemporaryDirectory(prefix=".tmp-static-", dir=dest.parent) as tmp:
        smoothed = Path(tmp) / "model.smooth.onnx"
        _smooth(source, smoothed, feeds, Path(tmp))
        nodes = [n.name for n in _weight_matmuls(onnx.load(str(smoothed), load_external_data=False).graph)]
        quantize_static(str(smoothed), str(dest), reader, quant_format=QuantFormat.QDQ, per_channel=True,
                        op_types_to_quantize=["MatMul"], nodes_to_quantize=nodes,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax,
                        extra_options={"ActivationSymmetric": False, "WeightSymmetric": True,
                                       "OpTypesToExcludeOutputQuantization": ["MatMul"]})
