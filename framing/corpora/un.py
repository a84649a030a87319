"""``ungdc``: UN General Debate speeches 1946-2024, UN membership by year and the ES-11/4 votes."""
from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from ..corpus import CorpusError
from ..fetch import RAW_URL
from ._common import _data_file, _file_label

#: the years ``load_corpus("ungdc")`` loads unless ``years=`` says otherwise
DEFAULT_YEARS: tuple[int, ...] = (2021, 2022, 2023, 2024)

# Observer states that speak in the General Debate (not UN members).
_UN_OBSERVERS = {"PSE": "State of Palestine", "VAT": "Holy See"}
# First day of the General Debate of each session (the speech's own day is not in the data).
_GD_OPENING = {76: "2021-09-21", 77: "2022-09-20", 78: "2023-09-19", 79: "2024-09-24"}
_UNGDC_FILE = re.compile(r"^([A-Z]{3})_(\d+)_(\d{4})\.txt$")
_SESSION_DIR = re.compile(r"^Session \d+ - (\d{4})$")
_C1 = re.compile("[\x80-\x9f]")


def _membership_table() -> pd.DataFrame:
    t = pd.read_csv(_data_file("un_members.csv"), keep_default_na=False, dtype=str)
    for c in ("admitted", "member_from", "member_until"):
        t[c] = pd.to_datetime(t[c].replace("", None)).astype("datetime64[ns]")
    return t


def _as_years(year: int | Iterable[int], what: str = "year") -> list[int]:
    values = [year] if isinstance(year, (int, np.integer)) else list(year)
    for y in values:
        if isinstance(y, (bool, np.bool_)) or not isinstance(y, (int, np.integer)):
            raise TypeError(f"{what} must be an int or an iterable of ints, got {y!r}")
    return sorted({int(y) for y in values})


def un_members(year: int | Iterable[int] | None = None) -> pd.DataFrame:
    """UN member states, shipped with framing: today's 193, or the members in given years.

    Each row is one period of membership: ``iso3``, ``name`` (UN short name),
    ``admitted`` (the date of admission in the UN's list of Member States), ``member_from``,
    ``member_until`` (NaT while still a member) and ``note``. Former Members carry the codes
    the UN General Debate Corpus uses: ``CSK`` (Czechoslovakia), ``DDR`` (German Democratic
    Republic), ``YMD`` (Democratic Yemen) and ``YUG`` (Yugoslavia, until GA resolution 47/1
    of 22 September 1992). Syria has two periods (part of the United Arab Republic from
    21 February 1958 to 13 October 1961). Zanzibar (a Member from 16 December 1963 to its
    union with Tanganyika on 26 April 1964) has no ISO code and is not listed.

    Parameters
    ----------
    year : int or iterable of int, optional
        None (default): today's 193 Member States, one row each. A year or several: the
        states that were Members at any time during each year, with a ``year`` column (one
        row per state and year), for joining on ``(iso3, year)``.

    Returns
    -------
    DataFrame

    Notes
    -----
    The 51 original Members date from 1945; ``un_members(1946)`` has 55 rows because
    Afghanistan, Iceland and Sweden (19 November 1946) and Thailand (16 December 1946) were
    admitted during that year. Counting members at any time in a year, a state that left
    during the year is counted too (1958: Syria; 1990: the German Democratic Republic and
    Democratic Yemen). Two differences from the UN's own yearly totals: 1963 lacks
    Zanzibar, and 1993-1999 are one lower because the UN's tally kept the seat of the former
    Yugoslavia until the Federal Republic of Yugoslavia was admitted (1 November 2000).
    Dates follow the UN's list of Member States (https://www.un.org/en/about-us/member-states)
    and its footnotes.

    Examples
    --------
    >>> m = un_members()
    >>> len(m), m["iso3"].is_unique, "VAT" in set(m["iso3"])
    (193, True, False)
    >>> [len(un_members(y)) for y in (1945, 1946, 1960, 1991, 1993, 2024)]
    [51, 55, 99, 166, 183, 193]
    >>> sorted(set(un_members(1990)["iso3"]) - set(un_members(1991)["iso3"]))
    ['DDR', 'YMD']
    """
    t = _membership_table()
    if year is None:
        return t[t["member_until"].isna()].reset_index(drop=True)
    frames = []
    for y in _as_years(year):
        first, last = pd.Timestamp(f"{y}-01-01"), pd.Timestamp(f"{y}-12-31")
        inside = (t["member_from"] <= last) & (t["member_until"].isna() | (t["member_until"] >= first))
        frames.append(t[inside].drop_duplicates("iso3").assign(year=y))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["year", "iso3"], kind="stable").reset_index(drop=True)


