"""Embeddings on the workers and the measures built on them: axis scores, clusters.

**One encoder per worker process.** An encoder travels to the workers without its loaded
model (a :class:`framing.Encoder` is rebuilt with :meth:`~framing.Encoder.replace`); each
worker keeps the first copy it receives in a process-local table keyed by the encoder's
identity (:attr:`framing.Encoder.identity`: model files and options), so the model is loaded
once per worker and reused by every later task. With ``cache_dir`` on a filesystem that all
workers see, the content-addressed cache (:class:`framing.EmbeddingCache`) makes a second
run compute nothing.

**Vector shards.** :func:`embed` writes the vectors of sentence partition ``i`` to
``<folder>/part-<i>.npy`` (float32, rows in the partition's order) and an index
``<folder>/index.parquet`` (``sent_id``, ``doc_id``, ``shard``, ``row``); nothing is
gathered to the client unless :meth:`VectorShards.to_array` is called.
"""
from __future__ import annotations

import copy
import hashlib
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import framing.axes as _axes
import framing.voice as _voice
from framing.corpus import CorpusError
from framing.embed import Encoder
from framing.scale.reduce import _merge_filters, gather
from framing.scale.stages import _flag_part, _GHOST, line_documents

__all__ = ["VectorShards", "assign_clusters", "embed", "encoder_key", "fit_clusters", "sample_documents",
           "score_axes", "warm_up"]

#: encoders already built in this (worker) process, by :func:`encoder_key`
_WORKER_ENCODERS: dict[str, Any] = {}


def encoder_key(encoder: Any) -> str:
    """The key of an encoder in a worker's table: its identity, or a digest of its pickle.

    Examples
    --------
    >>> from framing.testing import HashEncoder
    >>> encoder_key(HashEncoder(dim=8)) == encoder_key(HashEncoder(dim=8))
    True
    """
    if isinstance(encoder, Encoder):
        return f"framing.Encoder:{encoder.identity}"
    return f"{type(encoder).__qualname__}:{hashlib.sha256(pickle.dumps(encoder)).hexdigest()}"


def _portable(encoder: Any) -> Any:
    """A copy that pickles without a loaded model (an :class:`Encoder` is rebuilt)."""
    if isinstance(encoder, Encoder):
        return encoder.replace(device=encoder.device)
    return encoder


def _worker_encoder(key: str, encoder: Any) -> Any:
    """This process's encoder for ``key``: the first one received, kept (model loaded once)."""
    found = _WORKER_ENCODERS.get(key)
    if found is None:
        found = _WORKER_ENCODERS[key] = encoder
    return found


def _encode(key: str, encoder: Any, texts: list[str]) -> np.ndarray:
    enc = _worker_encoder(key, encoder)
    if not texts:
        dim = getattr(enc, "dim", None)
        return np.zeros((0, int(dim) if dim else 0), dtype=np.float32)
    return np.asarray(enc.encode(texts), dtype=np.float32)


def _warm(key: str, encoder: Any) -> int:
    return int(_encode(key, encoder, ["Warm up."]).shape[1])


def warm_up(encoder: Any, client: Any) -> dict[str, int]:
    """Build ``encoder`` (and load its model) on every worker of ``client`` now.

    Returns ``{worker address: embedding dimension}``. Useful before timing, or to fail
    early when a worker cannot load the model.
    """
    return client.run(_warm, encoder_key(encoder), _portable(encoder))


