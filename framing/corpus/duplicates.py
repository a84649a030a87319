"""Exact and near-duplicate documents: :func:`find_duplicates`, :func:`drop_duplicates`."""
from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from .schema import (
    _CHECK,
    _as_str,
    _check_corpus,
    _concat_dropped,
    _dropped_from_records,
    _get_dropped,
    _set_attrs,
)

__all__ = ["find_duplicates", "drop_duplicates"]

#: Size of the bottom-k sketch used to find candidate pairs (candidates are then checked
#: exactly). Two sets at Jaccard J share on average about 2J/(1+J) * k of their k smallest
#: hashes; a candidate needs J * k / 2. In simulation (3,000 pairs each, sets of 100 and
#: 700 shingles) the fewest shared were 29, 40 and 55 for J = 0.5, 0.7, 0.9 against the
#: required 16, 22 and 28.
_SKETCH = 64


def _normalise_many(texts: Sequence[Any]) -> Any:
    """Case-, whitespace- and punctuation-insensitive forms of texts (a pyarrow array).

    NFKC normalisation, lower case, every run of characters other than letters, digits
    and combining marks becomes one space. Runs mostly in pyarrow (C++).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    # unicodedata's NFKC has a quick-check fast path that pyarrow's utf8proc lacks
    arr = pa.array([unicodedata.normalize("NFKC", _as_str(t, field="text")) for t in texts],
                   type=pa.large_string())
    arr = pc.utf8_lower(arr)
    arr = pc.replace_substring_regex(arr, r"[^\p{L}\p{N}\p{M}]+", " ")
    return pc.utf8_trim_whitespace(arr)


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads 64-bit values uniformly (vectorised, wrap-around)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


_HASH_BITS = 40  # shingle hashes are 40-bit: ~10 collisions expected among 10 million shingles
_DOC_SHIFT = np.uint64(_HASH_BITS)
_HASH_MASK = np.uint64((1 << _HASH_BITS) - 1)


def _shingles(norm: Any, ngram: int) -> tuple[np.ndarray, np.ndarray]:
    """Word ``ngram``-shingles of normalised texts (pyarrow array) as unique (doc, hash) pairs.

    Returns ``doc`` (int64) and ``hash`` (uint64, 40 bits) arrays sorted by doc, then
    hash. Token hashes come from BLAKE2b of the word, so the sets depend neither on the
    order of the documents nor on Python's hash seed. A text shorter than ``ngram`` words
    is one shingle of all its words. Only the hashing of distinct words runs in Python.
    """
    import pyarrow.compute as pc

    n = len(norm)
    lists = pc.utf8_split_whitespace(norm)
    counts = pc.list_value_length(lists).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    enc = pc.dictionary_encode(pc.list_flatten(lists))
    codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    token_hash = np.fromiter(
        (int.from_bytes(hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "little")
         for w in enc.dictionary.to_pylist()), dtype=np.uint64, count=len(enc.dictionary))
    H = token_hash[codes]
    ends = np.cumsum(counts)
    starts = ends - counts
    prime = np.uint64(0x100000001B3)
    docs: list[np.ndarray] = []
    hashes: list[np.ndarray] = []
    with np.errstate(over="ignore"):
        m = len(H) - ngram + 1
        if m > 0:
            s = np.zeros(m, dtype=np.uint64)
            for j in range(ngram):
                s = s * prime + H[j:j + m]
            doc_of = np.repeat(np.arange(n, dtype=np.int64), counts)[:m]
            valid = np.arange(m) + ngram <= ends[doc_of]
            docs.append(doc_of[valid])
            hashes.append(s[valid])
        for d in np.flatnonzero((counts > 0) & (counts < ngram)):
            s1 = np.uint64(0)
            for h in H[starts[d]:ends[d]]:
                s1 = s1 * prime + h
            docs.append(np.array([d], dtype=np.int64))
            hashes.append(np.array([s1], dtype=np.uint64))
        if not docs:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint64)
        doc = np.concatenate(docs).astype(np.uint64)
        key = (doc << _DOC_SHIFT) | (_mix64(np.concatenate(hashes)) >> np.uint64(64 - _HASH_BITS))
    key.sort()  # by doc, then hash (np.unique would hash first, which is slower here)
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]  # drop repeated shingles of a document
    key = key[first]
    return (key >> _DOC_SHIFT).astype(np.int64), key & _HASH_MASK


def _overlaps(hsh: np.ndarray, offsets: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Exact |A & B| for document pairs, from per-document sorted shingle hashes."""
    out = np.zeros(len(left), dtype=np.int64)
    for k, (i, j) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
        a = hsh[offsets[i]:offsets[i + 1]]
        b = hsh[offsets[j]:offsets[j + 1]]
        if len(a) > len(b):
            a, b = b, a
        if len(a) == 0:
            continue
        idx = np.searchsorted(b, a)
        idx[idx == len(b)] = 0
        out[k] = int(np.count_nonzero(b[idx] == a))
    return out


