"""Boilerplate in sentence tables: page furniture and stock lines repeated across articles.

Two kinds of boilerplate are flagged, never removed (:func:`find_boilerplate` adds columns;
filter with ``sents[~sents["boilerplate"]]`` when you want them gone):

**Furniture** (``boilerplate_reason == "furniture"``) is text that belongs to the page, not
to the story.  It turns up when users read their own ``.txt`` files or saved web pages.  The
rules look at one sentence (or one paragraph) at a time and are deliberately conservative:
each needs a tell-tale *form*, not just a keyword, and most apply only to short texts.
:func:`is_furniture` gives the rule for one text; the rule names are
(:data:`FURNITURE_RULES`):

``breadcrumb``
    2-6 short segments (1-4 words each, every word capitalised except ``and``, ``of``,
    ``the`` ...) separated by ``/``, ``|``, ``>``, ``›``, ``»`` or ``·`` with spaces around
    ``/``, ``|`` and ``>``; nothing ends in sentence punctuation.  "News / Foreign Policy /
    Russia".  "Russia / Ukraine war" (a lower-case word) is not one.
``caption``
    A text ending with a photo credit: a parenthesised or bracketed credit ("(AFP photo)",
    "(Photo by Jane Roe/Getty Images)", "(AP Photo/Jane Roe)", "(Photo: Reuters)",
    "(... via AP)", "[Getty Images]") or a bare trailing agency credit ("REUTERS/Jane Roe",
    "AP Photo/Jane Roe", ".../Getty Images", "... via Getty Images").
    In :func:`find_boilerplate`, every sentence of a paragraph of at most
    :data:`CAPTION_SENTENCES` sentences that ends with a credit sentence ("... Washington,
    DC." + "(AFP photo)") is caption too, when the document has more than one paragraph.
``credit``
    A text that *is* only such a credit, or a short (at most 12 words) line starting
    "Photo:", "Photograph:", "Photographer:", "Image:", "Picture:", "Credit:", or starting
    with "©" and holding no year.  "Photographs showed ..." has no colon and is no credit.
``contributors``
    A reporting credit of at most 40 words without quotation marks: "... contributed to this
    report.", "... contributed reporting (from Paris).", "Reporting by ...; Editing by ...".
``byline``
    "By" + a name (at least two capitalised words, or a news agency), optionally more
    names joined by "and", "&" or commas and an outlet after a comma, "|" or a dash: "By
    Jane Roe", "By JANE ROE and John Doe, CNN".  A lower-case word, a digit, a quotation
    mark, or a first word that is a time or a common adverbial phrase ("By Tuesday, Russia
    had ...", "By Sept. 30", "By Christmas", "By Contrast", "By Law") rules it out.
``dateline``
    A dateline standing alone: an all-capitals place, an optional ", Region", an optional
    "(Agency)" and a closing dash: "KYIV, Ukraine --", "MOSCOW (Reuters) -".
``footer``
    Site footers: "... can also be accessed at the following alternate addresses", "All
    rights reserved", "©" or "Copyright 2022" in a short line (at most 30 words), "Follow
    us on Twitter" (and "Follow <Name> on <network>"), "Terms of use", "Privacy policy",
    "Advertisement", "Story continues below".  In :func:`find_boilerplate` the short lines
    (at most :data:`TRAILING_WORDS` words) that follow the last footer line of a document,
    when nothing but short lines follows it, are footer too (the list of alternate
    addresses after "... the following alternate addresses:").
``promo``
    Newsletter, subscription and app promotion in an imperative short line (at most 30
    words): "Sign up for ...", "Subscribe ...", "Download the ... app", "Listen and
    subscribe ...", "Click here to get the ... app", "... sign up for our newsletter".
``read_more``
    Links to other pages: "Read more ...", "READ MORE:", "Related:", "See also:", "MORE:",
    "WATCH:" (upper case), "Click here ..." (no promotion), and short (at most 15 words)
    "Read/Watch/See/Listen to ... here." / "... below." or "Watch the full interview:"
    (a media word such as interview, video, statement, transcript before the colon).
``headline``
    (only :func:`find_boilerplate`) the sentence equals the document's title, compared
    normalised (case, whitespace, quotes, dashes, surrounding punctuation).

**Repeated lines** (``boilerplate_reason == "repeated"``): the same normalised sentence in at
least ``min_docs`` different documents of one group (outlet).  Stock paragraphs that an
outlet appends to many articles (a background line, a newsletter promo, a letters blurb)
would otherwise count once per article and move the outlet's averages.  The comparison is
on :func:`normalise_text`: Unicode NFKC, lower case, curly quotes and apostrophes made
straight, every dash made ``-``, whitespace collapsed; digits and punctuation are kept, so
"killed 5" and "killed 6" are different sentences (a stock line with an updated number
is not caught -- the rule stays simple and exact).  Sentences with fewer than
``min_words`` words ("He said.", "Why?") are never flagged as repeated: they are common
because they are short, not because they are boilerplate.  This is line-level
near-duplicate removal as used to clean web and news crawls (Wenzek et al., 2020, CCNet;
Raffel et al., 2020, C4), restricted to one outlet at a time.

References
----------
Kohlschütter, C., Fankhauser, P. and Nejdl, W. (2010). Boilerplate detection using shallow
text features. *Proceedings of WSDM 2010*, 441-450.

Wenzek, G. et al. (2020). CCNet: Extracting high quality monolingual datasets from web crawl
data. *Proceedings of LREC 2020*, 4003-4012.

Raffel, C. et al. (2020). Exploring the limits of transfer learning with a unified
text-to-text transformer. *JMLR* 21(140) (C4: repeated spans removed).
"""
from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CAPTION_SENTENCES", "FURNITURE_RULES", "TRAILING_WORDS", "find_boilerplate", "is_furniture",
    "normalise_text", "same_text",
]

