"""Run a sentence-transformers model through ONNX Runtime (``Encoder(backend="onnx")``).

The transformer is exported once per model identity with the TorchScript-based
``torch.onnx.export(..., dynamo=False)`` (eager attention, dynamic batch and sequence
axes) into ``cache_dir/onnx/<name>-<key>/model.onnx``, where ``key`` (:func:`graph_key`)
hashes the model files' fingerprint, the graph recipe and the versions of torch,
transformers, onnx and onnxruntime, so a graph built by other code is never reused.
Beside it, by ``quantize=``:

``"int8"`` (``True``)
    ``model.int8.onnx``: every weight matrix as int8 in blocks of 32 with int8 compute
    (ONNX Runtime's ``MatMulNBits``, activations quantised per row and block; Jacob et
    al., 2018, *Quantization and training of neural networks for efficient
    integer-arithmetic-only inference*).
``"int8-dynamic"``
    ``onnxruntime.quantization.quantize_dynamic`` on the unfused graph (per-channel int8
    weights, one dynamic activation scale per tensor): a per-tensor scale pulls short
    sentences away from fp32 (minimum cosine to torch below the 0.98 this project asks for).
``"int8-mixed"``
    the ``"int8-dynamic"`` graph for texts of more than :data:`SHORT_TEXT_TOKENS` tokens
    and the fp32 graph for the others: a short text's mean-pooled vector averages the
    quantisation error of only a few tokens, a longer one's of many.  The fastest route
    meeting the cosine bar (3.0x torch in CPU time), but not the default: the per-tensor
    activation scale makes a text's vector depend on its batch mates
    (:data:`~framing.embed.BATCH_DEPENDENT`).
``"int8-static"``
    SmoothQuant (Xiao et al., 2023), then ``quantize_static``: int8 linear layers with one
    fixed activation scale per tensor, calibrated once on
    :data:`framing.embed.onnx_static.STATIC_CALIBRATION`, so a text's vector does not depend on
    its batch mates; texts of at most :data:`SHORT_TEXT_TOKENS` tokens run through the fp32
    graph (:mod:`framing.embed.onnx_static`). 3.0x torch in CPU time, min cosine 0.988; opt-in.
    The packaged model's graph is built from calibration numbers shipped with the package
    (``framing/data/int8_static/``), without the corpus, and is byte-identical to the one
    calibrated on it (with the library versions they were recorded with); other models are
    calibrated on the corpus.
``"int8-fused"``, ``"int8-fused-ffn"``
    the graph fused by ONNX Runtime's transformer optimizer (``model.fused.onnx``:
    ``Attention``, ``EmbedLayerNormalization``, ``SkipLayerNormalization``,
    ``BiasGelu``), then dynamic int8 on every linear layer (``"-ffn"``: except the
    feed-forward output projections, kept fp32).  Short texts run through the fused fp32
    graph, as with ``"int8-mixed"``.

Texts are tokenised once, sorted by token count and batched, so each batch is padded only
to its own longest text.  Export, fusion and quantisation write to a temporary name and are
published with an atomic rename, so concurrent processes are safe.

Every exported or quantised file has its sha256 beside it (``model.onnx.sha256``, in the
format of ``sha256sum``), checked before the file is used (once per process and file
version).  A missing, unchecked (written by an earlier version) or damaged file is
rebuilt -- a damaged one with an :class:`~framing.embed.EmbeddingCacheWarning` -- so a
flipped bit never reaches a vector.  When the cache folder is read-only, the export is
built in a private temporary folder for the process (with a warning).  Temporary files
of interrupted exports older than :data:`framing.embed.STALE_TEMP_SECONDS` are removed.

Pooling and normalisation are done in numpy exactly as the model's sentence-transformers
pipeline says (``modules.json``: Transformer -> Pooling [-> Normalize]; the pooling mode
comes from the Pooling module's config: mean, CLS, max or mean-sqrt-len).  Tokenisation
uses the model's own Hugging Face tokenizer with the same truncation and
``max_seq_length`` as sentence-transformers.  Models with other modules (Dense layers,
...) are refused with a clear error.

ONNX Runtime runs with as many intra-op threads as there are physical cores (override with
the environment variable ``FRAMING_ONNX_THREADS``).
"""
from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import shutil
import uuid
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from .backends import QUANTIZATION_METHODS, _hf_token_offsets
from .cache import STALE_TEMP_SECONDS, EmbeddingCacheWarning, EmbeddingError, _remove_stale_temps

