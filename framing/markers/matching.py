"""Finding every marker of a lexicon in a corpus (one compiled scanner per family)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from framing.markers.lexicon import QUOTE_MARKS, Lexicon, load_lexicon
from framing.tokens import LexicalError, literal_regex, text_column

__all__ = ["match_markers"]

# "the character before the previous one is not a word character": placed right after a
# variant's first (literal) character, it is the left token boundary. Starting every
# alternative with a plain literal lets the regex engine skip ahead to candidate first
# characters instead of trying every alternative at every position.
_LEFT = r"(?<!\w(?s:.))"
_SPECIAL_FIRST = set(" \t\n\r\f\v-\u2010\u2011'\u2019\u02bc")


@dataclass
class _Scanner:
    pattern: re.Pattern
    lower: bool                       # run on the lower-cased text
    groups: dict[str, tuple[int, int]]


def _family_scanners(lex: Lexicon) -> dict[str, list[_Scanner]]:
    """Per family, up to three compiled scanners: case-insensitive literals (run on the
    lower-cased text), case-sensitive/proper literals, and regex variants."""
    out: dict[str, list[_Scanner]] = {}
    for fam in lex.families:
        lower_alts: list[tuple[int, str]] = []
        exact_alts: list[tuple[int, str]] = []
        slow_alts: list[tuple[int, str]] = []
        groups: dict[str, tuple[int, int]] = {}
        for k, m in enumerate(lex.markers):
            if m.family != fam:
                continue
            for j, v in enumerate(m.variants):
                if m.regex:
                    name = f"g{k}_{j}"
                    groups[name] = (k, j)
                    flag = "(?i:" if m.case == "insensitive" else "(?:"
                    core = f"(?P<{name}>{flag}{v}))"
                    if m.quoted:
                        core = f"[{QUOTE_MARKS}]{core}[.,]?[{QUOTE_MARKS}]"
                    slow_alts.append((-len(v), r"(?<!\w)" + core))
                    continue
                forms = [v.lower()] if m.case == "insensitive" else [v]
                if m.case == "proper" and v.upper() != v:
                    forms.append(v.upper())
                target = lower_alts if m.case == "insensitive" else exact_alts
                for f_i, form in enumerate(forms):
                    if m.quoted:
                        for q_i, q in enumerate(QUOTE_MARKS):
                            name = f"g{k}_{j}_{f_i}_{q_i}"
                            groups[name] = (k, j)
                            target.append((-len(v), re.escape(q) + _LEFT + f"(?P<{name}>{literal_regex(form)})"
                                           + f"[.,]?[{QUOTE_MARKS}]"))
                        continue
                    name = f"g{k}_{j}_{f_i}"
                    groups[name] = (k, j)
                    if form[0] in _SPECIAL_FIRST:
                        slow_alts.append((-len(v), r"(?<!\w)" + f"(?P<{name}>{literal_regex(form)})"))
                    else:
                        target.append((-len(v), re.escape(form[0]) + _LEFT + f"(?P<{name}>{literal_regex(form[1:])})"))
        scanners = []
        for alts, lower in ((lower_alts, True), (exact_alts, False), (slow_alts, False)):
            if alts:
                alts.sort(key=lambda a: a[0])  # stable: longest variant first, then lexicon order
                source = "(?:" + "|".join(a[1] for a in alts) + r")(?!\w)"
                scanners.append(_Scanner(re.compile(source), lower, groups))
        out[fam] = scanners
    return out


def _scan(text: str, lowered: str, scanners: list[_Scanner]) -> list[tuple[int, int, int, int]]:
    """Non-overlapping matches (start, end, marker, variant) of one family, leftmost first,
    longest first at the same start, across the family's scanners."""
    out: list[tuple[int, int, int, int]] = []
    if len(scanners) == 1:
        sc = scanners[0]
        for mt in sc.pattern.finditer(lowered if sc.lower else text):
            k, j = sc.groups[mt.lastgroup if mt.lastgroup in sc.groups else _group_of(mt, sc.groups)]
            out.append((mt.start(), mt.end(), k, j))
        return out
    cache: list[Any] = [None] * len(scanners)
    pos, n = 0, len(text)
    while pos <= n:
        best, best_sc = None, None
        for i, sc in enumerate(scanners):
            mt = cache[i]
            if mt is False:
                continue
            if mt is None or mt.start() < pos:
                mt = sc.pattern.search(lowered if sc.lower else text, pos)
                cache[i] = mt if mt is not None else False
                if mt is None:
                    continue
            if best is None or (mt.start(), mt.start() - mt.end()) < (best.start(), best.start() - best.end()):
                best, best_sc = mt, sc
        if best is None:
            break
        k, j = best_sc.groups[best.lastgroup if best.lastgroup in best_sc.groups else _group_of(best, best_sc.groups)]
        out.append((best.start(), best.end(), k, j))
        pos = best.end() if best.end() > best.start() else best.start() + 1
    return out