def _jaccard(hsh: np.ndarray, offsets: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    sizes = np.diff(offsets)
    inter = _overlaps(hsh, offsets, left, right)
    union = sizes[left] + sizes[right] - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 1.0)


def _near_pairs(doc: np.ndarray, hsh: np.ndarray, n: int,
                threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (i < j) of documents whose shingle sets have Jaccard >= threshold.

    ``doc``/``hsh`` as returned by :func:`_shingles`. Candidates are pairs that share
    enough of their bottom-k sketches (the k smallest hashes, which come first within
    each document); each candidate is then checked exactly. Also returns the per-document
    offsets into ``hsh``.
    """
    from scipy import sparse

    sizes = np.bincount(doc, minlength=n).astype(np.int64)
    offsets = np.r_[0, np.cumsum(sizes)]
    rank = np.arange(len(doc)) - offsets[doc]
    in_sketch = rank < _SKETCH
    codes, uniques = pd.factorize(hsh[in_sketch])
    S = sparse.csr_matrix((np.ones(len(codes), dtype=np.int32), (doc[in_sketch], codes)),
                          shape=(n, max(len(uniques), 1)))
    shared = sparse.triu(S @ S.T, k=1).tocoo()
    left, right, count = shared.row.astype(np.int64), shared.col.astype(np.int64), shared.data
    small = np.minimum(sizes[left], sizes[right])
    big = np.maximum(sizes[left], sizes[right])
    need = np.maximum(1, np.floor(0.5 * threshold * np.minimum(small, _SKETCH)))
    keep = (count >= need) & (small >= threshold * big)  # J >= t needs |A|/|B| >= t
    left, right = left[keep], right[keep]
    ok = _jaccard(hsh, offsets, left, right) >= threshold - 1e-12
    return left[ok], right[ok], offsets


def _representative_order(published: pd.Series | None, n: int, keep: str) -> np.ndarray:
    """Rank of each row as a group representative (0 = preferred)."""
    pos = np.arange(n)
    if published is None:
        pub = np.zeros(n, dtype=np.int64)
        nat = np.zeros(n, dtype=bool)
    else:
        arr = pd.to_datetime(published).to_numpy(dtype="datetime64[ns]")
        nat = np.isnat(arr)
        pub = arr.astype(np.int64)
    if keep == "first":
        order = np.lexsort((pos, pub, nat))  # NaT last, then earliest, then first row
    else:
        order = np.lexsort((-pos, -pub, nat))  # NaT last, then latest, then last row
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return rank


def find_duplicates(corpus: pd.DataFrame, *, near: bool = True, threshold: float = 0.9,
                    ngram: int = 5, keep: Literal["first", "last"] = "first") -> pd.DataFrame:
    """Mark exact and near-duplicate documents (same wire copy, same article scraped twice).

    *Exact* duplicates have the same text after case folding, Unicode (NFKC)
    normalisation and removal of punctuation and extra whitespace. *Near* duplicates have
    a Jaccard similarity of at least ``threshold`` between their sets of word
    ``ngram``-shingles (Broder 1997), e.g. the same agency story with one sentence added.
    Groups are the connected components of the "is a duplicate of" graph, so a chain
    A~B~C is one group even if A and C are less similar.

    Candidate pairs come from bottom-k sketches of the shingle sets (the k = 64 smallest
    hashes per document; Broder 1997, Cohen & Kaplan 2007): two documents are candidates
    if they share at least ``threshold * 32`` sketch entries, while a pair at the threshold
    shares about ``2 * threshold / (1 + threshold) * 64`` on average, so for thresholds of
    0.5 and above a pair is missed only with negligible probability. Every candidate is
    then checked with its exact Jaccard similarity (of 40-bit shingle hashes). No O(n^2)
    comparison is made: 10,000 articles of 600 words take about 3 s of CPU time.

    Parameters
    ----------
    corpus : DataFrame
        A corpus (needs ``doc_id`` and ``text``; ``published`` is used to pick the
        representative). Not modified.
    near : bool
        Also look for near duplicates (else exact ones only).
    threshold : float
        Minimum Jaccard similarity of shingle sets, in (0, 1]. With 5-word shingles,
        changing one sentence in 25 gives about 0.9.
    ngram : int
        Words per shingle.
    keep : {"first", "last"}
        Which document represents a group: the earliest published (``"first"``) or the
        latest (``"last"``); ties go to the first (or last) row; undated documents are
        chosen last.

    Returns
    -------
    DataFrame
        A copy of ``corpus`` (same index, same ``attrs``) with added columns
        ``dup_group`` (int64 group id numbered by the representative's row, -1 for a
        document without duplicates), ``dup_kind`` (``"exact"`` or ``"near"`` for a
        duplicate of its representative; ``""`` for the representative itself and for
        unique documents), ``dup_of`` (doc_id of the group's representative, the
        representative included; ``""`` for unique documents) and ``dup_similarity``
        (Jaccard similarity with the representative; 1.0 for exact copies and for the
        representative, NaN for unique documents).

    References
    ----------
    A. Z. Broder (1997). On the resemblance and containment of documents. *Compression and
    Complexity of Sequences*, 21-29.
    E. Cohen & H. Kaplan (2007). Summarizing data using bottom-k sketches. *PODC*, 225-234.

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.corpus import validate_corpus
    >>> story = " ".join(f"Sentence {i} of the agency report says something new." for i in range(30))
    >>> raw = pd.DataFrame({
    ...     "doc_id": ["a", "b", "c", "d"], "outlet": ["Reuters", "CBS", "ABC", "Fox"],
    ...     "published": ["2022-09-21", "2022-09-20", "2022-09-22", "2022-09-22"],
    ...     "text": [story, story.upper(), story + " Added by the editor.", "Unrelated piece."]})
    >>> dups = find_duplicates(validate_corpus(raw))
    >>> dups[["doc_id", "dup_group", "dup_kind", "dup_of"]]  # doctest: +NORMALIZE_WHITESPACE
      doc_id  dup_group dup_kind dup_of
    0      a          0    exact      b
    1      b          0               b
    2      c          0     near      b
    3      d         -1
    """
    _check_corpus(corpus, "find_duplicates")
    if not (isinstance(threshold, (int, float)) and 0 < threshold <= 1):
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
    if not isinstance(ngram, (int, np.integer)) or isinstance(ngram, bool) or ngram < 1:
        raise ValueError(f"ngram must be a positive int, got {ngram!r}")
    if keep not in ("first", "last"):
        raise ValueError(f"keep must be 'first' or 'last', got {keep!r}")
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    import pyarrow.compute as pc

    n = len(corpus)
    norm = _normalise_many(corpus["text"].tolist())
    cls = pc.dictionary_encode(norm).indices.to_numpy(zero_copy_only=False).astype(np.int64)
    empty = (pc.utf8_length(norm).to_numpy(zero_copy_only=False) == 0) if n else np.zeros(0, bool)
    if empty.any():  # texts without words are never duplicates of each other
        cls = cls.copy()
        cls[empty] = cls.max(initial=-1) + 1 + np.arange(int(empty.sum()))
        cls = pd.factorize(cls)[0].astype(np.int64)
    n_cls = int(cls.max(initial=-1)) + 1
    first_of_cls = np.full(n_cls, n, dtype=np.int64)  # cls are 0..n_cls-1
    np.minimum.at(first_of_cls, cls, np.arange(n, dtype=np.int64))
    edges_l: list[np.ndarray] = []
    edges_r: list[np.ndarray] = []
    hsh = offsets = None
    if near and n_cls > 1:
        doc, hsh = _shingles(pc.take(norm, first_of_cls), ngram)
        left, right, offsets = _near_pairs(doc, hsh, n_cls, float(threshold))
        edges_l.append(left)
        edges_r.append(right)
    if edges_l:
        el, er = np.concatenate(edges_l), np.concatenate(edges_r)
    else:
        el = er = np.empty(0, dtype=np.int64)
    graph = sparse.coo_matrix((np.ones(len(el), dtype=np.int8), (el, er)), shape=(n_cls, n_cls))
    _, comp_of_cls = connected_components(graph, directed=False)
    comp = comp_of_cls[cls] if n else np.empty(0, dtype=np.int64)

    rank = _representative_order(corpus["published"] if "published" in corpus else None, n, keep)
    order = np.lexsort((rank, comp))  # rows by component, best representative first
    comp_sorted = comp[order]
    starts = np.flatnonzero(np.r_[True, comp_sorted[1:] != comp_sorted[:-1]]) if n else np.empty(0, int)
    counts = np.diff(np.r_[starts, n])
    rep_of_comp = np.full(int(comp.max(initial=-1)) + 1, -1, dtype=np.int64)
    size_of_comp = np.zeros_like(rep_of_comp)
    rep_of_comp[comp_sorted[starts]] = order[starts]
    size_of_comp[comp_sorted[starts]] = counts
    rep = rep_of_comp[comp] if n else np.empty(0, dtype=np.int64)
    in_group = size_of_comp[comp] > 1 if n else np.empty(0, dtype=bool)

    group_ids = np.full(n, -1, dtype=np.int64)
    reps = np.unique(rep[in_group])  # sorted by row: groups numbered in row order of reps
    group_ids[in_group] = np.searchsorted(reps, rep[in_group])
    doc_ids = [_as_str(v, field="doc_id") for v in corpus["doc_id"].tolist()]
    kind = np.where(~in_group | (rep == np.arange(n)), "",
                    np.where(cls == cls[rep], "exact", "near")) if n else np.empty(0, dtype=object)
    similarity = np.full(n, np.nan)
    similarity[in_group] = 1.0
    near_rows = np.flatnonzero(kind == "near")
    if len(near_rows) and hsh is not None:  # shingle sets are per exact class
        similarity[near_rows] = _jaccard(hsh, offsets, cls[near_rows], cls[rep[near_rows]])

    out = corpus.copy()  # columns are set positionally: works with any index
    out["dup_group"] = group_ids.astype("int64")
    out["dup_kind"] = pd.array(list(kind), dtype="str")
    out["dup_of"] = pd.array([doc_ids[r] if g else "" for r, g in zip(rep, in_group, strict=True)],
                             dtype="str")
    out["dup_similarity"] = similarity.astype("float64")
    return _set_attrs(out, dropped=_get_dropped(corpus),
                      selection=list(corpus.attrs.get("selection") or []),
                      provenance=corpus.attrs.get("provenance") or {}, base=corpus.attrs)


_DUP_COLUMNS = ("dup_group", "dup_kind", "dup_of", "dup_similarity")


def drop_duplicates(corpus: pd.DataFrame, *, keep: Literal["first", "last"] = "first",
                    near: bool = True, threshold: float = 0.9, ngram: int = 5) -> pd.DataFrame:
    """Keep one document per duplicate group; record the others as dropped.

    Groups are found with :func:`find_duplicates` (same parameters). The removed rows go
    to ``attrs["dropped"]`` with ``reason`` ``"duplicate of <doc_id>"``, ``check``
    ``"duplicate"``, ``source`` the corpus' ``attrs["provenance"]["source"]`` (row
    ``<NA>``: positions in the original file are no longer known) and their fields,
    including ``dup_kind`` and ``dup_similarity``; the step and its counts are appended
    to ``attrs["selection"]``.

    Parameters
    ----------
    corpus : DataFrame
        A corpus. Not modified.
    keep : {"first", "last"}
        Keep the earliest (``"first"``) or latest published document of each group.
    near, threshold, ngram
        See :func:`find_duplicates`.

    Returns
    -------
    DataFrame
        The corpus without the duplicates (same columns as ``corpus``, no ``dup_*``
        columns; index labels of the kept rows are unchanged).

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.corpus import dropped_rows, validate_corpus
    >>> raw = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": ["Reuters", "CBS", "ABC"],
    ...                     "published": ["2022-09-21", "2022-09-20", "2022-09-20"],
    ...                     "text": ["Polls closed.", "Polls  closed!", "Counting began."]})
    >>> deduped = drop_duplicates(validate_corpus(raw))
    >>> list(deduped["doc_id"]), list(dropped_rows(deduped)["reason"])
    (['b', 'c'], ['duplicate of b'])
    """
    marked = find_duplicates(corpus, near=near, threshold=threshold, ngram=ngram, keep=keep)
    is_dup = (marked["dup_kind"] != "").to_numpy()
    provenance = dict(corpus.attrs.get("provenance") or {})
    source = str(provenance.get("source", "<DataFrame>"))
    records = []
    for pos in np.flatnonzero(is_dup):
        row = marked.iloc[pos]
        rec: dict[str, Any] = {"source": source, "row": None, "column": "text",
                               "reason": f"duplicate of {row['dup_of']}", _CHECK: "duplicate"}
        for c in marked.columns:
            if c not in ("dup_group", "dup_of"):
                rec.setdefault(c, row[c])
        records.append(rec)
    out = corpus.loc[~is_dup].copy() if len(corpus) else corpus.copy()
    out = out.drop(columns=[c for c in _DUP_COLUMNS if c in out.columns])
    step = {"step": "drop_duplicates", "keep": keep, "near": bool(near),
            "threshold": float(threshold), "ngram": int(ngram),
            "n_before": int(len(corpus)), "n_after": int(len(out)),
            "n_exact": int((marked["dup_kind"] == "exact").sum()),
            "n_near": int((marked["dup_kind"] == "near").sum())}
    return _set_attrs(out, dropped=_concat_dropped(_get_dropped(corpus), _dropped_from_records(records)),
                      selection=[*(corpus.attrs.get("selection") or []), step],
                      provenance=provenance, base=corpus.attrs)
