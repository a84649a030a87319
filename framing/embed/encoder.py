"""The :class:`Encoder`: sentence embeddings behind the verified on-disk cache.

The model, the long-text rules, the cache and progress are described in
:mod:`framing.embed`.
"""
from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from framing._checks import l2_normalize

from .backends import (BACKENDS, QUANTIZATION_METHODS, _default_backend, _object_identity, _ObjectBackend,
                       _resolve_model, _TorchBackend, model_fingerprint)
from .cache import (AUTO_COMPACT_SHARDS, CACHE_FORMAT_VERSION, EmbeddingCache, EmbeddingCacheWarning,
                    EmbeddingError, _canonical, _shared_cache, default_cache_dir)
from .progress import _Progress, progress_for

__all__ = ["Encoder", "LONG_TEXT_RULES"]

LONG_TEXT_RULES: tuple[str, ...] = ("mean-chunks", "mean-sentences", "truncate")


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
        ``"cpu"`` or a torch device (``"cuda"``, ``"cuda:1"``, ``"mps"``...).
    backend : {None, "torch", "onnx"}
        ``"torch"``: sentence-transformers on torch; ``"onnx"``: the same model exported
        to ONNX and run by ONNX Runtime (:mod:`framing.embed.onnx`).  ``None`` (default):
        :data:`~framing.embed.DEFAULT_CPU_BACKEND` (torch; the batch-dependent ONNX int8
        routes are opt-in, see :data:`~framing.embed.BATCH_DEPENDENT`).
    quantize : None, bool or str
        With the onnx backend: ``False`` runs fp32; ``True`` (= ``"int8"``) int8 weights
        with int8 block-wise compute; ``"int8-dynamic"`` ``quantize_dynamic`` on the
        unfused graph; ``"int8-mixed"`` the same for texts of more than 16 tokens and fp32
        for the others; ``"int8-fused"`` and ``"int8-fused-ffn"`` fused graphs with dynamic
        int8 (the latter keeps the feed-forward output projections fp32), short texts
        in fp32.  ``None`` follows ``backend``.  See :mod:`framing.embed.onnx`.
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
                 batch_size: int = 32, device: str = "cpu", backend: str | None = None,
                 quantize: bool | str | None = None, long_text: str = "mean-chunks",
                 max_seq_length: int | None = None, normalize: bool = True,
                 show_progress: bool | str | None = None) -> None:
        if show_progress not in (None, True, False, "bar", "log"):
            raise EmbeddingError(f"show_progress={show_progress!r}; use None, True, False, 'bar' or 'log'")
        if backend is not None and backend not in BACKENDS:
            raise EmbeddingError(f"backend={backend!r}; choose one of {BACKENDS} (or None: the default)")
        if long_text not in LONG_TEXT_RULES:
            raise EmbeddingError(f"long_text={long_text!r}; choose one of {LONG_TEXT_RULES}")
        if quantize is True:
            quantize = "int8"
        if quantize not in (False, None) + QUANTIZATION_METHODS:
            raise EmbeddingError(f"quantize={quantize!r}; use False, True (= 'int8') or one of {QUANTIZATION_METHODS}")
        if quantize and backend not in ("onnx", None):
            raise EmbeddingError("quantize needs backend='onnx'")
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise EmbeddingError(f"batch_size must be a positive int, got {batch_size!r}")
        if max_seq_length is not None and (not isinstance(max_seq_length, (int, np.integer)) or max_seq_length < 2):
            raise EmbeddingError(f"max_seq_length must be an int >= 2, got {max_seq_length!r}")
        self._spec = _resolve_model(model)
        if self._spec.obj is not None and backend not in ("torch", None):
            raise EmbeddingError("backend applies to model names/paths, not to a model object")
        if self._spec.obj is not None and quantize:
            raise EmbeddingError("quantize needs backend='onnx' and a model name or path")
        self._requested = (backend, quantize)
        if self._spec.obj is None:
            backend, quantize = _default_backend(self._spec.path, device, backend, quantize)
        self.name = self._spec.name
        self.batch_size = int(batch_size)
        self.device = device
        self.backend = str(backend) if self._spec.obj is None else "object"
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
            if self.backend == "onnx":  # the graphs and the batching that made the vectors
                from .onnx import GRAPH_RECIPE
                self._config["onnx_recipe"] = GRAPH_RECIPE
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
                      backend=self._requested[0], quantize=self._requested[1], long_text=self.long_text,
                      max_seq_length=self.max_seq_length,
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
                from .onnx import OnnxBackend
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
    def encode(self, texts: Sequence[str], *, batch_size: int | None = None,
               show_progress_bar: bool | None = None) -> np.ndarray:
        """Embed ``texts``; returns a float32 array of shape ``(len(texts), dim)``.

        Duplicates are embedded once, cached texts are read from the cache, and the rest
        is encoded in groups, each group written to the cache as soon as it is done.

        Parameters
        ----------
        texts : sequence of str
            The texts, in the order of the rows returned.
        batch_size : int, optional
            Texts per forward pass for this call (default: the encoder's ``batch_size``).
            Named as in ``SentenceTransformer.encode``, so the encoder can stand in for a
            sentence-transformers model in code that passes it.
        show_progress_bar : bool, optional
            Progress for this call: ``True`` always, ``False`` never; ``None`` (default)
            follows the encoder's ``show_progress``.  Named as in ``SentenceTransformer.encode``.
            Any other keyword is a ``TypeError``.

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

        Examples
        --------
        >>> import tempfile
        >>> from framing.testing import HashEncoder
        >>> enc = Encoder(HashEncoder(dim=8), cache_dir=tempfile.mkdtemp())
        >>> enc.encode(["a b", "c d"], batch_size=1, show_progress_bar=False).shape
        (2, 8)
        """
        texts = _check_texts(texts)
        if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or batch_size < 1):
            raise EmbeddingError(f"batch_size must be a positive int, got {batch_size!r}")
        run = _Run(batch_size=int(batch_size) if batch_size is not None else self.batch_size,
                   show=self.show_progress if show_progress_bar is None else bool(show_progress_bar))
        uniq: dict[str, int] = {}
        inverse = np.fromiter((uniq.setdefault(t, len(uniq)) for t in texts), dtype=np.int64, count=len(texts))
        utexts = list(uniq)
        self.stats = run.stats = {"requested": len(texts), "unique": len(utexts), "cached": 0, "computed": 0,
                                  "long": 0}
        if not utexts:
            return np.zeros((0, self.dim), dtype=np.float32)
        cache, keys, found, vecs = self._lookup(utexts, run)
        todo = np.flatnonzero(~found)
        if len(todo):
            computed = self._compute([utexts[i] for i in todo], [keys[i] for i in todo] if keys else None,
                                     run, cache)
            if vecs is None or vecs.shape[1] != computed.shape[1]:
                full = np.zeros((len(utexts), computed.shape[1]), dtype=np.float32)
                if vecs is not None and vecs.shape[1] == computed.shape[1]:
                    full[found] = vecs[found]
                vecs = full
            vecs[todo] = computed
        self._tidy(cache, run.trouble)
        run.trouble.warn(self.cache_dir if cache is None else cache.dir)
        return np.ascontiguousarray(vecs[inverse], dtype=np.float32)

    __call__ = encode

    def _lookup(self, utexts: list[str], run: "_Run") -> tuple[EmbeddingCache | None, list[bytes], np.ndarray,
                                                                np.ndarray | None]:
        """Cache, keys, found mask and cached vectors of the unique texts (no cache: nothing found)."""
        try:
            cache = self.cache
            if cache is not None:
                keys = cache.keys(utexts)
                found, vecs = cache.get(keys)
                run.stats["cached"] = int(found.sum())
                return cache, keys, found, vecs
        except OSError as err:  # an unreadable cache folder: work without it
            run.trouble.read_error = err
        return None, [], np.zeros(len(utexts), dtype=bool), None

    @staticmethod
    def _tidy(cache: EmbeddingCache | None, trouble: "_CacheTrouble") -> None:
        """After a call: repair damaged shards, rewrite a damaged config, compact when many shards."""
        if cache is None or trouble.write_error is not None:
            return
        try:
            if cache._damaged:
                cache.repair()
            cache.heal()
            if cache.n_shards > AUTO_COMPACT_SHARDS:
                cache.compact()
        except OSError as err:
            trouble.write_error = err

    def _finish(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        if self.normalize:
            X = l2_normalize(X, zero="keep", name="model output")
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

    def _compute(self, texts: list[str], keys: list[bytes] | None, run: "_Run",
                 cache: EmbeddingCache | None = None) -> np.ndarray:
        """Vectors of ``texts`` (not in the cache), each group stored as soon as it is done."""
        long = self._is_long(texts)
        run.stats["long"] = int(long.sum())
        # like SentenceTransformer.encode: longest first, so padding is the same as one big call
        short_idx = [i for i in np.argsort([-len(t) for t in texts], kind="stable") if not long[i]]
        long_idx = [int(i) for i in np.flatnonzero(long)]
        sink = _Sink(len(texts), keys, cache if keys is not None else None, run,
                     progress_for(run.show, len(texts), f"embedding ({self.name})",
                                  cached=run.stats.get("cached", 0)))
        try:
            self._encode_short(texts, short_idx, run.batch_size, sink)
            self._encode_long(texts, long_idx, run.batch_size, sink)
        finally:
            sink.close()  # keep whatever finished, even when interrupted
        assert sink.out is not None
        return sink.out

    def _encode_short(self, texts: list[str], idx: list[int], batch_size: int, sink: "_Sink") -> None:
        """Texts that fit the window, in groups of ``16 * batch_size``."""
        group = batch_size * 16
        for a in range(0, len(idx), group):
            part = idx[a:a + group]
            sink.store(part, self._finish(self.model.encode([texts[i] for i in part], batch_size)))

    def _encode_long(self, texts: list[str], idx: list[int], batch_size: int, sink: "_Sink") -> None:
        """Texts longer than the window: their pieces' vectors, averaged with the rule's weights."""
        group = batch_size * 16
        a = 0
        while a < len(idx):
            batch_idx, pieces, weights, owner = [], [], [], []
            while a < len(idx) and (len(pieces) < group or not batch_idx):
                p, w = self._chunks(texts[idx[a]])
                owner.extend([len(batch_idx)] * len(p))
                batch_idx.append(idx[a])
                pieces.extend(p)
                weights.extend(w)
                a += 1
            P = self._finish(self.model.encode(pieces, batch_size))
            W = np.asarray(weights, dtype=np.float64)
            own = np.asarray(owner, dtype=np.int64)
            agg = np.zeros((len(batch_idx), P.shape[1]), dtype=np.float64)
            np.add.at(agg, own, P.astype(np.float64) * W[:, None])
            agg /= np.bincount(own, weights=W, minlength=len(batch_idx))[:, None]
            sink.store(batch_idx, self._finish(agg))

    def __repr__(self) -> str:
        return (f"Encoder(model={self.name!r}, backend={self.backend!r}, quantize={self.quantize}, "
                f"long_text={self.long_text!r}, cache_dir={str(self.cache_dir) if self.cache_dir else None!r})")


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("encode() takes a sequence of texts, not a single string")
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"encode(): text {i} is {type(t).__name__}, not str")
    return texts


