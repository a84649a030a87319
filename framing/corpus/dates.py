"""The one date rule of the corpus: ISO 8601, month names, partial dates, explicit day order.

:func:`_parse_dates` parses a ``published`` column for :func:`framing.corpus.validate_corpus`,
whose docstring states the rule.
"""
from __future__ import annotations

import datetime as _dt
import re
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .schema import _is_missing

__all__ = ["PRECISIONS"]

_NO_DIGIT = re.compile(r"^\D*$")

#: Precision of a ``published`` value, stored in ``published_precision`` when any date of a
#: corpus is coarser than a day.
PRECISIONS: tuple[str, ...] = ("day", "month", "year")
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2}

_TIME = (r"(?:(?:T|\s+|,\s*)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?"
         r"(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?)?")
_ISO_DAY = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})" + _TIME + r"$", re.IGNORECASE)
_ISO_BASIC = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_YMD_OTHER = re.compile(r"^(?P<y>\d{4})(?P<sep>[/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})" + _TIME + r"$",
                        re.IGNORECASE)
_NUMERIC_DMY = re.compile(r"^(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})"
                          + _TIME + r"$", re.IGNORECASE)
_YEAR_MONTH = re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(?P<m>\d{1,2})[-/.](?P<y>\d{4})$")
_YEAR = re.compile(r"^(?P<y>\d{4})$")
_MONTH_NAME = re.compile(r"(?<![a-z])(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|"
                         r"july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|"
                         r"dec(?:ember)?)\.?(?![a-z])", re.IGNORECASE)
_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")
#: datetime64[ns] covers 1677-09-21 to 2262-04-11; whole years inside that range are accepted
_YEAR_RANGE = (1678, 2261)


class _Date:
    """One parsed ``published`` value: status 0 ok, 1 missing, 2 unparseable, 3 ambiguous."""

    __slots__ = ("status", "day", "precision", "reason")

    def __init__(self, status: int, day: Any = None, precision: str = "", reason: str = "") -> None:
        self.status, self.day, self.precision, self.reason = status, day, precision, reason


def _date_of(y: int, m: int, d: int, precision: str, raw: str, match: re.Match | None = None) -> _Date:
    if not _YEAR_RANGE[0] <= y <= _YEAR_RANGE[1]:
        return _Date(2, reason=f"unparseable date {raw!r} (year outside {_YEAR_RANGE[0]}-{_YEAR_RANGE[1]})")
    try:
        day = _dt.date(y, m, d)
    except ValueError:
        return _Date(2, reason=f"unparseable date {raw!r} (no such day)")
    if match is not None and match.groupdict().get("H") is not None:
        h, mi = int(match.group("H")), int(match.group("M"))
        s = int(match.group("S") or 0)
        if h > 24 or mi > 59 or s > 60 or (h == 24 and (mi or s)):
            return _Date(2, reason=f"unparseable date {raw!r} (no such time)")
    return _Date(0, np.datetime64(day.isoformat(), "ns"), precision)


def _format_precision(date_format: str) -> str:
    """Precision a ``strftime`` format gives: a day directive -> day, a month -> month, else year."""
    if re.search(r"%-?[dejcxFD]", date_format):
        return "day"
    if re.search(r"%-?[mbBh]", date_format):
        return "month"
    return "year"


def _parse_date_str(sv: str, *, date_format: str | None, dayfirst: bool | None) -> _Date:
    """Parse one stripped, non-empty date string by the one rule (see validate_corpus)."""
    if _NO_DIGIT.match(sv):  # "now", "today" would parse to the date of the run
        return _Date(2, reason=f"unparseable date {sv!r}")
    if date_format:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ts = pd.to_datetime(sv, format=date_format, exact=True)
        except (ValueError, TypeError, OverflowError):
            return _Date(2, reason=f"unparseable date {sv!r} (expected format {date_format!r})")
        if ts is pd.NaT or pd.isna(ts):
            return _Date(2, reason=f"unparseable date {sv!r} (expected format {date_format!r})")
        return _date_of(ts.year, ts.month, ts.day, _format_precision(date_format), sv)
    for pattern in (_ISO_DAY, _ISO_BASIC, _YMD_OTHER):
        m = pattern.match(sv)
        if m:
            return _date_of(int(m["y"]), int(m["m"]), int(m["d"]), "day", sv, m)
    m = _YEAR_MONTH.match(sv) or _MONTH_YEAR.match(sv)
    if m:
        return _date_of(int(m["y"]), int(m["m"]), 1, "month", sv)
    m = _YEAR.match(sv)
    if m:
        return _date_of(int(m["y"]), 1, 1, "year", sv)
    m = _NUMERIC_DMY.match(sv)
    if m:
        if len(m["y"]) == 2:
            return _Date(3, reason=f"ambiguous date {sv!r}: two-digit year; give date_format= "
                                   "(e.g. '%d/%m/%y')")
        if dayfirst is None:
            return _Date(3, reason=f"ambiguous date {sv!r}: numeric dates other than ISO 8601 "
                                   "(YYYY-MM-DD) need dayfirst=True (day first) or dayfirst=False "
                                   "(month first), or date_format=")
        a, b = int(m["a"]), int(m["b"])
        d, mo = (a, b) if dayfirst else (b, a)
        out = _date_of(int(m["y"]), mo, d, "day", sv, m)
        if out.status == 2 and mo > 12:
            out.reason = (f"unparseable date {sv!r} (month {mo} with dayfirst={dayfirst}; the "
                          "column may mix day-first and month-first dates)")
        return out
    if _MONTH_NAME.search(sv):
        if not _FOUR_DIGITS.search(sv):
            return _Date(2, reason=f"unparseable date {sv!r} (no four-digit year)")
        from dateutil import parser as _dp

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                a = _dp.parse(sv, default=_dt.datetime(2000, 1, 1))
                b = _dp.parse(sv, default=_dt.datetime(2001, 2, 2))
        except (ValueError, OverflowError, TypeError):
            return _Date(2, reason=f"unparseable date {sv!r}")
        if a.year != b.year or a.month != b.month:  # a month name must give the month
            return _Date(2, reason=f"unparseable date {sv!r}")
        return _date_of(a.year, a.month, a.day if a.day == b.day else 1,
                        "day" if a.day == b.day else "month", sv)
    return _Date(2, reason=f"unparseable date {sv!r} (not ISO 8601 YYYY-MM-DD; give date_format= "
                           "for other forms)")


