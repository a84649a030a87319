"""Narrowing a corpus by date, outlet, keywords and meaning (:func:`select`)."""
from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from framing._checks import check_embeddings, resolve_embeddings
from framing.tokens import phrase_regex

from .schema import _PRECISION_COLUMN, CorpusWarning, _as_str, _check_corpus, _get_dropped, _set_attrs

__all__ = ["select"]


def _day(value: Any, name: str) -> pd.Timestamp:
    if isinstance(value, bool) or value is None:
        raise TypeError(f"{name}= must be a date, got {value!r}")
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name}={value!r} is not a date") from exc
    if ts is pd.NaT or pd.isna(ts):
        raise ValueError(f"{name}={value!r} is not a date")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize()


def _query_regex(query: str | Sequence[str], *, regex: bool, case: bool) -> re.Pattern[str]:
    terms = [query] if isinstance(query, str) else list(query)
    if not terms or any(not isinstance(t, str) or not t.strip() for t in terms):
        raise ValueError(f"query= must be a non-empty string or list of strings, got {query!r}")
    flags = 0 if case else re.IGNORECASE
    if regex:
        pattern = "|".join(f"(?:{p})" for p in terms)
    else:  # the package's one phrase and wildcard rule, shared with concordance and markers
        try:
            pattern = phrase_regex(terms)
        except ValueError as exc:
            raise ValueError(f"query={query!r}: {exc}") from None
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ValueError(f"query={query!r} is not a valid regular expression: {exc}") from exc