def es11_4_votes() -> pd.DataFrame:
    """Votes of the 193 UN members on General Assembly resolution ES-11/4 (12 Oct 2022).

    ES-11/4, "Territorial integrity of Ukraine: defending the principles of the Charter of
    the United Nations", condemned the "attempted illegal annexation" of four Ukrainian
    regions after the September 2022 referendums. Columns ``iso3`` (the codes of
    :func:`un_members` and of the ``ungdc`` corpus's ``outlet``), ``vote`` ("yes", "no",
    "abstain", "not voting") and ``source``: "GA/12458" (UN press release GA/12458 of 12
    October 2022, which lists the 143 in favour, 5 against and 35 abstentions) or
    "secondary source" (the 10 members recorded as not voting, which the press release does
    not list).

    Examples
    --------
    >>> v = es11_4_votes()
    >>> v["vote"].value_counts().to_dict()
    {'yes': 143, 'abstain': 35, 'not voting': 10, 'no': 5}
    >>> set(v["iso3"]) == set(un_members(2022)["iso3"])
    True
    """
    return pd.read_csv(_data_file("es11_4_votes.csv"), keep_default_na=False, dtype=str)


# --------------------------------------------------------------------------- years

def ungdc_years(years: Any) -> list[int] | str | None:
    """The ``years=`` option of ``load_corpus("ungdc")`` in canonical form: None (the default
    years), "all" or sorted ints."""
    if years is None:
        return None
    if isinstance(years, str):
        if years != "all":
            raise ValueError(f"load_corpus('ungdc'): years must be 'all', a year or years, got {years!r}")
        return "all"
    out = _as_years(years, "load_corpus('ungdc'): years")
    if not out:
        raise ValueError("load_corpus('ungdc'): years is empty")
    return out


def _entry_year(entry: Mapping[str, Any]) -> int | None:
    """Year of a speech file (from its ``Session NN - YYYY`` folder), None for other files."""
    p = PurePosixPath(entry["path"])
    if p.suffix != ".txt" or "TXT" not in p.parts:
        return None
    m = _SESSION_DIR.match(p.parent.name) or _UNGDC_FILE.match(p.name)
    return int(m.group(m.lastindex)) if m else None


def select_years(entries: list[dict[str, Any]], years: Iterable[int] | str | None) -> list[dict[str, Any]]:
    """The manifest entries needed for ``years``: the speeches of those years plus the
    files that are not speeches (speaker table, README). ``None``: those of
    :data:`DEFAULT_YEARS` that the manifest holds.

    Raises
    ------
    ValueError
        When a requested year (or, for ``None``, every default year) has no speech in the
        manifest.
    """
    if years == "all":
        return list(entries)
    available = {y for y in map(_entry_year, entries) if y is not None}
    if years is None:
        years = sorted(available & set(DEFAULT_YEARS)) or list(DEFAULT_YEARS)
    missing = sorted(set(years) - available)
    if missing:
        span = f"{min(available)}-{max(available)}" if available else "none"
        raise ValueError(f"load_corpus('ungdc'): no speeches for year(s) {missing} in the manifest "
                         f"(years available: {span})")
    wanted = set(years)
    return [e for e in entries if (y := _entry_year(e)) is None or y in wanted]


# --------------------------------------------------------------------------- loader

def _speakers_table(path: Path, label: str) -> pd.DataFrame:
    raw = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl")
    cols = {re.sub(r"\s+", " ", str(c)).strip().lower(): c for c in raw.columns}
    want = {"year": "year", "session": "session", "iso code": "iso3", "country": "country_upstream",
            "name of person speaking": "speaker", "post": "post"}
    missing = [k for k in want if k not in cols]
    if missing:
        raise CorpusError(f"missing column(s) {missing}; got {list(raw.columns)}", file=label)
    t = pd.DataFrame({new: raw[cols[old]] for old, new in want.items()})
    for c in t.columns:
        t[c] = t[c].str.strip().replace("", pd.NA)
    t = t.dropna(subset=["year", "iso3"])
    t["year"] = pd.to_numeric(t["year"], errors="coerce").astype("Int64")
    t = t.dropna(subset=["year"]).drop_duplicates(["iso3", "year"], keep="first")
    return t.set_index(["iso3", "year"])


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _repair_c1(text: str) -> str:
    r"""Undo the C1 control characters left by PDF extraction in 27 upstream speeches
    (1982-2007): the UTF-8 right quote read as Windows-1252 ("\u00e2\u20ac\x9d") becomes
    "\u201d"; other C1 characters are read as Windows-1252 ("\x97": em dash) or, where that
    code is undefined, removed.

    Examples
    --------
    >>> _repair_c1("in peace\u00e2\u20ac\x9d. relations \x97 the Charter, 'One UN'\x9d")
    "in peace\u201d. relations \u2014 the Charter, 'One UN'"
    """
    if not _C1.search(text):
        return text
    text = text.replace("\u00e2\u20ac\x9d", "\u201d")

    def cp1252(m: re.Match) -> str:
        try:
            return bytes([ord(m.group())]).decode("cp1252")
        except UnicodeDecodeError:
            return ""

    return _C1.sub(cp1252, text)


