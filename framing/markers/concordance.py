"""Keyword-in-context lines for a term, a regex, or the markers of a lexicon."""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from framing._checks import group_labels
from framing._compat import renamed_kwargs
from framing.markers.lexicon import Lexicon, load_lexicon
from framing.markers.matching import match_markers
from framing.tokens import LexicalError, phrase_regex, text_column

__all__ = ["concordance"]


def _sentence_ids(corpus: pd.DataFrame, hits: pd.DataFrame, sentences: pd.DataFrame | None) -> pd.Series:
    """sent_id of the sentence containing each hit's start (NA when unknown)."""
    na = pd.Series(pd.NA, index=hits.index, dtype="object")
    if hits.empty:
        return na
    if sentences is None:
        try:
            from framing.segment import split_sentences  # another stage; optional here
        except ImportError:
            return na
        if not {"doc_id", "outlet", "published", "text"} <= set(corpus.columns):
            return na  # split_sentences needs a full corpus
        docs = corpus[corpus["doc_id"].isin(set(hits["doc_id"]))]
        sentences = split_sentences(docs)
    need = {"doc_id", "sent_id", "start", "end"}
    if not need <= set(sentences.columns):
        raise LexicalError(f"concordance: the sentence table lacks columns {sorted(need - set(sentences.columns))}")
    sub = sentences[sentences["doc_id"].isin(set(hits["doc_id"]))]
    if sub.empty:
        return na
    # one sorted key (document, start) for all sentences; each hit finds the last sentence of its
    # document starting at or before it, and keeps it if the hit starts before that sentence ends
    codes, uniques = pd.factorize(sub["doc_id"])
    hcode = pd.Index(uniques).get_indexer(hits["doc_id"])
    pos = hits["start"].to_numpy(dtype=np.int64)
    span = int(max(sub["end"].max(), pos.max())) + 1
    skey = codes.astype(np.int64) * span + sub["start"].to_numpy(dtype=np.int64)
    order = np.argsort(skey, kind="stable")
    k = np.searchsorted(skey[order], hcode.astype(np.int64) * span + pos, side="right") - 1
    kk = order[np.clip(k, 0, None)]
    ok = (hcode >= 0) & (k >= 0) & (codes[kk] == hcode) & (pos < sub["end"].to_numpy()[kk])
    ids = sub["sent_id"].to_numpy()[kk]
    out = na.copy()
    out.loc[ok] = ids[ok]
    return out