__all__ = ["CHECKSUM_SUFFIX", "GRAPH_RECIPE", "OnnxBackend", "QUANTIZATION_METHODS", "SHORT_TEXT_TOKENS",
           "export_onnx", "export_problem", "fuse_onnx",
           "graph_key", "physical_cores", "quantize_onnx"]

_log = logging.getLogger(__name__)

_SUPPORTED = {
    "sentence_transformers.models.Transformer": "transformer",
    "sentence_transformers.models.Pooling": "pooling",
    "sentence_transformers.models.Normalize": "normalize",
    "sentence_transformers.base.modules.Transformer": "transformer",
    "sentence_transformers.sentence_transformer.modules.Pooling": "pooling",
    "sentence_transformers.sentence_transformer.modules.Normalize": "normalize",
}


def physical_cores() -> int:
    """Number of physical CPU cores available to this process (>= 1)."""
    try:
        avail = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - non-Linux
        avail = os.cpu_count() or 1
    cores: set[tuple[str, str]] = set()
    try:
        phys = core = None
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("physical id"):
                    phys = line.split(":", 1)[1].strip()
                elif line.startswith("core id"):
                    core = line.split(":", 1)[1].strip()
                elif not line.strip():
                    if core is not None:
                        cores.add((phys or "0", core))
                    phys = core = None
        if core is not None:
            cores.add((phys or "0", core))
    except OSError:  # pragma: no cover
        pass
    n = len(cores) or avail
    return max(1, min(n, avail))


def _pipeline(model_dir: Path) -> dict[str, Any]:
    """Read modules.json and the pooling config of a sentence-transformers model."""
    modules_file = model_dir / "modules.json"
    if not modules_file.is_file():
        # a plain Hugging Face model: sentence-transformers would add mean pooling
        return {"pooling": "mean", "normalize": False, "include_prompt": True}
    modules = json.loads(modules_file.read_text())
    kinds = []
    pooling_path = None
    for m in modules:
        t = m.get("type", "")
        kind = _SUPPORTED.get(t) or (t.rsplit(".", 1)[-1].lower() if t.rsplit(".", 1)[-1] in
                                     ("Transformer", "Pooling", "Normalize") else None)
        if kind is None:
            raise NotImplementedError(
                f"{modules_file}: module {t!r} is not supported by the onnx backend "
                "(supported: Transformer -> Pooling [-> Normalize]); use backend='torch'")
        kinds.append(kind)
        if kind == "pooling":
            pooling_path = model_dir / m.get("path", "")
    if kinds[:2] != ["transformer", "pooling"] or kinds[2:] not in ([], ["normalize"]):
        raise NotImplementedError(f"{modules_file}: module order {kinds} not supported by the onnx backend")
    cfg = json.loads((pooling_path / "config.json").read_text()) if pooling_path else {}
    mode = cfg.get("pooling_mode")
    if mode is None:
        for key, name in (("pooling_mode_cls_token", "cls"), ("pooling_mode_mean_tokens", "mean"),
                          ("pooling_mode_max_tokens", "max"),
                          ("pooling_mode_mean_sqrt_len_tokens", "mean_sqrt_len_tokens")):
            if cfg.get(key):
                if mode is not None:
                    raise NotImplementedError(f"{pooling_path}: several pooling modes at once are not supported")
                mode = name
    if mode not in ("mean", "cls", "max", "mean_sqrt_len_tokens"):
        raise NotImplementedError(f"{pooling_path}: pooling mode {mode!r} not supported by the onnx backend")
    return {"pooling": mode, "normalize": kinds[-1] == "normalize",
            "include_prompt": cfg.get("include_prompt", True)}


