"""Reductions over partitions: term counts and Fightin' Words (marker rates: :mod:`framing.scale.rates`).

Each measure runs on the workers up to its *sufficient statistics* -- per-document sparse
term counts -- and only those (never the text) come to the client (Fightin' Words without a
permutation test goes further, to sums over documents: :mod:`framing.scale.sums`), where
the in-memory function computes the estimates, permutation
p-values and bootstrap intervals. Documents are put in **canonical order** (sorted by
``doc_id``) before that, so the resampling draws, and therefore every result, are the same
for the same ``random_state`` whatever the number of partitions or workers: the result
equals the in-memory function on ``corpus.sort_values("doc_id", ignore_index=True)``.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

import framing.lexical as _lexical
from framing.corpus import CorpusError
from framing.scale.stages import filtered_corpus
from framing.voice.records import Records

__all__ = ["fightin_words", "gather", "term_counts"]

#: Columns never gathered to the client (the text and other long fields).
_LONG = ("text", "title", "url", "warnings")


def _doc_table(part: pd.DataFrame) -> pd.DataFrame:
    """The document rows of a partition without their long text fields."""
    return part[[c for c in part.columns if c not in _LONG]].reset_index(drop=True)


def _merge_filters(records: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    """One ``attrs["text_filter"]`` record from the partitions' records (counts summed)."""
    records = [r for r in records if r]
    if not records:
        return None
    out: dict[str, Any] = {}
    for r in records:
        for k, v in r.items():
            if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and k not in ("voice", "boilerplate"):
                out[k] = out.get(k, 0) + int(v)
            elif isinstance(v, dict):
                d = out.setdefault(k, {})
                for kk, vv in v.items():
                    d[kk] = d.get(kk, 0) + int(vv)
            else:
                out.setdefault(k, v)
    if "excluded" in out:
        out["excluded"] = dict(sorted(out["excluded"].items()))
    return out


def gather(tasks: list[Any]) -> list[Any]:
    """Compute delayed per-partition statistics and bring them to the client, in order.

    On a ``distributed`` client each result is fetched as soon as its task ends and then
    released on the worker, so a worker never holds more than the results of the tasks
    still running or not yet fetched; elsewhere :func:`dask.compute`.
    """
    import dask

    try:
        from distributed import as_completed, get_client

        client = get_client()
    except (ImportError, ValueError):
        return list(dask.compute(*tasks))
    futures = client.compute(tasks)
    position = {f.key: i for i, f in enumerate(futures)}
    out: list[Any] = [None] * len(futures)
    for future, result in as_completed(futures, with_results=True):
        out[position[future.key]] = result
        future.release()
    return out


def _canonical(docs: list[pd.DataFrame]) -> tuple[pd.DataFrame, np.ndarray]:
    """All partitions' document rows sorted by ``doc_id``, and the sorting permutation.

    A ``doc_id`` in two rows (a document split over partitions, or a repeated id) is an error."""
    table = pd.concat(docs, ignore_index=True) if docs else pd.DataFrame({"doc_id": []})
    ids = table["doc_id"].astype(str)
    dup = ids[ids.duplicated()]
    if len(dup):
        raise CorpusError(f"doc_id {dup.iloc[0]!r} occurs in more than one row across the partitions: "
                          "doc_id must be unique and a document must not be split over partitions")
    order = np.argsort(ids.to_numpy(dtype=object), kind="stable")
    return table.iloc[order].reset_index(drop=True), order


# ---- term counts ------------------------------------------------------------------------------

def _part_counts(part: pd.DataFrame, options: dict[str, Any]) -> dict[str, Any]:
    """Per partition: the document rows, their sparse counts on the partition's own vocabulary."""
    docs = _doc_table(part)
    texts = part["text"].astype(str).tolist()
    vec = _lexical.build_vectorizer(**options)
    if any(texts):
        try:
            X = sp.csr_matrix(vec.fit_transform(texts), dtype=np.int64)
            vocab = np.asarray(vec.get_feature_names_out(), dtype=object)
        except ValueError:  # no term at all in this partition
            X, vocab = sp.csr_matrix((len(texts), 0), dtype=np.int64), np.zeros(0, dtype=object)
    else:
        X, vocab = sp.csr_matrix((len(texts), 0), dtype=np.int64), np.zeros(0, dtype=object)
    return {"docs": docs, "X": X, "vocab": vocab, "text_filter": part.attrs.get("text_filter"),
            "excluded": Records.of(part.attrs.get("excluded"))}


