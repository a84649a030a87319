"""Marker rates on a Dask corpus, from per-partition tallies.

With the profile interval (the default) or none, each partition sends per group a tally
(:mod:`framing.markers.tally`): its documents, a histogram of their word counts, and per
marker the total count, the documents with a match and those documents' (count, words)
pairs; plus a 64-bit hash per ``doc_id`` to refuse an id found in two partitions. The client
adds the tallies up as they arrive and computes the rates and profile intervals: it holds
nothing for a document without a match, and no text. With a document-bootstrap interval
(``"bca"``, ``"percentile"``) every document's group, words and sparse marker counts come to
the client, sorted by ``doc_id`` so the draws do not depend on the partitioning.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

import framing.markers as _markers
from framing.markers.rates import check_options
from framing.markers.tally import doc_marker_counts, group_tallies, merge_tallies, rates_from_documents, rates_from_tallies
from framing.stats import MIN_DOCS, pd_hash
from framing.tokens import count_tokens
from framing.voice.records import Records

__all__ = ["marker_rates"]


def _part_documents(part: pd.DataFrame, lex: Any, group: Any) -> dict[str, Any]:
    """Per partition: each document's group label, word count and marker counts (sparse), no text."""
    from framing.scale.sums import _labels

    words = np.array([count_tokens(t) for t in part["text"].astype(str)], dtype=np.int64)
    if len(part):
        C = doc_marker_counts(part["doc_id"].reset_index(drop=True), lex, _markers.match_markers(part, lexicon=lex))
    else:
        C = sp.csr_matrix((0, len(lex.markers)), dtype=np.int64)
    return {"doc_id": part["doc_id"].to_numpy(dtype=object), "labels": _labels(part, group).to_numpy(dtype=object),
            "words": words, "C": C, "text_filter": [part.attrs.get("text_filter")],
            "excluded": [Records.of(part.attrs.get("excluded"))]}


def _part_tallies(part: pd.DataFrame, lex: Any, group: Any) -> dict[str, Any]:
    """Per partition: the groups' tallies and the documents' id hashes."""
    d = _part_documents(part, lex, group)
    valid = pd.notna(d["labels"])
    return {"tallies": group_tallies(d["labels"], d["words"], d["C"]), "hashes": pd_hash(d["doc_id"][valid]),
            "text_filter": d["text_filter"], "excluded": d["excluded"]}


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return {"tallies": merge_tallies(a["tallies"], b["tallies"]), "hashes": np.concatenate([a["hashes"], b["hashes"]]),
            "text_filter": a["text_filter"] + b["text_filter"], "excluded": a["excluded"] + b["excluded"]}


def _documents(filtered: list[Any], lex: Any, group: Any) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix, dict]:
    """Every document's label, words and counts, sorted by ``doc_id`` (for the bootstrap)."""
    import dask

    from framing.scale.reduce import _canonical, gather

    parts = gather([dask.delayed(_part_documents)(p, lex, group) for p in filtered])
    _, order = _canonical([pd.DataFrame({"doc_id": p["doc_id"]}) for p in parts])
    labels = np.concatenate([p["labels"] for p in parts])[order] if parts else np.zeros(0, dtype=object)
    words = np.concatenate([p["words"] for p in parts])[order] if parts else np.zeros(0, dtype=np.int64)
    C = (sp.vstack([p["C"] for p in parts], format="csr")[order] if parts
         else sp.csr_matrix((0, len(lex.markers)), dtype=np.int64))
    rest = {"text_filter": [r for p in parts for r in p["text_filter"]],
            "excluded": [r for p in parts for r in p["excluded"]]}
    return labels, words, C, rest


def marker_rates(ddf: Any, *, lexicon: Any = None, group: Any = "outlet", per: float = 1000, n_boot: int = 1000,
                 alpha: float = 0.05, random_state: Any = None, voice: str = "own", boilerplate: str = "drop",
                 interval: str | None = "profile", min_docs: int = MIN_DOCS) -> pd.DataFrame:
    """:func:`framing.marker_rates` on a Dask corpus, from per-partition tallies (see the module).

    The workers filter the text (``voice``/``boilerplate``, with corpus-wide boilerplate line
    counts), find the markers (:func:`framing.match_markers`) and count each document's words.
    With ``interval="profile"`` (the default) or ``None`` they reduce these to per-group
    tallies, and the client holds only the documents with a match (their count and words per
    marker) and 8 bytes per document; the table equals the in-memory result to float
    rounding (the profile sums run in a fixed order; equal in ``tests/test_scale.py``). With
    ``"bca"``/``"percentile"`` the documents' numbers are gathered and sorted by ``doc_id``:
    the intervals equal the in-memory ones on the corpus sorted by ``doc_id``, whatever the
    partitioning.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        A corpus.
    lexicon, group, per, n_boot, alpha, random_state, voice, boilerplate, interval, min_docs
        As in :func:`framing.marker_rates`.

    Returns
    -------
    DataFrame
        One row per group and marker, as :func:`framing.marker_rates` gives it;
        ``attrs["text_filter"]`` sums the partitions' word and sentence counts;
        ``attrs["reduced_on_workers"]`` is True when no per-document row reached the client.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> lex = {"families": {"naming": {"markers": [{"marker": "Kiev"}]}}}
    >>> c = pd.DataFrame({"doc_id": ["a", "b"], "outlet": "X", "text": ["Kiev said so.", "Kyiv said no."]})
    >>> r = marker_rates(dd.from_pandas(c, npartitions=2), lexicon=lex, boilerplate="keep", n_boot=0)
    >>> r[["group", "count", "words"]].values.tolist()
    [['X', 1, 4]]
    """
    import dask

    from framing.scale.reduce import _merge_filters
    from framing.scale.stages import filtered_corpus
    from framing.scale.sums import _check_ids, gather_reduce

    min_docs = check_options(ddf.columns, group=group, n_boot=n_boot, alpha=alpha, interval=interval,
                             min_docs=min_docs)
    lex = _markers.load_lexicon(lexicon)
    method = interval if n_boot else None
    filtered = filtered_corpus(ddf, voice=voice, boilerplate=boilerplate)
    if method in ("bca", "percentile"):
        labels, words, C, rest = _documents(filtered, lex, group)
        out = rates_from_documents(labels, words, C, lex, per=per, n_boot=n_boot, alpha=alpha,
                                   random_state=random_state, method=method, min_docs=min_docs)
    else:
        rest = gather_reduce([dask.delayed(_part_tallies)(p, lex, group) for p in filtered], _merge)
        _check_ids(ddf, rest["hashes"])
        out = rates_from_tallies(rest["tallies"], lex, per=per, alpha=alpha, method=method, min_docs=min_docs)
    record = _merge_filters(rest["text_filter"])
    out.attrs.update({"group": group if isinstance(group, str) else repr(group), "n_boot": int(n_boot),
                      "lexicon": lex.name or lex.source, "voice": voice, "boilerplate": boilerplate,
                      "text_filter": None if record is None else {**record, "voice": voice, "boilerplate": boilerplate},
                      "excluded": Records.concat(rest["excluded"]).sorted(),
                      "reduced_on_workers": method not in ("bca", "percentile")})
    return out
