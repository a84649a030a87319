"""The package's one tokenizer and its one phrase rule (core stage).

Every lexical count in ``framing`` (term counts and Fightin' Words, marker rates per 1,000
words, document lengths) splits text with :func:`tokenize`, and every phrase search (a
``select(query=)``, a :func:`framing.concordance` term, a lexicon marker) is built by
:func:`phrase_regex`, so a word is the same word everywhere.

Tokens
------
- A token is a run of word characters (letters, digits, ``_``; any script) that may continue
  through internal hyphens ("so-called", "pro-russian") and apostrophes ("don't"), or an
  abbreviation of single letters with full stops ("U.S.", "e.g.").
- A trailing possessive ``'s`` is dropped ("Russia's" gives "russia"); typographic
  apostrophes and hyphens count as ASCII ones.
- **Abbreviations.** Outlets spell some abbreviations with full stops (AP style: "U.S.",
  "U.N.") and others without (RT, Reuters headlines: "US", "UN"). The undotted all-capital
  forms in :data:`ABBREVIATIONS` (``US``, ``UK``, ``UN``, ``EU``, ``USA``, ``USSR``) are read as
  their dotted forms, so "US" and "U.S." are one token, ``"u.s."``, which never collides with
  the pronoun "us" (nor "un", "eu"... in other words). Only the exact capital form is
  rewritten: "Us" and "us" stay the pronoun. A hyphen does not glue a word to a following
  abbreviation: "anti-U.S." and "anti-US" both give "anti", "u.s."; "US-led" gives "u.s.",
  "led" like "U.S.-led". Limitation: in a headline set in capitals, the pronoun "US" ("JOIN
  US") is read as the country.

Phrases
-------
:func:`phrase_regex` matches a word or phrase on token boundaries: not inside a longer word
("war" does not match "toward"), but possessives and hyphenated compounds count ("Kyiv's",
"Kiev-based"); a space matches any whitespace, a hyphen or apostrophe its typographic
variants, and ``*`` right after a letter or digit is a prefix wildcard ("veto*").
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

__all__ = ["TOKEN_PATTERN", "ABBREVIATIONS", "LexicalError", "normalize_punctuation", "tokenize",
           "count_tokens", "literal_regex", "phrase_regex", "text_column"]


class LexicalError(ValueError):
    """Bad input to a lexical function (missing column, unknown group, bad option or pattern)."""


#: Undotted all-capital abbreviations read as their dotted form (see the module docstring).
ABBREVIATIONS: dict[str, str] = {"US": "U.S.", "UK": "U.K.", "UN": "U.N.", "EU": "E.U.", "USA": "U.S.A.",
                                 "USSR": "U.S.S.R."}

_ABBR = r"(?:[^\W\d_]\.){2,}"
#: Token pattern applied after :func:`normalize_punctuation` and the abbreviation rule. A token
#: is an abbreviation of single letters with full stops ("U.S.", "e.g.") or a run of word
#: characters continued through internal hyphens (not into an abbreviation) and internal
#: apostrophes; a trailing possessive ``'s`` is not part of it. Group 1 is the token.
TOKEN_PATTERN = rf"({_ABBR}|\w+(?:-(?!(?:[^\W\d_]\.){{2}})\w+|'(?![sS]\b)\w+)*)(?:'[sS]\b)?"
_TOKEN_RE = re.compile(TOKEN_PATTERN)
_UNDOTTED_RE = re.compile(r"(?<!\w)(" + "|".join(sorted(ABBREVIATIONS, key=len, reverse=True)) + r")(?!\w)")

# typographic apostrophes / hyphens folded to ASCII before matching
_FOLD = (("\u2019", "'"), ("\u2018", "'"), ("\u02bc", "'"), ("\u2010", "-"), ("\u2011", "-"))


def normalize_punctuation(text: str) -> str:
    """Fold typographic apostrophes (’ ‘ ʼ) to ``'`` and Unicode hyphens (‐ ‑) to ``-``.

    Character offsets are unchanged (each replacement is one character for one).

    Examples
    --------
    >>> normalize_punctuation("Kyiv’s so‑called")
    "Kyiv's so-called"
    """
    for a, b in _FOLD:
        if a in text:
            text = text.replace(a, b)
    return text


def tokenize(text: str, *, lowercase: bool = True) -> list[str]:
    """Split a text into word tokens, the way every lexical count in ``framing`` does.

    Rules (module docstring; :data:`TOKEN_PATTERN`, :data:`ABBREVIATIONS`):

    - tokens are runs of letters/digits (any script; ``_`` counts as a letter), or
      abbreviations of single letters with full stops: "U.S." gives "u.s." (not "u", "s");
    - the undotted capitals "US", "UK", "UN", "EU" (and "USA", "USSR") give the same token
      as their dotted form, distinct from the pronoun "us";
    - hyphenated words stay whole: "so-called", "Kiev-based";
    - internal apostrophes stay: "don't", "o'clock"; typographic apostrophes count as ``'``;
    - the possessive ``'s`` is dropped: "Russia's" and "Russia’s" give "russia" (so "it's"
      gives "it" too); a plural possessive "states'" gives "states";
    - punctuation, quotes and whitespace separate tokens and are dropped.

    Parameters
    ----------
    text : str
        The text.
    lowercase : bool
        Lower-case the tokens (default True).

    Returns
    -------
    list of str

    Examples
    --------
    >>> tokenize("Russia's so-called ‘referendums’ in Kyiv’s suburbs don't count for the U.S.")
    ['russia', 'so-called', 'referendums', 'in', 'kyiv', 'suburbs', "don't", 'count', 'for', 'the', 'u.s.']
    >>> tokenize("The US told us; the U.S. told us.")
    ['the', 'u.s.', 'told', 'us', 'the', 'u.s.', 'told', 'us']
    >>> tokenize("Kiev-based", lowercase=False)
    ['Kiev-based']
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize() needs a str, got {type(text).__name__}")
    text = normalize_punctuation(text)
    if any(a in text for a in ("US", "UK", "UN", "EU")):
        text = _UNDOTTED_RE.sub(lambda m: ABBREVIATIONS[m.group(1)], text)
    if lowercase:
        text = text.lower()
    return _TOKEN_RE.findall(text)