def select(corpus: pd.DataFrame, *, start: Any = None, end: Any = None,
           outlets: str | Iterable[str] | None = None, query: str | Sequence[str] | None = None,
           regex: bool = False, case: bool = False, fields: Sequence[str] = ("title", "text"),
           semantic: str | np.ndarray | None = None, embeddings: np.ndarray | None = None,
           encoder: Any = None, top_k: int | None = None,
           min_similarity: float | None = None) -> pd.DataFrame:
    """Narrow a corpus by date, outlet, keywords and/or meaning, recording the step.

    Criteria are applied in this order and combine with AND: date window, outlets,
    keyword query, semantic query (``top_k`` counts among the documents left by the
    other criteria).

    Parameters
    ----------
    corpus : DataFrame
        A corpus. Not modified.
    start, end : str, date or Timestamp, optional
        Date window, inclusive on both ends, compared by day.
    outlets : str or iterable of str, optional
        Keep these outlets; an outlet not in the corpus is an error.
    query : str or sequence of str, optional
        Keywords, matched by the same rule as :func:`framing.concordance` and the
        markers (:func:`framing.tokens.phrase_regex`). A string is a phrase matched on
        word boundaries (``"Kherson"`` does not match ``"Khersonska"``, but ``"Kyiv"``
        matches ``"Kyiv's"`` and ``"Kyiv-based"``); whitespace inside the phrase matches
        any whitespace, a hyphen or apostrophe its typographic variants. A ``*`` right
        after a letter or digit is a prefix wildcard (``"annex*"`` matches
        ``"annexation"``, ``"veto*"`` matches ``"veto"`` and ``"vetoes"``); any other
        ``*`` is an error. A list matches any of its phrases. With ``regex=True`` the
        string(s) are regular expressions used as given.
    regex : bool
        Treat ``query`` as regular expression(s).
    case : bool
        Case-sensitive matching.
    fields : sequence of str
        Columns searched by ``query`` (a document matches if any field does) and, joined
        by newlines, embedded for a semantic query when ``embeddings`` is not given.
    semantic : str or array, optional
        Query text (embedded with ``encoder``) or query vector. Keeps the documents whose
        cosine similarity to the query is at least ``min_similarity`` and/or the
        ``top_k`` most similar (ties: earlier row first); adds a ``similarity`` column.
    embeddings : array of shape (len(corpus), dim), optional
        Document vectors aligned with the rows of ``corpus`` (row i <-> vector i), e.g.
        from :meth:`framing.Encoder.encode`. If not given, ``encoder`` embeds the
        ``fields`` of the documents left by the other criteria.
    encoder : object with ``encode(list_of_str) -> array``, optional
        The embedding stage's encoder (:class:`framing.Encoder`, or any object with that
        method, such as :class:`framing.testing.HashEncoder`): it embeds the query text
        (and the documents when ``embeddings`` is not given). This is the only call
        ``select`` makes into the embedding stage; its ``name`` attribute, if any, is
        recorded in the selection step.
    top_k : int, optional
        Keep at most this many documents, the most similar to ``semantic``.
    min_similarity : float, optional
        Keep documents with cosine similarity at least this to ``semantic``.

    Returns
    -------
    DataFrame
        The selected rows in their original order, with their original index labels
        (so ``embeddings[result.index]`` works for a corpus with a ``RangeIndex``), plus
        ``similarity`` for a semantic query. ``attrs["dropped"]`` and
        ``attrs["provenance"]`` are kept; ``attrs["selection"]`` gets one dict for this
        call: ``{"step": "select", "n_before": ..., "n_after": ..., "criteria": [...]}``
        where each criterion records its parameters and ``n_after``.

    Raises
    ------
    ValueError
        ``end`` before ``start``, an unknown outlet (the message lists the known ones),
        an invalid regular expression, misaligned embeddings, ``top_k``/``min_similarity``
        without ``semantic`` or ``semantic`` without either, no encoder where one is needed.

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.corpus import validate_corpus
    >>> from framing.testing import HashEncoder
    >>> raw = pd.DataFrame({
    ...     "doc_id": ["a", "b", "c", "d"], "outlet": ["RT", "RT", "NYT", "NYT"],
    ...     "published": ["2022-09-15", "2022-09-23", "2022-09-24", "2022-10-01"],
    ...     "title": ["", "", "", ""],
    ...     "text": ["Grain exports resumed.", "Referendum voting began in Kherson.",
    ...              "Voting in the referendums was condemned.", "The referendum results came in."]})
    >>> corpus = validate_corpus(raw)
    >>> window = select(corpus, start="2022-09-16", end="2022-09-30", query="referendum*")
    >>> list(window["doc_id"]), window.attrs["selection"][0]["n_after"]
    (['b', 'c'], 2)
    >>> near = select(corpus, semantic="referendum voting", encoder=HashEncoder(), top_k=1)
    >>> list(near["doc_id"])
    ['b']
    """
    _check_corpus(corpus, "select", ())
    fields = (fields,) if isinstance(fields, str) else tuple(fields)
    n0 = len(corpus)
    mask = np.ones(n0, dtype=bool)  # narrowed in place by each criterion
    criteria: list[dict[str, Any]] = []
    if start is not None or end is not None:
        criteria.append(_by_date(corpus, mask, start=start, end=end))
    if outlets is not None:
        criteria.append(_by_outlet(corpus, mask, outlets))
    if query is not None:
        criteria.append(_by_query(corpus, mask, query, regex=regex, case=case, fields=fields))
    similarity = None
    if semantic is None:
        if top_k is not None or min_similarity is not None:
            raise ValueError("top_k= and min_similarity= need a semantic= query")
    else:
        similarity = _by_meaning(corpus, mask, semantic, embeddings=embeddings, encoder=encoder,
                                 top_k=top_k, min_similarity=min_similarity, fields=fields)
        criteria.append({"criterion": "semantic",
                         "query": semantic if isinstance(semantic, str) else "<vector>",
                         "encoder": getattr(encoder, "name", None) if encoder is not None else None,
                         "embeddings": "given" if embeddings is not None else "encoded",
                         "top_k": None if top_k is None else int(top_k),
                         "min_similarity": None if min_similarity is None else float(min_similarity),
                         "fields": list(fields), "n_after": int(mask.sum())})

    out = corpus.iloc[np.flatnonzero(mask)].copy()
    if similarity is not None:
        out["similarity"] = similarity[mask].astype("float64")
    step = {"step": "select", "n_before": int(n0), "n_after": int(len(out)), "criteria": criteria}
    return _set_attrs(out, dropped=_get_dropped(corpus),
                      selection=[*(corpus.attrs.get("selection") or []), step],
                      provenance=corpus.attrs.get("provenance") or {}, base=corpus.attrs)