def _group_of(mt: re.Match, groups: dict[str, tuple[int, int]]) -> str:
    """The variant group that took part in a match (when a regex variant has inner groups)."""
    return next(g for g, v in mt.groupdict().items() if v is not None and g in groups)


def match_markers(corpus: pd.DataFrame, *, lexicon: str | Path | Mapping | Lexicon | None = None) -> pd.DataFrame:
    """Every occurrence of every marker of a lexicon in a corpus.

    Parameters
    ----------
    corpus : DataFrame
        Corpus with ``doc_id`` and ``text`` (``outlet`` and ``published`` are carried if
        present).
    lexicon : path, mapping, Lexicon or None
        See :func:`load_lexicon` (default: the shipped Russia-Ukraine lexicon).

    Returns
    -------
    DataFrame
        One row per match, in corpus order then by position: ``doc_id``, ``outlet``,
        ``published``, ``family``, ``marker``, ``concept``, ``variant`` (the lexicon variant
        that matched), ``start``, ``end`` (character offsets: ``text[start:end] == match``),
        ``match`` (the matched text, quote marks included for scare quotes).

    Examples
    --------
    >>> c = pd.DataFrame({"doc_id": ["d1"], "outlet": ["X"],
    ...                   "text": ["KIEV - Kiev-based staff saw a ‘referendum’ in Kyiv's suburbs."]})
    >>> m = match_markers(c)
    >>> for row in m[["family", "marker", "match"]].values.tolist():
    ...     print(row)
    ['naming', 'Kiev', 'KIEV']
    ['naming', 'Kiev', 'Kiev']
    ['scare_quotes', 'referendum', '‘referendum’']
    ['status', 'referendum', 'referendum']
    ['naming', 'Kyiv', 'Kyiv']
    """
    lex = load_lexicon(lexicon)
    texts = text_column(corpus, "text", caller="match_markers")
    if "doc_id" not in corpus.columns:
        raise LexicalError("match_markers: the corpus has no column 'doc_id'")
    families = list(_family_scanners(lex).values())
    doc_ids = corpus["doc_id"].tolist()
    rec_row, rec_k, rec_j, rec_s, rec_e = [], [], [], [], []
    for r, text in enumerate(texts):
        lowered = text.lower()
        if len(lowered) != len(text):  # a character whose lower case is longer: fold one by one
            lowered = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
        for scanners in families:
            for s, e, k, j in _scan(text, lowered, scanners):
                rec_row.append(r)
                rec_k.append(k)
                rec_j.append(j)
                rec_s.append(s)
                rec_e.append(e)
    rows = np.asarray(rec_row, dtype=np.int64)
    ks = np.asarray(rec_k, dtype=np.int64)
    starts = np.asarray(rec_s, dtype=np.int64)
    ends = np.asarray(rec_e, dtype=np.int64)
    order = np.lexsort((ks, starts, rows))
    rows, ks, starts, ends = rows[order], ks[order], starts[order], ends[order]
    js = np.asarray(rec_j, dtype=np.int64)[order]
    mk = lex.markers
    out = pd.DataFrame({
        "doc_id": [doc_ids[r] for r in rows],
        "outlet": corpus["outlet"].to_numpy()[rows] if "outlet" in corpus.columns else pd.NA,
        "published": corpus["published"].to_numpy()[rows] if "published" in corpus.columns else pd.NaT,
        "family": [mk[k].family for k in ks],
        "marker": [mk[k].marker for k in ks],
        "concept": [mk[k].concept for k in ks],
        "variant": [mk[k].variants[j] for k, j in zip(ks, js)],
        "start": starts, "end": ends,
        "match": [texts[r][s:e] for r, s, e in zip(rows, starts, ends)],
    })
    for col in ("doc_id", "family", "marker", "variant", "match"):
        out[col] = out[col].astype("str") if len(out) else pd.Series(dtype="str")
    out.attrs["lexicon"] = lex.name or lex.source
    return out