def _parse_dates(values: pd.Series, date_format: str | None, dayfirst: bool | None = None,
                 ) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray, list[str]]:
    """Parse a date column by the one rule of :func:`validate_corpus`.

    Returns (datetime64[ns] days, status, raw strings, precision, reason): status 0 ok,
    1 missing, 2 unparseable, 3 ambiguous; precision ``"day"``, ``"month"``, ``"year"``
    (``""`` where there is no date); reason the message for status 2 and 3. Time zones
    are dropped keeping the wall-clock date as written (a story stamped 23:30-05:00 is
    dated that day, not the UTC day). A partial date is stored as the first day of its
    month or year.
    """
    n = len(values)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    status = np.zeros(n, dtype=np.int8)
    raw = [""] * n
    precision = np.full(n, "", dtype=object)
    reasons = [""] * n
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        s = values
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_localize(None)
        try:
            arr = s.dt.normalize().astype("datetime64[ns]").to_numpy()
        except (ValueError, OverflowError):  # outside the datetime64[ns] range: go value by value
            values = s.astype(object)
        else:
            missing = np.isnat(arr)
            out[:] = arr
            status[missing] = 1
            precision[~missing] = "day"
            raw = ["" if m else str(v)[:10] for m, v in zip(missing, arr, strict=True)]
            return out, status, raw, precision, reasons
    todo: dict[str, list[int]] = {}
    for i, v in enumerate(values.tolist()):
        if _is_missing(v):
            status[i] = 1
            continue
        if isinstance(v, (_dt.date, np.datetime64)):  # includes datetime and Timestamp
            raw[i] = str(v)
            try:
                ts = pd.Timestamp(v)
                if ts.tzinfo is not None:
                    ts = ts.tz_localize(None)
                out[i] = ts.as_unit("ns").normalize().to_datetime64()
                precision[i] = "day"
            except (ValueError, OverflowError):
                status[i] = 2
                reasons[i] = f"unparseable date {raw[i]!r} (outside the datetime64[ns] range)"
            continue
        if isinstance(v, bool) or isinstance(v, (float, np.floating)) and not float(v).is_integer():
            raw[i] = str(v)
            status[i] = 2
            reasons[i] = f"unparseable date {v!r}"
            continue
        if isinstance(v, (float, np.floating)):
            v = int(v)
        sv = str(v).strip()
        raw[i] = str(v)
        if not sv:
            status[i] = 1
            continue
        todo.setdefault(sv, []).append(i)
    for sv, idx in todo.items():
        d = _parse_date_str(sv, date_format=date_format, dayfirst=dayfirst)
        status[idx] = d.status
        if d.status == 0:
            out[idx] = d.day
            precision[idx] = d.precision
        else:
            for i in idx:
                reasons[i] = d.reason if raw[i].strip() == raw[i] else d.reason.replace(
                    repr(sv), repr(raw[i]), 1)
    if (status == 3).any() and dayfirst is None and not date_format:
        hint = _dayfirst_hint(todo)
        if hint:
            for i in np.flatnonzero(status == 3):
                if "two-digit" not in reasons[i]:
                    reasons[i] += f" ({hint})"
    return out, status, raw, precision, reasons


def _dayfirst_hint(values: Iterable[str]) -> str:
    """What the column's numeric dates say about their order, for the ambiguous-date message."""
    day_first = month_first = None
    for sv in values:
        m = _NUMERIC_DMY.match(sv)
        if not m:
            continue
        a, b = int(m["a"]), int(m["b"])
        if a > 12 and b <= 12 and day_first is None:
            day_first = sv
        elif b > 12 and a <= 12 and month_first is None:
            month_first = sv
    if day_first and month_first:
        return (f"the column mixes day-first ({day_first!r}) and month-first ({month_first!r}) "
                "dates")
    if day_first:
        return f"{day_first!r} in this column can only be day first: dayfirst=True"
    if month_first:
        return f"{month_first!r} in this column can only be month first: dayfirst=False"
    return ""