# ---- the criteria of select (each narrows ``mask`` in place and returns its record) -----

def _by_date(corpus: pd.DataFrame, mask: np.ndarray, *, start: Any, end: Any) -> dict[str, Any]:
    if "published" not in corpus.columns:
        raise ValueError("select(): the corpus has no 'published' column to filter dates on")
    s = _day(start, "start") if start is not None else None
    e = _day(end, "end") if end is not None else None
    if s is not None and e is not None and e < s:
        raise ValueError(f"end={end!r} is before start={start!r}")
    pub = pd.to_datetime(corpus["published"]).to_numpy(dtype="datetime64[ns]")
    ok = ~np.isnat(pub)
    if _PRECISION_COLUMN in corpus.columns:
        n_partial = int(corpus[_PRECISION_COLUMN].isin(["month", "year"]).to_numpy()[mask].sum())
        if n_partial:
            warnings.warn(f"select(): {n_partial} documents have only a month or year date "
                          "(published_precision); they are compared by the first day of "
                          "their period", CorpusWarning, stacklevel=3)
    if s is not None:
        ok &= pub >= s.to_datetime64()
    if e is not None:
        ok &= pub < (e + pd.Timedelta(days=1)).to_datetime64()
    mask &= ok
    return {"criterion": "date", "start": None if s is None else s.date().isoformat(),
            "end": None if e is None else e.date().isoformat(), "n_after": int(mask.sum())}


def _by_outlet(corpus: pd.DataFrame, mask: np.ndarray, outlets: str | Iterable[str]) -> dict[str, Any]:
    if "outlet" not in corpus.columns:
        raise ValueError("select(): the corpus has no 'outlet' column")
    wanted = [outlets] if isinstance(outlets, str) else list(outlets)
    if not wanted:
        raise ValueError("outlets= is empty; give at least one outlet or None for all")
    known = sorted(set(corpus["outlet"].astype("str").tolist()))
    unknown = [o for o in wanted if o not in known]
    if unknown:
        raise ValueError(f"unknown outlet(s) {unknown}; known outlets: {known}")
    mask &= corpus["outlet"].astype("str").isin(wanted).to_numpy()
    return {"criterion": "outlets", "outlets": list(wanted), "n_after": int(mask.sum())}


def _by_query(corpus: pd.DataFrame, mask: np.ndarray, query: str | Sequence[str], *, regex: bool,
              case: bool, fields: tuple[str, ...]) -> dict[str, Any]:
    _check_fields(corpus, fields)
    pattern = _query_regex(query, regex=regex, case=case)
    hit = np.zeros(len(corpus), dtype=bool)
    for f in fields:
        values = corpus[f].tolist()
        hit |= np.array([bool(m) and pattern.search(_as_str(v, field=f)) is not None
                         for v, m in zip(values, mask, strict=True)], dtype=bool)
    mask &= hit
    return {"criterion": "query", "query": query if isinstance(query, str) else list(query),
            "regex": bool(regex), "case": bool(case), "fields": list(fields), "n_after": int(mask.sum())}


def _check_fields(corpus: pd.DataFrame, fields: tuple[str, ...]) -> None:
    missing = [f for f in fields if f not in corpus.columns]
    if missing:
        raise ValueError(f"fields {missing} are not columns of the corpus")