def _st_config(model_dir: Path) -> dict[str, Any]:
    f = model_dir / "sentence_bert_config.json"
    return json.loads(f.read_text()) if f.is_file() else {}


class _Wrapper:  # built lazily so importing this module does not import torch
    @staticmethod
    def make(model: Any, names: list[str]) -> Any:
        import torch

        class Wrap(torch.nn.Module):
            def __init__(self, m: Any) -> None:
                super().__init__()
                self.m = m

            def forward(self, *args: Any) -> Any:
                return self.m(**dict(zip(names, args))).last_hidden_state

        return Wrap(model).eval()


#: The checksum beside every exported or quantised model: ``<file>.sha256`` in the format of
#: ``sha256sum`` (so ``sha256sum -c model.onnx.sha256`` checks it by hand too).
CHECKSUM_SUFFIX = ".sha256"

_VERIFIED: dict[tuple[str, int, int, str], bool] = {}
_PRIVATE_DIRS: list[Path] = []


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def _checksum_path(path: Path) -> Path:
    return path.with_name(path.name + CHECKSUM_SUFFIX)


def _recorded_checksum(path: Path) -> str | None:
    try:
        text = _checksum_path(path).read_text(encoding="ascii", errors="replace")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    parts = text.split()
    if len(parts) >= 1 and len(parts[0]) == 64 and all(c in "0123456789abcdef" for c in parts[0]):
        return parts[0]
    return "malformed"


def export_problem(path: str | os.PathLike) -> str | None:
    """Why the exported model at ``path`` cannot be used, or None when it verifies.

    The file must exist and match the sha256 recorded beside it (``<file>.sha256``).
    Verification is memoised per process on the file's size, mtime and recorded sum.

    Parameters
    ----------
    path : path
        ``model.onnx`` or a quantised ``model.<method>.onnx``.

    Returns
    -------
    str or None
        ``"missing"``, ``"has no checksum (...)"``, ``"fails its sha256 check"``, or None.

    Raises
    ------
    EmbeddingError
        When ``path`` (or its checksum file) is a folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "model.onnx"
    >>> export_problem(p)
    'missing'
    >>> _ = p.write_bytes(b"graph"); _write_checksum(p, _sha256_file(p)); export_problem(p) is None
    True
    >>> _ = p.write_bytes(b"grapH"); export_problem(p)
    'fails its sha256 check'
    """
    path = Path(path)
    for p in (path, _checksum_path(path)):
        if p.is_dir():
            raise EmbeddingError(f"ONNX export: {p} is a folder, but it must be a file; remove that folder "
                                 "(the export is rebuilt)")
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    recorded = _recorded_checksum(path)
    if recorded is None:
        return "has no checksum (written by an earlier version of framing)"
    if recorded == "malformed":
        return "has a damaged checksum file"
    memo = (str(path.resolve()), st.st_size, st.st_mtime_ns, recorded)
    if memo not in _VERIFIED:
        _VERIFIED[memo] = _sha256_file(path) == recorded
    return None if _VERIFIED[memo] else "fails its sha256 check"


def _write_checksum(path: Path, digest: str) -> None:
    side = _checksum_path(path)
    tmp = side.with_name(f".tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}{CHECKSUM_SUFFIX}")
    try:
        tmp.write_text(f"{digest}  {path.name}\n", encoding="ascii")
        os.replace(tmp, side)
    finally:
        if tmp.exists():
            tmp.unlink()


def _private_dir() -> Path:
    """A folder for this process only (removed at exit): exports when the cache is read-only."""
    import atexit
    import tempfile

    d = Path(tempfile.mkdtemp(prefix="framing-onnx-"))
    _PRIVATE_DIRS.append(d)
    atexit.register(shutil.rmtree, d, True)
    return d