#: Names of the furniture rules, in the order they are tried.
FURNITURE_RULES: tuple[str, ...] = (
    "footer", "promo", "read_more", "breadcrumb", "caption", "credit", "contributors", "byline",
    "dateline", "headline",
)

#: Short lines after a document's last footer line are footer too (at most this many words).
TRAILING_WORDS = 8

#: A paragraph of at most this many sentences whose last sentence is a photo credit is a
#: caption (only in documents with more than one paragraph).
CAPTION_SENTENCES = 3

# --------------------------------------------------------------------------------------
# normalisation
# --------------------------------------------------------------------------------------

_TRANSLATE = str.maketrans({
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
    "\u00a0": " ", "\u200b": "",
})
_EDGE_PUNCT = "\"'.,;:!?-()[]{}<>*#|/ "
_WORD = re.compile(r"[^\W_]+")


def normalise_text(text: str, *, strip_punctuation: bool = False) -> str:
    """The comparison form of a sentence or title.

    Unicode NFKC, lower case, curly quotes/apostrophes straight, dashes ``-``, whitespace
    collapsed to one space and trimmed.  ``strip_punctuation=True`` also removes quotes and
    punctuation at both ends (for comparing a title with a sentence).

    Examples
    --------
    >>> normalise_text("  Kyiv’s  “sham” vote — again ")
    'kyiv\\'s "sham" vote - again'
    >>> normalise_text("“Votes begin.”", strip_punctuation=True)
    'votes begin'
    """
    out = _normalise_one(text)
    return out.strip(_EDGE_PUNCT) if strip_punctuation else out


def same_text(a: Any, b: Any) -> bool:
    """Whether two texts are equal once normalised (:func:`normalise_text` with punctuation
    at the ends stripped); empty or missing texts are never equal.

    >>> same_text("Votes begin in four regions", "VOTES  BEGIN in four regions.")
    True
    >>> same_text("", "")
    False
    """
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    na = normalise_text(a, strip_punctuation=True)
    return bool(na) and na == normalise_text(b, strip_punctuation=True)


