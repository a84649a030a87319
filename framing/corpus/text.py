"""Checks of one field's characters: markup, entities, mojibake, control characters, boilerplate.

Used by :func:`framing.corpus.validate_corpus` (errors) and for the non-fatal suspicions it
writes into the ``warnings`` column (:func:`_text_warnings`).
"""
from __future__ import annotations

import html.entities
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import numpy as np

from .schema import _is_missing

_TAG_NAMES = ("p|div|span|br|hr|a|script|style|img|iframe|ul|ol|li|table|tr|td|th|tbody|thead|"
              "h[1-6]|strong|em|b|i|u|meta|link|html|body|head|section|article|aside|figure|"
              "figcaption|noscript|button|form|input|nav|header|footer|blockquote|svg|picture|"
              "source|video|time|label|select|option")
_TAG_RE = re.compile(rf"<!--|</?(?:{_TAG_NAMES})(?:\s[^<>]{{0,500}})?/?>", re.IGNORECASE)
_ENTITY_RE = re.compile(r"&(?:#[0-9]{2,7}|#[xX][0-9a-fA-F]{2,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_HTML5_ENTITIES = frozenset(k for k in html.entities.html5 if k.endswith(";"))
_BOILERPLATE_RE = re.compile(
    r"subscribe to (?:our|the) (?:\w+ )?newsletter|sign up (?:for|to) (?:our|the) (?:\w+ )?newsletter"
    r"|\bclick here\b|\bwe use cookies\b|\b(?:accept|manage|reject) (?:all )?cookies\b"
    r"|\bcookie (?:policy|settings|preferences|consent)\b|\ball rights reserved\b"
    r"|^\s*advertisement\s*$|\bshare (?:this|on) (?:article|story|page|facebook|twitter)\b"
    r"|\bfollow us on (?:twitter|facebook|instagram|x)\b|\benable javascript\b"
    r"|\bjavascript (?:is )?(?:disabled|required)\b|^\s*(?:read more|related articles?)\s*:?\s*$",
    re.IGNORECASE | re.MULTILINE)
_BOILERPLATE_HINTS = ("newsletter", "click here", "cookie", "rights reserved", "advertisement",
                      "share this", "share on", "follow us", "javascript", "read more",
                      "related article")
#: A boilerplate phrase counts only on a short line or near the start/end of the text.
_BOILERPLATE_LINE = 200
_BOILERPLATE_EDGE = 300


def _html_tag(text: str) -> str | None:
    if "<" not in text:
        return None
    m = _TAG_RE.search(text)
    return m.group(0)[:40] if m else None


def _text_warnings(text: str, title: str) -> list[str]:
    """Non-fatal suspicions about one document (conservative by design)."""
    out: list[str] = []
    if "&" in text:
        for m in _ENTITY_RE.finditer(text):
            name = m.group(0)[1:]
            if name.startswith("#") or name in _HTML5_ENTITIES:
                out.append(f"HTML entity {m.group(0)!r} in text")
                break
    tag = _html_tag(title) if "<" in title else None
    if tag:
        out.append(f"HTML markup {tag!r} in title")
    for name, value in (("text", text), ("title", title)):
        bad = _mojibake(value)
        if bad:
            out.append(f"possible mojibake {bad[0]!r} in {name} (UTF-8 {bad[1]!r} read in "
                       "another encoding)")
            break
    lower = text.lower()
    if not any(h in lower for h in _BOILERPLATE_HINTS):  # cheap test before the regex
        return out
    n = len(text)
    for m in _BOILERPLATE_RE.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        end = n if end < 0 else end
        if end - start <= _BOILERPLATE_LINE:
            where = "on a short line"
        elif m.start() < _BOILERPLATE_EDGE:
            where = "near the start of the text"
        elif m.end() > n - _BOILERPLATE_EDGE:
            where = "near the end of the text"
        else:
            continue
        out.append(f"possible boilerplate {m.group(0).strip()[:60]!r} {where}")
        break
    return out


def _first_line_with(text: str, char: str) -> int:
    return text.count("\n", 0, text.find(char)) + 1


_SURROGATE = re.compile("[\ud800-\udfff]")
#: C0/C1 control characters; text and title may hold tab, newline, vertical tab, form feed, CR
_CONTROL_TEXT = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_CONTROL_ID = re.compile("[\x00-\x1f\x7f-\x9f]")
#: Invisible format characters removed from the ends of doc_id, outlet and lang (with a
#: warning): soft hyphen, zero-width space/joiners, direction marks, word joiner, BOM.
_INVISIBLE = "\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff"
_EDGE_INVISIBLE = re.compile(f"^[\\s{_INVISIBLE}]+|[\\s{_INVISIBLE}]+$")
#: A UTF-8 lead byte followed by continuation bytes, as they look when UTF-8 is read as
#: Windows-1252 or Latin-1 ("cafÃ©", "donâ€™t").
_MOJIBAKE_RUN = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
                           "\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022"
                           "\u2026\u2030\u2039\u203a\u20ac\u2122]+")


def _mojibake(text: str) -> tuple[str, str] | None:
    """First stretch of ``text`` that is UTF-8 read as Windows-1252/Latin-1: (as read, as meant)."""
    if text.isascii():
        return None
    for m in _MOJIBAKE_RUN.finditer(text):
        run = m.group(0)
        for k in range(len(run), 1, -1):
            for enc in ("cp1252", "latin-1"):
                try:
                    return run[:k], run[:k].encode(enc).decode("utf-8")
                except UnicodeError:
                    continue
    return None


def _blank(text: str) -> bool:
    """Empty, only whitespace, or only invisible format characters (zero-width space, BOM)."""
    if not text.strip():
        return True
    if text.isascii():
        return False
    return all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in text)


def _type_problem(value: Any, column: str) -> str | None:
    """A schema string field holding something that is not text (a JSON list, object, ...)."""
    if isinstance(value, (str, bytes)) or _is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return f"{column} is a boolean ({value!r}), not a string"
    if isinstance(value, (list, tuple, set, dict, np.ndarray, Mapping)):
        kind = {"list": "a list", "tuple": "a list", "ndarray": "a list", "set": "a set"}.get(
            type(value).__name__, "an object")
        shown = repr(value.tolist() if isinstance(value, np.ndarray) else value)
        return (f"{column} is {kind} ({shown[:60]}{'...' if len(shown) > 60 else ''}), not a "
                "string; join or pick the text before reading")
    if column == "text" and isinstance(value, (int, float, np.integer, np.floating)):
        return f"text is a number ({value!r}), not a string"
    return None


def _char_problem(value: str, column: str) -> tuple[str, str] | None:
    """(reason, check) for a lone surrogate or a control character in a string field."""
    m = _SURROGATE.search(value)
    if m:
        return (f"invalid Unicode in {column}: lone surrogate {m.group(0)!r} at character "
                f"{m.start() + 1} (not encodable as UTF-8)", "invalid_unicode")
    m = (_CONTROL_TEXT if column in ("text", "title") else _CONTROL_ID).search(value)
    if m:
        ch = m.group(0)
        hint = (" (C1 control characters usually mean Windows-1252 text read as Latin-1: try "
                "encoding='cp1252')" if "\x80" <= ch <= "\x9f" else "")
        return (f"control character {ch!r} (U+{ord(ch):04X}) in {column} at character "
                f"{m.start() + 1}{hint}", "control_character")
    return None