def _by_meaning(corpus: pd.DataFrame, mask: np.ndarray, semantic: str | np.ndarray, *, embeddings: Any,
                encoder: Any, top_k: int | None, min_similarity: float | None,
                fields: tuple[str, ...]) -> np.ndarray:
    """Cosine similarity of every row left to the query (NaN for the others); keeps the
    ``top_k`` most similar and/or those at ``min_similarity`` or more."""
    if top_k is None and min_similarity is None:
        raise ValueError("a semantic= query needs top_k= and/or min_similarity=")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1):
        raise ValueError(f"top_k must be a positive int, got {top_k!r}")
    if min_similarity is not None and not -1.0 <= float(min_similarity) <= 1.0:
        raise ValueError(f"min_similarity must be in [-1, 1], got {min_similarity!r}")
    emb = _document_vectors(corpus, mask, embeddings=embeddings, encoder=encoder, fields=fields)
    q = _query_vector(semantic, encoder)
    if len(emb) and emb.shape[1] != q.shape[0]:
        raise ValueError(f"query vector has dimension {q.shape[0]} but embeddings have {emb.shape[1]}")
    qn = np.linalg.norm(q)
    norms = np.linalg.norm(emb, axis=1) if len(emb) else np.empty(0)
    sims = (emb @ q) / np.where(norms * qn > 0, norms * qn, 1.0) if len(emb) else np.empty(0)
    ok = np.ones(len(sims), dtype=bool)
    if min_similarity is not None:
        ok &= sims >= float(min_similarity)
    if top_k is not None:
        order = np.argsort(-sims, kind="stable")
        order = order[ok[order]][:int(top_k)]
        ok = np.zeros(len(sims), dtype=bool)
        ok[order] = True
    positions = np.flatnonzero(mask)
    similarity = np.full(len(corpus), np.nan)
    similarity[positions] = sims
    mask[positions[~ok]] = False
    return similarity


def _document_vectors(corpus: pd.DataFrame, mask: np.ndarray, *, embeddings: Any, encoder: Any,
                      fields: tuple[str, ...]) -> np.ndarray:
    """Vectors of the rows left: ``embeddings`` (aligned with all rows), else the encoder's
    vectors of the ``fields`` joined by newlines (the glossary's embeddings=/encoder= rule)."""
    n0 = len(corpus)
    if embeddings is not None:
        emb = np.asarray(embeddings, dtype=np.float64)
        if emb.ndim != 2 or emb.shape[0] != n0:
            raise ValueError(f"embeddings must have shape (len(corpus), dim) = ({n0}, dim), got {emb.shape}")
        if n0:
            emb = check_embeddings(emb, n_rows=n0, what="document", dtype=np.float64)
        return emb[mask]
    if encoder is None:
        raise ValueError("semantic selection needs embeddings= (aligned with the corpus rows) "
                         "or an encoder= to embed the documents")
    _check_fields(corpus, fields)
    sub = corpus.loc[mask]
    if not len(sub):
        return np.empty((0, 1))
    texts = ["\n".join(t for t in (_as_str(v, field=f) for f, v in zip(fields, vals, strict=True)) if t.strip())
             for vals in zip(*(sub[f].tolist() for f in fields), strict=True)]
    return resolve_embeddings(texts, encoder=encoder, name="embeddings", what="document", normalize=False,
                              dtype=np.float64)


def _query_vector(semantic: str | np.ndarray, encoder: Any) -> np.ndarray:
    if not isinstance(semantic, str):
        return np.asarray(semantic, dtype=np.float64).reshape(-1)
    if not semantic.strip():
        raise ValueError("semantic= query text is empty")
    if encoder is None:
        raise ValueError("a semantic= query text needs an encoder= to embed it "
                         "(or pass the query vector itself)")
    return resolve_embeddings([semantic], encoder=encoder, name="query vector", what="query",
                              normalize=False, dtype=np.float64).reshape(-1)