class VectorShards:
    """Vectors stored as one ``.npy`` file per sentence partition, with an index.

    Attributes
    ----------
    folder : Path
    index : DataFrame
        ``sent_id``, ``doc_id``, ``shard`` (partition number), ``row`` (row in the shard).

    Examples
    --------
    >>> import tempfile, dask.dataframe as dd
    >>> from framing.testing import HashEncoder
    >>> s = pd.DataFrame({"doc_id": ["a", "b"], "sent_id": ["a:0", "b:0"], "text": ["one", "two"]})
    >>> shards = embed(dd.from_pandas(s, npartitions=2), HashEncoder(dim=8), tempfile.mkdtemp())
    >>> shards.to_array().shape, shards.index["shard"].tolist()
    ((2, 8), [0, 1])
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.index = pd.read_parquet(self.folder / "index.parquet")

    def __repr__(self) -> str:
        return f"VectorShards({str(self.folder)!r}, rows={len(self.index)}, shards={self.n_shards})"

    @property
    def n_shards(self) -> int:
        return int(self.index["shard"].max()) + 1 if len(self.index) else 0

    def load(self, shard: int, *, mmap: bool = True) -> np.ndarray:
        """The vectors of one partition (memory-mapped by default)."""
        return np.load(self.folder / f"part-{int(shard):05d}.npy", mmap_mode="r" if mmap else None)

    def to_array(self) -> np.ndarray:
        """All vectors in index order, gathered into memory (only when asked)."""
        return np.concatenate([self.load(i, mmap=False) for i in range(self.n_shards)]) if len(self.index) \
            else np.zeros((0, 0), dtype=np.float32)


def _embed_part(part: pd.DataFrame, shard: int, folder: str, key: str, encoder: Any) -> pd.DataFrame:
    X = _encode(key, encoder, part["text"].astype(str).tolist())
    np.save(Path(folder) / f"part-{shard:05d}.npy", X)
    return pd.DataFrame({"sent_id": part["sent_id"].astype(str).to_numpy() if "sent_id" in part.columns
                         else np.arange(len(part)).astype(str),
                         "doc_id": part["doc_id"].astype(str).to_numpy(), "shard": shard,
                         "row": np.arange(len(part), dtype=np.int64)})


def embed(sentences: Any, encoder: Any, folder: str | Path) -> VectorShards:
    """Embed every sentence on the workers, as vector shards aligned with the partitions.

    Parameters
    ----------
    sentences : dask.dataframe.DataFrame
        Sentence table with ``text`` (and ``doc_id``, ``sent_id``).
    encoder : framing.Encoder or object with ``encode(texts)``
        Sent to every worker once per task without its model; each worker builds its model
        once (see the module docstring). Give a ``framing.Encoder(cache_dir=<shared path>)``
        on a cluster so that vectors are computed once for all runs.
    folder : path
        Where ``part-<i>.npy`` and ``index.parquet`` are written (a shared filesystem on a
        cluster).

    Returns
    -------
    VectorShards
    """
    import dask

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    key, portable = encoder_key(encoder), _portable(encoder)
    task = dask.delayed(_embed_part)
    parts = gather([task(p, i, str(folder), key, portable) for i, p in enumerate(sentences.to_delayed())])
    index = pd.concat(parts, ignore_index=True)
    index.to_parquet(folder / "index.parquet", index=False)
    return VectorShards(folder)


# ---- axis scores from per-partition projections ----------------------------------------------

def _axis_basis(axes: list[Any]) -> np.ndarray:
    """Orthonormal basis (dim x r) of the span of the axes' vectors."""
    V = np.stack([np.asarray(a.vector_, dtype=np.float64) for a in axes], axis=1)
    Q, R = np.linalg.qr(V)
    keep = np.abs(np.diag(R)) > 1e-12 * max(1.0, np.abs(R).max())
    return Q[:, keep]