def _membership_code(iso3: str, year: int) -> str:
    """The code under which a speech's state appears in :func:`un_members`: UNGDC codes the
    Federal Republic of Yugoslavia (a Member from 1 Nov 2000, continued by Serbia) ``YUG``."""
    return "SRB" if iso3 == "YUG" and year >= 2000 else iso3


class _Lookups:
    """The shipped tables the ungdc rows are joined with, read once per load."""

    def __init__(self, years: Iterable[int]) -> None:
        years = sorted(set(years))
        members = un_members(years) if years else un_members().assign(year=0)
        current = un_members()
        self.member_years = set(zip(members["iso3"], members["year"]))
        self.names = {**dict(zip(members["iso3"], members["name"])), **dict(zip(current["iso3"], current["name"]))}
        self.current = set(current["iso3"])
        self.votes = es11_4_votes().set_index("iso3")


def _bad_name(label: str) -> dict[str, Any]:
    return {"source": label, "row": 1, "column": "file name", "reason": "file name is not ISO3_SESSION_YEAR.txt",
            "check": "bad_file_name", "doc_id": None, "outlet": None, "published": pd.NaT, "title": None,
            "url": None, "duplicate_of": None}


def _speech_row(entry: Mapping[str, Any], path: Path, m: re.Match, look: _Lookups,
                speakers: pd.DataFrame | None) -> dict[str, Any]:
    label = _file_label(entry)
    iso3, session, year = m.group(1), int(m.group(2)), int(m.group(3))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"not UTF-8 text ({exc})", file=label) from None
    is_member = (_membership_code(iso3, year), year) in look.member_years
    country = look.names.get(iso3) or _UN_OBSERVERS.get(iso3)
    speaker = post = None
    if speakers is not None and (iso3, year) in speakers.index:
        s = speakers.loc[(iso3, year)]
        speaker, post = s["speaker"], s["post"]
        country = country or s["country_upstream"]
    has_vote = iso3 in look.current  # the state's 2022 vote, attached to every year
    return {
        "doc_id": f"{iso3}-{year}", "outlet": iso3,
        "published": pd.Timestamp(_GD_OPENING.get(session, f"{year}-09-01")),
        "title": f"{country or iso3}: General Debate, {_ordinal(session)} session ({year})",
        "text": _repair_c1(text.replace("\r\n", "\n").strip()),
        "url": RAW_URL.format(owner=entry["owner"], repo=entry["repo"], commit=entry["commit"],
                              path=urllib.parse.quote(entry["path"], safe="/")),
        "lang": "en", "country": country, "year": year, "session": session, "speaker": speaker, "post": post,
        "un_member": is_member,
        "es11_4_vote": look.votes["vote"].get(iso3) if has_vote else None,
        "es11_4_vote_source": look.votes["source"].get(iso3) if has_vote else None,
        "file": label, "_source": label, "_row": 1,
    }


def _load_ungdc(files: list[tuple[dict[str, Any], Path]], *,
                years: Iterable[int] | str | None = None) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    speakers = None
    for entry, path in files:
        if entry["path"].endswith("Speakers_by_session.xlsx"):
            speakers = _speakers_table(path, _file_label(entry))
    keep = {id(e) for e in select_years([e for e, _ in files], years)}
    speeches = [(e, p) for e, p in files if id(e) in keep and _entry_year(e) is not None]
    look = _Lookups({_entry_year(e) for e, _ in speeches})
    rows, dropped = [], []
    for entry, path in speeches:
        m = _UNGDC_FILE.match(PurePosixPath(entry["path"]).name)
        if not m:
            dropped.append(_bad_name(_file_label(entry)))
            continue
        rows.append(_speech_row(entry, path, m, look, speakers))
    df = pd.DataFrame(rows)
    df["published"] = df["published"].astype("datetime64[ns]")
    for c in ("year", "session"):
        df[c] = df[c].astype("int64")
    df["un_member"] = df["un_member"].astype(bool)
    for c in ("speaker", "post", "es11_4_vote", "es11_4_vote_source", "country"):
        df[c] = df[c].astype("str")
    df = df.sort_values(["year", "outlet"], kind="stable").reset_index(drop=True)
    return df, dropped