def count_tokens(text: str) -> int:
    """Number of :func:`tokenize` tokens of a text (the word count behind every rate).

    Examples
    --------
    >>> count_tokens("The U.S. and the UN's plan.")
    6
    """
    return len(tokenize(text, lowercase=False))


def text_column(table: pd.DataFrame, column: str = "text", *, caller: str) -> list[str]:
    """The ``column`` of a corpus table as a list of str; a :class:`LexicalError` naming the
    first document (``doc_id``, else row) whose value is not a string.

    Examples
    --------
    >>> text_column(pd.DataFrame({"text": ["a b", "c"]}), caller="demo")
    ['a b', 'c']
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{caller}: corpus must be a pandas DataFrame, got {type(table).__name__}")
    if column not in table.columns:
        raise LexicalError(f"{caller}: the corpus has no column {column!r}")
    values = table[column].tolist()
    for i, t in enumerate(values):
        if not isinstance(t, str):
            where = f"doc_id {table['doc_id'].iloc[i]!r}" if "doc_id" in table.columns else f"row {i}"
            raise LexicalError(f"{caller}: {where}, column {column!r}: expected text, got {t!r}")
    return values


def literal_regex(variant: str) -> str:
    """Regex source of a literal phrase: whitespace runs match any whitespace, a hyphen any of
    ``- ‐ ‑``, an apostrophe any of ``' ’ ʼ``; everything else is escaped.

    Examples
    --------
    >>> bool(re.fullmatch(literal_regex("so-called  vote"), "so‑called vote"))
    True
    """
    out, space = [], False
    for ch in variant:
        if ch.isspace():
            if not space:
                out.append(r"\s+")
            space = True
            continue
        space = False
        if ch in "-\u2010\u2011":
            out.append("[-\u2010\u2011]")
        elif ch in "'\u2019\u02bc":
            out.append("['\u2019\u02bc]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def phrase_regex(variants: Iterable[str], *, regex: bool = False) -> str:
    """Regex source matching any of ``variants`` on token boundaries (module docstring).

    Case is left to the caller's flags. **Wildcard** (unless ``regex=True``): a ``*`` right
    after a letter or digit stands for any further letters or digits of that word
    (``veto*`` matches "veto", "vetoes" and "vetoed"; ``"sham vote*"`` matches "sham
    votes"). Any other ``*`` (alone, first in a word, inside a word) is an error: use
    ``regex=True`` and ``\\*`` for a literal asterisk. This is the one rule of
    :func:`framing.select` (``query=``), :func:`framing.concordance` (a plain term) and the
    lexicon markers of :mod:`framing.markers`. Longer variants are tried first.

    Raises
    ------
    LexicalError
        (a ``ValueError``) for empty variants or a misplaced ``*``.

    Examples
    --------
    >>> p = re.compile(phrase_regex(["so-called", "so called"]), re.IGNORECASE)
    >>> [m.group() for m in p.finditer("So‑called votes, so called polls, not-so-calledness")]
    ['So‑called', 'so called']
    >>> p = re.compile(phrase_regex(["veto*"]), re.IGNORECASE)
    >>> [m.group() for m in p.finditer("Russia vetoed it; vetoes, a veto, no avetoes.")]
    ['vetoed', 'vetoes', 'veto']
    """
    variants = [v.strip() for v in variants]
    if not variants or not all(variants):
        raise LexicalError(f"phrase_regex: need non-empty variants, got {variants!r}")
    ordered = sorted(variants, key=len, reverse=True)
    if regex:
        bodies = [f"(?:{v})" for v in ordered]
    else:
        bad = [v for v in variants if re.search(r"(?<!\w)\*|\*(?=\w)", v)]
        if bad:
            raise LexicalError(f"phrase_regex: {bad[0]!r}: '*' is a wildcard only right after a "
                               "letter or digit at the end of a word (veto*); for a literal '*' "
                               "use regex=True and '\\*'")
        bodies = [r"\w*".join(literal_regex(part) for part in v.split("*")) for v in ordered]
    return rf"(?<!\w)(?:{'|'.join(bodies)})(?!\w)"
