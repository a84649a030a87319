"""Partition-wise stages: the Dask client, sentences, voice, boilerplate, filtered text.

Every stage maps a function over the partitions of a Dask corpus with
``map_partitions``-style tasks; a partition holds whole documents (one file of
:func:`framing.dask_io.read_corpus`), so per-document steps give exactly the in-memory
answer. The one cross-document rule, boilerplate's repeated lines, is a two-pass reduction
(:func:`find_boilerplate`).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

import framing.boilerplate as _bp
import framing.segment as _segment
import framing.voice as _voice
from framing.corpus import CorpusError

__all__ = ["attribute_voice", "client", "filtered_corpus", "find_boilerplate", "split_sentences"]

#: doc_id prefix of the stand-in documents of :func:`find_boilerplate`'s second pass
_GHOST = "\x00framing-scale-line:"
#: group value of the rows that count each document's partitions in pass 1
_DOC_ROW = "\x00framing-scale-doc"


def client(*, n_workers: int | None = None, threads_per_worker: int = 1,
           memory_limit: str | float | None = "auto") -> Any:
    """The current ``distributed`` client, or a new :class:`distributed.LocalCluster` and client.

    Nothing is started at import: call this once before running the stages of
    :mod:`framing.scale` to use every core of this machine (processes, one thread each by
    default: the tokenisers and the encoder hold the GIL). On a cluster, start its client
    first (``Client(SLURMCluster(...))``, dask-gateway ...): it is the current client and is
    returned as it is.

    Parameters
    ----------
    n_workers : int, optional
        Worker processes of a new LocalCluster (default: Dask's choice, one per core).
    threads_per_worker : int
        Threads per worker process of a new LocalCluster.
    memory_limit : str or float, optional
        Memory limit per worker of a new LocalCluster (``"4GB"``; ``"auto"``: the machine's
        memory shared among the workers).

    Returns
    -------
    distributed.Client

    Examples
    --------
    >>> c = client(n_workers=1)                              # doctest: +SKIP
    >>> c.cluster                                            # doctest: +SKIP
    LocalCluster(..., workers=1, threads=1, memory=...)
    """
    from distributed import Client, LocalCluster, get_client

    try:
        return get_client()
    except ValueError:
        pass
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker, processes=True,
                           memory_limit=memory_limit, dashboard_address=None)
    return Client(cluster)


def _meta_of(func: Any, meta_input: pd.DataFrame, **options: Any) -> pd.DataFrame:
    out = func(meta_input, **options)
    out = out.iloc[:0]
    out.attrs = {}
    return out


def _empty_like(ddf: Any) -> pd.DataFrame:
    meta = ddf._meta.copy()
    meta.attrs = {}
    return meta


def split_sentences(ddf: Any, **options: Any) -> Any:
    """:func:`framing.split_sentences` on every partition of a Dask corpus (lazy).

    Documents keep their partition, so the sentence table's partition ``i`` holds the
    sentences of the corpus's partition ``i``, rows as the in-memory function gives them.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        A corpus (:func:`framing.dask_io.read_corpus`).
    **options
        Keyword options of :func:`framing.split_sentences` (``paragraphs=``, ``keep=`` ...).

    Returns
    -------
    dask.dataframe.DataFrame
        The sentence table, partition-aligned with ``ddf``.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> c = pd.DataFrame({"doc_id": ["a", "b"], "outlet": "X", "published": pd.Timestamp("2022-09-23"),
    ...                   "text": ["One. Two.", "Three."]})
    >>> split_sentences(dd.from_pandas(c, npartitions=2)).compute(scheduler="sync")["sent_id"].tolist()
    ['a:0', 'a:1', 'b:0']
    """
    meta = _meta_of(_segment.split_sentences, _empty_like(ddf), **options)
    return ddf.map_partitions(_segment.split_sentences, meta=meta, **options)


def attribute_voice(sentences: Any, **options: Any) -> Any:
    """:func:`framing.attribute_voice` on every partition of a Dask sentence table (lazy).

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> c = pd.DataFrame({"doc_id": ["a"], "outlet": "X", "published": pd.Timestamp("2022-09-23"),
    ...                   "text": ['Kyiv said the vote was "a sham".']})
    >>> s = attribute_voice(split_sentences(dd.from_pandas(c, npartitions=1)))
    >>> s.compute(scheduler="sync")["voice"].tolist()
    ['reported']
    """
    meta = _meta_of(_voice.attribute_voice, _empty_like(sentences), **options)
    return sentences.map_partitions(_voice.attribute_voice, meta=meta, **options)


# ---- boilerplate: two passes ------------------------------------------------------------------

def _group_values(part: pd.DataFrame, group: str | None) -> pd.Series:
    if group is None or group not in part.columns:
        return pd.Series("", index=part.index, dtype=object)
    return part[group].astype("str")


def _line_hashes(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Two independent 64-bit hashes of each sentence's normal form (a 128-bit key)."""
    codes, uniq = pd.factorize(texts.astype("str"), sort=False)
    norm = np.asarray([_bp.normalise_text(str(t)) for t in uniq], dtype=object)
    h1 = pd.util.hash_array(norm, hash_key="framing-scale-0a")
    h2 = pd.util.hash_array(norm, hash_key="framing-scale-1b")
    return h1[codes], h2[codes]


def _line_docs(part: pd.DataFrame, group: str | None) -> pd.DataFrame:
    """Pass 1 on one partition: each (group, line) with the number of documents holding it."""
    h1, h2 = _line_hashes(part["text"])
    doc = part["doc_id"].astype("str")
    keys = pd.DataFrame({"g": _group_values(part, group).to_numpy(), "h1": h1, "h2": h2,
                         "doc": doc.to_numpy()}).drop_duplicates()
    lines = keys.groupby(["g", "h1", "h2"], sort=False).size().rename("k").reset_index()
    # one row per document of the partition: summed over partitions, k > 1 means a split document
    ids = doc.drop_duplicates().to_numpy(dtype=object)
    docs = pd.DataFrame({"g": _DOC_ROW, "h1": pd.util.hash_array(ids, hash_key="framing-scale-0a"),
                         "h2": pd.util.hash_array(ids, hash_key="framing-scale-1b"), "k": 1})
    return pd.concat([lines, docs], ignore_index=True)


def _flag_part(part: pd.DataFrame, lines: pd.DataFrame, options: dict[str, Any]) -> pd.DataFrame:
    """Pass 2 on one partition: :func:`framing.find_boilerplate` with stand-in documents.

    For every line also found in other partitions, stand-in one-sentence documents with the
    same text and group are added so that the line's document count in this partition
    reaches its corpus-wide count (capped at ``min_docs``, all the repeated rule needs).
    Furniture rules look at one document at a time, so the stand-ins change nothing else;
    they are removed and ``boilerplate_docs`` is set to the corpus-wide count."""
    group = options["group"]
    h1, h2 = _line_hashes(part["text"]) if len(part) else (np.zeros(0, np.uint64), np.zeros(0, np.uint64))
    key = pd.DataFrame({"g": _group_values(part, group).to_numpy(), "h1": h1, "h2": h2})
    glob = key.merge(lines, on=["g", "h1", "h2"], how="left")["k"].to_numpy()
    local = key.assign(doc=part["doc_id"].astype("str").to_numpy()).drop_duplicates()
    local = local.groupby(["g", "h1", "h2"], sort=False).size().rename("k_local").reset_index()
    per_line = key.assign(row=np.arange(len(key))).drop_duplicates(["g", "h1", "h2"]).merge(
        local, on=["g", "h1", "h2"]).merge(lines, on=["g", "h1", "h2"], how="left")
    cap = options["min_docs"] if options["min_docs"] is not None else 0
    need = (np.minimum(per_line["k"].fillna(0).to_numpy(), cap) - per_line["k_local"].to_numpy()).astype(np.int64)
    rows = np.repeat(per_line["row"].to_numpy(), np.maximum(need, 0))
    base = part.reset_index(drop=True)
    if len(rows):
        ghosts = pd.DataFrame({"doc_id": [f"{_GHOST}{i}" for i in range(len(rows))],
                               "text": base["text"].to_numpy()[rows]})
        if group is not None and group in base.columns:
            ghosts[group] = base[group].to_numpy()[rows]
        for c in ("position", "para_id"):
            if c in base.columns:
                ghosts[c] = 0
        table = pd.concat([base, ghosts], ignore_index=True)
    else:
        table = base
    flagged = _bp.find_boilerplate(table, **options)
    out = part.copy()  # the partition's own rows and dtypes, plus the new columns
    for c in flagged.columns:
        if c not in part.columns:
            out[c] = flagged[c].to_numpy()[:len(base)]
    known = ~np.isnan(glob.astype(float)) if len(glob) else np.zeros(0, dtype=bool)
    docs = out["boilerplate_docs"].to_numpy().copy()
    docs[known] = glob[known].astype(np.int64)
    out["boilerplate_docs"] = docs
    out.attrs = dict(part.attrs)
    return out


def line_documents(sentences: Any, *, group: str | None = "outlet") -> pd.DataFrame:
    """Pass 1 of :func:`find_boilerplate`: lines held by two or more documents of a group.

    Returns a small pandas table (``g``, ``h1``, ``h2``: group and a 128-bit hash of the
    normalised line; ``k``: documents holding it). Lines in one document only are left out.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> s = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": "X", "text": ["Stock line.", "Stock line.", "Other."]})
    >>> line_documents(dd.from_pandas(s, npartitions=3)).k.tolist()
    [2]
    """
    if group == "outlet" and "outlet" not in sentences.columns:
        group = None
    return _shared_lines(sentences, _line_docs, group)


def _shared_lines(ddf: Any, per_partition: Any, group: str | None) -> pd.DataFrame:
    """Sum the partitions' (group, line) document counts; keep lines of two or more documents."""
    meta = pd.DataFrame({"g": pd.Series([], dtype=object), "h1": pd.Series([], dtype=np.uint64),
                         "h2": pd.Series([], dtype=np.uint64), "k": pd.Series([], dtype=np.int64)})
    total = ddf.map_partitions(per_partition, group, meta=meta).groupby(["g", "h1", "h2"]).k.sum()
    total = total[total > 1].compute().reset_index()
    split = total["g"] == _DOC_ROW
    if split.any():
        raise CorpusError(f"{int(split.sum())} document(s) occur in more than one partition (or a doc_id "
                          "repeats): a partition must hold whole documents and doc_id must be unique")
    return total[~split].reset_index(drop=True).astype({"h1": np.uint64, "h2": np.uint64, "k": np.int64})


def find_boilerplate(sentences: Any, *, min_docs: int | None = 5, group: str | None = "outlet",
                     furniture: bool = True, min_words: int = 4, lines: pd.DataFrame | None = None) -> Any:
    """:func:`framing.find_boilerplate` on a Dask sentence table, with corpus-wide line counts.

    The repeated-line rule counts the documents of a group that hold a line, across all
    partitions. Pass 1 (:func:`line_documents`, computed now) gathers, for lines held by two
    or more documents, the count per (group, normalised line) keyed by a 128-bit hash of the
    line (a collision merges two lines' counts: about 1 chance in 10^19 at 10^10 lines).
    Pass 2 (lazy) flags each partition with :func:`framing.find_boilerplate`, seeing those
    corpus-wide counts, so the flags, reasons and ``boilerplate_docs`` equal the in-memory
    result on the whole table. ``attrs["boilerplate"]`` is not kept on a Dask frame.

    Parameters
    ----------
    sentences : dask.dataframe.DataFrame
        Sentence table (:func:`split_sentences`); partitions hold whole documents.
    min_docs, group, furniture, min_words
        As in :func:`framing.find_boilerplate`.
    lines : DataFrame, optional
        A pass 1 already computed (:func:`line_documents`) for these sentences.

    Returns
    -------
    dask.dataframe.DataFrame
        The sentences with ``boilerplate``, ``boilerplate_reason``, ``boilerplate_rule``,
        ``boilerplate_docs`` (Dask stores text columns as Arrow strings: a missing reason
        or rule is NaN rather than None).

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> stock = "The agency was founded by the state in 1950."
    >>> s = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "outlet": "X",
    ...                   "text": ["Ships left.", stock, "Ships came.", stock]})
    >>> out = find_boilerplate(dd.from_pandas(s, npartitions=2), min_docs=2)
    >>> out.compute(scheduler="sync")["boilerplate_reason"].fillna("-").tolist()
    ['-', 'repeated', '-', 'repeated']
    """
    if group == "outlet" and "outlet" not in sentences.columns:
        group = None
    options = {"min_docs": min_docs, "group": group, "furniture": furniture, "min_words": min_words}
    meta = _meta_of(_bp.find_boilerplate, _empty_like(sentences), **options)
    if lines is None:
        lines = line_documents(sentences, group=group)
    return sentences.map_partitions(_flag_part, lines, options, meta=meta)


# ---- the text a measure counts ------------------------------------------------------------------

def _filter_part(part: pd.DataFrame, lines: pd.DataFrame | None, voice: str, boilerplate: str,
                 bp_options: dict[str, Any]) -> pd.DataFrame:
    """One partition through split -> voice -> boilerplate -> :func:`framing.voice_corpus`."""
    if voice == "all" and boilerplate == "keep":
        return _voice.voice_corpus(part, voice=voice, boilerplate=boilerplate)
    base = part  # as framing.voice_corpus does for a corpus without dates or outlets
    if "published" not in base.columns or "outlet" not in base.columns:
        base = base.assign(**{c: (pd.NaT if c == "published" else "") for c in ("published", "outlet")
                              if c not in base.columns})
    sents = _segment.split_sentences(base)
    if voice != "all":
        sents = _voice.attribute_voice(sents)
    if boilerplate == "drop":
        sents = _flag_part(sents, lines, bp_options)
    return _voice.voice_corpus(part, voice=voice, boilerplate=boilerplate, sentences=sents)


def _sentence_lines(part: pd.DataFrame, group: str | None) -> pd.DataFrame:
    return _line_docs(_segment.split_sentences(part), group)


def corpus_lines(ddf: Any, *, group: str | None = "outlet") -> pd.DataFrame:
    """Pass 1 of the boilerplate rule straight from a corpus (splitting each partition)."""
    if group == "outlet" and "outlet" not in ddf.columns:
        group = None
    return _shared_lines(ddf, _sentence_lines, group)


def filtered_corpus(ddf: Any, *, voice: str = "own", boilerplate: str = "drop",
                    lines: pd.DataFrame | None = None) -> list[Any]:
    """Delayed partitions of :func:`framing.voice_corpus` applied to a Dask corpus.

    With ``boilerplate="drop"`` the repeated-line counts of the whole corpus are computed
    first (:func:`corpus_lines`, one pass that splits every partition; or give ``lines``),
    then each partition is split again, attributed and filtered with the default options of
    :func:`framing.find_boilerplate`, exactly as the in-memory path does.

    Returns
    -------
    list of dask.delayed.Delayed
        One filtered pandas partition each (``attrs["text_filter"]`` per partition).
    """
    import dask

    if voice not in ("own", "attributed", "all") or boilerplate not in ("drop", "keep"):
        raise ValueError(f"voice must be 'own', 'attributed' or 'all' and boilerplate 'drop' or 'keep'; "
                         f"got {voice!r}, {boilerplate!r}")
    group = "outlet" if "outlet" in ddf.columns else None
    bp_options = {"min_docs": 5, "group": group, "furniture": True, "min_words": 4}
    if boilerplate == "drop" and lines is None:
        lines = corpus_lines(ddf, group=group)
    task = dask.delayed(_filter_part, pure=True)
    return [task(p, lines, voice, boilerplate, bp_options) for p in ddf.to_delayed()]
