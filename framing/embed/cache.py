"""The embedding cache: content-addressed, checksummed shards of float32 vectors.

Layout, integrity rules and repair are described in :mod:`framing.embed` (section "The
cache") and :class:`EmbeddingCache`.  Also the package's errors and warning class
(:class:`EmbeddingError`, :class:`EmbeddingCacheWarning`) and :func:`default_cache_dir`.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import struct
import time
import uuid
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["CACHE_FORMAT_VERSION", "AUTO_COMPACT_SHARDS", "STALE_TEMP_SECONDS", "EmbeddingCache",
           "EmbeddingError", "EmbeddingCacheWarning", "default_cache_dir"]

#: Bumped whenever the cache layout or the meaning of a cached vector changes.
CACHE_FORMAT_VERSION = 1
#: Compact a cache directory automatically once it holds more shards than this.
AUTO_COMPACT_SHARDS = 256

#: Temporary files (``.tmp-*``, ``.part-*``) not modified for this many seconds are left over
#: from an interrupted run and removed when a cache folder is opened (an ONNX export, the
#: slowest write, takes a few minutes at most).
STALE_TEMP_SECONDS = 3600.0

_MAGIC = b"FRMEMB1\n"
_SHARD_SUFFIX = ".femb"
_KEY_BYTES = 32
_CHECK_BYTES = 8
_COMPACT_ROWS = 8192
_TEMP_PREFIXES = (".tmp-", ".part-")

_log = logging.getLogger("framing.embed")


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
