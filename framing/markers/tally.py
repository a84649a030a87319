"""Marker rates from per-group tallies: the sufficient statistics that add up over partitions.

A group's rates and their profile intervals (:func:`framing.stats.nb_profile_interval`)
need, per group, the number of documents, a histogram of their word counts (for the total
and for the median, which scales the burstiness grid), and per marker the total count, the
documents with a match and, for those documents only, their (count, words) pairs. A tally
holds exactly that; two tallies of disjoint sets of documents add up with
:func:`merge_tallies`. :func:`framing.marker_rates` builds its table from the tallies of the
whole corpus, :func:`framing.scale.marker_rates` from the tallies of each partition, added
on the client as they arrive: no per-document row of a document without a match, and no
text, reaches the client, and the table is the same.

The document-bootstrap intervals (``interval="bca"`` or ``"percentile"``) resample whole
documents and need every document's counts: :func:`rates_from_documents`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from framing.markers.lexicon import Lexicon
from framing.stats import as_rng, bca_interval, bootstrap_counts, nb_profile_interval, small_groups, zero_count_upper
from framing.tokens import LexicalError

__all__ = ["doc_marker_counts", "group_tallies", "merge_tallies", "rates_from_documents", "rates_from_tallies"]

Tally = dict[str, Any]


def doc_marker_counts(doc_ids: pd.Series, lex: Lexicon, matches: pd.DataFrame) -> sp.csr_matrix:
    """Documents x markers match counts (rows in ``doc_ids`` order, markers in lexicon order)."""
    if not doc_ids.is_unique:
        dup = doc_ids[doc_ids.duplicated()].iloc[0]
        raise LexicalError(f"marker_rates: doc_id must be unique; {dup!r} appears more than once")
    key = {(m.family, m.marker): k for k, m in enumerate(lex.markers)}
    row_of = pd.Index(doc_ids).get_indexer(matches["doc_id"])
    if np.any(row_of < 0):
        raise LexicalError("marker_rates: matches refer to doc_ids that are not in the corpus")
    col_of = np.array([key.get((f, m), -1) for f, m in zip(matches["family"], matches["marker"])], dtype=np.int64)
    if np.any(col_of < 0):
        raise LexicalError("marker_rates: matches contain markers that are not in the lexicon")
    C = sp.csr_matrix((np.ones(len(row_of), dtype=np.int64), (row_of, col_of)),
                      shape=(len(doc_ids), len(lex.markers)))
    C.sum_duplicates()
    return C


def group_tallies(labels: Sequence[Any], words: np.ndarray, C: sp.spmatrix) -> dict[str, Tally]:
    """One tally per group label (NaN/None: not counted) of documents with ``words`` and counts ``C``.

    Examples
    --------
    >>> C = sp.csr_matrix(np.array([[2, 0], [0, 0], [1, 1]]))
    >>> t = group_tallies(["X", "X", "Y"], np.array([10, 5, 8]), C)
    >>> t["X"]["count"].tolist(), t["X"]["n_docs"], t["X"]["pairs"][1].tolist()
    ([2, 0], 2, [2])
    """
    labels = pd.Series(list(labels), dtype=object)
    words = np.asarray(words, dtype=np.int64)
    C = sp.csr_matrix(C, dtype=np.int64)
    out: dict[str, Tally] = {}
    valid = labels.notna().to_numpy()
    for name in sorted({str(v) for v in labels[valid]}):
        idx = np.flatnonzero(valid & (labels.astype(str) == name).to_numpy())
        Cg, wg = C[idx].tocoo(), words[idx]
        values, counts = np.unique(wg, return_counts=True)
        out[name] = {"n_docs": len(idx), "hist": (values, counts.astype(np.int64)),
                     "count": np.asarray(C[idx].sum(axis=0)).ravel().astype(np.int64),
                     "docs_with": np.bincount(Cg.col[Cg.data > 0], minlength=C.shape[1]).astype(np.int64),
                     "pairs": (Cg.col.astype(np.int64), Cg.data.astype(np.int64), wg[Cg.row])}
    return out


def merge_tallies(a: Mapping[str, Tally], b: Mapping[str, Tally]) -> dict[str, Tally]:
    """The tallies of two disjoint sets of documents as one (groups in either)."""
    out = dict(a)
    for name, t in b.items():
        if name not in out:
            out[name] = t
            continue
        s = out[name]
        values = np.concatenate([s["hist"][0], t["hist"][0]])
        counts = np.concatenate([s["hist"][1], t["hist"][1]])
        keys, inverse = np.unique(values, return_inverse=True)
        out[name] = {"n_docs": s["n_docs"] + t["n_docs"], "hist": (keys, np.bincount(inverse, weights=counts,
                                                                                    minlength=len(keys)).astype(np.int64)),
                     "count": s["count"] + t["count"], "docs_with": s["docs_with"] + t["docs_with"],
                     "pairs": tuple(np.concatenate([x, y]) for x, y in zip(s["pairs"], t["pairs"]))}
    return out


def _words(t: Tally) -> tuple[int, int, float]:
    """Total words, documents with words, and their median word count (as :func:`numpy.median`)."""
    values, counts = t["hist"]
    pos = values > 0
    values, counts = values[pos], counts[pos]
    total, n = int((values * counts).sum()), int(counts.sum())
    if n == 0:
        return total, 0, float("nan")
    ends = np.cumsum(counts)
    mid = (values[np.searchsorted(ends, (n - 1) // 2, side="right")], values[np.searchsorted(ends, n // 2, side="right")])
    return total, n, (float(mid[0]) + float(mid[1])) / 2


def _profile(t: Tally, per: float, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    total, n, scale = _words(t)
    col, c, w = t["pairs"]
    M = len(t["count"])
    lo, hi = np.zeros(M), np.zeros(M)
    for k in range(M):
        at = col == k
        lo[k], hi[k] = nb_profile_interval(c[at], w[at], exposure=total, n=n, scale=scale, alpha=alpha)
    return per * lo, per * hi


def _resampled(method: str, Cg: np.ndarray, wg: np.ndarray, weights: np.ndarray, per: float,
               alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Document-bootstrap interval per marker for one group (documents x markers ``Cg``, words ``wg``)."""
    count, total = Cg.sum(axis=0), wg.sum()
    W = weights.astype(float)                                           # B x n_g
    tot_b = W @ wg
    with np.errstate(invalid="ignore", divide="ignore"):
        rb = per * (W @ Cg) / tot_b[:, None]
    if method == "percentile":
        return tuple(np.nanquantile(rb, [alpha / 2, 1 - alpha / 2], axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        jack = per * (count[None, :] - Cg) / (total - wg)[:, None]      # leave one document out
    jack[~np.isfinite(jack)] = np.nan
    return bca_interval(per * count / total, rb, jack, alpha)


def rates_from_tallies(tallies: Mapping[str, Tally], lex: Lexicon, *, per: float, alpha: float,
                       method: str | None, min_docs: int,
                       resampled: Callable[[str], tuple[np.ndarray, np.ndarray]] | None = None) -> pd.DataFrame:
    """The :func:`framing.marker_rates` table from the groups' tallies.

    ``method="profile"`` computes the intervals here; for the bootstrap methods
    ``resampled(group)`` gives them; None: none. Groups with fewer than ``min_docs`` documents with
    words get NaN and a :class:`framing.stats.SmallGroupWarning`; a marker never found gets
    ``[0, per * -ln(alpha) / words]``.
    """
    names = sorted(tallies)
    small: set[str] = set()
    if method is not None:
        with_words = {name: _words(tallies[name])[1] for name in names}
        small = set(small_groups(with_words, min_docs, caller="marker_rates", unit="documents with words"))
    recs = []
    for name in names:
        t = tallies[name]
        total = _words(t)[0]
        count = t["count"]
        rate = per * count / total if total > 0 else np.full(len(count), np.nan)
        lo = hi = np.full(len(count), np.nan)
        if method is not None and name not in small:
            lo, hi = _profile(t, per, alpha) if method == "profile" else resampled(name)
            zero = count == 0                                               # nothing found: rule of three
            lo, hi = np.where(zero, 0.0, lo), np.where(zero, per * zero_count_upper(float(total), alpha), hi)
        for k, m in enumerate(lex.markers):
            recs.append((name, m.family, m.marker, m.concept, int(count[k]), total, rate[k], lo[k], hi[k],
                         t["n_docs"], int(t["docs_with"][k])))
    out = pd.DataFrame(recs, columns=["group", "family", "marker", "concept", "count", "words", "rate", "ci_low",
                                      "ci_high", "n_docs", "docs_with"])
    out.attrs.update({"per": per, "alpha": alpha, "interval": method, "min_docs": min_docs,
                      "small_groups": sorted(small)})
    return out


def rates_from_documents(labels: Sequence[Any], words: np.ndarray, C: sp.spmatrix, lex: Lexicon, *, per: float,
                         n_boot: int, alpha: float, random_state: Any, method: str | None,
                         min_docs: int) -> pd.DataFrame:
    """The :func:`framing.marker_rates` table from every document's group label, words and counts.

    The bootstrap methods draw whole documents within their group (``n_boot`` replicates,
    :func:`framing.stats.bootstrap_counts` seeded by ``random_state``), in the row order given.
    """
    tallies = group_tallies(labels, words, C)
    resampled = None
    if method in ("bca", "percentile"):
        lookup = {n: k for k, n in enumerate(sorted(tallies))}
        code = np.array([-1 if pd.isna(v) else lookup[str(v)] for v in labels], dtype=np.int64)
        W = bootstrap_counts(len(code), int(n_boot), as_rng(random_state), strata=code)
        dense, w = sp.csr_matrix(C).toarray().astype(float), np.asarray(words, dtype=float)

        def resampled(name: str) -> tuple[np.ndarray, np.ndarray]:
            idx = np.flatnonzero(code == lookup[name])
            return _resampled(method, dense[idx], w[idx], W[:, idx], per, alpha)

    return rates_from_tallies(tallies, lex, per=per, alpha=alpha, method=method, min_docs=min_docs,
                              resampled=resampled)