def _stack_counts(parts: list[dict[str, Any]]) -> tuple[sp.csr_matrix, np.ndarray]:
    """One document x term matrix on the union vocabulary (sorted, as CountVectorizer sorts)."""
    vocab = np.asarray(sorted(set().union(*[set(p["vocab"].tolist()) for p in parts])), dtype=object)
    blocks = []
    for p in parts:
        X = p["X"].tocoo()
        cols = np.searchsorted(vocab, p["vocab"]) if len(p["vocab"]) else np.zeros(0, dtype=np.int64)
        blocks.append(sp.csr_matrix((X.data, (X.row, cols[X.col])), shape=(X.shape[0], len(vocab)), dtype=np.int64))
    X = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, len(vocab)), dtype=np.int64)
    X.sort_indices()
    return X, vocab


def _gather_counts(ddf: Any, *, voice: str, boilerplate: str, ngram_range: tuple[int, int],
                   stop_words: Any) -> tuple[pd.DataFrame, sp.csr_matrix, np.ndarray, list[dict[str, Any]]]:
    import dask

    options = {"ngram_range": ngram_range, "stop_words": stop_words}
    filtered = filtered_corpus(ddf, voice=voice, boilerplate=boilerplate)
    parts = gather([dask.delayed(_part_counts)(p, options) for p in filtered])
    docs, order = _canonical([p["docs"] for p in parts])
    X, vocab = _stack_counts(parts)
    for p in parts:  # the per-partition blocks are in X now: hold the counts once
        del p["X"]
    return docs, X[order], vocab, parts


def term_counts(ddf: Any, *, ngram_range: tuple[int, int] = (1, 1),
                stop_words: str | Iterable[str] | None = None, voice: str = "all",
                boilerplate: str = "keep") -> tuple[pd.DataFrame, sp.csr_matrix, np.ndarray]:
    """Document-term counts of a Dask corpus: the per-document sufficient statistics.

    Each partition is counted with :func:`framing.lexical.build_vectorizer` on its own
    vocabulary; the client joins the partitions' sparse matrices on the union vocabulary
    (sorted, the vocabulary :func:`framing.term_counts` builds on the whole corpus) with
    documents sorted by ``doc_id``.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        A corpus.
    ngram_range, stop_words
        As in :func:`framing.term_counts`.
    voice, boilerplate
        Text filter (:func:`framing.voice_corpus`) applied first; by default none.

    Returns
    -------
    docs : DataFrame
        The documents (``doc_id`` and the other short columns; no text), sorted by ``doc_id``.
    X : scipy.sparse.csr_matrix of int64, shape (n_docs, n_terms)
    vocabulary : ndarray of str

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> c = pd.DataFrame({"doc_id": ["b", "a"], "outlet": "X", "text": ["the vote, the vote", "Kyiv's vote"]})
    >>> docs, X, vocab = term_counts(dd.from_pandas(c, npartitions=2))
    >>> docs["doc_id"].tolist(), list(vocab), X.toarray().tolist()
    (['a', 'b'], ['kyiv', 'the', 'vote'], [[1, 0, 1], [0, 2, 2]])
    """
    docs, X, vocab, _ = _gather_counts(ddf, voice=voice, boilerplate=boilerplate, ngram_range=ngram_range,
                                       stop_words=stop_words)
    return docs, X, vocab