def _normalise_one(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return " ".join(text.lower().split())


# --------------------------------------------------------------------------------------
# furniture rules (one text at a time)
# --------------------------------------------------------------------------------------

# breadcrumbs
_CRUMB_SEP = re.compile(r"\s+[/|>]\s+|\s*[›»·]\s*")
_CRUMB_SMALL = frozenset({"and", "of", "the", "&", "in", "on", "for", "to", "a", "de", "-", "+"})

# captions and credits
_NAMEWORD = r"[A-Z][\w.&'’-]*"
_PHOTO = r"(?i:photos?|photographs?|pictures?|images?|file\s+photo)"
_PAREN_CREDIT_BODY = (
    rf"(?:{_NAMEWORD}\s+){{0,3}}{_PHOTO}(?:\s*[/:]\s*[^()\[\]]{{0,80}}|\s+(?i:by)\s+[^()\[\]]{{1,80}})?"
    rf"|(?i:photo|image|picture|credit)s?\s*(?:credit\s*)?:\s*[^()\[\]]{{1,80}}"
    r"|[^()\[\]]{0,80}\bvia\s+(?:AP|AFP|EPA|Reuters|REUTERS|Getty(?:\s+Images)?|Bloomberg|Sputnik|TASS)"
    r"|[^()\[\]]{0,80}\bGetty\s+Images"
)
_PAREN_CREDIT = re.compile(rf"[(\[]\s*(?:{_PAREN_CREDIT_BODY})\s*[)\]]\s*\.?$")
_BARE_CREDIT = re.compile(
    r"(?:\bREUTERS/[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}(?:/[A-Za-z][\w ]{0,20})?"
    r"|\bAP\s+Photo/[A-Z][^/()]{0,40}(?:/[A-Za-z][\w ]{0,20})?"
    r"|(?:[/|]\s*|\bvia\s+)Getty\s+Images"
    r"|^Getty\s+Images)\s*\.?$")
_CREDIT_START = re.compile(
    r"^(?:photo(?:graph(?:er)?)?s?|images?|pictures?|(?:photo\s+)?credits?)\s*(?:credit\s*)?:\s*\S",
    re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")

# reporting credits
_CONTRIBUTORS = re.compile(
    r"\bcontributed\s+(?:to\s+(?:this|the)\s+(?:report|story|article)|(?:additional\s+)?reporting|research)\b"
    r"|^(?:additional\s+)?reporting\s+by\s+[A-Z].{0,200}\bediting\s+by\b", re.IGNORECASE)
_QUOTE_CHARS = frozenset("\"“”«»")

# bylines
_BYLINE = re.compile(r"^(?:By|BY)\s+(.{2,160})$")
_BYLINE_SPLIT = re.compile(r"\s*(?:,|;|\||\s[—–-]{1,2}\s|\s(?:and|AND|&)\s)\s*")
_NAME_PARTICLES = frozenset({"de", "da", "del", "van", "von", "der", "den", "la", "le", "al", "bin",
                             "ibn", "el", "dos", "du", "di", "ter", "st."})
_TIME_WORDS = frozenset({
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "then", "now", "today", "tonight", "tomorrow", "yesterday", "noon",
    "midnight", "midday", "dawn", "dusk", "nightfall", "morning", "evening", "night", "late",
    "early", "mid", "christmas", "easter", "thanksgiving", "spring", "summer", "autumn",
    "fall", "winter", "the", "this", "that", "next", "last", "contrast", "comparison", "far",
    "all", "some", "most", "law", "decree", "order", "default", "design", "chance", "accident",
})
_AGENCIES = frozenset({"reuters", "ap", "afp", "tass", "ria", "bloomberg", "cnn", "bbc", "upi",
                       "staff", "efe", "dpa", "ansa", "xinhua", "interfax", "sputnik", "rt"})

# datelines
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’ -]{1,40}(?:,\s*[A-Z][\w.'’ -]{0,40})?(?:\s*\([^()]{1,40}\))?\s*(?:—|–|--|-)$"
    r"|^[A-Z][A-Z.'’ -]{1,40}(?:,\s*[A-Z][\w.'’ -]{0,40})?\s*\((?:AP|AFP|Reuters|REUTERS|TASS|RIA|UPI|CNN|"
    r"Sputnik|Xinhua|dpa|EFE)\)\s*(?:[—–:-]{1,2})?$")

# footers, promotion, links
_FOOTER_ANY = re.compile(r"\bcan\s+also\s+be\s+accessed\s+at\b|\ball\s+rights\s+reserved\b", re.IGNORECASE)
_FOOTER_SHORT = re.compile(
    r"©|\(c\)\s*(?:19|20)\d\d|^copyright\b|\bcopyright\s+(?:©\s*)?(?:19|20)\d\d"
    r"|^follow\s.{0,80}\bon\s+(?:facebook|twitter|instagram|telegram|tiktok|youtube|x|vk|linkedin|"
    r"rumble|odysee|gab|gettr|truth\s+social|threads|mastodon)\b"
    r"|^(?:terms\s+of\s+(?:use|service)|privacy\s+policy|cookie\s+(?:policy|settings))\b"
    r"|^(?:advertisement|sponsored(?:\s+content)?|story\s+continues\s+below(?:\s+advertisement)?)\s*$",
    re.IGNORECASE)
_PROMO = re.compile(
    r"^(?:please\s+)?(?:sign\s+up|subscribe|register\s+(?:now|here|today|for\s+free))\b"
    r"|^(?:listen|watch)\b.{0,40}\band\s+subscribe\b"
    r"|^(?:download|get)\s+(?:the|our)\b.{0,40}\bapp\b"
    r"|\b(?:sign\s+up\s+(?:for|to)|subscribe\s+to)\s+(?:our|the\s+[\w ’'-]{0,40}newsletter)\b",
    re.IGNORECASE)
_PROMO_WORDS = re.compile(r"\b(?:app|newsletters?|subscribe|subscription|sign\s+up|download)\b", re.IGNORECASE)
_CLICK_HERE = re.compile(r"\bclick\s+here\b", re.IGNORECASE)
_READ_MORE_CI = re.compile(
    r"^(?:read\s+more|read\s+also|also\s+read)\b"
    r"|^(?:related(?:\s+(?:articles?|stories|coverage|content|reading|news))?|see\s+also|more\s+on\s+this)"
    r"\s*(?::|$)", re.IGNORECASE)
_READ_MORE_UPPER = re.compile(
    r"^(?:MORE|WATCH|LISTEN|VIDEO|PHOTOS|RELATED|READ MORE|ALSO READ|SEE ALSO|MUST WATCH|ICYMI)\s*:")
_LINK_LINE = re.compile(
    r"^\(?(?:read|watch|see|listen\s+to)\b[^.?!]{0,120}\b(?:here|below|above)\s*[.:]?\)?$"
    r"|^(?:read|watch|see|listen\s+to)\b[^.?!:]{0,120}\b(?:video|interview|clip|monologue|segment|story|"
    r"statement|memo|letter|transcript|op-ed|editorial|audio|remarks|speech|exchange|tweet|thread|"
    r"excerpt|document|filing|indictment|footage|broadcast)s?\b[^.?!:]{0,60}:$",
    re.IGNORECASE)


def _n_words(text: str) -> int:
    return len(_WORD.findall(text))


def _breadcrumb(text: str) -> bool:
    if len(text) > 150 or text[-1] in ".!?:;,":
        return False
    parts = _CRUMB_SEP.split(text)
    if not 2 <= len(parts) <= 6 or not any(ch.isalpha() for ch in text):
        return False
    for part in parts:
        words = part.split()
        if not 1 <= len(words) <= 4 or part[-1] in ".!?:;,":
            return False
        if not (words[0][0].isupper() or words[0][0].isdigit()):
            return False
        for w in words[1:]:
            if not (w[0].isupper() or w[0].isdigit() or w.lower() in _CRUMB_SMALL):
                return False
    return True


def _byline(text: str) -> bool:
    m = _BYLINE.match(text)
    if m is None:
        return False
    rest = m.group(1).rstrip()
    if rest.endswith((".", "!", "?", ":", ";")) and not re.search(r"\b[A-Z]\.$", rest):
        return False
    if any(ch.isdigit() for ch in rest) or any(ch in _QUOTE_CHARS for ch in rest):
        return False
    chunks = [c for c in _BYLINE_SPLIT.split(rest) if c]
    if not 1 <= len(chunks) <= 8:
        return False
    for c in chunks:
        words = c.split()
        if not 1 <= len(words) <= 5:
            return False
        for w in words:
            if not (w[0].isupper() or w.lower() in _NAME_PARTICLES or w in ("'s", "’s")):
                return False
    first = chunks[0].split()
    head = first[0].lower().strip(".,'’").split("-")[0]
    if head in _TIME_WORDS:
        return False
    return len(first) >= 2 or head in _AGENCIES


def _credit_rule(text: str) -> str | None:
    """"caption" / "credit" / None for a text ending with (or being) a photo credit."""
    tail = text[-160:]
    m = _PAREN_CREDIT.search(tail) or _BARE_CREDIT.search(tail)
    if m is not None:
        start = len(text) - len(tail) + m.start()
        before = text[:start].strip(" \t\n.,;:-—–|")
        return "caption" if _WORD.search(before) else "credit"
    return None


def is_furniture(text: str) -> str | None:
    """The furniture rule a sentence or paragraph matches, or None (see :mod:`framing.boilerplate`).

    Looks at the text alone (no context), so the ``headline`` rule and the short lines
    after a footer are left to :func:`find_boilerplate`.

    Parameters
    ----------
    text : str
        One sentence, paragraph or line.

    Returns
    -------
    str or None
        One of :data:`FURNITURE_RULES` (except ``"headline"``), or None for ordinary text.

    Examples
    --------
    >>> is_furniture("News / Foreign Policy / Russia")
    'breadcrumb'
    >>> is_furniture("The envoy testifies before a House panel on June 8, 2022. (AFP photo)")
    'caption'
    >>> is_furniture("By Jane Roe, Gazette") , is_furniture("By Tuesday, Russia had left.")
    ('byline', None)
    >>> is_furniture("Photographs showed damaged buildings.") is None
    True
    """
    if not isinstance(text, str):
        return None
    text = text.strip()
    return _furniture(text, _n_words(text)) if text else None


_QUOTE_RE = re.compile("[\"“”«»]")
_CRUMB_CHARS = re.compile("[/|>›»·]")
_SHORT_STARTS = ("read", "also", "related", "see", "more", "watch", "listen", "(", "sign", "subscri",
                 "please", "register", "download", "get ")


def _furniture(text: str, n: int) -> str | None:
    """:func:`is_furniture` for a stripped text of ``n`` words (cheap tests first)."""
    if n == 0:
        return None
    low = text.lower()
    if (("accessed" in low or "reserved" in low) and _FOOTER_ANY.search(text)) \
            or (n <= 30 and _FOOTER_SHORT.search(text)):
        if text.startswith("©") and n <= 12 and not _YEAR.search(text) and "rights" not in low:
            return "credit"  # "© Sputnik / Jane Roe": a photo credit
        return "footer"
    if n <= 30:
        if low.startswith(_SHORT_STARTS) or "sign" in low or "subscri" in low or " app" in low:
            if _PROMO.search(text):
                return "promo"
        if "click" in low and _CLICK_HERE.search(text):
            return "promo" if _PROMO_WORDS.search(text) else "read_more"
        if low.startswith(_SHORT_STARTS):
            if _READ_MORE_CI.search(text) or (n <= 15 and _LINK_LINE.match(text)):
                return "read_more"
        if ":" in text[:20] and _READ_MORE_UPPER.search(text):
            return "read_more"
    if n <= 40 and text[:2] in ("By", "BY") and _byline(text):
        return "byline"
    if n <= 24 and _CRUMB_CHARS.search(text) and _breadcrumb(text):
        return "breadcrumb"
    if n <= 12 and ":" in text and _CREDIT_START.match(text):
        return "credit"
    tail = text[-160:]
    if text.rstrip(". ")[-1:] in ")]" or "/" in tail or "Getty" in tail:
        rule = _credit_rule(text)
        if rule is not None:
            return rule
    if n <= 40 and ("contributed" in low or low.startswith(("reporting", "additional"))) \
            and _QUOTE_RE.search(text) is None and _CONTRIBUTORS.search(text):
        return "contributors"
    if n <= 12 and text[-1] in "—–-):" and _DATELINE.match(text):
        return "dateline"
    return None


# --------------------------------------------------------------------------------------
# the sentence table
# --------------------------------------------------------------------------------------

def _titles_by_doc(sentences: pd.DataFrame, titles: Any) -> tuple[pd.Series | None, str | None]:
    """doc_id -> title, from ``titles`` (corpus, Series or mapping) or a ``title`` column."""
    if titles is None:
        if "title" in sentences.columns:
            t = sentences.drop_duplicates("doc_id").set_index("doc_id")["title"]
            return t, "column"
        return None, None
    if isinstance(titles, pd.DataFrame):
        missing = [c for c in ("doc_id", "title") if c not in titles.columns]
        if missing:
            raise ValueError(f"titles= as a DataFrame needs the columns doc_id and title; missing {missing}")
        t = titles.drop_duplicates("doc_id")
        return pd.Series(t["title"].to_numpy(), index=t["doc_id"].astype(str).to_numpy()), "given"
    if isinstance(titles, pd.Series):
        return titles.set_axis(titles.index.astype(str)), "given"
    if isinstance(titles, Mapping):
        return pd.Series(dict(titles), dtype=object), "given"
    raise TypeError("titles= must be a corpus DataFrame (doc_id, title), a Series or a mapping "
                    f"doc_id -> title, got {type(titles).__name__}")


def find_boilerplate(sentences: pd.DataFrame, *, min_docs: int | None = 5, group: str | None = "outlet",
                     furniture: bool = True, min_words: int = 4,
                     titles: pd.DataFrame | pd.Series | Mapping[str, str] | None = None) -> pd.DataFrame:
    """Flag page furniture and stock lines repeated across an outlet's articles.

    Rules and normalisation are described in :mod:`framing.boilerplate`.  In short: a
    sentence is *furniture* when :func:`is_furniture` names a rule for it, when it equals
    its document's title (``headline``), or when it is a short line after the document's
    last footer line; it is *repeated* when its normalised text occurs in at least
    ``min_docs`` different documents of its ``group`` and it has at least ``min_words``
    words.  Furniture wins when both apply.

    Parameters
    ----------
    sentences : DataFrame
        A sentence table (:func:`framing.split_sentences`); needs ``doc_id``, ``text`` and,
        unless ``group=None``, the ``group`` column.  Sentence order within a document
        comes from ``position`` when present, else from row order.  Not modified.
    min_docs : int or None
        A sentence in at least this many documents of one group is repeated (>= 2).
        ``None`` turns the repeated-line rule off.
    group : str or None
        Column whose values are compared separately (``"outlet"``); ``None``: the whole
        table is one group (so is a table without an ``outlet`` column when ``group`` is
        left at ``"outlet"``; ``attrs["boilerplate"]["group"]`` is then None).
    furniture : bool
        Apply the furniture rules (``False``: repeated lines only).
    min_words : int
        Sentences with fewer words (runs of letters/digits) are never "repeated".
    titles : DataFrame, Series or mapping, optional
        Document titles for the ``headline`` rule: a corpus (``doc_id``, ``title``), or
        ``doc_id -> title``.  By default a ``title`` column of ``sentences`` is used if it
        has one; otherwise the rule is skipped.

    Returns
    -------
    DataFrame
        A copy of ``sentences`` (same rows, index and columns, in order) plus:
        ``boilerplate`` (bool), ``boilerplate_reason`` (``"furniture"``, ``"repeated"`` or
        None), ``boilerplate_rule`` (the furniture rule, ``"repeated"``, or None) and
        ``boilerplate_docs`` (int: documents of the same group holding the same normalised
        sentence, the sentence's own included).  ``attrs["boilerplate"]`` records the
        options and the counts per reason, per rule and per group.

    References
    ----------
    Kohlschütter, Fankhauser & Nejdl (2010), "Boilerplate detection using shallow text
    features", WSDM; line-level deduplication of crawled text as in CCNet (Wenzek et al.,
    2020).

    Examples
    --------
    >>> import pandas as pd
    >>> stock = "The agency was founded by the state in 1950."
    >>> s = pd.DataFrame({
    ...     "doc_id": ["a", "a", "b", "b", "c"], "outlet": ["X", "X", "X", "X", "X"],
    ...     "text": ["Home / World / Europe", stock, "Ships left the port.", stock,
    ...              "By Jane Roe"]})
    >>> out = find_boilerplate(s, min_docs=2)
    >>> out[["boilerplate", "boilerplate_reason", "boilerplate_rule"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [[True, 'furniture', 'breadcrumb'], [True, 'repeated', 'repeated'],
     [False, None, None], [True, 'repeated', 'repeated'], [True, 'furniture', 'byline']]
    >>> out.attrs["boilerplate"]["reasons"]
    {'furniture': 2, 'repeated': 2}
    """
    group = _check_boilerplate_options(sentences, min_docs=min_docs, group=group, min_words=min_words)
    n = len(sentences)
    text = sentences["text"].astype("str").reset_index(drop=True)
    doc = sentences["doc_id"].astype("str").reset_index(drop=True)
    grp = (sentences[group].astype("str").reset_index(drop=True) if group is not None
           else pd.Series(np.zeros(n, dtype=np.int64)))
    # one pass over the distinct texts: normal form, word count, furniture rule
    codes, uniq = pd.factorize(text, sort=False)
    uniq = [str(t) for t in uniq]
    u_norm = [_normalise_one(t) for t in uniq]
    u_words = np.fromiter((len(_WORD.findall(t)) for t in uniq), dtype=np.int64, count=len(uniq))
    norm = pd.Series(np.asarray(u_norm, dtype=object)[codes] if n else [], dtype=object)
    words = u_words[codes] if n else np.zeros(0, dtype=np.int64)
    key, n_docs = _docs_per_line(norm, grp, doc)
    repeated = np.zeros(n, dtype=bool)
    if min_docs is not None and n:
        empty = np.fromiter((not t for t in u_norm), dtype=bool, count=len(uniq))[codes]
        repeated = (n_docs >= min_docs) & (words >= min_words) & ~empty
    rule = np.full(n, None, dtype=object)
    title_source = None
    if furniture and n:
        u_rule = np.array([_furniture(t.strip(), k) if t.strip() else None
                           for t, k in zip(uniq, u_words)], dtype=object)
        pos = (sentences["position"].to_numpy(dtype=np.int64) if "position" in sentences.columns
               else key.groupby("doc", sort=False).cumcount().to_numpy(dtype=np.int64))
        rule = _captions(u_rule[codes], sentences, doc, pos)
        title_map, title_source = _titles_by_doc(sentences, titles)
        rule = _headlines(rule, title_map, doc, norm)
        rule = _trailing_footer(rule, doc, pos, words)
    is_furn = np.array([r is not None for r in rule], dtype=bool)
    flag = is_furn | repeated
    reason = np.where(is_furn, "furniture", np.where(repeated, "repeated", None)).astype(object)
    rule_out = np.where(is_furn, rule, np.where(repeated, "repeated", None)).astype(object)
    reason = np.where(flag, reason, None).astype(object)
    rule_out = np.where(flag, rule_out, None).astype(object)

    out = sentences.copy()
    out["boilerplate"] = flag
    out["boilerplate_reason"] = pd.Series(reason, index=out.index, dtype=object)
    out["boilerplate_rule"] = pd.Series(rule_out, index=out.index, dtype=object)
    out["boilerplate_docs"] = pd.Series(n_docs, index=out.index, dtype="int64")
    by_group = pd.Series(flag).groupby(grp).sum() if n else pd.Series([], dtype="int64")
    attrs = copy.deepcopy(dict(sentences.attrs))
    attrs["boilerplate"] = {
        "min_docs": None if min_docs is None else int(min_docs),
        "group": group,
        "furniture": bool(furniture),
        "min_words": int(min_words),
        "titles": title_source,
        "normalisation": "NFKC, lower case, straight quotes, dashes as '-', whitespace collapsed",
        "sentences": int(n),
        "flagged": int(flag.sum()),
        "reasons": {"furniture": int(is_furn.sum()), "repeated": int((repeated & ~is_furn).sum())},
        "rules": {str(k): int(v) for k, v in pd.Series(rule_out[flag]).value_counts().items()},
        "by_group": ({} if group is None else {str(k): int(v) for k, v in by_group.items()}),
    }
    out.attrs = attrs
    return out


def _check_boilerplate_options(sentences: pd.DataFrame, *, min_docs: int | None, group: str | None,
                               min_words: int) -> str | None:
    """Validate the options of :func:`find_boilerplate`; the group column actually used."""
    if not isinstance(sentences, pd.DataFrame):
        raise TypeError(f"find_boilerplate() expects a sentence DataFrame, got {type(sentences).__name__}")
    if group == "outlet" and "outlet" not in sentences.columns:
        group = None  # the default on a table without outlets: one group
    needed = ["doc_id", "text"] + ([group] if group is not None else [])
    missing = [c for c in needed if c not in sentences.columns]
    if missing:
        raise ValueError(f"sentence table is missing column(s) {missing}")
    if min_docs is not None and (isinstance(min_docs, bool) or int(min_docs) != min_docs or min_docs < 2):
        raise ValueError(f"min_docs must be an integer >= 2 or None, got {min_docs!r}")
    if isinstance(min_words, bool) or int(min_words) != min_words or min_words < 0:
        raise ValueError(f"min_words must be an integer >= 0, got {min_words!r}")
    return group


def _docs_per_line(norm: pd.Series, grp: pd.Series, doc: pd.Series) -> tuple[pd.DataFrame, np.ndarray]:
    """Integer keys (group, normal form, document) per sentence, and for each sentence the
    number of documents of its group holding the same normal form."""
    n = len(norm)
    norm_codes = pd.factorize(norm, sort=False)[0] if n else np.zeros(0, dtype=np.int64)
    key = pd.DataFrame({"g": pd.factorize(grp, sort=False)[0] if n else np.zeros(0, dtype=np.int64),
                        "norm": norm_codes, "doc": pd.factorize(doc, sort=False)[0] if n else norm_codes})
    n_docs = (key[["g", "norm"]].merge(
        key.drop_duplicates().groupby(["g", "norm"], sort=False).size().rename("k").reset_index(),
        on=["g", "norm"], how="left")["k"].to_numpy(dtype=np.int64) if n else np.zeros(0, dtype=np.int64))
    return key, n_docs


def _captions(rule: np.ndarray, sentences: pd.DataFrame, doc: pd.Series, pos: np.ndarray) -> np.ndarray:
    """A short paragraph closed by a credit sentence ("... in Washington. (AFP photo)") is a
    caption, when the document has paragraphs at all."""
    is_credit = np.array([r == "credit" for r in rule], dtype=bool)
    if not (is_credit.any() and "para_id" in sentences.columns):
        return rule
    frame = pd.DataFrame({"doc": doc, "para": sentences["para_id"].to_numpy(), "pos": pos})
    paras_in_doc = frame.groupby("doc", sort=False)["para"].transform("nunique").to_numpy()
    by_para = frame.groupby(["doc", "para"], sort=False)["pos"]
    last = (frame["pos"] == by_para.transform("max")).to_numpy()
    size = by_para.transform("size").to_numpy()
    closes = pd.Series(is_credit & last).groupby([frame["doc"], frame["para"]]).transform("any").to_numpy()
    in_caption = closes & (paras_in_doc > 1) & (size <= CAPTION_SENTENCES) & pd.isna(rule)
    return np.where(in_caption, "caption", rule).astype(object)


def _headlines(rule: np.ndarray, title_map: pd.Series | None, doc: pd.Series, norm: pd.Series) -> np.ndarray:
    """Headline: the sentence equals its document's title."""
    if title_map is None:
        return rule
    tnorm = title_map.dropna().astype("str").map(lambda t: normalise_text(t, strip_punctuation=True))
    tnorm = tnorm[tnorm != ""]
    if not len(tnorm):
        return rule
    doc_title = doc.map(tnorm)
    has = doc_title.notna().to_numpy()
    if not has.any():
        return rule
    snorm = norm[has].str.strip(_EDGE_PUNCT).to_numpy()
    hit = np.zeros(len(rule), dtype=bool)
    hit[np.flatnonzero(has)] = snorm == doc_title[has].to_numpy()
    return np.where(hit & pd.isna(rule), "headline", rule).astype(object)


def _trailing_footer(rule: np.ndarray, doc: pd.Series, pos: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Short lines after the last footer line of a document are footer too."""
    is_footer = np.array([r == "footer" for r in rule], dtype=bool)
    if not is_footer.any():
        return rule
    frame = pd.DataFrame({"doc": doc, "pos": pos})
    last_footer = frame["pos"].where(is_footer).groupby(frame["doc"]).transform("max")
    flagged = np.array([r is not None for r in rule], dtype=bool)
    long_other = (~flagged) & (words > TRAILING_WORDS)
    last_long = frame["pos"].where(long_other).groupby(frame["doc"]).transform("max")
    lf = last_footer.to_numpy(dtype=float)
    ll = last_long.fillna(-1).to_numpy(dtype=float)
    trailing = (~flagged) & ~np.isnan(lf) & (pos > lf) & (ll < lf)
    return np.where(trailing, "footer", rule).astype(object)