class _Run:
    """Options and counters of one :meth:`Encoder.encode` call."""

    def __init__(self, *, batch_size: int, show: bool | str | None) -> None:
        self.batch_size, self.show = batch_size, show
        self.stats: dict[str, int] = {}
        self.trouble = _CacheTrouble()


class _Sink:
    """Where computed rows go: the output array, the cache (one shard per group) and progress."""

    def __init__(self, n: int, keys: list[bytes] | None, cache: EmbeddingCache | None, run: _Run,
                 bar: _Progress) -> None:
        self.n, self.keys, self.cache, self.run, self.bar = n, keys, cache, run, bar
        self.out: np.ndarray | None = None
        self.pending_keys: list[bytes] = []
        self.pending_vecs: list[np.ndarray] = []

    def store(self, idx: list[int], X: np.ndarray) -> None:
        """Place finished rows, queue them for the cache and write them out."""
        if self.out is None:
            self.out = np.zeros((self.n, X.shape[1]), dtype=np.float32)
        self.out[idx] = X
        if self.keys is not None:
            self.pending_keys.extend(self.keys[i] for i in idx)
            self.pending_vecs.append(X)
        self.run.stats["computed"] += len(idx)
        self.flush()
        self.bar.update(len(idx))

    def flush(self) -> None:
        batch_keys, batch_vecs = list(self.pending_keys), list(self.pending_vecs)
        self.pending_keys.clear()
        self.pending_vecs.clear()
        if self.cache is None or not batch_keys:
            return
        trouble = self.run.trouble
        if trouble.write_error is None:
            try:
                self.cache.put(batch_keys, np.concatenate(batch_vecs))
                return
            except OSError as err:  # read-only or full: keep the vectors, stop storing
                trouble.write_error = err
        trouble.unstored += len(batch_keys)

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.bar.close()