def _stand_in_corpus(docs: pd.DataFrame, parts: list[dict[str, Any]], *, voice: str, boilerplate: str,
                     drop: Sequence[str] = ("n_sentences",)) -> pd.DataFrame:
    """The gathered document rows, text-less, marked as already filtered with ``voice``/``boilerplate``."""
    out = docs.assign(text="")
    record = _merge_filters([p["text_filter"] for p in parts]) or {}
    out.attrs = {"text_filter": {**{k: v for k, v in record.items() if k not in drop},
                                 "voice": voice, "boilerplate": boilerplate},
                 "excluded": Records.concat(p["excluded"] for p in parts).sorted()}
    return out


def fightin_words(ddf: Any, *, group: Any = "outlet", voice: str = "all", boilerplate: str = "drop",
                  ngram_range: tuple[int, int] = (1, 1), stop_words: str | Iterable[str] | None = None,
                  **options: Any) -> pd.DataFrame:
    """:func:`framing.fightin_words` on a Dask corpus, from per-partition term counts.

    The workers filter the text (``voice``/``boilerplate``, with corpus-wide boilerplate
    line counts) and count terms per partition (:func:`term_counts`); the client receives
    the sparse counts and the short document columns, sorts the documents by ``doc_id`` and
    calls :func:`framing.fightin_words` with ``counts=``. Estimates, permutation p-values
    and bootstrap intervals therefore equal the in-memory result on the corpus sorted by
    ``doc_id``, for the same ``random_state``, whatever the partitioning.

    When no option needs the documents one by one on the client -- ``n_perm=0`` or
    ``permutation="keyed"``, and no bootstrap or ``resampling="poisson"`` -- the workers
    reduce everything to sums instead (:mod:`framing.scale.sums`): the client receives
    per-group term totals and, with ``n_boot`` or ``n_perm``, replicate and permutation
    totals of the tested terms, never per-document counts, so its memory grows with the
    vocabulary and the tested terms, not with the documents (12 bytes per document remain:
    a hash of each ``doc_id`` and its group, to refuse repeated ids and to place the keyed
    permutations). The result again equals the in-memory one (``attrs["reduced_on_workers"]``
    is True).

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        A corpus with the ``group`` column.
    group, voice, boilerplate, ngram_range, stop_words
        As in :func:`framing.fightin_words`.
    **options
        The other keyword options of :func:`framing.fightin_words` (``mode``, ``pairs``,
        ``prior``, ``prior_scale``, ``min_count``, ``min_docs``, ``n_boot``, ``n_perm``,
        ``fdr``, ``alpha``, ``random_state`` ...); ``counts``, ``sentences`` are not accepted.

    Returns
    -------
    DataFrame
        The table of :func:`framing.fightin_words`.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> c = pd.DataFrame({"doc_id": [f"d{i}" for i in range(8)], "outlet": ["X"] * 4 + ["Y"] * 4,
    ...                   "text": ["sham vote"] * 4 + ["free vote"] * 4})
    >>> fw = fightin_words(dd.from_pandas(c, npartitions=3), boilerplate="keep", min_count=1, n_perm=0)
    >>> fw.query("group == 'X'").sort_values("z").iloc[-1]["term"]
    'sham'
    """
    bad = sorted({"counts", "sentences", "corpus"} & set(options))
    if bad:
        raise TypeError(f"fightin_words() on a Dask corpus computes {bad} itself")
    from framing.scale.sums import fightin_words_sums, streams

    if streams(options):
        return fightin_words_sums(ddf, group=group, voice=voice, boilerplate=boilerplate, ngram_range=ngram_range,
                                  stop_words=stop_words, **options)
    docs, X, vocab, parts = _gather_counts(ddf, voice=voice, boilerplate=boilerplate, ngram_range=ngram_range,
                                           stop_words=stop_words)
    corpus = _stand_in_corpus(docs, parts, voice=voice, boilerplate=boilerplate, drop=())
    return _lexical.fightin_words(corpus, group=group, voice=voice, boilerplate=boilerplate,
                                  ngram_range=ngram_range, stop_words=stop_words, counts=(X, vocab), **options)


# ---- marker rates -----------------------------------------------------------------------------