@renamed_kwargs(by="group")
def concordance(corpus: pd.DataFrame, term: str | None = None, *, group: Any = "outlet", width: int = 60,
                regex: bool = False, case: bool = False, sentences: pd.DataFrame | None = None,
                marker: str | Sequence[str] | None = None, family: str | Sequence[str] | None = None,
                lexicon: Any = None, voice: str = "all", boilerplate: str = "keep") -> pd.DataFrame:
    """Keyword-in-context lines for a term, a regex, or a framing marker of a lexicon.

    A plain ``term`` is matched as a phrase on token boundaries, like the markers of
    :mod:`framing.markers`: not inside a longer word ("war" does not match "toward"), but a
    possessive or hyphenated compound does match ("Kyiv's", "Kiev-based"); spaces in the term
    match any whitespace, hyphens and apostrophes match their typographic variants, and a
    ``*`` right after a letter or digit is a prefix wildcard ("veto*": veto, vetoes, vetoed;
    the same rule as ``select(query=)``, :func:`framing.tokens.phrase_regex`). With
    ``regex=True`` the pattern is used as given. With ``marker=`` and/or ``family=`` (and no
    term) the lines are the lexicon matches of :func:`framing.markers.match_markers`.

    Parameters
    ----------
    corpus : DataFrame
        Corpus with ``doc_id``, ``text``, ``published`` and the ``group`` column.
    term : str, optional
        Word or phrase (or regex with ``regex=True``).
    group : str, mapping or (column, mapping)
        The glossary's ``group=``: the grouping column reported first and sorted on (default
        ``"outlet"``), or a mapping ``{outlet: label}`` / ``(column, mapping)`` pair (the
        labels go in a ``group`` column; documents in no group give no lines).
    width : int
        Characters of context on each side.
    regex : bool
        Treat ``term`` as a regular expression.
    case : bool
        Case-sensitive matching (default: insensitive). Ignored for lexicon markers, which
        carry their own case rule.
    sentences : DataFrame, optional
        Sentence table of ``framing.split_sentences(corpus)`` to report ``sent_id``;
        if omitted it is computed for the matched documents when ``framing.segment`` is
        available and the corpus has ``outlet`` and ``published``, else ``sent_id`` is NA.
    marker, family : str or list of str, optional
        Lexicon marker(s) and/or family/families to show instead of a term.
    lexicon : Lexicon, path or None
        Lexicon for ``marker``/``family`` (default: the shipped one).
    voice : {"all", "own", "attributed"}
        Which lines to show: every match (default), those in the outlet's own words, or
        those inside quoted or reported speech (:func:`framing.attribute_voice`).
    boilerplate : {"keep", "drop"}
        Show (default) or leave out matches in boilerplate sentences
        (:func:`framing.find_boilerplate`, computed on the whole corpus given).

    Returns
    -------
    DataFrame
        ``group`` (named after the column when ``group`` is one), ``doc_id``, ``sent_id``,
        ``left``, ``match``, ``right``, ``start``, ``end``, ``published`` (plus ``family``,
        ``marker`` for lexicon lines), ``voice`` ("own" when the match is in the outlet's
        own words, else the voice of its sentence: "direct", "reported" or "mixed"),
        ``speaker`` (of the attributed speech, or None), sorted by group, date, document and
        position. ``text[start:end] == match``; newlines in the context are shown as spaces.
        Lines are always the original text, so a reported "sham" is shown with its frame.

    Examples
    --------
    >>> c = pd.DataFrame({"doc_id": ["d1"], "outlet": ["X"], "published": pd.to_datetime(["2022-09-23"]),
    ...                   "text": ["Toward Kyiv: Kyiv's mayor spoke."]})
    >>> kw = concordance(c, "kyiv", width=8, sentences=pd.DataFrame(columns=["doc_id", "sent_id", "start", "end"]))
    >>> kw[["left", "match", "right", "start"]].values.tolist()
    [['Toward ', 'Kyiv', ": Kyiv's", 7], ['d Kyiv: ', 'Kyiv', "'s mayor", 13]]
    """
    if not isinstance(width, (int, np.integer)) or width < 0:
        raise LexicalError(f"concordance: width must be a non-negative int, got {width!r}")
    texts = text_column(corpus, "text", caller="concordance")
    if "doc_id" not in corpus.columns:
        raise LexicalError("concordance: the corpus has no column 'doc_id'")
    if isinstance(group, str) and group not in corpus.columns:
        raise LexicalError(f"concordance: the corpus has no column {group!r}")
    labels = group_labels(corpus, group, error=LexicalError, name="the corpus")
    by = group if isinstance(group, str) else "group"
    if term is None:
        hits = _marker_hits(corpus, marker=marker, family=family, lexicon=lexicon)
    else:
        hits = _term_hits(texts, corpus["doc_id"].tolist(), term, regex=regex, case=case)
    if not isinstance(group, str) and len(hits):
        hits = hits[labels.notna().to_numpy()[hits["row"].to_numpy(dtype=np.int64)]]
    from framing.voice import BOILERPLATE_OPTIONS, VOICE_OPTIONS

    if voice not in VOICE_OPTIONS or boilerplate not in BOILERPLATE_OPTIONS:
        raise LexicalError(f"concordance: voice= must be one of {list(VOICE_OPTIONS)} and boilerplate= one of "
                           f"{list(BOILERPLATE_OPTIONS)}, got {voice!r}, {boilerplate!r}")
    cols = [by, "doc_id", "sent_id", "left", "match", "right", "start", "end", "published"]
    if term is None:
        cols += ["family", "marker"]
    cols += ["voice", "speaker"]
    if hits.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    rows = hits["row"].to_numpy()
    out = pd.DataFrame({
        by: labels.to_numpy()[rows],
        "doc_id": hits["doc_id"].to_numpy(),
        "sent_id": pd.NA,
        **_context(texts, rows, hits["start"].to_numpy(), hits["end"].to_numpy(), width),
        "start": hits["start"].to_numpy(dtype=np.int64), "end": hits["end"].to_numpy(dtype=np.int64),
        "published": corpus["published"].to_numpy()[rows] if "published" in corpus.columns else pd.NaT,
    })
    if term is None:
        out["family"], out["marker"] = hits["family"].to_numpy(), hits["marker"].to_numpy()
    sents = _voiced_sentences(corpus, out, sentences, boilerplate=boilerplate)
    out["sent_id"] = _sentence_ids(corpus, out[["doc_id", "start"]], sents).to_numpy()
    out = _hit_voice(out, texts, rows, sents, voice=voice, boilerplate=boilerplate)
    out = out.sort_values([by, "published", "doc_id", "start"], kind="stable").reset_index(drop=True)
    return out[cols]


def _marker_hits(corpus: pd.DataFrame, *, marker: Any, family: Any, lexicon: Any) -> pd.DataFrame:
    """Rows, doc ids, offsets, families and markers of the lexicon matches."""
    if marker is None and family is None:
        raise LexicalError("concordance: give a term, or marker=/family= from a lexicon")
    lex = load_lexicon(lexicon) if not isinstance(lexicon, Lexicon) else lexicon
    lex = lex.select(family=family, marker=marker)
    if not corpus["doc_id"].is_unique:
        raise LexicalError("concordance: doc_id must be unique")
    m = match_markers(corpus, lexicon=lex)
    return pd.DataFrame({"row": pd.Index(corpus["doc_id"]).get_indexer(m["doc_id"]),
                         "doc_id": m["doc_id"].to_numpy(), "start": m["start"].to_numpy(),
                         "end": m["end"].to_numpy(), "family": m["family"].to_numpy(),
                         "marker": m["marker"].to_numpy()})