def _coordinates(X: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """Unit rows' coordinates on ``Q`` plus one column for the rest of their length, so each
    row keeps unit length and every projection on an axis in span(Q) is unchanged."""
    X = np.asarray(X, dtype=np.float64)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError("score_axes: a sentence has a zero embedding")
    C = (X / norms) @ Q
    rest = np.sqrt(np.clip(1.0 - (C ** 2).sum(axis=1, keepdims=True), 0.0, None))
    return np.hstack([C, rest])


_SENT_LONG = ("text", "own_text", "title", "url")


def _axes_part(part: pd.DataFrame, lines: pd.DataFrame | None, options: dict[str, Any], key: str,
               encoder: Any, Q: np.ndarray) -> dict[str, Any]:
    """Per partition: filter the sentences, encode the kept text, keep only small coordinates."""
    s = part
    if options["voice"] != "all" and "voice" not in s.columns:
        s = _voice.attribute_voice(s)
    if options["boilerplate"] == "drop" and "boilerplate" not in s.columns:
        group = "outlet" if "outlet" in s.columns else None
        s = _flag_part(s, lines, {"min_docs": 5, "group": group, "furniture": True, "min_words": 4})
    positional = s.reset_index(drop=True)
    positional.attrs = {}
    kept = _voice.filter_voice(positional, voice=options["voice"], boilerplate=options["boilerplate"])
    X = _encode(key, encoder, kept["text"].astype(str).tolist())
    C = _coordinates(X, Q) if len(kept) else np.zeros((0, Q.shape[1] + 1))
    rows = kept[[c for c in kept.columns if c not in _SENT_LONG]].reset_index(drop=True)
    return {"rows": rows, "C": C, "text_filter": kept.attrs.get("text_filter"),
            "excluded": kept.attrs.get("excluded")}


def score_axes(sentences: Any, axes: Any, *, encoder: Any, voice: str = "own", boilerplate: str = "drop",
               **options: Any) -> Any:
    """:func:`framing.score_axes` on a Dask sentence table, from per-partition projections.

    The workers filter the sentences (voice; boilerplate with corpus-wide line counts), embed
    the kept text with ``encoder`` (one model per worker, cached), and keep for each sentence
    only its coordinates on the span of the axes plus the rest of its unit length (number of
    axes + 1 values), which give exactly the projections ``cos(sentence, axis)``. The client
    sorts the sentences by ``doc_id`` and position and runs :func:`framing.score_axes` on
    those coordinates: biases, intensities, bootstrap intervals and null bands equal the
    in-memory result on the table sorted the same way, to float rounding, whatever the
    partitioning.

    Parameters
    ----------
    sentences : dask.dataframe.DataFrame
        Sentence table (:func:`framing.scale.split_sentences`).
    axes : Axis or list of Axis
        Fitted axes (fit them in memory: a few seed phrases).
    encoder : framing.Encoder or object with ``encode(texts)``
    voice, boilerplate
        As in :func:`framing.score_axes`.
    **options
        Other keyword options of :func:`framing.score_axes` (``group``, ``unit``,
        ``document_weight``, ``resample``, ``n_boot``, ``n_null``, ``alpha``,
        ``random_state``, ``min_docs``); ``weights`` may be None or a column name. The
        split-half ``reliability`` needs the full embeddings and is not computed here.

    Returns
    -------
    AxisScores
        With the original axes; ``params["text_filter"]`` sums the partitions' records.
    """
    import dask

    bad = sorted({"embeddings", "reliability"} & set(options))
    if bad or (options.get("weights") is not None and not isinstance(options.get("weights"), str)) \
            or options.get("weights") == "length":
        raise TypeError(f"score_axes() on a Dask table: {bad or 'weights'} not supported (weights: None or a column)")
    axes = _axes.as_axis_list(axes)
    if any(getattr(a, "vector_", None) is None for a in axes):
        raise ValueError("score_axes() on a Dask table needs fitted axes (axis.fit(encoder) first)")
    Q = _axis_basis(axes)
    group = "outlet" if "outlet" in sentences.columns else None
    lines = line_documents(sentences, group=group) if boilerplate == "drop" and "boilerplate" not in sentences.columns \
        else None
    key, portable = encoder_key(encoder), _portable(encoder)
    opts = {"voice": voice, "boilerplate": boilerplate}
    task = dask.delayed(_axes_part)
    parts = gather([task(p, lines, opts, key, portable, Q) for p in sentences.to_delayed()])
    rows = pd.concat([p["rows"] for p in parts], ignore_index=True)
    C = np.vstack([p["C"] for p in parts])
    if rows["doc_id"].astype(str).str.startswith(_GHOST).any():
        raise CorpusError("internal: stand-in rows left in the sentence table")
    order = np.lexsort((rows["position"].to_numpy() if "position" in rows.columns else np.arange(len(rows)),
                        rows["doc_id"].astype(str).to_numpy()))
    rows, C = rows.iloc[order].reset_index(drop=True), C[order]
    rows["text"] = ""
    stand_in = []
    for a in axes:
        b = copy.copy(a)
        b.vector_ = np.append(Q.T @ np.asarray(a.vector_, dtype=np.float64), 0.0)
        stand_in.append(b)
    result = _axes.score_axes(rows, stand_in, embeddings=C, voice="all", boilerplate="keep",
                              reliability=False, **options)
    result.axes = axes
    result.params.update(voice=voice, boilerplate=boilerplate,
                         encoder=getattr(encoder, "name", None),
                         text_filter=_merge_filters([p["text_filter"] for p in parts]))
    excluded = [r for p in parts for r in (p["excluded"] or [])]
    result.excluded = pd.DataFrame.from_records(excluded, columns=["doc_id", "sent_id", "outlet", "start", "end",
                                                                   "reason"])
    return result


# ---- clusters: fit on a sample, assign everywhere ----------------------------------------------

def sample_documents(ddf: Any, *, n: int, random_state: int = 0) -> list[str]:
    """A seeded random sample of ``n`` document ids (the ids come to the client, sorted first,
    so the sample does not depend on the partitioning).

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> c = dd.from_pandas(pd.DataFrame({"doc_id": list("edcba")}), npartitions=2)
    >>> sample_documents(c, n=2, random_state=0) == sample_documents(c.repartition(npartitions=1), n=2,
    ...                                                              random_state=0)
    True
    """
    ids = np.sort(ddf["doc_id"].astype(str).unique().compute().to_numpy(dtype=object))
    n = min(int(n), len(ids))
    rng = np.random.default_rng(random_state)
    return sorted(ids[rng.choice(len(ids), size=n, replace=False)].tolist())


def fit_clusters(sentences: Any, estimator: Any, *, encoder: Any, n_docs: int = 2000,
                 random_state: int = 0) -> Any:
    """Fit a clustering estimator on the sentences of a seeded sample of documents.

    The sample (:func:`sample_documents`: ``n_docs`` documents, ``random_state``) is the
    documented remedy for corpora whose embeddings do not fit in memory: the estimator sees
    only the sample's sentence vectors; :func:`assign_clusters` then labels every sentence
    with its ``predict``.

    Parameters
    ----------
    sentences : dask.dataframe.DataFrame
    estimator : scikit-learn style estimator with ``fit`` and ``predict`` (e.g. KMeans)
    encoder : framing.Encoder or object with ``encode(texts)``
    n_docs, random_state : int

    Returns
    -------
    The fitted estimator, with ``sample_doc_ids_`` (the documents it was fitted on).
    """
    chosen = set(sample_documents(sentences, n=n_docs, random_state=random_state))
    sample = sentences[sentences["doc_id"].astype(str).isin(chosen)][["doc_id", "sent_id", "text"]].compute()
    sample = sample.sort_values(["doc_id", "sent_id"], kind="stable")
    X = np.asarray(_portable(encoder).encode(sample["text"].astype(str).tolist()))
    estimator.fit(X)
    estimator.sample_doc_ids_ = sorted(chosen)
    return estimator


def _assign_part(part: pd.DataFrame, key: str, encoder: Any, estimator: Any) -> pd.DataFrame:
    X = _encode(key, encoder, part["text"].astype(str).tolist())
    labels = estimator.predict(X) if len(part) else np.zeros(0, dtype=np.int64)
    return pd.DataFrame({"doc_id": part["doc_id"].to_numpy(), "sent_id": part["sent_id"].to_numpy(),
                         "cluster": np.asarray(labels, dtype=np.int64)}, index=part.index)


def assign_clusters(sentences: Any, estimator: Any, *, encoder: Any) -> Any:
    """Label every sentence with a fitted estimator's ``predict``, partition by partition (lazy).

    Returns
    -------
    dask.dataframe.DataFrame
        ``doc_id``, ``sent_id``, ``cluster``, partition-aligned with ``sentences``.
    """
    meta = pd.DataFrame({"doc_id": pd.Series([], dtype=object), "sent_id": pd.Series([], dtype=object),
                         "cluster": pd.Series([], dtype=np.int64)})
    return sentences.map_partitions(_assign_part, encoder_key(encoder), _portable(encoder), estimator, meta=meta)