def _build_verified(final: Path, build: Any, what: str) -> Path:
    """Return ``final`` if it verifies, else build it (atomically, with its checksum).

    ``build(tmp_path)`` writes the file.  A damaged file is rebuilt with an
    :class:`~framing.embed.EmbeddingCacheWarning`; when the folder cannot be written the
    file is built in a private temporary folder for this process, with a warning.
    """
    _remove_stale_temps(final.parent, STALE_TEMP_SECONDS)
    problem = export_problem(final)
    if problem is None:
        return final
    if problem.startswith("has no checksum"):
        _log.info("%s %s %s; rebuilding it", what, final, problem)
    elif problem != "missing":
        warnings.warn(f"{what} {final} {problem}; rebuilding it", EmbeddingCacheWarning, stacklevel=3)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.parent / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}{final.suffix}"
        open(tmp, "xb").close()  # can we write here at all?
    except OSError as err:
        if err.errno not in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT):
            raise EmbeddingError(f"cannot create the {what} in {final.parent}: {err.strerror or err}; "
                                 "check that every part of the cache path is a folder") from err
        private = _private_dir() / final.name
        warnings.warn(f"cannot write the {what} to {final.parent} ({err.strerror or err}); building it in "
                      f"{private.parent} for this process only (rebuilt on every run until the cache is "
                      "writable)", EmbeddingCacheWarning, stacklevel=3)
        build(private)
        _write_checksum(private, _sha256_file(private))
        return private
    try:
        build(tmp)
        digest = _sha256_file(tmp)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()
    _write_checksum(final, digest)
    return final