def _term_hits(texts: list[str], doc_ids: list[Any], term: str, *, regex: bool, case: bool) -> pd.DataFrame:
    """Rows, doc ids and offsets of a term (the rule of :func:`framing.tokens.phrase_regex`) or regex."""
    if not isinstance(term, str) or not term.strip():
        raise LexicalError(f"concordance: term must be a non-empty string, got {term!r}")
    if regex:
        try:
            pattern = re.compile(term, 0 if case else re.IGNORECASE)
        except re.error as exc:
            raise LexicalError(f"concordance: bad regex {term!r}: {exc}") from None
    else:
        pattern = re.compile(phrase_regex([term]), 0 if case else re.IGNORECASE)
    recs = []
    for r, text in enumerate(texts):
        for mt in pattern.finditer(text):
            if mt.end() > mt.start():
                recs.append((r, doc_ids[r], mt.start(), mt.end()))
    return pd.DataFrame(recs, columns=["row", "doc_id", "start", "end"])


def _context(texts: list[str], rows: np.ndarray, starts: np.ndarray, ends: np.ndarray, width: int) -> dict:
    """``left``, ``match`` and ``right`` of each hit (whitespace in the context shown as spaces)."""
    left, match, right = [], [], []
    for r, s, e in zip(rows, starts, ends):
        t = texts[r]
        left.append(re.sub(r"\s", " ", t[max(0, s - width):s]))
        match.append(t[s:e])
        right.append(re.sub(r"\s", " ", t[e:e + width]))
    return {"left": left, "match": match, "right": right}


def _voiced_sentences(corpus: pd.DataFrame, hits: pd.DataFrame, sentences: pd.DataFrame | None, *,
                      boilerplate: str) -> pd.DataFrame | None:
    """The sentence table of the matched documents with voice (and boilerplate) columns."""
    from framing.voice import attribute_voice

    if sentences is None:
        if not {"doc_id", "outlet", "published", "text"} <= set(corpus.columns):
            return None
        from framing.segment import split_sentences

        scope = corpus if boilerplate == "drop" else corpus[corpus["doc_id"].isin(set(hits["doc_id"]))]
        sentences = split_sentences(scope)
    if boilerplate == "drop" and "boilerplate" not in sentences.columns:
        from framing.boilerplate import find_boilerplate

        sentences = find_boilerplate(sentences)
    if len(sentences) and "own_text" not in sentences.columns and {"text", "start", "end", "sent_id"} <= set(
            sentences.columns):
        sentences = attribute_voice(sentences[sentences["doc_id"].isin(set(hits["doc_id"]))])
    return sentences


def _hit_voice(out: pd.DataFrame, texts: list[str], rows: np.ndarray, sents: pd.DataFrame | None, *,
               voice: str, boilerplate: str) -> pd.DataFrame:
    """Per hit: its voice and speaker from the sentence it sits in; apply the line filters."""
    out = out.assign(voice=pd.Series(None, index=out.index, dtype="object"),
                     speaker=pd.Series(None, index=out.index, dtype="object"))
    if sents is None or "own_text" not in sents.columns or not len(sents):
        if voice != "all" or boilerplate != "keep":
            raise LexicalError("concordance: voice/boilerplate filtering needs a corpus with outlet and published "
                               "(or sentences= with voice columns)")
        return out
    info = sents.set_index("sent_id")
    voices, speakers, drop = [], [], []
    for sid, a, b in zip(out["sent_id"], out["start"].to_numpy(), out["end"].to_numpy()):
        if sid is None or sid is pd.NA or sid not in info.index:
            voices.append(None), speakers.append(None), drop.append(False)
            continue
        r = info.loc[sid]
        own = r["own_text"]
        rel_a, rel_b = int(a) - int(r["start"]), int(b) - int(r["start"])
        in_own = own[max(rel_a, 0):rel_b] == r["text"][max(rel_a, 0):rel_b]
        voices.append("own" if in_own else r["voice"])
        speakers.append(None if in_own else r["speaker"])
        drop.append(bool(r["boilerplate"]) if boilerplate == "drop" and "boilerplate" in info.columns else False)
    out["voice"], out["speaker"] = voices, speakers
    keep = ~np.asarray(drop, dtype=bool)
    if voice == "own":
        keep &= (out["voice"] == "own").to_numpy()
    elif voice == "attributed":
        keep &= out["voice"].isin(["direct", "reported", "mixed"]).to_numpy()
    return out[keep]