def _torch_export(model_dir: Path, dest: Path) -> None:
    """Trace the transformer of ``model_dir`` into the ONNX file ``dest``."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    try:  # the eager attention graph is the one ONNX Runtime's optimizer can fuse
        model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager")
    except (TypeError, ValueError):  # pragma: no cover - models without the option
        model = AutoModel.from_pretrained(str(model_dir))
    model.eval()
    # a padded example, so the traced graph keeps the attention-mask path
    example = tok(["an example sentence to trace the graph", "short"], padding=True, return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in example]
    wrap = _Wrapper.make(model, names)
    dyn = {n: {0: "batch", 1: "sequence"} for n in names + ["last_hidden_state"]}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(wrap, tuple(example[n] for n in names), str(dest),
                          input_names=names, output_names=["last_hidden_state"],
                          dynamic_axes=dyn, opset_version=17, dynamo=False)


def export_onnx(model_dir: Path, target: Path) -> Path:
    """Export the transformer of ``model_dir`` to ``target/model.onnx`` (atomic, checksummed).

    An existing export is used when it matches the sha256 recorded beside it
    (``model.onnx.sha256``); a missing, unchecked or damaged one is (re)built.

    Parameters
    ----------
    model_dir : path
        A sentence-transformers (or Hugging Face) model folder.
    target : path
        The export folder.

    Returns
    -------
    Path
        The verified ``model.onnx`` (in a private temporary folder when ``target`` is
        read-only).
    """
    model_dir, target = Path(model_dir), Path(target)
    _remove_stale_temps_beside(target)
    return _build_verified(target / "model.onnx", lambda dest: _torch_export(model_dir, dest), "ONNX export")


def _remove_stale_temps_beside(target: Path) -> None:
    """Remove export folders (``onnx/.tmp-*``) left by interrupted runs of earlier versions."""
    _remove_stale_temps(target.parent)



#: Mixed methods: texts of at most this many tokens (special tokens included) are run by
#: the fp32 graph (fused for the fused methods); the rest by the int8 graph.
SHORT_TEXT_TOKENS: dict[str, int] = {"int8-mixed": 16, "int8-fused": 16, "int8-fused-ffn": 16, "int8-static": 16}

#: Bumped whenever the export, a graph recipe or the batching of the onnx backend changes,
#: so old graphs are never reused and old vectors never served (it is part of the
#: embedding cache key of ``backend="onnx"``).
GRAPH_RECIPE = 2


def graph_key(fingerprint: str) -> str:
    """sha256 naming the folder of a model's ONNX graphs.

    It covers the model files' fingerprint, :data:`GRAPH_RECIPE` and the versions of the
    libraries that write or rewrite the graphs (torch, transformers, onnx, onnxruntime), so
    a graph exported or optimised by another version is never served from the cache.

    Examples
    --------
    >>> len(graph_key("0" * 64))
    64
    """
    from importlib import metadata

    versions = {}
    for lib in ("torch", "transformers", "onnx", "onnxruntime"):
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:  # pragma: no cover
            versions[lib] = None
    blob = json.dumps({"model": fingerprint, "recipe": GRAPH_RECIPE, "versions": versions}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def _bert_shape(model_dir: Path) -> tuple[int, int] | None:
    cfg = model_dir / "config.json"
    if not cfg.is_file():
        return None
    c = json.loads(cfg.read_text())
    heads, hidden = c.get("num_attention_heads"), c.get("hidden_size")
    return (int(heads), int(hidden)) if heads and hidden else None


def fuse_onnx(source: Path, model_dir: Path) -> Path:
    """Fuse ``source`` with ONNX Runtime's transformer optimizer into ``model.fused.onnx``.

    ``onnxruntime.transformers.optimizer`` (``model_type="bert"``) replaces the
    embedding sum + layer norm, each self-attention block, bias + GELU and residual +
    layer norm by single fused operators (``EmbedLayerNormalization``, ``Attention``,
    ``BiasGelu``, ``SkipLayerNormalization``); the arithmetic stays fp32.  A model the
    optimizer cannot read is kept unfused.  Atomic and checksummed like :func:`export_onnx`.
    """
    source = Path(source)

    def build(dest: Path) -> None:
        shape = _bert_shape(Path(model_dir))
        try:
            from onnxruntime.transformers import optimizer
            m = optimizer.optimize_model(str(source), model_type="bert", num_heads=shape[0] if shape else 0,
                                         hidden_size=shape[1] if shape else 0)
            m.save_model_to_file(str(dest))
        except Exception as err:  # noqa: BLE001 - the optimizer raises many types; unfused still works
            _log.info("transformer fusion of %s failed (%s); using the unfused graph", source, err)
            shutil.copyfile(source, dest)

    return _build_verified(source.with_name("model.fused.onnx"), build, "fused ONNX model")


def _ffn_output_matmuls(path: Path) -> list[str]:
    """Names of the MatMuls fed by a GELU: the feed-forward output projections."""
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    gelu = {o for n in graph.node if "Gelu" in n.op_type for o in n.output}
    return [n.name for n in graph.node if n.op_type == "MatMul" and n.input and n.input[0] in gelu]


def _dynamic_int8(source: Path, dest: Path, *, exclude: list[str] | None = None,
                  op_types: list[str] | None = None) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(dest), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=op_types, nodes_to_exclude=exclude or [],
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})


def _blockwise_int8(source: Path, target: Path, *, block_size: int = 32) -> None:
    """Replace every MatMul with a constant 2-D weight by ``com.microsoft.MatMulNBits``.

    Weights become int8 in blocks of ``block_size`` along K (one fp32 scale per block,
    symmetric); ``accuracy_level=4`` makes ONNX Runtime quantise the activations to int8
    per row and block too and multiply in int8.  Per-row activation scales make a
    sentence's vector independent of the rest of its batch -- unlike per-tensor dynamic
    quantisation -- which is what keeps short sentences close to fp32.
    """
    import onnx
    from onnx import helper, numpy_helper
    from onnxruntime.capi._pybind_state import quantize_matmul_8bits

    model = onnx.load(str(source))
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    nodes = []
    for node in graph.node:
        weight = inits.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        if weight is None or len(weight.dims) != 2:
            nodes.append(node)
            continue
        W = numpy_helper.to_array(weight).astype(np.float32)
        K, N = W.shape
        k_blocks = -(-K // block_size)
        if k_blocks * block_size != K:
            W = np.pad(W, ((0, k_blocks * block_size - K), (0, 0)))
        packed = np.zeros((N, k_blocks, block_size), dtype=np.uint8)
        zero_points = np.zeros((N, k_blocks), dtype=np.uint8)
        scales = np.zeros((N, k_blocks), dtype=np.float32)
        quantize_matmul_8bits(packed, np.ascontiguousarray(W), scales, zero_points, block_size, N, K, True)
        q = numpy_helper.from_array(packed, weight.name + "_Q8")
        sc = numpy_helper.from_array(scales, weight.name + "_scales")
        graph.initializer.extend([q, sc])
        nodes.append(helper.make_node("MatMulNBits", [node.input[0], q.name, sc.name], list(node.output),
                                      name=node.name + "_Q8", domain="com.microsoft", K=K, N=N, bits=8,
                                      block_size=block_size, accuracy_level=4))
    del graph.node[:]
    graph.node.extend(nodes)
    used = {i for n in graph.node for i in n.input}
    keep = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(keep)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(model, str(target))


def quantize_onnx(source: Path, method: str = "int8", *, model_dir: Path | None = None) -> Path:
    """Quantise ``source`` beside it (atomic, checksummed); returns the quantised model's path.

    ``"int8"``: block-wise int8 weights and int8 compute with per-row activation
    scales (``MatMulNBits``, see :func:`_blockwise_int8`).  ``"int8-dynamic"``:
    ``onnxruntime.quantization.quantize_dynamic`` with per-channel int8 weights and
    per-tensor dynamic activation scales -- faster, but its vectors of short sentences
    drift further from fp32 (min cosine about 0.97 on news sentences, see the bench).
    ``"int8-fused"``: the graph fused by :func:`fuse_onnx`, then ``quantize_dynamic``
    on every linear layer, the fused attention included (per-channel int8 weights,
    per-tensor dynamic int8 activations).  ``"int8-fused-ffn"``: the same with the
    feed-forward output projections (the MatMuls fed by GELU, whose inputs have the widest
    range) kept fp32.  With both, :class:`OnnxBackend` runs texts of at most
    :data:`SHORT_TEXT_TOKENS` tokens through the fused fp32 graph: a short text's
    mean-pooled vector averages the quantisation error of only a few tokens.
    ``"int8-static"``: :func:`framing.embed.onnx_static._static_int8` (SmoothQuant, then fixed
    activation scales calibrated once: per-text deterministic).  The calibration numbers
    (SmoothQuant's activation maxima, the MinMax ranges) of a model whose fingerprint matches a
    file of ``framing/data/int8_static/`` -- the packaged all-MiniLM-L6-v2 -- come from that
    file (:func:`framing.embed.onnx_static.packaged_calibration`), so no corpus is needed and the
    graph is byte-identical to the corpus-calibrated one (with the library versions recorded in
    the file); any other model is calibrated on
    :func:`framing.embed.onnx_static.calibration_sentences` (an
    :class:`~framing.embed.EmbeddingError` when the corpus is not available).
    Like :func:`export_onnx`, an existing file is used only when it matches its
    recorded sha256, and is rebuilt otherwise.

    Parameters
    ----------
    source : path
        The verified fp32 ``model.onnx``.
    method : {"int8", "int8-dynamic", "int8-static", "int8-fused", "int8-fused-ffn"}
        Quantisation method.
    model_dir : path, optional
        The model folder (``config.json``: the fused attention's shape; its fingerprint: the
        packaged calibration numbers, else its tokenizer: the calibration sentences); needed by
        the fused methods and ``"int8-static"``.

    Returns
    -------
    Path
        ``model.<method>.onnx`` beside ``source`` (or in a private temporary folder when
        that folder is read-only).
    """
    if method not in QUANTIZATION_METHODS or method == "int8-mixed":
        raise ValueError(f"quantisation method {method!r}; choose one of {QUANTIZATION_METHODS}")
    source = Path(source)
    if method == "int8-static" and model_dir is None:
        raise ValueError("quantize_onnx(method='int8-static') needs model_dir (its tokenizer tokenises the "
                         "calibration sentences)")

    def build(dest: Path) -> None:
        logger = logging.getLogger()
        level = logger.level
        logger.setLevel(logging.ERROR)  # quantize_dynamic logs a pre-processing hint
        try:
            if method == "int8":
                _blockwise_int8(source, dest)
            elif method == "int8-dynamic":
                _dynamic_int8(source, dest, op_types=["MatMul"])
            elif method == "int8-static":
                assert model_dir is not None
                from .onnx_static import _static_int8

                _static_int8(source, dest, Path(model_dir))
            else:
                fused = fuse_onnx(source, model_dir) if model_dir is not None else source
                exclude = _ffn_output_matmuls(fused) if method == "int8-fused-ffn" else None
                _dynamic_int8(fused, dest, exclude=exclude)
        finally:
            logger.setLevel(level)

    return _build_verified(source.with_name(f"model.{method}.onnx"), build, f"quantised ({method}) ONNX model")


class OnnxBackend:
    """ONNX Runtime backend for :class:`framing.embed.Encoder` (internal interface).

    Texts are tokenised once, sorted by token count (longest first) and batched, so a
    batch is padded only to its own longest text.  With ``"int8-mixed"``, ``"int8-static"``,
    ``"int8-fused"`` or ``"int8-fused-ffn"``, texts of at most :data:`SHORT_TEXT_TOKENS` tokens
    go to the fp32 graph and the rest to the int8 one.

    Parameters
    ----------
    model_dir : path
        A sentence-transformers model directory.
    cache_dir : path
        Cache root; the graphs go to ``cache_dir/onnx/<name>-<key[:16]>/`` where ``key`` is
        :func:`graph_key` of the fingerprint (model files, recipe, library versions).
    name, fingerprint : str
        Model name and sha256 of its files (:func:`framing.embed.model_fingerprint`).
    quantize : False or str
        ``False`` for fp32, else a method of :func:`quantize_onnx`.
    max_seq_length : int, optional
        Override the window from ``sentence_bert_config.json``.
    threads : int, optional
        Intra-op threads; default ``$FRAMING_ONNX_THREADS`` or :func:`physical_cores`.
    """

    def __init__(self, model_dir: str | os.PathLike, *, cache_dir: str | os.PathLike, name: str,
                 fingerprint: str, quantize: bool | str = False, max_seq_length: int | None = None,
                 threads: int | None = None) -> None:
        from transformers import AutoTokenizer

        self.model_dir = Path(model_dir)
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[-60:]
        self.export_dir = Path(cache_dir).expanduser() / "onnx" / f"{safe}-{graph_key(fingerprint)[:16]}"
        self.pipeline = _pipeline(self.model_dir)
        st = _st_config(self.model_dir)
        self.do_lower_case = bool(st.get("do_lower_case", False))
        self.tokenizer = AutoTokenizer.from_pretrained(str(self.model_dir))
        msl = max_seq_length or st.get("max_seq_length")
        if msl is None:
            tml = getattr(self.tokenizer, "model_max_length", None)
            msl = tml if isinstance(tml, int) and tml < 100_000 else 512
        self.max_seq_length = int(msl)
        self.n_special = int(self.tokenizer.num_special_tokens_to_add(pair=False))
        method = "int8" if quantize is True else (str(quantize) if quantize else None)
        path = export_onnx(self.model_dir, self.export_dir)
        self.short_tokens = SHORT_TEXT_TOKENS.get(method or "", 0)
        self.short_session = None
        if self.short_tokens:
            fp32 = path if method in ("int8-mixed", "int8-static") else fuse_onnx(path, self.model_dir)
            self.short_session = self._session(fp32, threads)
        if method:  # "int8-mixed" runs the "int8-dynamic" graph
            path = quantize_onnx(path, "int8-dynamic" if method == "int8-mixed" else method,
                                 model_dir=self.model_dir)
        self.onnx_path = path
        self.session = self._session(path, threads)
        self.input_names = [i.name for i in self.session.get_inputs()]
        self._dim: int | None = None

    @staticmethod
    def _session(path: Path, threads: int | None) -> Any:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        env_threads = os.environ.get("FRAMING_ONNX_THREADS", "")
        opts.intra_op_num_threads = threads or (int(env_threads) if env_threads.isdigit() else physical_cores())
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3
        try:
            return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
        except Exception as err:  # noqa: BLE001 - onnxruntime raises its own exception types
            raise EmbeddingError(f"ONNX Runtime cannot load {path} although it matches its checksum ({err}); "
                                 f"delete the folder {path.parent} to export the model again") from err

    def _tokens(self, texts: list[str]) -> dict[str, list[list[int]]]:
        if self.do_lower_case:
            texts = [t.lower() for t in texts]
        enc = self.tokenizer(texts, padding=False, truncation="longest_first", max_length=self.max_seq_length,
                             return_token_type_ids=True, return_attention_mask=True, verbose=False)
        ids = enc["input_ids"]
        return {"input_ids": ids, "attention_mask": enc.get("attention_mask") or [[1] * len(x) for x in ids],
                "token_type_ids": enc.get("token_type_ids") or [[0] * len(x) for x in ids]}

    def _forward(self, tokens: dict[str, list[list[int]]], rows: np.ndarray, session: Any = None) -> np.ndarray:
        """Pooled vectors of the tokenised texts ``rows`` (padded to the longest of them)."""
        width = max(len(tokens["input_ids"][i]) for i in rows)
        pad = {"input_ids": self.tokenizer.pad_token_id or 0, "attention_mask": 0, "token_type_ids": 0}
        feed_all = {}
        for k, fill in pad.items():
            a = np.full((len(rows), width), fill, dtype=np.int64)
            for j, i in enumerate(rows):
                seq = tokens[k][i]
                a[j, :len(seq)] = seq
            feed_all[k] = a
        session = session or self.session
        feed = {n: feed_all[n] for n in self.input_names}
        hidden = session.run(["last_hidden_state"], feed)[0].astype(np.float32)
        return self._pool(hidden, feed_all["attention_mask"].astype(np.float32))

    def _pool(self, hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
        mode = self.pipeline["pooling"]
        if mode == "cls":
            pooled = hidden[:, 0]
        elif mode == "max":
            pooled = np.where(mask[:, :, None] > 0, hidden, -1e9).max(axis=1)
        else:
            summed = (hidden * mask[:, :, None]).sum(axis=1)
            counts = np.clip(mask.sum(axis=1, keepdims=True), 1e-9, None)
            pooled = summed / (np.sqrt(counts) if mode == "mean_sqrt_len_tokens" else counts)
        if self.pipeline["normalize"]:
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            pooled = pooled / np.clip(norms, 1e-12, None)
        return pooled.astype(np.float32)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Embed ``texts``: sorted by token count (longest first), in batches of ``batch_size``."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        tokens = self._tokens(list(texts))
        lengths = np.array([len(ids) for ids in tokens["input_ids"]])
        order = np.argsort(-lengths, kind="stable")
        short = lengths[order] <= self.short_tokens
        out: np.ndarray | None = None
        for rows, session in ((order[~short], self.session), (order[short], self.short_session)):
            for a in range(0, len(rows), batch_size):
                idx = rows[a:a + batch_size]
                X = self._forward(tokens, idx, session)
                if out is None:
                    out = np.zeros((len(texts), X.shape[1]), dtype=np.float32)
                out[idx] = X
        assert out is not None
        return out

    def token_offsets(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        return _hf_token_offsets(self.tokenizer, texts)

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = int(self._forward(self._tokens(["x"]), np.array([0])).shape[1])
        return self._dim
