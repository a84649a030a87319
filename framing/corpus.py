"""Corpus model: one table schema for documents, reading, validation, duplicates, selection.

A *corpus* is a :class:`pandas.DataFrame` with one row per document and these columns
(:data:`SCHEMA`):

=============  ===============================================================
``doc_id``     unique string id of the document
``outlet``     the source (a newspaper, a state, ...), string
``published``  publication date, ``datetime64[ns]`` (day resolution, naive; a partial
               date is the first day of its month or year, and the column
               ``published_precision`` then says ``"day"``, ``"month"`` or ``"year"``)
``title``      string ("" when unknown)
``text``       the full text, non-empty string
``url``        string ("" when unknown)
``lang``       ISO 639-1 code, e.g. ``"en"``
=============  ===============================================================

Any further columns are free metadata and are carried along untouched.
:func:`validate_corpus` adds one more, ``warnings`` (string, ``""`` when all is well), for
suspicions that do not justify dropping a document (an HTML entity such as ``&nbsp;``, a
"Subscribe to our newsletter" line); see :func:`validate_corpus` for what is an error and
what is a warning.

Provenance travels in ``corpus.attrs`` (pandas' metadata dict):

- ``attrs["dropped"]``: DataFrame of the rows that were dropped, with at least the
  columns ``source`` (file), ``row`` (1-based data row in that file), ``column``,
  ``reason`` plus whatever fields were read. Use :func:`dropped_rows` to get it and
  :func:`drop_summary` for counts per kind of problem (column ``check``).
- ``attrs["selection"]``: list of dicts, one per selection step, recording how the
  corpus was narrowed (see :func:`select` and :func:`drop_duplicates`).
- ``attrs["provenance"]``: free dict (source files, checksums, loader parameters).

Functions here never modify the DataFrame they are given; they return new frames whose
``attrs`` are built deliberately (pandas does not carry ``attrs`` through every
operation, e.g. not through ``pd.concat`` of frames with different ``attrs``).

Reading functions: :func:`read_corpus` (CSV/TSV, JSON lines, JSON, Parquet, a folder of
``.txt`` files, a folder of saved HTML pages). Duplicates: :func:`find_duplicates`,
:func:`drop_duplicates`. Narrowing: :func:`select`. Combining: :func:`concat_corpora`
(keeps every part's dropped rows, selection steps and provenance). Saving:
:func:`framing.export_corpus` writes ``attrs`` with the file (:func:`export_metadata`) and
:func:`read_corpus` restores them.

Bad input is never changed silently: every problem is an error naming file, row and
column (``errors="raise"``), a dropped row with its reason (``errors="drop"``), or a
documented normalisation announced by a :class:`CorpusWarning` with counts. See
:func:`validate_corpus` for the checks and :func:`read_corpus` for what the readers check
(fields per CSV row, repeated column names, byte-order marks, encodings, JSON records).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import html.entities
import io
import json
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = [
    "SCHEMA", "DROPPED_COLUMNS", "CorpusError", "CorpusWarning", "read_corpus",
    "validate_corpus", "dropped_rows", "drop_summary", "find_duplicates",
    "drop_duplicates", "select", "concat_corpora", "export_metadata", "PRECISIONS",
]

SCHEMA: tuple[str, ...] = ("doc_id", "outlet", "published", "title", "text", "url", "lang")
DROPPED_COLUMNS: tuple[str, ...] = ("source", "row", "column", "reason")

#: Columns every corpus must have; ``title``, ``url`` and ``lang`` are filled with ``""``.
REQUIRED: tuple[str, ...] = ("doc_id", "outlet", "published", "text")
_STRING_FIELDS: tuple[str, ...] = ("doc_id", "outlet", "title", "text", "url", "lang")
#: Private per-row provenance columns understood by :func:`validate_corpus`.
_ROW_COLUMNS: tuple[str, ...] = ("_source", "_row", "_file")
#: Extra column of dropped-row tables: the kind of problem, for :func:`drop_summary`.
_CHECK = "check"
#: Added by validate_corpus when some ``published`` date is partial (a month or a year).
_PRECISION_COLUMN = "published_precision"

Errors = Literal["raise", "drop"]


class CorpusError(ValueError):
    """A corpus could not be read or validated.

    The message always names the file, the 1-based data row and the column where the
    problem is, as ``"{file}, row {row}, column {column!r}: {what}"``; the same facts are
    available as attributes ``file``, ``row``, ``column``.
    """

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None) -> None:
        where = []
        if file is not None:
            where.append(str(file))
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__((", ".join(where) + ": " if where else "") + message)
        self.file, self.row, self.column = file, row, column


class CorpusWarning(UserWarning):
    """Some documents look suspicious but were kept (see the corpus' ``warnings`` column)."""


class _DroppedTable(pd.DataFrame):
    """The DataFrame stored in ``attrs["dropped"]``.

    A plain DataFrame inside ``attrs`` breaks ``pd.concat`` of two corpora: pandas compares
    the inputs' ``attrs`` dicts with ``==``, which for DataFrames is element-wise and has
    no truth value. Comparing this table with another DataFrame gives one bool (same
    content or not) instead, so pandas can decide whether to keep ``attrs``. Everything
    else behaves like a DataFrame; :func:`dropped_rows` returns a plain DataFrame.
    """

    @property
    def _constructor(self):  # noqa: D401 - pandas subclassing hook
        return _DroppedTable

    def __eq__(self, other: object):  # type: ignore[override]
        if isinstance(other, pd.DataFrame):
            return bool(pd.DataFrame(self).equals(pd.DataFrame(other)))
        return super().__eq__(other)

    def __ne__(self, other: object):  # type: ignore[override]
        if isinstance(other, pd.DataFrame):
            return not self.__eq__(other)
        return super().__ne__(other)

    __hash__ = None  # type: ignore[assignment]


# --------------------------------------------------------------------------------------
# dropped-row tables and attrs
# --------------------------------------------------------------------------------------

def _empty_dropped() -> _DroppedTable:
    return _DroppedTable({
        "source": pd.Series([], dtype="str"),
        "row": pd.Series([], dtype="Int64"),
        "column": pd.Series([], dtype="str"),
        "reason": pd.Series([], dtype="str"),
        _CHECK: pd.Series([], dtype="str"),
    })


def _dropped_from_records(records: list[dict[str, Any]]) -> _DroppedTable:
    """Build a dropped-row table; DROPPED_COLUMNS and ``check`` first, then the fields."""
    if not records:
        return _empty_dropped()
    head = [*DROPPED_COLUMNS, _CHECK]
    fields: list[str] = []
    for rec in records:
        for key in rec:
            if key not in head and key not in fields:
                fields.append(key)
    data: dict[str, Any] = {
        "source": pd.Series([str(r.get("source", "")) for r in records], dtype="str"),
        "row": pd.Series([_as_row(r.get("row")) for r in records], dtype="Int64"),
        "column": pd.Series([str(r.get("column") or "") for r in records], dtype="str"),
        "reason": pd.Series([str(r.get("reason", "")) for r in records], dtype="str"),
        _CHECK: pd.Series([str(r.get(_CHECK, "")) for r in records], dtype="str"),
    }
    for f in fields:  # let pandas pick a natural dtype (str, datetime, ...) per field
        data[f] = pd.Series([r.get(f) for r in records], dtype=object)
        try:
            data[f] = data[f].infer_objects()
        except UnicodeEncodeError:  # a lone surrogate: pandas' string dtype cannot hold it
            pass
    return _DroppedTable(data)


def _as_row(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return pd.NA
    return int(value)


def _concat_dropped(*tables: pd.DataFrame | None) -> _DroppedTable:
    parts = [pd.DataFrame(t) for t in tables if t is not None and len(t)]
    if not parts:
        return _empty_dropped()
    if len(parts) == 1:
        return _DroppedTable(parts[0].copy())
    out = pd.concat(parts, ignore_index=True, sort=False)
    return _DroppedTable(out)


def _get_dropped(df: pd.DataFrame) -> _DroppedTable:
    table = df.attrs.get("dropped")
    if table is None or not isinstance(table, pd.DataFrame):
        return _empty_dropped()
    return _DroppedTable(pd.DataFrame(table).copy())


def _set_attrs(df: pd.DataFrame, *, dropped: pd.DataFrame, selection: list[dict[str, Any]],
               provenance: Mapping[str, Any], base: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Give ``df`` a fresh attrs dict (other keys of ``base`` are kept)."""
    import copy

    attrs: dict[str, Any] = {k: copy.deepcopy(v) for k, v in (base or {}).items()
                             if k not in ("dropped", "selection", "provenance")}
    attrs["dropped"] = _DroppedTable(pd.DataFrame(dropped).copy())
    attrs["selection"] = copy.deepcopy(list(selection))
    attrs["provenance"] = copy.deepcopy(dict(provenance))
    df.attrs = attrs
    return df


def dropped_rows(corpus: pd.DataFrame) -> pd.DataFrame:
    """Rows that were dropped on the way to ``corpus``, with where and why.

    Parameters
    ----------
    corpus : DataFrame
        A corpus (any DataFrame; one without ``attrs["dropped"]`` has dropped nothing).

    Returns
    -------
    DataFrame
        Always a DataFrame, possibly empty, with the columns ``source`` (file or stage),
        ``row`` (1-based data row in ``source``, ``<NA>`` where a row number makes no
        sense, e.g. for a duplicate removed after reading), ``column``, ``reason``,
        ``check`` (the kind of problem, e.g. ``"empty_text"``) and then the fields of the
        dropped row as they were read. A copy: changing it changes nothing in ``corpus``.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "X"],
    ...                     "published": ["2022-09-20", "2022-09-21"], "text": ["Hello.", " "]})
    >>> corpus = validate_corpus(raw, source="news.csv", errors="drop")
    >>> dropped_rows(corpus)[["source", "row", "column", "reason"]]
         source  row column      reason
    0  news.csv    2   text  empty text
    >>> len(dropped_rows(pd.DataFrame()))
    0
    """
    if not isinstance(corpus, pd.DataFrame):
        raise TypeError(f"dropped_rows() expects a DataFrame, got {type(corpus).__name__}")
    return pd.DataFrame(_get_dropped(corpus))


def drop_summary(corpus: pd.DataFrame) -> pd.DataFrame:
    """How many rows were dropped, per kind of problem.

    Parameters
    ----------
    corpus : DataFrame
        A corpus.

    Returns
    -------
    DataFrame
        Columns ``check`` (kind of problem: ``"empty_text"``, ``"unparseable_date"``,
        ``"duplicate_doc_id"``, ``"duplicate"``, ...), ``count`` and ``example`` (the first
        full reason of that kind), most frequent first. Empty when nothing was dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": "X",
    ...                     "published": ["2022-09-20", "someday", "2022-09-22"],
    ...                     "text": ["Hello.", "Hi.", ""]})
    >>> drop_summary(validate_corpus(raw, errors="drop"))
                  check  count                     example
    0        empty_text      1                  empty text
    1  unparseable_date      1  unparseable date 'someday'
    """
    table = dropped_rows(corpus)
    if table.empty:
        return pd.DataFrame({"check": pd.Series([], dtype="str"),
                             "count": pd.Series([], dtype="int64"),
                             "example": pd.Series([], dtype="str")})
    checks = table[_CHECK] if _CHECK in table else table["reason"]
    checks = checks.astype("str").where(checks.astype("str") != "", table["reason"].astype("str"))
    grouped = pd.DataFrame({"check": checks.to_numpy(), "reason": table["reason"].to_numpy()})
    summary = (grouped.groupby("check", sort=True)
               .agg(count=("reason", "size"), example=("reason", "first"))
               .reset_index())
    summary = summary.sort_values(["count", "check"], ascending=[False, True], kind="stable")
    summary["count"] = summary["count"].astype("int64")
    return summary.reset_index(drop=True)


# --------------------------------------------------------------------------------------
# saving attrs with a file (used by framing.export_corpus and read_corpus)
# --------------------------------------------------------------------------------------

_EXPORT_VERSION = 1
_TS_TAG = "__timestamp__"


def _json_value(v: Any) -> Any:
    """A JSON-ready copy of ``v``; timestamps are tagged so that they come back as such."""
    if isinstance(v, Mapping):
        return {str(k): _json_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set)):
        return [_json_value(x) for x in v]
    if isinstance(v, np.ndarray):
        return [_json_value(x) for x in v.tolist()]
    if _is_missing(v):
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v)
    if isinstance(v, (pd.Timestamp, _dt.datetime, _dt.date, np.datetime64)):
        return {_TS_TAG: pd.Timestamp(v).isoformat()}
    if isinstance(v, (str, int)):
        return v
    if isinstance(v, bytes):
        return v.decode("utf-8", errors="replace")
    return str(v)


def _from_json_value(v: Any) -> Any:
    if isinstance(v, dict):
        if set(v) == {_TS_TAG}:
            return pd.Timestamp(v[_TS_TAG])
        return {k: _from_json_value(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_from_json_value(x) for x in v]
    return v


def _table_to_json(df: pd.DataFrame) -> dict[str, Any]:
    return {"columns": [{"name": str(c), "dtype": str(df[c].dtype),
                         "values": [_json_value(v) for v in df[c].tolist()]} for c in df.columns]}


def _table_from_json(data: Mapping[str, Any]) -> pd.DataFrame:
    cols: dict[str, pd.Series] = {}
    for col in data["columns"]:
        values = [_from_json_value(v) for v in col["values"]]
        dtype = str(col["dtype"])
        try:
            if dtype == "object":
                series = pd.Series(values, dtype=object)
            elif dtype.startswith("datetime64"):
                series = pd.Series(pd.to_datetime(pd.Series(values, dtype=object))).astype(dtype)
            else:
                series = pd.Series(values, dtype=dtype)
        except (TypeError, ValueError):
            series = pd.Series(values, dtype=object)
        cols[str(col["name"])] = series
    n = len(next(iter(cols.values()))) if cols else 0
    return pd.DataFrame(cols, index=pd.RangeIndex(n))


def export_metadata(corpus: pd.DataFrame) -> dict[str, Any]:
    """What :func:`framing.export_corpus` stores with a file: ``attrs`` as JSON.

    Parameters
    ----------
    corpus : DataFrame
        A corpus.

    Returns
    -------
    dict
        ``framing_export`` (format version), ``framing_version``, ``rows``, ``dropped``
        (the dropped-row table, column by column with its dtype), ``selection`` and
        ``provenance`` (timestamps tagged so they come back as timestamps). Written as
        Parquet key-value metadata under the key ``"framing"``, or as the sidecar
        ``<file>.framing.json`` next to a CSV or JSON lines file; :func:`read_corpus`
        restores it.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"doc_id": ["a", "b"], "outlet": "X",
    ...                     "published": ["2022-09-20", "2022-09-21"], "text": ["Hi.", ""]})
    >>> meta = export_metadata(validate_corpus(raw, errors="drop"))
    >>> meta["rows"], [c["name"] for c in meta["dropped"]["columns"]][:4]
    (1, ['source', 'row', 'column', 'reason'])
    """
    from framing import __version__

    return {"framing_export": _EXPORT_VERSION, "framing_version": __version__,
            "rows": int(len(corpus)), "dropped": _table_to_json(_get_dropped(corpus)),
            "selection": _json_value(list(corpus.attrs.get("selection") or [])),
            "provenance": _json_value(dict(corpus.attrs.get("provenance") or {}))}


def _attrs_from_export(meta: Mapping[str, Any], *, file: str) -> dict[str, Any]:
    if not isinstance(meta, Mapping) or meta.get("framing_export") != _EXPORT_VERSION:
        version = meta.get("framing_export") if isinstance(meta, Mapping) else None
        raise CorpusError(f"export metadata of an unknown version {version!r} (this framing "
                          f"reads version {_EXPORT_VERSION})", file=file)
    try:
        dropped = _DroppedTable(_table_from_json(meta["dropped"]))
        selection = list(_from_json_value(meta.get("selection") or []))
        provenance = dict(_from_json_value(meta.get("provenance") or {}))
    except (KeyError, TypeError, ValueError) as exc:
        raise CorpusError(f"unreadable export metadata: {exc}", file=file) from exc
    return {"dropped": dropped, "selection": selection, "provenance": provenance}


# --------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------

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


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return False


def _as_str(value: Any, *, field: str) -> str:
    if _is_missing(value):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (float, np.floating)) and float(value).is_integer() and field == "doc_id":
        return str(int(value))
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


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


def _row_origins(df: pd.DataFrame, source: str, rows: Any) -> tuple[list[str], list[Any], list[str]]:
    """Per-row (source, 1-based row or None, document file or "") for messages."""
    n = len(df)
    if rows is not None:
        if isinstance(rows, (pd.DataFrame, Mapping)):
            table = pd.DataFrame(rows)
            if "row" not in table.columns:
                raise ValueError("rows= as a table needs a 'row' column (and optionally "
                                 "'source' and 'file')")
            if len(table) != n:
                raise ValueError(f"rows= has {len(table)} entries but the DataFrame has {n} rows")
            src = ([_as_str(v, field="source") or source for v in table["source"]]
                   if "source" in table else [source] * n)
            rown = [None if _is_missing(v) else int(v) for v in table["row"]]
            files = ([_as_str(v, field="file") for v in table["file"]] if "file" in table
                     else [""] * n)
            return src, rown, files
        seq = list(rows)
        if len(seq) != n:
            raise ValueError(f"rows= has {len(seq)} entries but the DataFrame has {n} rows")
        return [source] * n, [None if _is_missing(v) else int(v) for v in seq], [""] * n
    src = ([_as_str(v, field="source") or source for v in df["_source"]] if "_source" in df
           else [source] * n)
    if "_row" in df:
        rown = [None if _is_missing(v) else int(v) for v in df["_row"]]
    else:
        rown = list(range(1, n + 1))
    files = [_as_str(v, field="file") for v in df["_file"]] if "_file" in df else [""] * n
    return src, rown, files


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


def validate_corpus(df: pd.DataFrame, *, source: str = "<DataFrame>", errors: Errors = "raise",
                    rows: pd.DataFrame | Mapping[str, Sequence[Any]] | Sequence[int] | None = None,
                    date_format: str | None = None, dayfirst: bool | None = None,
                    allow_missing_dates: bool = False) -> pd.DataFrame:
    """Check a table of documents against the corpus schema and return a clean corpus.

    Checks, per row and in this order (the first problem found is the one reported):

    =====================  ===============================================================
    check                  problem
    =====================  ===============================================================
    ``undecodable``        a string field contains U+FFFD, the replacement character that
                           stands for bytes that could not be decoded (the message gives
                           the line inside the field)
    ``invalid_unicode``    a string field contains a lone surrogate (``"a\\ud800"`` from a
                           JSON escape), which cannot be written as UTF-8
    ``not_a_string``       ``doc_id``, ``outlet``, ``title``, ``text``, ``url`` or ``lang``
                           holds a list, object or boolean (a JSON ``["P1.", "P2."]``), or
                           ``text`` holds a number; never stored as its Python repr (a
                           number elsewhere is written in decimal: ``101`` -> ``"101"``)
    ``control_character``  a NUL or other C0/C1 control character in ``doc_id``,
                           ``outlet``, ``url``, ``lang``, or in ``title``/``text`` (where
                           tab, newline, carriage return, vertical tab and form feed are
                           allowed)
    ``missing_doc_id``     empty ``doc_id``
    ``missing_outlet``     empty ``outlet``
    ``empty_text``         ``text`` empty, only whitespace, or only invisible characters
                           (zero-width space, byte-order mark)
    ``missing_date``       no ``published`` value (unless ``allow_missing_dates``)
    ``unparseable_date``   a ``published`` value that is not a date (the value is shown)
    ``ambiguous_date``     a numeric date that is not ISO 8601, such as ``03/10/2022``,
                           without ``dayfirst=`` or ``date_format=``; a two-digit year
    ``html_markup``        HTML tags (``<p>``, ``<div ...>``, ``<br/>``, ``<!--``) in ``text``
    ``duplicate_doc_id``   a ``doc_id`` already used by an earlier valid row (the first
                           occurrence is kept)
    =====================  ===============================================================

    A missing *column* ``doc_id``, ``outlet``, ``published`` or ``text`` always raises,
    whatever ``errors`` says; missing ``title``, ``url``, ``lang`` are filled with ``""``.

    **Dates: one rule.** By default ``published`` must be ISO 8601: ``2022-09-20``, with or
    without a time and a zone (``2022-09-20T23:30:00-05:00`` is dated the 20th: the
    wall-clock date as written), also ``20220920`` and ``2022/09/20``. A date with the month
    spelled out is unambiguous and accepted (``20 September 2022``, ``Sep 20, 2022``,
    ``Tue, 20 Sep 2022 10:00:00 GMT``). Any other numeric date (``20/09/2022``,
    ``03/10/2022``, ``12.10.2022``) is an ``ambiguous_date`` unless you say the order with
    ``dayfirst=True`` (day first) or ``dayfirst=False`` (month first), or give the exact
    ``date_format=``; the message says what the column's other values suggest. Partial
    dates (``2022``, ``2022-09``, ``09/2022``, ``Sept 2022``) are kept: ``published`` holds
    the first day of the period and the column ``published_precision`` (``"day"``,
    ``"month"``, ``"year"``; added only when some date is partial) says how much of it is
    known; a :class:`CorpusWarning` gives the counts. Values already of a datetime type are
    day precision.

    **Normalisations, each announced by a warning with counts:** whitespace and invisible
    characters (zero-width space, byte-order mark, direction marks) at the ends of
    ``doc_id``, ``outlet`` and ``lang`` are removed (``"\\ufeffRT"`` becomes ``"RT"``).
    ``title`` and ``text`` are kept exactly as given.

    Warnings, not errors (the row is kept and the reason is written in the ``warnings``
    column; one :class:`CorpusWarning` summarises them): an HTML character reference such
    as ``&nbsp;`` or ``&#8217;`` left in the text, HTML markup in the title, text that looks
    like UTF-8 read in another encoding (``"cafÃ©"``: "possible mojibake"), and boilerplate
    phrases ("Subscribe to our newsletter", "Click here", "We use cookies", "All rights
    reserved", a lone "Advertisement" line, ...) found on a short line (at most 200
    characters) or within 300 characters of the start or end of the text. A phrase inside
    a long paragraph of reporting is not flagged, so a story *about* cookie banners is
    left alone.

    Parameters
    ----------
    df : DataFrame
        One row per document with (at least) the columns ``doc_id``, ``outlet``,
        ``published``, ``text``. Other columns are kept as metadata. Not modified.
    source : str
        Name of the file (or loader) the rows came from, used in messages.
    errors : {"raise", "drop"}
        ``"raise"``: the first problem raises :class:`CorpusError` naming file, 1-based
        data row and column. ``"drop"``: offending rows are removed and recorded in
        ``attrs["dropped"]`` (columns ``source``, ``row``, ``column``, ``reason``,
        ``check`` and the row's fields as given).
    rows : DataFrame, mapping or sequence of int, optional
        Where each row came from, when ``df`` is not one file read top to bottom. Either
        a sequence of 1-based row numbers (all in ``source``) or a table aligned with
        ``df`` with columns ``row`` and optionally ``source`` and ``file``. Instead of
        passing ``rows``, a loader that concatenated several files can put the private
        columns ``_source`` (file name), ``_row`` (1-based data row in that file) and
        optionally ``_file`` (the document's own file, for a folder of texts) into ``df``;
        they are used for messages and removed from the result. By default row ``i``
        (0-based position) is reported as row ``i + 1`` of ``source``.
    date_format : str, optional
        Exact ``strftime`` format of the ``published`` strings (e.g. ``"%d/%m/%Y"``); then
        nothing else is accepted. Its directives set the precision (no ``%d``: month).
    dayfirst : bool, optional
        Order of day and month in numeric dates that are not ISO 8601: ``True`` reads
        ``03/10/2022`` as 3 October, ``False`` as 10 March. ISO dates are not affected.
        Not together with ``date_format``.
    allow_missing_dates : bool
        Keep rows without a date (``published`` is ``NaT``); unparseable values are still
        errors.

    Returns
    -------
    DataFrame
        The schema columns first, as ``str`` dtype except ``published``
        (``datetime64[ns]``, normalised to the day), then ``published_precision`` when
        some date is partial (or ``df`` has that column), then the metadata columns in their original order, then
        ``warnings``. A fresh ``RangeIndex``. ``attrs``: ``dropped`` (earlier dropped rows
        of ``df`` plus the new ones; an empty table when none), ``selection`` (``df``'s
        list, or ``[]``) and ``provenance`` (``df``'s dict plus ``source`` and counts).
        An input column ``published_precision`` (as :func:`framing.export_corpus` writes
        it) is kept where it agrees with the date.

    Raises
    ------
    CorpusError
        A required column is missing, or (with ``errors="raise"``) a row has a problem.

    Notes
    -----
    Mojibake detection via the replacement character follows the usual practice of
    decoding with ``errors="replace"`` and flagging U+FFFD (see the Unicode Standard,
    section 3.9, "U+FFFD Substitution of Maximal Subparts").

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"doc_id": [1, 2], "outlet": ["RT", "NYT"],
    ...                     "published": ["2022-09-20T10:00:00+03:00", "Sep 21, 2022"],
    ...                     "text": ["Polls opened.", "Polls opened <p>today"]})
    >>> validate_corpus(raw, source="news.csv")
    Traceback (most recent call last):
    ...
    framing.corpus.CorpusError: news.csv, row 2, column 'text': HTML markup in text: '<p>'
    >>> corpus = validate_corpus(raw, source="news.csv", errors="drop")
    >>> corpus[["doc_id", "outlet", "published"]]
      doc_id outlet  published
    0      1     RT 2022-09-20
    >>> str(corpus["published"].dtype), len(corpus.attrs["dropped"])
    ('datetime64[ns]', 1)

    Numeric dates need their order; partial dates keep their precision:

    >>> raw = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": "RT", "text": "Votes.",
    ...                     "published": ["20/09/2022", "03/10/2022", "2022-10"]})
    >>> validate_corpus(raw, source="news.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    framing.corpus.CorpusError: news.csv, row 1, column 'published': ambiguous date '20/09/2022': ... dayfirst=True)
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", CorpusWarning)
    ...     c = validate_corpus(raw, dayfirst=True)
    >>> c[["published", "published_precision"]]
       published published_precision
    0 2022-09-20                 day
    1 2022-10-03                 day
    2 2022-10-01               month
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"validate_corpus() expects a DataFrame, got {type(df).__name__}")
    if errors not in ("raise", "drop"):
        raise ValueError(f"errors must be 'raise' or 'drop', got {errors!r}")
    if dayfirst is not None and not isinstance(dayfirst, (bool, np.bool_)):
        raise TypeError(f"dayfirst must be True, False or None, got {dayfirst!r}")
    if dayfirst is not None and date_format:
        raise ValueError("give dayfirst= or date_format=, not both (the format says the order)")
    source = str(source)
    n = len(df)
    src, rown, files = _row_origins(df, source, rows)
    sources_named = sorted(set(src)) or [source]
    file_label = sources_named[0] if len(sources_named) == 1 else ", ".join(sources_named[:3]) + (
        ", ..." if len(sources_named) > 3 else "")

    # ---- columns ---------------------------------------------------------------------
    for col in REQUIRED:
        if col not in df.columns and not (col == "published" and allow_missing_dates):
            present = [c for c in df.columns if c not in _ROW_COLUMNS]
            raise CorpusError(f"missing required column {col!r} (columns present: {present})",
                              file=file_label, column=col)
    meta_cols = [c for c in df.columns if c not in SCHEMA and c not in _ROW_COLUMNS
                 and c not in ("warnings", _PRECISION_COLUMN)]

    # ---- per-row problems, first one wins --------------------------------------------
    problem: list[tuple[str, str, str] | None] = [None] * n  # (column, reason, check)

    def flag(i: int, column: str, reason: str, check: str) -> None:
        if problem[i] is None:
            problem[i] = (column, reason, check)

    strings: dict[str, list[str]] = {}
    type_problems: dict[str, list[str | None]] = {}
    for col in _STRING_FIELDS:
        if col in df.columns:
            values = df[col].tolist()
            type_problems[col] = [_type_problem(v, col) for v in values]
            strings[col] = [_as_str(v, field=col) if p is None else ""
                            for v, p in zip(values, type_problems[col], strict=True)]
        else:
            strings[col] = [""] * n
    stripped: dict[str, int] = {}
    for col in ("doc_id", "outlet", "lang"):
        new = []
        for v in strings[col]:
            s = v.strip()
            if s and not s.isascii() and _EDGE_INVISIBLE.search(s):
                s = _EDGE_INVISIBLE.sub("", s)
                stripped[col] = stripped.get(col, 0) + 1
            new.append(s)
        strings[col] = new
    if "published" in df.columns:
        dates, date_status, date_raw, precision, date_reason = _parse_dates(
            df["published"], date_format, dayfirst)
    else:
        dates = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        date_status, date_raw = np.ones(n, dtype=np.int8), [""] * n
        precision, date_reason = np.full(n, "", dtype=object), [""] * n
    if _PRECISION_COLUMN in df.columns:  # as written by export_corpus: keep where it agrees
        for i, given in enumerate(df[_PRECISION_COLUMN].tolist()):
            if given in ("month", "year") and precision[i] == "day":
                day = pd.Timestamp(dates[i])
                if day.day == 1 and (given == "month" or day.month == 1):
                    precision[i] = given

    check_cols = [c for c in _STRING_FIELDS if c in df.columns] + [
        c for c in meta_cols if df[c].dtype == object or pd.api.types.is_string_dtype(df[c].dtype)]
    for col in check_cols:
        values = strings[col] if col in strings else df[col].tolist()
        for i, v in enumerate(values):
            if isinstance(v, str) and "\ufffd" in v and problem[i] is None:
                flag(i, col, f"undecodable bytes in {col} (replacement character U+FFFD at "
                             f"line {_first_line_with(v, chr(0xFFFD))} of the field; if the file "
                             "is not UTF-8, pass encoding=, e.g. 'cp1252')", "undecodable")
    for col in check_cols:
        values = strings[col] if col in strings else df[col].tolist()
        for i, v in enumerate(values):
            if problem[i] is None and isinstance(v, str) and _SURROGATE.search(v):
                flag(i, col, _char_problem(v, col)[0], "invalid_unicode")
    for col, probs in type_problems.items():
        for i, p in enumerate(probs):
            if p is not None:
                flag(i, col, p, "not_a_string")
    for col in _STRING_FIELDS:
        if col not in df.columns:
            continue
        for i, v in enumerate(strings[col]):
            if problem[i] is None and v and not v.isprintable():
                found = _char_problem(v, col)
                if found:
                    flag(i, col, *found)
    for i in range(n):
        if not strings["doc_id"][i]:
            flag(i, "doc_id", "missing doc_id", "missing_doc_id")
        if not strings["outlet"][i]:
            flag(i, "outlet", "missing outlet", "missing_outlet")
        if _blank(strings["text"][i]):
            what = ("empty text" if not strings["text"][i].strip() else
                    "empty text (only invisible characters: " + ", ".join(sorted(
                        {f"U+{ord(ch):04X}" for ch in strings["text"][i] if not ch.isspace()}))
                    + ")")
            flag(i, "text", what, "empty_text")
        if date_status[i] == 1 and not allow_missing_dates:
            flag(i, "published", "missing date", "missing_date")
        elif date_status[i] == 2:
            flag(i, "published", date_reason[i], "unparseable_date")
        elif date_status[i] == 3:
            flag(i, "published", date_reason[i], "ambiguous_date")
        if problem[i] is None:
            tag = _html_tag(strings["text"][i])
            if tag:
                flag(i, "text", f"HTML markup in text: {tag!r}", "html_markup")
    first_seen: dict[str, int] = {}
    for i in range(n):
        if problem[i] is not None:
            continue
        key = strings["doc_id"][i]
        if key in first_seen:
            j = first_seen[key]
            where = f"{src[j]}, row {rown[j]}" if rown[j] is not None else src[j]
            flag(i, "doc_id", f"duplicate doc_id {key!r} (first at {where})", "duplicate_doc_id")
        else:
            first_seen[key] = i

    bad = [i for i in range(n) if problem[i] is not None]
    if bad and errors == "raise":
        i = bad[0]
        column, reason, _ = problem[i]
        extra = f" (document file {files[i]})" if files[i] and files[i] != src[i] else ""
        raise CorpusError(reason + extra, file=src[i], row=rown[i], column=column)

    # ---- result ---------------------------------------------------------------------
    keep = np.array([problem[i] is None for i in range(n)], dtype=bool)
    keep_idx = np.flatnonzero(keep)
    out = pd.DataFrame(index=pd.RangeIndex(len(keep_idx)))
    for col in SCHEMA:
        if col == "published":
            out[col] = pd.Series(dates[keep_idx], dtype="datetime64[ns]")
        else:
            out[col] = pd.Series([strings[col][i] for i in keep_idx], dtype="str")
    kept_precision = precision[keep_idx]
    partial = {p: int((kept_precision == p).sum()) for p in ("month", "year")}
    if any(partial.values()) or _PRECISION_COLUMN in df.columns:
        out[_PRECISION_COLUMN] = pd.Series(list(kept_precision), dtype="str")
    for col in meta_cols:
        out[col] = df[col].iloc[keep_idx].reset_index(drop=True)
    warn_lists = [_text_warnings(strings["text"][i], strings["title"][i]) for i in keep_idx]
    out["warnings"] = pd.Series(["; ".join(w) for w in warn_lists], dtype="str")
    n_warn = sum(bool(w) for w in warn_lists)
    if n_warn:
        warnings.warn(f"{source}: {n_warn} of {len(out)} documents kept with warnings (HTML "
                      "entities, possible mojibake or boilerplate); see the corpus' 'warnings' "
                      "column", CorpusWarning, stacklevel=2)
    if any(partial.values()):
        warnings.warn(f"{source}: {sum(partial.values())} of {len(out)} dates are partial "
                      f"({partial['month']} month only, {partial['year']} year only); "
                      "'published' holds the first day of the period and 'published_precision' "
                      "says which", CorpusWarning, stacklevel=2)
    if stripped:
        warnings.warn(f"{source}: invisible characters (zero-width space, byte-order mark, "
                      "direction marks) removed from the ends of "
                      + ", ".join(f"{k} {c} value(s)" for c, k in stripped.items()),
                      CorpusWarning, stacklevel=2)

    field_cols = [c for c in df.columns if c not in _ROW_COLUMNS]
    records = []
    for i in bad:
        column, reason, check = problem[i]
        rec: dict[str, Any] = {"source": src[i], "row": rown[i], "column": column,
                               "reason": reason + (f" (document file {files[i]})"
                                                  if files[i] and files[i] != src[i] else ""),
                               _CHECK: check}
        for c in field_cols:
            rec.setdefault(c, df[c].iat[i])
        records.append(rec)
    dropped = _concat_dropped(_get_dropped(df), _dropped_from_records(records))
    provenance = dict(df.attrs.get("provenance") or {})
    provenance.setdefault("source", source)
    provenance["validation"] = {"rows_in": n, "rows_out": int(len(out)),
                                "rows_dropped": len(bad), "rows_with_warnings": n_warn}
    if any(partial.values()):
        provenance["validation"]["partial_dates"] = partial
    if stripped:
        provenance["validation"]["invisible_characters_removed"] = dict(stripped)
    if dayfirst is not None or date_format:
        provenance["validation"]["dates"] = {"dayfirst": dayfirst, "date_format": date_format}
    return _set_attrs(out, dropped=dropped, selection=list(df.attrs.get("selection") or []),
                      provenance=provenance, base=df.attrs)


# --------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------

_FORMATS = ("csv", "tsv", "jsonl", "json", "parquet", "txt", "html")
_SUFFIX_FORMAT = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl",
                  ".ndjson": "jsonl", ".json": "json", ".parquet": "parquet", ".pq": "parquet"}
_HTML_SUFFIXES = (".html", ".htm")
_NA_STRINGS = ["", "#N/A", "N/A", "NA", "NaN", "nan", "null", "NULL", "None", "n/a", "<NA>",
               "-NaN", "-nan", "#NA"]
_DEFAULT_NAMES = {"text": "text", "outlet": "outlet", "published": "published",
                  "title": "title", "doc_id": "doc_id", "url": "url", "lang": "lang"}
#: Byte-order marks, longest first: (bytes, codec that removes it, name)
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32", "UTF-32-LE"), (b"\x00\x00\xfe\xff", "utf-32", "UTF-32-BE"),
         (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"), (b"\xff\xfe", "utf-16", "UTF-16-LE"),
         (b"\xfe\xff", "utf-16", "UTF-16-BE"))
#: Key of the export metadata in a Parquet file's key-value metadata; suffix of the sidecar
#: JSON next to an exported CSV/JSONL file.
EXPORT_KEY = "framing"
SIDECAR_SUFFIX = ".framing.json"


def _codec(encoding: str) -> str:
    import codecs

    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None


def _decode(data: bytes, encoding: str | None, *, file: str = "",
            info: dict[str, Any] | None = None) -> str:
    """Decode a file's bytes; bad bytes become U+FFFD (reported per row by validation).

    A byte-order mark decides (UTF-8, UTF-16, UTF-32); with ``encoding`` left at None the
    text is UTF-8. UTF-16 without a byte-order mark is an error saying which encoding to
    pass. ``info`` (when given) receives ``encoding`` (what was used) and ``utf8_suspect``
    (a non-UTF encoding was given but the bytes are valid UTF-8 with non-ASCII characters).
    """
    info = {} if info is None else info
    given = _codec(encoding) if encoding else None
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            family = name.lower()
            if given is not None and given not in (family, family[:6], family + "-sig"):
                warnings.warn(f"{file}: the file starts with a {name} byte-order mark; read as "
                              f"{name}, not as {encoding!r}", CorpusWarning, stacklevel=4)
            info.update(encoding=name, bom=True, utf8_suspect=False)
            return data.decode(codec, errors="replace")
    codec = given or "utf-8"
    if codec in ("utf-8", "utf-8-sig", "utf_8"):
        head = data[:4096]
        if len(head) >= 4:
            even, odd = head[0::2].count(0), head[1::2].count(0)
            half = len(head) // 2
            if max(even, odd) > 0.4 * half and min(even, odd) < 0.1 * half:
                guess = "utf-16-le" if odd > even else "utf-16-be"
                raise CorpusError(f"the file looks like UTF-16 without a byte-order mark (NUL "
                                  f"bytes between the letters); pass encoding={guess!r}",
                                  file=file)
            if min(even, odd) > 0.3 * half:
                guess = "utf-32-le" if head[0] != 0 else "utf-32-be"
                raise CorpusError(f"the file looks like UTF-32 without a byte-order mark (three "
                                  f"NUL bytes per letter); pass encoding={guess!r}", file=file)
    suspect = False
    if not codec.startswith(("utf-8", "utf_8", "utf-16", "utf-32")) and not data.isascii():
        try:
            data.decode("utf-8")
            suspect = True
        except UnicodeDecodeError:
            pass
    info.update(encoding=encoding or "utf-8", bom=False, utf8_suspect=suspect)
    return data.decode(codec, errors="replace")


def _read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix.lower() == ".gz":
        import gzip

        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise CorpusError(f"not a readable gzip file: {exc}", file=str(path)) from exc
    return data


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _doc_files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def _infer_format(path: Path, format: str | None) -> str:
    if format is not None:
        fmt = format.lower().lstrip(".")
        fmt = {"ndjson": "jsonl", "htm": "html", "text": "txt", "pq": "parquet"}.get(fmt, fmt)
        if fmt not in _FORMATS:
            raise ValueError(f"unknown format {format!r}; use one of {list(_FORMATS)}")
        if fmt in ("txt", "html") and not path.is_dir():
            raise CorpusError(f"format {fmt!r} reads a folder, but this is a file", file=str(path))
        if fmt not in ("txt", "html") and path.is_dir():
            raise CorpusError(f"format {fmt!r} reads a file, but this is a folder", file=str(path))
        return fmt
    if path.is_dir():
        has_txt = bool(_doc_files(path, (".txt",)))
        has_html = bool(_doc_files(path, _HTML_SUFFIXES))
        if has_txt and has_html:
            raise CorpusError("folder holds both .txt and .html files; pass format='txt' or "
                              "format='html'", file=str(path))
        if not (has_txt or has_html):
            raise CorpusError("folder holds no .txt or .html files", file=str(path))
        return "txt" if has_txt else "html"
    suffix = path.suffix.lower()
    if suffix == ".gz":
        suffix = Path(path.stem).suffix.lower()
        if _SUFFIX_FORMAT.get(suffix) == "parquet":
            suffix = ""
    fmt = _SUFFIX_FORMAT.get(suffix)
    if fmt is None:
        raise CorpusError(f"cannot tell the format from the extension {path.suffix!r}; pass "
                          f"format= one of {list(_FORMATS)}", file=str(path))
    return fmt


def _record_lines(text: str) -> list[str]:
    return io.StringIO(text, newline="").readlines()


def _read_delimited(path: Path, *, sep: str, encoding: str | None, string_cols: Iterable[str],
                    errors: Errors = "raise", pre_dropped: list[dict[str, Any]] | None = None,
                    info: dict[str, Any] | None = None) -> pd.DataFrame:
    """Read CSV/TSV; schema columns stay verbatim strings, metadata columns are typed.

    Every record must have as many fields as the header: a row with one field too many
    (an unquoted ``,`` in a value) or too few is reported (file, row, column) or dropped,
    never shifted into other columns, and the first column is never taken as an index. A
    repeated column name is an error. Rows are numbered from 1 after the header, one per
    record (a quoted value may span lines); blank lines are not rows.
    """
    import csv

    pre_dropped = [] if pre_dropped is None else pre_dropped
    text = _decode(_read_bytes(path), encoding, file=str(path), info=info)
    if not text.strip():
        raise CorpusError("the file is empty", file=str(path))
    what = "CSV" if sep == "," else "delimited"
    lines: list[str] | None = None

    def raw_lines(first: int, last: int) -> str:
        nonlocal lines
        if lines is None:
            lines = _record_lines(text)
        return "".join(lines[first - 1:last])[:1000]

    header: list[str] | None = None
    records: list[list[str]] = []
    rows: list[int] = []
    row = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    old_limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        while True:
            first_line = reader.line_num + 1
            try:
                rec = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                last_line = reader.line_num
                if "unexpected end of data" in str(exc):
                    raise CorpusError(
                        f"a quoted value opened on line {first_line} is never closed: lines "
                        f"{first_line}-{last_line} (the rest of the file) would be one value; "
                        "fix the quote", file=str(path), row=None if header is None else row + 1,
                    ) from None
                if header is None:
                    raise CorpusError(f"not a readable {what} header: {exc}", file=str(path)) from None
                row += 1
                reason = f"malformed {what} record on line {last_line}: {exc}"
                if errors == "raise":
                    raise CorpusError(reason, file=str(path), row=row) from None
                pre_dropped.append({"source": str(path), "row": row, "column": "", "reason": reason,
                                    _CHECK: "malformed_row", "raw": raw_lines(first_line, last_line)})
                continue
            if not rec or (len(rec) == 1 and not rec[0].strip() and (header is None or len(header) > 1)):
                continue  # a blank line is not a row
            if header is None:
                header = [h if h != "" else f"Unnamed: {k}" for k, h in enumerate(rec)]
                seen: dict[str, int] = {}
                for k, name in enumerate(header):
                    if name in seen:
                        raise CorpusError(
                            f"duplicate column name {name!r} (columns {seen[name] + 1} and {k + 1} of "
                            "the header); rename one of them", file=str(path), column=name)
                    seen[name] = k
                continue
            row += 1
            if len(rec) != len(header):
                if len(rec) > len(header):
                    column = header[-1]
                    reason = (f"{len(rec)} fields but the header has {len(header)} columns (extra "
                              f"field(s) after column {column!r}): a value containing {sep!r} must "
                              "be in double quotes")
                else:
                    column = header[len(rec)]
                    reason = (f"{len(rec)} fields but the header has {len(header)} columns (no "
                              f"value from column {column!r} on)")
                if reader.line_num > first_line:
                    reason += f"; lines {first_line}-{reader.line_num}"
                shown = sep.join(rec)
                reason += f"; the row reads {shown[:80]!r}" + ("..." if len(shown) > 80 else "")
                if errors == "raise":
                    raise CorpusError(reason, file=str(path), row=row, column=column)
                pre_dropped.append({"source": str(path), "row": row, "column": column,
                                    "reason": reason, _CHECK: "field_count",
                                    "raw": raw_lines(first_line, reader.line_num)})
                continue
            records.append(rec)
            rows.append(row)
    finally:
        csv.field_size_limit(old_limit)
    if header is None:
        raise CorpusError("the file is empty", file=str(path))
    string_cols = set(string_cols)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n")  # "\r\n": a "\r" gets quoted
    writer.writerow(header)
    writer.writerows(records)
    try:
        df = pd.read_csv(io.StringIO(buf.getvalue()), sep=sep, index_col=False,
                         dtype={c: str for c in header if c in string_cols},
                         keep_default_na=False,
                         na_values={c: _NA_STRINGS for c in header if c not in string_cols})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise CorpusError(f"not a readable {what} file: {exc}", file=str(path)) from exc
    if list(df.columns) != header or len(df) != len(records) or any(
            df[c].fillna("").tolist() != [r[k] for r in records]
            for k, c in enumerate(header) if c in string_cols):  # never guess: take the fields
        df = pd.DataFrame(records, columns=header, dtype=object)
    for c in header:
        if c in string_cols and c in df.columns:
            df[c] = df[c].fillna("")
    df["_source"] = str(path)
    df["_row"] = np.asarray(rows, dtype=np.int64)
    return df


def _json_loads(text: str) -> tuple[Any, dict[int, list[str]]]:
    """json.loads that also reports repeated keys: returns (value, {id(object): [keys]})."""
    repeated: dict[int, list[str]] = {}

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        dups = []
        for key, value in pairs:
            if key in obj:
                dups.append(key)
            obj[key] = value
        if dups:
            repeated[id(obj)] = dups
        return obj

    return json.loads(text, object_pairs_hook=hook), repeated


def _json_record_problem(obj: Any, repeated: Mapping[int, list[str]]) -> tuple[str, str, str] | None:
    """(column, reason, check) when a JSON record cannot be one document row."""
    if not isinstance(obj, dict):
        return "", f"not a JSON object ({type(obj).__name__})", "invalid_json"
    if id(obj) in repeated:
        key = repeated[id(obj)][0]
        return (key, f"key {key!r} appears more than once in the object (JSON keeps only the "
                     "last value)", "duplicate_key")
    for key in obj:
        if _SURROGATE.search(key):
            return "", f"invalid Unicode in the key {key!r} (lone surrogate)", "invalid_unicode"
    return None


def _frame_from_records(records: list[dict[str, Any]]) -> pd.DataFrame:
    """DataFrame of JSON records; a column with a lone surrogate stays ``object`` (pandas'
    string dtype cannot hold it) so that validation can report the row."""
    if not records:
        return pd.DataFrame()
    try:
        return pd.DataFrame.from_records(records)
    except UnicodeEncodeError:
        pass
    data: dict[str, pd.Series] = {}
    for c in dict.fromkeys(k for r in records for k in r):
        values = [r.get(c, np.nan) for r in records]
        try:
            data[c] = pd.Series(values)
        except UnicodeEncodeError:
            data[c] = pd.Series(values, dtype=object)
    return pd.DataFrame(data)


def _read_json_lines(path: Path, *, encoding: str | None, errors: Errors,
                     pre_dropped: list[dict[str, Any]], info: dict[str, Any] | None = None,
                     ) -> pd.DataFrame:
    records: list[dict[str, Any]] = []
    rows: list[int] = []
    text = _decode(_read_bytes(path), encoding, file=str(path), info=info)
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj, repeated = _json_loads(line)
            problem = _json_record_problem(obj, repeated)
        except json.JSONDecodeError as exc:
            obj, problem = None, ("", f"invalid JSON: {exc.msg} at character {exc.pos + 1}",
                                  "invalid_json")
        except RecursionError:
            obj, problem = None, ("", "invalid JSON: nested too deeply", "invalid_json")
        if problem is not None:
            column, reason, check = problem
            if errors == "raise":
                raise CorpusError(reason, file=str(path), row=lineno, column=column or None)
            pre_dropped.append({"source": str(path), "row": lineno, "column": column,
                                "reason": reason, _CHECK: check, "raw": line[:1000]})
            continue
        records.append(obj)
        rows.append(lineno)
    df = _frame_from_records(records)
    df["_source"] = str(path)
    df["_row"] = np.asarray(rows, dtype=np.int64)
    return df


def _read_json_array(path: Path, *, encoding: str | None, errors: Errors = "raise",
                     pre_dropped: list[dict[str, Any]] | None = None,
                     info: dict[str, Any] | None = None) -> pd.DataFrame:
    pre_dropped = [] if pre_dropped is None else pre_dropped
    try:
        obj, repeated = _json_loads(_decode(_read_bytes(path), encoding, file=str(path), info=info))
    except json.JSONDecodeError as exc:
        raise CorpusError(f"invalid JSON: {exc.msg} (line {exc.lineno})", file=str(path)) from exc
    if isinstance(obj, dict):
        for key in ("documents", "articles", "data", "records"):
            if isinstance(obj.get(key), list):
                obj = obj[key]
                break
    if not isinstance(obj, list):
        raise CorpusError("a .json corpus must be a list of objects (use .jsonl for one object "
                          "per line)", file=str(path))
    records, rows = [], []
    for i, rec in enumerate(obj, start=1):
        problem = _json_record_problem(rec, repeated)
        if problem is not None:
            column, reason, check = problem
            if errors == "raise":
                raise CorpusError(reason, file=str(path), row=i, column=column or None)
            shown = json.dumps(rec, ensure_ascii=True, default=str)[:1000]
            pre_dropped.append({"source": str(path), "row": i, "column": column, "reason": reason,
                                _CHECK: check, "raw": shown})
            continue
        records.append(rec)
        rows.append(i)
    df = _frame_from_records(records)
    df["_source"] = str(path)
    df["_row"] = np.asarray(rows, dtype=np.int64)
    return df


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
        df = table.to_pandas()
    except Exception as exc:  # pyarrow raises several unrelated types
        raise CorpusError(f"not a readable Parquet file: {exc}", file=str(path)) from exc
    meta = (table.schema.metadata or {}).get(EXPORT_KEY.encode())
    df = df.reset_index(drop=not any(df.index.names))
    df.attrs = {}
    if meta is not None:
        try:
            df.attrs["export"] = json.loads(meta)
        except ValueError:
            warnings.warn(f"{path}: unreadable framing export metadata; ignored", CorpusWarning,
                          stacklevel=3)
    df["_source"] = str(path)
    df["_row"] = np.arange(1, len(df) + 1)
    return df


def _html_document(content: str) -> dict[str, str]:
    import trafilatura

    text = trafilatura.extract(content, include_comments=False, include_tables=False) or ""
    meta = trafilatura.extract_metadata(content)
    found = {"title": "", "published": "", "url": "", "sitename": ""}
    if meta is not None:
        found["title"] = meta.title or ""
        found["published"] = meta.date or ""
        found["url"] = meta.url or ""
        found["sitename"] = meta.sitename or ""
    found["text"] = text
    return found


def _read_folder(path: Path, *, fmt: str, names: dict[str, str | None], encoding: str | None,
                 metadata_table: str | Path | None, file_column: str, default_outlet: str | None,
                 errors: Errors, pre_dropped: list[dict[str, Any]],
                 decoded: list[dict[str, Any]]) -> pd.DataFrame:
    suffixes = (".txt",) if fmt == "txt" else _HTML_SUFFIXES
    files = _doc_files(path, suffixes)
    rel = {p.relative_to(path).as_posix(): p for p in files}
    by_stem: dict[str, list[str]] = {}
    for r in rel:
        by_stem.setdefault(r.rsplit(".", 1)[0], []).append(r)

    table_path = Path(metadata_table) if metadata_table is not None else path / "metadata.csv"
    if metadata_table is not None and not table_path.exists() and (path / table_path).exists():
        table_path = path / table_path
    if metadata_table is not None and not table_path.exists():
        raise FileNotFoundError(f"metadata table {str(table_path)!r} not found")
    has_table = table_path.exists()

    string_cols = {v for v in names.values() if v} | {file_column}
    text_col = names["text"] or "text"
    if has_table:
        info: dict[str, Any] = {"file": str(table_path)}
        table = _read_delimited(table_path, sep="\t" if table_path.suffix.lower() in (".tsv", ".tab")
                                else ",", encoding=encoding, string_cols=string_cols, errors=errors,
                                pre_dropped=pre_dropped, info=info)
        decoded.append(info)
        if file_column not in table.columns:
            raise CorpusError(f"missing required column {file_column!r} linking rows to the "
                              f"{fmt} files (set file_column=)", file=str(table_path), column=file_column)
        if text_col in table.columns:
            raise CorpusError(f"the metadata table has a column {text_col!r}, but in a {fmt} "
                              "folder the text comes from the files", file=str(table_path),
                              column=text_col)
        listed: set[str] = set()
        resolved: list[str | None] = []
        for i, value in enumerate(table[file_column].tolist()):
            name = str(value).strip().replace("\\", "/")
            match = name if name in rel else None
            if match is None:
                candidates = by_stem.get(name.rsplit(".", 1)[0] if name.lower().endswith(suffixes)
                                         else name, [])
                if len(candidates) == 1:
                    match = candidates[0]
            if match is None:
                problem = f"file {name!r} not found in {path}" if name else "no file name"
                if errors == "raise":
                    raise CorpusError(problem, file=str(table_path), row=int(table["_row"].iat[i]),
                                      column=file_column)
                rec = {"source": str(table_path), "row": int(table["_row"].iat[i]), "column": file_column,
                       "reason": problem, _CHECK: "missing_file"}
                rec.update({c: table[c].iat[i] for c in table.columns if c not in _ROW_COLUMNS})
                pre_dropped.append(rec)
            else:
                listed.add(match)
            resolved.append(match)
        table = table.assign(_match=resolved)
        table = table[table["_match"].notna()].reset_index(drop=True)
        unlisted = [r for r in rel if r not in listed]
        for r in unlisted:
            problem = f"not listed in {table_path.name}"
            if errors == "raise":
                raise CorpusError(problem, file=str(rel[r]), column=file_column)
            pre_dropped.append({"source": str(rel[r]), "row": None, "column": file_column,
                                "reason": problem, _CHECK: "unlisted_file", file_column: r})
    else:
        table = pd.DataFrame({"_match": list(rel)})
        table["_source"] = [str(rel[r]) for r in rel]
        table["_row"] = pd.Series([pd.NA] * len(rel), dtype="Int64")

    docs = []
    for r in table["_match"].tolist():
        info = {"file": str(rel[r])}
        content = _decode(rel[r].read_bytes(), encoding, file=str(rel[r]), info=info)
        decoded.append(info)
        docs.append({"text": content.strip()} if fmt == "txt" else _html_document(content))
    out = table.drop(columns=["_match"]).copy()
    out[file_column] = table["_match"].tolist()
    out["_file"] = [str(rel[r]) for r in table["_match"]]
    out[text_col] = [d["text"] for d in docs]
    if fmt == "html":
        for field in ("title", "published", "url"):
            col = names[field]
            if not col:
                continue
            page = [d[field] for d in docs]
            if col in out.columns:
                given = out[col].tolist()
                out[col] = [g if not _is_missing(g) and str(g).strip() else p
                            for g, p in zip(given, page, strict=True)]
            else:
                out[col] = page
        out["sitename"] = [d["sitename"] for d in docs]
    title_col = names["title"]
    title_lines: list[dict[str, str]] = []
    if title_col and title_col in out.columns:
        # the headline repeated as the first line of the text (trafilatura does it, and so
        # do many saved articles) is removed; the removal is recorded in the provenance
        texts = []
        for t, ttl, f in zip(out[text_col].tolist(), out[title_col].tolist(),
                             out[file_column].tolist(), strict=True):
            new, line = _drop_title_line(t, "" if _is_missing(ttl) else str(ttl))
            texts.append(new)
            if line is not None:
                title_lines.append({"file": f, "line": line})
        out[text_col] = texts
    generated = []
    if names["outlet"] and names["outlet"] not in out.columns and not default_outlet and not has_table:
        # no metadata table: a first-level subfolder names the outlet (corpus/RT/a.txt -> "RT")
        subs = [r.split("/", 1)[0] if "/" in r else "" for r in table["_match"]]
        if any(subs):
            out[names["outlet"]] = subs
            generated.append("outlet")
    if names["doc_id"] and names["doc_id"] not in out.columns:
        out[names["doc_id"]] = [r.rsplit(".", 1)[0].replace(":", "_") for r in table["_match"]]
        generated.append("doc_id")
    out.attrs = {"generated": generated, "title_lines": title_lines}
    return out


#: Leading furniture lines (a breadcrumb, a byline ...) looked past when searching the
#: headline line of a document file.
_TITLE_LINE_SKIP = 3


def _drop_title_line(text: str, title: str) -> tuple[str, str | None]:
    """Remove the headline line from the start of ``text``.

    The first non-empty line (or the first block of lines before a blank line, for a
    wrapped headline) is removed when it equals ``title`` up to case, whitespace, quotes,
    dashes and surrounding punctuation (:func:`framing.boilerplate.same_text`). Up to
    ``_TITLE_LINE_SKIP`` page-furniture lines before it (a breadcrumb such as "News / World")
    are looked past and kept. Returns the text and the removed line (None when nothing was
    removed; never when the headline is all there is).
    """
    if not title.strip() or not text:
        return text, None
    from framing.boilerplate import is_furniture, same_text

    lines = text.splitlines(keepends=True)
    skipped = 0
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].strip():
            j += 1
        for end in (i + 1, j) if j > i + 1 else (i + 1,):
            head = "".join(lines[i:end])
            if same_text(head, title):
                before, after = "".join(lines[:i]), "".join(lines[end:])
                if not after.strip():
                    return text, None
                new = after.strip() if not before.strip() else before + after.lstrip("\r\n")
                return new, head.strip()
        if skipped >= _TITLE_LINE_SKIP or is_furniture(lines[i]) is None:
            break
        skipped += 1
        i += 1
    return text, None


def _check_wrong_encoding(raw: pd.DataFrame, decoded: list[dict[str, Any]], *, fmt: str,
                          text_col: str) -> None:
    """Raise when a file that is valid UTF-8 was read with another explicit encoding.

    Such a file turns "café" into "cafÃ©" in every row; the error names the first row and
    column where it shows and what the text would be read as UTF-8.
    """
    suspects = [d for d in decoded if d.get("utf8_suspect")]
    if not suspects:
        return
    for d in suspects:
        enc = d["encoding"]
        if fmt in ("txt", "html") and "_file" in raw.columns and d["file"] in set(raw["_file"]):
            i = int(np.flatnonzero((raw["_file"] == d["file"]).to_numpy())[0])
            columns = [text_col] if text_col in raw.columns else []
            columns += [c for c in raw.columns if c not in columns and c not in _ROW_COLUMNS]
            rows_to_scan: Iterable[int] = [i]
        else:
            columns = [c for c in raw.columns if c not in _ROW_COLUMNS]
            rows_to_scan = range(len(raw))
            if "_source" in raw.columns:
                rows_to_scan = [j for j in rows_to_scan if raw["_source"].iat[j] == d["file"]]
        for j in rows_to_scan:
            for c in columns:
                v = raw[c].iat[j]
                if not isinstance(v, str) or v.isascii():
                    continue
                try:
                    fixed = v.encode(enc).decode("utf-8")
                except UnicodeError:
                    continue
                if fixed != v:
                    k = next(x for x in range(len(v)) if v[x] != fixed[x:x + 1])
                    shown, meant = v[max(0, k - 10):k + 10], fixed[max(0, k - 10):k + 8]
                    doc_file = fmt in ("txt", "html") and c == text_col
                    row = None if doc_file or "_row" not in raw.columns else raw["_row"].iat[j]
                    raise CorpusError(
                        f"{shown!r} looks like UTF-8 read as {enc!r}: the file is valid UTF-8, "
                        f"where it reads {meant!r}; pass encoding='utf-8' (or leave encoding= out)",
                        file=d["file"], row=None if _is_missing(row) else int(row), column=c)
        raise CorpusError(f"the file is valid UTF-8 but was read as {enc!r}; its non-ASCII "
                          "characters would be garbled: pass encoding='utf-8' (or leave "
                          "encoding= out)", file=d["file"])


def read_corpus(path: str | Path, *, format: str | None = None, text: str = "text",
                outlet: str | None = "outlet", published: str | None = "published",
                title: str | None = "title", doc_id: str | None = "doc_id",
                url: str | None = "url", lang: str | None = "lang",
                metadata: Sequence[str] | None = None, default_outlet: str | None = None,
                default_lang: str = "en", date_format: str | None = None,
                dayfirst: bool | None = None, errors: Errors = "raise",
                encoding: str | None = None, metadata_table: str | Path | None = None,
                file_column: str = "file") -> pd.DataFrame:
    """Read documents from a file or folder into a validated corpus.

    Formats (inferred from the extension, or from the folder's content, unless
    ``format=`` is given):

    - ``"csv"`` (``.csv``), ``"tsv"`` (``.tsv``, ``.tab``): one row per document with a
      header line. Rows are numbered from 1 after the header (a record spanning several
      lines is one row; blank lines are not rows). Every row must have as many fields as
      the header: ``1,RT,Hello, world,2022-09-20,Body`` under a five-column header (an
      unquoted comma) is a ``field_count`` problem naming file, row and column, never a
      shifted row, and the first column is never taken as an index; a broken quote is a
      ``malformed_row``, a quote never closed an error. A repeated column name
      (``text,text``) is an error.
    - ``"jsonl"`` (``.jsonl``, ``.ndjson``): one JSON object per line; the row number is
      the line number. ``"json"`` (``.json``): a list of objects (or an object with such
      a list under ``documents``/``articles``/``data``/``records``); the row number is
      the position in the list. In both, a line or element that is not an object
      (``invalid_json``) or repeats a key (``duplicate_key``) is reported or dropped
      like any bad row; a field holding a list or object where text is expected is a
      ``not_a_string`` problem (see :func:`validate_corpus`).
    - ``"parquet"`` (``.parquet``, ``.pq``).
    - CSV and JSON lines may be gzipped (``.csv.gz``, ``.jsonl.gz``).

    A file written by :func:`framing.export_corpus` comes back with its history: the
    dropped rows, the selection steps and the provenance it was saved with (Parquet
    metadata, or the sidecar ``<file>.framing.json``), plus ``provenance["read_back"]``
    describing this read. A sidecar whose SHA-256 no longer matches the file gives a
    :class:`CorpusWarning`.
    - ``"txt"``: a folder of ``.txt`` files (searched recursively, hidden files skipped),
      one document per file, text stripped of surrounding whitespace.
    - ``"html"``: a folder of saved web pages (``.html``/``.htm``); the main text is
      extracted with ``trafilatura.extract`` (navigation, headers, footers and comments
      are left out) and ``title``, ``published``, ``url`` come from trafilatura's page
      metadata when the metadata table does not give them. The page's site name is kept
      in a ``sitename`` column (it is not used as the outlet: give the outlet in the
      metadata table or ``default_outlet``).

    In both folder formats a first text line equal to the document's title (up to case,
    whitespace, quotes and dashes; a wrapped headline may span lines up to the first blank
    line) is removed from the text, looking past up to three page-furniture lines before
    it (a breadcrumb such as "News / World", which stays; see
    :func:`framing.boilerplate.is_furniture`). Every removal is listed in
    ``attrs["provenance"]["title_lines_removed"]`` (``file`` and the removed ``line``).

    For both folder formats a metadata table (CSV; by default ``metadata.csv`` in the
    folder, else ``metadata_table=``) links files to fields through the column
    ``file_column`` (default ``"file"``): the file's path relative to the folder, with or
    without extension (``"rt_001.txt"``, ``"RT/rt_001"``). Every document file must be listed
    and every listed file must exist (else an error, or with ``errors="drop"`` a dropped
    row with check ``unlisted_file``/``missing_file``). Without a table, ``doc_id`` is the
    file's relative path without extension and ``outlet`` is ``default_outlet`` or else
    the first-level subfolder (``corpus/RT/a.txt`` -> ``"RT"``).

    Parameters
    ----------
    path : str or Path
        File or folder.
    format : str, optional
        One of ``"csv"``, ``"tsv"``, ``"jsonl"``, ``"json"``, ``"parquet"``, ``"txt"``,
        ``"html"``.
    text, outlet, published, title, doc_id, url, lang : str or None
        Name of the column in *your* data holding each schema field (e.g.
        ``text="body", published="Date"``). ``None`` means the data has no such column:
        ``title``/``url`` become ``""``, ``lang`` becomes ``default_lang``, ``doc_id`` is
        generated (``"{file stem}-{row}"`` for tables), ``outlet`` comes from
        ``default_outlet`` and ``published=None`` keeps documents without dates
        (``NaT``). A default name that is absent from the data counts as ``None``; a name
        you typed that is absent is an error, except that ``text`` is always required and
        ``published`` is required unless set to ``None``.
    metadata : sequence of str, optional
        Which other columns to keep as metadata; by default all of them, ``()`` for none.
    default_outlet : str, optional
        Outlet for rows without one (or for all rows when there is no outlet column).
    default_lang : str
        Language for rows without one.
    date_format : str, optional
        Exact ``strftime`` format of the dates, such as ``"%d/%m/%Y"``.
    dayfirst : bool, optional
        Day/month order of numeric dates that are not ISO 8601 (``True``: ``03/10/2022``
        is 3 October). Without it or ``date_format``, such dates are ``ambiguous_date``
        problems; see :func:`validate_corpus` for the one date rule and partial dates.
    errors : {"raise", "drop"}
        What to do with a bad row, see :func:`validate_corpus`.
    encoding : str, optional
        Text encoding of the files; by default UTF-8. A byte-order mark always decides
        (UTF-8, UTF-16, UTF-32: such files are read without being told; a given encoding
        that disagrees gets a :class:`CorpusWarning`), and the encoding used is recorded
        as ``provenance["encoding_read"]`` when it is not UTF-8. UTF-16 without a
        byte-order mark is an error that says which encoding to pass. A non-UTF
        ``encoding`` for a file that is valid UTF-8 (``"café"`` would read ``"cafÃ©"``)
        is an error naming the first row and column where it shows. Bytes that do not
        decode are replaced by U+FFFD so the rest of the file is read; the rows that
        contain them are reported (file, row, column) as ``undecodable``.
    metadata_table : str or Path, optional
        Metadata table for a folder format (default ``<folder>/metadata.csv`` if present).
    file_column : str
        Column of the metadata table naming each document's file.

    Returns
    -------
    DataFrame
        A corpus (see the module docstring and :func:`validate_corpus`). Folder formats
        add a metadata column ``file_column`` with the relative file path.
        ``attrs["provenance"]`` records the path, format, SHA-256 of the file(s), the
        column mapping and the options, and for folder formats the headline lines removed
        from the texts (``title_lines_removed``).

    Raises
    ------
    CorpusError
        Unknown format, unreadable file, a named column that does not exist, a missing
        or repeated column, an unclosed quote, a wrong or undetectable encoding, or a bad
        row with ``errors="raise"``.
    FileNotFoundError
        ``path`` (or ``metadata_table``) does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "news.csv").write_text(
    ...     "Date,Source,Headline,Body\\n"
    ...     "2022-09-20,RT,Votes begin,Voting began on Friday.\\n"
    ...     "2022-09-21,NYT,Votes criticised,\\n")
    >>> corpus = read_corpus(folder / "news.csv", published="Date", outlet="Source",
    ...                      title="Headline", text="Body", errors="drop")
    >>> corpus[["doc_id", "outlet", "published", "title"]]
       doc_id outlet  published        title
    0  news-1     RT 2022-09-20  Votes begin
    >>> dropped_rows(corpus)[["row", "column", "reason"]]
       row column      reason
    0    2   text  empty text

    A row with an unquoted comma is reported, not shifted:

    >>> _ = (folder / "shifted.csv").write_text(
    ...     "doc_id,outlet,title,published,text\\n1,RT,Hello, world,2022-09-20,Body\\n")
    >>> read_corpus(folder / "shifted.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    framing.corpus.CorpusError: .../shifted.csv, row 1, column 'text': 6 fields but the header has 5 columns (extra field(s) after column 'text'): a value containing ',' must be in double quotes; the row reads '1,RT,Hello, world,2022-09-20,Body'
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {str(path)!r}")
    if errors not in ("raise", "drop"):
        raise ValueError(f"errors must be 'raise' or 'drop', got {errors!r}")
    if text is None:
        raise ValueError("text= cannot be None: a corpus needs the documents' text")
    if encoding is not None:
        _codec(encoding)
    fmt = _infer_format(path, format)
    names: dict[str, str | None] = {"text": text, "outlet": outlet, "published": published,
                                    "title": title, "doc_id": doc_id, "url": url, "lang": lang}
    for field, name in names.items():
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{field}= must be a column name (str) or None, got {name!r}")
    pre_dropped: list[dict[str, Any]] = []
    string_cols = {v for v in names.values() if v}

    decoded: list[dict[str, Any]] = []
    info: dict[str, Any] = {"file": str(path)}
    if fmt in ("csv", "tsv"):
        raw = _read_delimited(path, sep="," if fmt == "csv" else "\t", encoding=encoding,
                              string_cols=string_cols, errors=errors, pre_dropped=pre_dropped,
                              info=info)
    elif fmt == "jsonl":
        raw = _read_json_lines(path, encoding=encoding, errors=errors, pre_dropped=pre_dropped,
                               info=info)
    elif fmt == "json":
        raw = _read_json_array(path, encoding=encoding, errors=errors, pre_dropped=pre_dropped,
                               info=info)
    elif fmt == "parquet":
        raw = _read_parquet(path)
    else:
        raw = _read_folder(path, fmt=fmt, names=names, encoding=encoding,
                           metadata_table=metadata_table, file_column=file_column,
                           default_outlet=default_outlet, errors=errors, pre_dropped=pre_dropped,
                           decoded=decoded)
    if fmt not in ("txt", "html", "parquet"):
        decoded.append(info)
    source = str(path)
    generated = list(raw.attrs.get("generated", ()))
    title_lines = list(raw.attrs.get("title_lines", ()))
    saved = raw.attrs.get("export")
    raw.attrs = {}
    sidecar = Path(str(path) + SIDECAR_SUFFIX)
    if saved is None and path.is_file() and fmt != "parquet" and sidecar.is_file():
        try:
            saved = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CorpusError(f"unreadable export sidecar {sidecar.name}: {exc}", file=str(path)) from exc
        if saved.get("data_sha256") not in (None, _sha256(path)):
            warnings.warn(f"{path}: the file changed after export_corpus wrote {sidecar.name}; its "
                          "dropped rows, selection and provenance are attached but may not "
                          "describe this file", CorpusWarning, stacklevel=2)
    _check_wrong_encoding(raw, decoded, fmt=fmt, text_col=text)
    data_cols = [c for c in raw.columns if c not in _ROW_COLUMNS]
    if not data_cols and fmt in ("json", "jsonl"):
        if not pre_dropped:
            raise CorpusError("the file holds no JSON records", file=str(path))
        for name in names.values():  # every record was dropped: an empty corpus, with the drops
            if name:
                raw[name] = pd.Series([], dtype=object)
        data_cols = [c for c in raw.columns if c not in _ROW_COLUMNS]

    # ---- map the user's columns onto the schema ------------------------------------------
    present: dict[str, str] = {}
    for field, name in names.items():
        if name is None:
            continue
        if name in raw.columns:
            present[field] = name
        elif field in ("text", "published") or name != _DEFAULT_NAMES[field]:
            hint = ""
            if field == "published":
                hint = " (pass published=None to read documents without dates)"
            elif field == "outlet":
                hint = " (or give default_outlet=)"
            what = (f"missing required column {name!r}" if name == _DEFAULT_NAMES[field]
                    else f"column {name!r} (given as {field}=) not found")
            raise CorpusError(f"{what}{hint}; columns present: {data_cols}",
                              file=source, column=name)
    if "outlet" not in present and default_outlet is None:
        raise CorpusError(f"no outlet column {outlet!r}; give outlet= the column name or "
                          f"default_outlet=; columns present: {data_cols}", file=source,
                          column=outlet or "outlet")
    mapped_sources = set(present.values())
    if metadata is None:
        meta_cols = [c for c in data_cols if c not in mapped_sources]
    else:
        if isinstance(metadata, str):
            metadata = [metadata]
        meta_cols = list(metadata)
        missing = [c for c in meta_cols if c not in raw.columns]
        if missing:
            raise CorpusError(f"metadata column(s) {missing} not found; columns present: {data_cols}",
                              file=source, column=missing[0])
        if fmt in ("txt", "html") and file_column not in meta_cols:
            meta_cols.insert(0, file_column)
        if fmt == "html" and "sitename" not in meta_cols:
            meta_cols.append("sitename")
    clashes = [c for c in meta_cols if c in SCHEMA and present.get(c) != c]
    if clashes:
        raise CorpusError(f"column {clashes[0]!r} is not mapped to the schema field of that name "
                          f"but would clash with it; rename it or leave it out of metadata=",
                          file=source, column=clashes[0])

    table = pd.DataFrame(index=raw.index)
    n = len(raw)
    for field in SCHEMA:
        if field in present:
            table[field] = raw[present[field]]
        elif field == "published":
            table[field] = pd.Series([pd.NaT] * n, dtype="datetime64[ns]", index=raw.index)
        elif field == "doc_id":
            stem = path.stem if path.is_file() else path.name
            table[field] = [f"{stem}-{r}" for r in raw["_row"].tolist()]
        else:
            table[field] = ""
    if default_outlet is not None:
        table["outlet"] = [default_outlet if _as_str(v, field="outlet").strip() == "" else v
                           for v in table["outlet"].tolist()]
    table["lang"] = [default_lang if _as_str(v, field="lang").strip() == "" else v
                     for v in table["lang"].tolist()]
    for c in meta_cols:
        table[c] = raw[c]
    for c in _ROW_COLUMNS:
        if c in raw.columns:
            table[c] = raw[c]

    if errors == "raise" and pre_dropped:  # defensive: readers raise themselves
        rec = pre_dropped[0]
        raise CorpusError(rec["reason"], file=rec["source"], row=rec["row"], column=rec["column"])
    earlier = _attrs_from_export(saved, file=source) if saved is not None else None
    if pre_dropped or earlier is not None:
        table.attrs = {"dropped": _concat_dropped(earlier["dropped"] if earlier else None,
                                                  _dropped_from_records(pre_dropped))}
    corpus = validate_corpus(table.reset_index(drop=True), source=source, errors=errors,
                             date_format=date_format, dayfirst=dayfirst,
                             allow_missing_dates=published is None)

    files = ([path] if path.is_file() else _doc_files(path, (".txt",) if fmt == "txt" else _HTML_SUFFIXES))
    if fmt in ("txt", "html") and (metadata_table is not None or (path / "metadata.csv").exists()):
        t = Path(metadata_table) if metadata_table is not None else path / "metadata.csv"
        files = [t if t.exists() else path / t, *files]
    digests = [(f.relative_to(path).as_posix() if path.is_dir() and f.is_relative_to(path) else str(f),
                _sha256(f)) for f in files]
    provenance = dict(corpus.attrs["provenance"])
    provenance.update({
        "source": source,
        "format": fmt,
        "files": len(digests),
        "sha256": digests[0][1] if path.is_file() else hashlib.sha256(
            "".join(f"{name}\0{d}\n" for name, d in digests).encode()).hexdigest(),
        "columns": {f: None if f in generated else present.get(f) for f in SCHEMA},
        "generated": sorted(set(generated) | {f for f in ("doc_id",) if f not in present}),
        "options": {"default_outlet": default_outlet, "default_lang": default_lang,
                    "date_format": date_format, "dayfirst": dayfirst, "errors": errors,
                    "encoding": encoding,
                    "metadata": None if metadata is None else list(metadata),
                    "file_column": file_column if fmt in ("txt", "html") else None},
        "rows_read": int(n + len(pre_dropped)),
    })
    if fmt in ("txt", "html"):
        provenance["title_lines_removed"] = title_lines
    encodings = sorted({d["encoding"] for d in decoded if d.get("encoding")})
    if encodings and encodings != ["utf-8"]:
        provenance["encoding_read"] = encodings[0] if len(encodings) == 1 else encodings
    selection = corpus.attrs["selection"]
    if earlier is not None:  # a file written by export_corpus: its history comes back
        read_back = {**provenance, "exported_with": saved.get("framing_version")}
        provenance = {**earlier["provenance"], "read_back": read_back}
        selection = earlier["selection"]
        for c in saved.get("json_columns") or []:  # list/dict metadata stored as JSON text
            if c in corpus.columns:
                corpus[c] = pd.Series([json.loads(v) if isinstance(v, str) else v
                                       for v in corpus[c].tolist()], dtype=object)
    return _set_attrs(corpus, dropped=corpus.attrs["dropped"], selection=selection,
                      provenance=provenance)


# --------------------------------------------------------------------------------------
# duplicates
# --------------------------------------------------------------------------------------

#: Size of the bottom-k sketch used to find candidate pairs (candidates are then checked
#: exactly). Two sets at Jaccard J share on average about 2J/(1+J) * k of their k smallest
#: hashes; a candidate needs J * k / 2. In simulation (3,000 pairs each, sets of 100 and
#: 700 shingles) the fewest shared were 29, 40 and 55 for J = 0.5, 0.7, 0.9 against the
#: required 16, 22 and 28.
_SKETCH = 64


def _normalise_many(texts: Sequence[Any]) -> Any:
    """Case-, whitespace- and punctuation-insensitive forms of texts (a pyarrow array).

    NFKC normalisation, lower case, every run of characters other than letters, digits
    and combining marks becomes one space. Runs mostly in pyarrow (C++).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    # unicodedata's NFKC has a quick-check fast path that pyarrow's utf8proc lacks
    arr = pa.array([unicodedata.normalize("NFKC", _as_str(t, field="text")) for t in texts],
                   type=pa.large_string())
    arr = pc.utf8_lower(arr)
    arr = pc.replace_substring_regex(arr, r"[^\p{L}\p{N}\p{M}]+", " ")
    return pc.utf8_trim_whitespace(arr)


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads 64-bit values uniformly (vectorised, wrap-around)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


_HASH_BITS = 40  # shingle hashes are 40-bit: ~10 collisions expected among 10 million shingles
_DOC_SHIFT = np.uint64(_HASH_BITS)
_HASH_MASK = np.uint64((1 << _HASH_BITS) - 1)


def _shingles(norm: Any, ngram: int) -> tuple[np.ndarray, np.ndarray]:
    """Word ``ngram``-shingles of normalised texts (pyarrow array) as unique (doc, hash) pairs.

    Returns ``doc`` (int64) and ``hash`` (uint64, 40 bits) arrays sorted by doc, then
    hash. Token hashes come from BLAKE2b of the word, so the sets depend neither on the
    order of the documents nor on Python's hash seed. A text shorter than ``ngram`` words
    is one shingle of all its words. Only the hashing of distinct words runs in Python.
    """
    import pyarrow.compute as pc

    n = len(norm)
    lists = pc.utf8_split_whitespace(norm)
    counts = pc.list_value_length(lists).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    enc = pc.dictionary_encode(pc.list_flatten(lists))
    codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    token_hash = np.fromiter(
        (int.from_bytes(hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "little")
         for w in enc.dictionary.to_pylist()), dtype=np.uint64, count=len(enc.dictionary))
    H = token_hash[codes]
    ends = np.cumsum(counts)
    starts = ends - counts
    prime = np.uint64(0x100000001B3)
    docs: list[np.ndarray] = []
    hashes: list[np.ndarray] = []
    with np.errstate(over="ignore"):
        m = len(H) - ngram + 1
        if m > 0:
            s = np.zeros(m, dtype=np.uint64)
            for j in range(ngram):
                s = s * prime + H[j:j + m]
            doc_of = np.repeat(np.arange(n, dtype=np.int64), counts)[:m]
            valid = np.arange(m) + ngram <= ends[doc_of]
            docs.append(doc_of[valid])
            hashes.append(s[valid])
        for d in np.flatnonzero((counts > 0) & (counts < ngram)):
            s1 = np.uint64(0)
            for h in H[starts[d]:ends[d]]:
                s1 = s1 * prime + h
            docs.append(np.array([d], dtype=np.int64))
            hashes.append(np.array([s1], dtype=np.uint64))
        if not docs:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint64)
        doc = np.concatenate(docs).astype(np.uint64)
        key = (doc << _DOC_SHIFT) | (_mix64(np.concatenate(hashes)) >> np.uint64(64 - _HASH_BITS))
    key.sort()  # by doc, then hash (np.unique would hash first, which is slower here)
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]  # drop repeated shingles of a document
    key = key[first]
    return (key >> _DOC_SHIFT).astype(np.int64), key & _HASH_MASK


def _overlaps(hsh: np.ndarray, offsets: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Exact |A & B| for document pairs, from per-document sorted shingle hashes."""
    out = np.zeros(len(left), dtype=np.int64)
    for k, (i, j) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
        a = hsh[offsets[i]:offsets[i + 1]]
        b = hsh[offsets[j]:offsets[j + 1]]
        if len(a) > len(b):
            a, b = b, a
        if len(a) == 0:
            continue
        idx = np.searchsorted(b, a)
        idx[idx == len(b)] = 0
        out[k] = int(np.count_nonzero(b[idx] == a))
    return out


def _jaccard(hsh: np.ndarray, offsets: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    sizes = np.diff(offsets)
    inter = _overlaps(hsh, offsets, left, right)
    union = sizes[left] + sizes[right] - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 1.0)


def _near_pairs(doc: np.ndarray, hsh: np.ndarray, n: int,
                threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (i < j) of documents whose shingle sets have Jaccard >= threshold.

    ``doc``/``hsh`` as returned by :func:`_shingles`. Candidates are pairs that share
    enough of their bottom-k sketches (the k smallest hashes, which come first within
    each document); each candidate is then checked exactly. Also returns the per-document
    offsets into ``hsh``.
    """
    from scipy import sparse

    sizes = np.bincount(doc, minlength=n).astype(np.int64)
    offsets = np.r_[0, np.cumsum(sizes)]
    rank = np.arange(len(doc)) - offsets[doc]
    in_sketch = rank < _SKETCH
    codes, uniques = pd.factorize(hsh[in_sketch])
    S = sparse.csr_matrix((np.ones(len(codes), dtype=np.int32), (doc[in_sketch], codes)),
                          shape=(n, max(len(uniques), 1)))
    shared = sparse.triu(S @ S.T, k=1).tocoo()
    left, right, count = shared.row.astype(np.int64), shared.col.astype(np.int64), shared.data
    small = np.minimum(sizes[left], sizes[right])
    big = np.maximum(sizes[left], sizes[right])
    need = np.maximum(1, np.floor(0.5 * threshold * np.minimum(small, _SKETCH)))
    keep = (count >= need) & (small >= threshold * big)  # J >= t needs |A|/|B| >= t
    left, right = left[keep], right[keep]
    ok = _jaccard(hsh, offsets, left, right) >= threshold - 1e-12
    return left[ok], right[ok], offsets


def _check_corpus(corpus: Any, func: str, columns: Iterable[str] = ("doc_id", "text")) -> None:
    if not isinstance(corpus, pd.DataFrame):
        raise TypeError(f"{func}() expects a corpus DataFrame, got {type(corpus).__name__}")
    missing = [c for c in columns if c not in corpus.columns]
    if missing:
        raise ValueError(f"{func}(): the corpus has no column(s) {missing}; read it with "
                         "read_corpus() or validate_corpus()")


def _representative_order(published: pd.Series | None, n: int, keep: str) -> np.ndarray:
    """Rank of each row as a group representative (0 = preferred)."""
    pos = np.arange(n)
    if published is None:
        pub = np.zeros(n, dtype=np.int64)
        nat = np.zeros(n, dtype=bool)
    else:
        arr = pd.to_datetime(published).to_numpy(dtype="datetime64[ns]")
        nat = np.isnat(arr)
        pub = arr.astype(np.int64)
    if keep == "first":
        order = np.lexsort((pos, pub, nat))  # NaT last, then earliest, then first row
    else:
        order = np.lexsort((-pos, -pub, nat))  # NaT last, then latest, then last row
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return rank


def find_duplicates(corpus: pd.DataFrame, *, near: bool = True, threshold: float = 0.9,
                    ngram: int = 5, keep: Literal["first", "last"] = "first") -> pd.DataFrame:
    """Mark exact and near-duplicate documents (same wire copy, same article scraped twice).

    *Exact* duplicates have the same text after case folding, Unicode (NFKC)
    normalisation and removal of punctuation and extra whitespace. *Near* duplicates have
    a Jaccard similarity of at least ``threshold`` between their sets of word
    ``ngram``-shingles (Broder 1997), e.g. the same agency story with one sentence added.
    Groups are the connected components of the "is a duplicate of" graph, so a chain
    A~B~C is one group even if A and C are less similar.

    Candidate pairs come from bottom-k sketches of the shingle sets (the k = 64 smallest
    hashes per document; Broder 1997, Cohen & Kaplan 2007): two documents are candidates
    if they share at least ``threshold * 32`` sketch entries, while a pair at the threshold
    shares about ``2 * threshold / (1 + threshold) * 64`` on average, so for thresholds of
    0.5 and above a pair is missed only with negligible probability. Every candidate is
    then checked with its exact Jaccard similarity (of 40-bit shingle hashes). No O(n^2)
    comparison is made: 10,000 articles of 600 words take about 3 s of CPU time.

    Parameters
    ----------
    corpus : DataFrame
        A corpus (needs ``doc_id`` and ``text``; ``published`` is used to pick the
        representative). Not modified.
    near : bool
        Also look for near duplicates (else exact ones only).
    threshold : float
        Minimum Jaccard similarity of shingle sets, in (0, 1]. With 5-word shingles,
        changing one sentence in 25 gives about 0.9.
    ngram : int
        Words per shingle.
    keep : {"first", "last"}
        Which document represents a group: the earliest published (``"first"``) or the
        latest (``"last"``); ties go to the first (or last) row; undated documents are
        chosen last.

    Returns
    -------
    DataFrame
        A copy of ``corpus`` (same index, same ``attrs``) with added columns
        ``dup_group`` (int64 group id numbered by the representative's row, -1 for a
        document without duplicates), ``dup_kind`` (``"exact"`` or ``"near"`` for a
        duplicate of its representative; ``""`` for the representative itself and for
        unique documents), ``dup_of`` (doc_id of the group's representative, the
        representative included; ``""`` for unique documents) and ``dup_similarity``
        (Jaccard similarity with the representative; 1.0 for exact copies and for the
        representative, NaN for unique documents).

    References
    ----------
    A. Z. Broder (1997). On the resemblance and containment of documents. *Compression and
    Complexity of Sequences*, 21-29.
    E. Cohen & H. Kaplan (2007). Summarizing data using bottom-k sketches. *PODC*, 225-234.

    Examples
    --------
    >>> import pandas as pd
    >>> story = " ".join(f"Sentence {i} of the agency report says something new." for i in range(30))
    >>> raw = pd.DataFrame({
    ...     "doc_id": ["a", "b", "c", "d"], "outlet": ["Reuters", "CBS", "ABC", "Fox"],
    ...     "published": ["2022-09-21", "2022-09-20", "2022-09-22", "2022-09-22"],
    ...     "text": [story, story.upper(), story + " Added by the editor.", "Unrelated piece."]})
    >>> dups = find_duplicates(validate_corpus(raw))
    >>> dups[["doc_id", "dup_group", "dup_kind", "dup_of"]]  # doctest: +NORMALIZE_WHITESPACE
      doc_id  dup_group dup_kind dup_of
    0      a          0    exact      b
    1      b          0               b
    2      c          0     near      b
    3      d         -1
    """
    _check_corpus(corpus, "find_duplicates")
    if not (isinstance(threshold, (int, float)) and 0 < threshold <= 1):
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
    if not isinstance(ngram, (int, np.integer)) or isinstance(ngram, bool) or ngram < 1:
        raise ValueError(f"ngram must be a positive int, got {ngram!r}")
    if keep not in ("first", "last"):
        raise ValueError(f"keep must be 'first' or 'last', got {keep!r}")
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    import pyarrow.compute as pc

    n = len(corpus)
    norm = _normalise_many(corpus["text"].tolist())
    cls = pc.dictionary_encode(norm).indices.to_numpy(zero_copy_only=False).astype(np.int64)
    empty = (pc.utf8_length(norm).to_numpy(zero_copy_only=False) == 0) if n else np.zeros(0, bool)
    if empty.any():  # texts without words are never duplicates of each other
        cls = cls.copy()
        cls[empty] = cls.max(initial=-1) + 1 + np.arange(int(empty.sum()))
        cls = pd.factorize(cls)[0].astype(np.int64)
    n_cls = int(cls.max(initial=-1)) + 1
    first_of_cls = np.full(n_cls, n, dtype=np.int64)  # cls are 0..n_cls-1
    np.minimum.at(first_of_cls, cls, np.arange(n, dtype=np.int64))
    edges_l: list[np.ndarray] = []
    edges_r: list[np.ndarray] = []
    hsh = offsets = None
    if near and n_cls > 1:
        doc, hsh = _shingles(pc.take(norm, first_of_cls), ngram)
        left, right, offsets = _near_pairs(doc, hsh, n_cls, float(threshold))
        edges_l.append(left)
        edges_r.append(right)
    if edges_l:
        el, er = np.concatenate(edges_l), np.concatenate(edges_r)
    else:
        el = er = np.empty(0, dtype=np.int64)
    graph = sparse.coo_matrix((np.ones(len(el), dtype=np.int8), (el, er)), shape=(n_cls, n_cls))
    _, comp_of_cls = connected_components(graph, directed=False)
    comp = comp_of_cls[cls] if n else np.empty(0, dtype=np.int64)

    rank = _representative_order(corpus["published"] if "published" in corpus else None, n, keep)
    order = np.lexsort((rank, comp))  # rows by component, best representative first
    comp_sorted = comp[order]
    starts = np.flatnonzero(np.r_[True, comp_sorted[1:] != comp_sorted[:-1]]) if n else np.empty(0, int)
    counts = np.diff(np.r_[starts, n])
    rep_of_comp = np.full(int(comp.max(initial=-1)) + 1, -1, dtype=np.int64)
    size_of_comp = np.zeros_like(rep_of_comp)
    rep_of_comp[comp_sorted[starts]] = order[starts]
    size_of_comp[comp_sorted[starts]] = counts
    rep = rep_of_comp[comp] if n else np.empty(0, dtype=np.int64)
    in_group = size_of_comp[comp] > 1 if n else np.empty(0, dtype=bool)

    group_ids = np.full(n, -1, dtype=np.int64)
    reps = np.unique(rep[in_group])  # sorted by row: groups numbered in row order of reps
    group_ids[in_group] = np.searchsorted(reps, rep[in_group])
    doc_ids = [_as_str(v, field="doc_id") for v in corpus["doc_id"].tolist()]
    kind = np.where(~in_group | (rep == np.arange(n)), "",
                    np.where(cls == cls[rep], "exact", "near")) if n else np.empty(0, dtype=object)
    similarity = np.full(n, np.nan)
    similarity[in_group] = 1.0
    near_rows = np.flatnonzero(kind == "near")
    if len(near_rows) and hsh is not None:  # shingle sets are per exact class
        similarity[near_rows] = _jaccard(hsh, offsets, cls[near_rows], cls[rep[near_rows]])

    out = corpus.copy()  # columns are set positionally: works with any index
    out["dup_group"] = group_ids.astype("int64")
    out["dup_kind"] = pd.array(list(kind), dtype="str")
    out["dup_of"] = pd.array([doc_ids[r] if g else "" for r, g in zip(rep, in_group, strict=True)],
                             dtype="str")
    out["dup_similarity"] = similarity.astype("float64")
    return _set_attrs(out, dropped=_get_dropped(corpus),
                      selection=list(corpus.attrs.get("selection") or []),
                      provenance=corpus.attrs.get("provenance") or {}, base=corpus.attrs)


_DUP_COLUMNS = ("dup_group", "dup_kind", "dup_of", "dup_similarity")


def drop_duplicates(corpus: pd.DataFrame, *, keep: Literal["first", "last"] = "first",
                    near: bool = True, threshold: float = 0.9, ngram: int = 5) -> pd.DataFrame:
    """Keep one document per duplicate group; record the others as dropped.

    Groups are found with :func:`find_duplicates` (same parameters). The removed rows go
    to ``attrs["dropped"]`` with ``reason`` ``"duplicate of <doc_id>"``, ``check``
    ``"duplicate"``, ``source`` the corpus' ``attrs["provenance"]["source"]`` (row
    ``<NA>``: positions in the original file are no longer known) and their fields,
    including ``dup_kind`` and ``dup_similarity``; the step and its counts are appended
    to ``attrs["selection"]``.

    Parameters
    ----------
    corpus : DataFrame
        A corpus. Not modified.
    keep : {"first", "last"}
        Keep the earliest (``"first"``) or latest published document of each group.
    near, threshold, ngram
        See :func:`find_duplicates`.

    Returns
    -------
    DataFrame
        The corpus without the duplicates (same columns as ``corpus``, no ``dup_*``
        columns; index labels of the kept rows are unchanged).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": ["Reuters", "CBS", "ABC"],
    ...                     "published": ["2022-09-21", "2022-09-20", "2022-09-20"],
    ...                     "text": ["Polls closed.", "Polls  closed!", "Counting began."]})
    >>> deduped = drop_duplicates(validate_corpus(raw))
    >>> list(deduped["doc_id"]), list(dropped_rows(deduped)["reason"])
    (['b', 'c'], ['duplicate of b'])
    """
    marked = find_duplicates(corpus, near=near, threshold=threshold, ngram=ngram, keep=keep)
    is_dup = (marked["dup_kind"] != "").to_numpy()
    provenance = dict(corpus.attrs.get("provenance") or {})
    source = str(provenance.get("source", "<DataFrame>"))
    records = []
    for pos in np.flatnonzero(is_dup):
        row = marked.iloc[pos]
        rec: dict[str, Any] = {"source": source, "row": None, "column": "text",
                               "reason": f"duplicate of {row['dup_of']}", _CHECK: "duplicate"}
        for c in marked.columns:
            if c not in ("dup_group", "dup_of"):
                rec.setdefault(c, row[c])
        records.append(rec)
    out = corpus.loc[~is_dup].copy() if len(corpus) else corpus.copy()
    out = out.drop(columns=[c for c in _DUP_COLUMNS if c in out.columns])
    step = {"step": "drop_duplicates", "keep": keep, "near": bool(near),
            "threshold": float(threshold), "ngram": int(ngram),
            "n_before": int(len(corpus)), "n_after": int(len(out)),
            "n_exact": int((marked["dup_kind"] == "exact").sum()),
            "n_near": int((marked["dup_kind"] == "near").sum())}
    return _set_attrs(out, dropped=_concat_dropped(_get_dropped(corpus), _dropped_from_records(records)),
                      selection=[*(corpus.attrs.get("selection") or []), step],
                      provenance=provenance, base=corpus.attrs)


# --------------------------------------------------------------------------------------
# selection
# --------------------------------------------------------------------------------------

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
        from framing.markers import phrase_regex

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
        markers (:func:`framing.markers.phrase_regex`). A string is a phrase matched on
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
        Document vectors aligned with the rows of ``corpus`` (row i <-> vector i). If not
        given, ``encoder`` embeds the ``fields`` of the documents.
    encoder : object with ``encode(texts)`` and ``name``, optional
        Encoder for the query (and the documents when ``embeddings`` is not given).
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
    if isinstance(fields, str):
        fields = (fields,)
    fields = tuple(fields)
    n0 = len(corpus)
    mask = np.ones(n0, dtype=bool)
    criteria: list[dict[str, Any]] = []

    if start is not None or end is not None:
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
                              "their period", CorpusWarning, stacklevel=2)
        if s is not None:
            ok &= pub >= s.to_datetime64()
        if e is not None:
            ok &= pub < (e + pd.Timedelta(days=1)).to_datetime64()
        mask &= ok
        criteria.append({"criterion": "date", "start": None if s is None else s.date().isoformat(),
                         "end": None if e is None else e.date().isoformat(),
                         "n_after": int(mask.sum())})

    if outlets is not None:
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
        criteria.append({"criterion": "outlets", "outlets": list(wanted), "n_after": int(mask.sum())})

    if query is not None:
        missing = [f for f in fields if f not in corpus.columns]
        if missing:
            raise ValueError(f"fields {missing} are not columns of the corpus")
        pattern = _query_regex(query, regex=regex, case=case)
        hit = np.zeros(n0, dtype=bool)
        for f in fields:
            values = corpus[f].tolist()
            hit |= np.array([bool(m) and pattern.search(_as_str(v, field=f)) is not None
                             for v, m in zip(values, mask, strict=True)], dtype=bool)
        mask &= hit
        criteria.append({"criterion": "query", "query": query if isinstance(query, str) else list(query),
                         "regex": bool(regex), "case": bool(case), "fields": list(fields),
                         "n_after": int(mask.sum())})

    similarity = None
    if semantic is None:
        if top_k is not None or min_similarity is not None:
            raise ValueError("top_k= and min_similarity= need a semantic= query")
    else:
        if top_k is None and min_similarity is None:
            raise ValueError("a semantic= query needs top_k= and/or min_similarity=")
        if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer))
                                  or top_k < 1):
            raise ValueError(f"top_k must be a positive int, got {top_k!r}")
        if min_similarity is not None and not -1.0 <= float(min_similarity) <= 1.0:
            raise ValueError(f"min_similarity must be in [-1, 1], got {min_similarity!r}")
        if embeddings is not None:
            emb = np.asarray(embeddings, dtype=np.float64)
            if emb.ndim != 2 or emb.shape[0] != n0:
                raise ValueError(f"embeddings must have shape (len(corpus), dim) = ({n0}, dim), "
                                 f"got {emb.shape}")
            emb = emb[mask]
        elif encoder is None:
            raise ValueError("semantic selection needs embeddings= (aligned with the corpus rows) "
                             "or an encoder= to embed the documents")
        else:
            missing = [f for f in fields if f not in corpus.columns]
            if missing:
                raise ValueError(f"fields {missing} are not columns of the corpus")
            sub = corpus.loc[mask]
            texts = ["\n".join(t for t in (_as_str(v, field=f) for f, v in zip(fields, vals, strict=True))
                               if t.strip())
                     for vals in zip(*(sub[f].tolist() for f in fields), strict=True)] if len(sub) else []
            emb = np.asarray(encoder.encode(texts), dtype=np.float64) if texts else np.empty((0, 1))
        if isinstance(semantic, str):
            if not semantic.strip():
                raise ValueError("semantic= query text is empty")
            if encoder is None:
                raise ValueError("a semantic= query text needs an encoder= to embed it "
                                 "(or pass the query vector itself)")
            q = np.asarray(encoder.encode([semantic]), dtype=np.float64).reshape(-1)
        else:
            q = np.asarray(semantic, dtype=np.float64).reshape(-1)
        if len(emb) and emb.shape[1] != q.shape[0]:
            raise ValueError(f"query vector has dimension {q.shape[0]} but embeddings have "
                             f"{emb.shape[1]}")
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
        similarity = np.full(n0, np.nan)
        similarity[positions] = sims
        mask[positions[~ok]] = False
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


# --------------------------------------------------------------------------------------
# combining
# --------------------------------------------------------------------------------------

def _part_label(corpus: pd.DataFrame, k: int) -> str:
    prov = corpus.attrs.get("provenance") or {}
    if prov.get("corpus"):
        return str(prov["corpus"])
    src = str(prov.get("source") or "")
    if src and src != "<DataFrame>" and not src.startswith("concat_corpora("):
        return Path(src).name.split(".")[0] or src
    return f"part{k + 1}"


def concat_corpora(*corpora: pd.DataFrame, doc_ids: Literal["raise", "prefix"] = "raise",
                   keys: Sequence[str] | None = None) -> pd.DataFrame:
    """Combine validated corpora into one, keeping every part's dropped rows and history.

    ``pd.concat`` followed by :func:`validate_corpus` forgets what each part dropped and
    where it came from; this keeps it: the dropped-row tables are stacked, and each part's
    selection steps and provenance (a named corpus' manifest hash, a file's SHA-256) are
    kept under its label.

    Parameters
    ----------
    *corpora : DataFrame
        Corpora made by :func:`read_corpus`, :func:`validate_corpus` or
        :func:`framing.load_corpus` (or selections of them), in order; a single list of
        corpora also works. Not modified.
    doc_ids : {"raise", "prefix"}
        A ``doc_id`` found in more than one part is an error (``"raise"``, the default:
        the message names the id and the parts); ``"prefix"`` makes every id
        ``"<label>:<doc_id>"`` so that ids stay unique and show their part.
    keys : sequence of str, optional
        One label per part. By default the named corpus (``"ungdc"``), else the file
        name without extension (``"my_articles"``), else ``"part1"``, ``"part2"``, ...;
        repeated labels get ``-2``, ``-3``, ... appended.

    Returns
    -------
    DataFrame
        The rows of all parts in order, with a fresh ``RangeIndex``. Columns: the schema,
        ``published_precision`` if any part has it (``"day"`` for the others), the
        metadata columns of all parts in first-seen order (missing in a part: missing
        values; the parts lacking each column are listed in the provenance), then
        ``warnings``. ``attrs``: ``dropped`` (every part's dropped rows, stacked),
        ``selection`` (one step ``{"step": "concat_corpora", "parts": [{"part", "n_rows",
        "selection"}, ...], "doc_ids", "n_after"}``) and ``provenance`` (``source``
        ``"concat_corpora(a, b)"``, ``parts``: each part's label, row count and own
        provenance, ``doc_ids``, ``columns_missing``).

    Raises
    ------
    CorpusError
        A part is not a corpus (a schema column missing or of the wrong type: run
        :func:`validate_corpus` on it first), or a ``doc_id`` is in two parts with
        ``doc_ids="raise"``.
    ValueError
        No corpora, bad ``keys`` or ``doc_ids``.

    Warns
    -----
    CorpusWarning
        A metadata column has different types in different parts (e.g. numbers in one,
        text in another).

    Examples
    --------
    >>> import pandas as pd
    >>> a = validate_corpus(pd.DataFrame({"doc_id": ["1", "2"], "outlet": "RT", "text": ["A.", ""],
    ...                                   "published": "2022-09-20"}), source="rt.csv", errors="drop")
    >>> b = validate_corpus(pd.DataFrame({"doc_id": ["1"], "outlet": "NYT", "text": ["B."],
    ...                                   "published": "2022-09-21"}), source="nyt.csv")
    >>> concat_corpora(a, b)
    Traceback (most recent call last):
    ...
    framing.corpus.CorpusError: concat_corpora, column 'doc_id': doc_id '1' is in parts 'rt' and 'nyt'; pass doc_ids='prefix' to make ids '<part>:<doc_id>'
    >>> both = concat_corpora(a, b, doc_ids="prefix")
    >>> list(both["doc_id"]), len(dropped_rows(both))
    (['rt:1', 'nyt:1'], 1)
    >>> [p["part"] for p in both.attrs["provenance"]["parts"]]
    ['rt', 'nyt']
    """
    if len(corpora) == 1 and isinstance(corpora[0], (list, tuple)):
        corpora = tuple(corpora[0])
    if not corpora:
        raise ValueError("concat_corpora() needs at least one corpus")
    if doc_ids not in ("raise", "prefix"):
        raise ValueError(f"doc_ids must be 'raise' or 'prefix', got {doc_ids!r}")
    for k, part in enumerate(corpora):
        if not isinstance(part, pd.DataFrame):
            raise TypeError(f"concat_corpora(): part {k + 1} is a {type(part).__name__}, not a corpus "
                            "DataFrame")
    if keys is None:
        labels = [_part_label(c, k) for k, c in enumerate(corpora)]
        seen: dict[str, int] = {}
        for k, label in enumerate(labels):
            seen[label] = seen.get(label, 0) + 1
            if seen[label] > 1:
                labels[k] = f"{label}-{seen[label]}"
    else:
        labels = [keys] if isinstance(keys, str) else list(keys)
        if len(labels) != len(corpora):
            raise ValueError(f"keys= has {len(labels)} labels for {len(corpora)} corpora")
        if any(not isinstance(x, str) or not x for x in labels) or len(set(labels)) != len(labels):
            raise ValueError(f"keys= must be distinct non-empty strings, got {labels!r}")

    for label, part in zip(labels, corpora, strict=True):
        missing = [c for c in SCHEMA if c not in part.columns]
        if missing:
            raise CorpusError(f"part {label!r} is not a corpus: no column(s) {missing}; read it with "
                              "read_corpus() or validate_corpus() first", file="concat_corpora",
                              column=missing[0])
        if not pd.api.types.is_datetime64_dtype(part["published"].dtype):
            raise CorpusError(f"part {label!r}: 'published' is {part['published'].dtype}, not "
                              "datetime64 (naive); validate_corpus() it first",
                              file="concat_corpora", column="published")
        for c in _STRING_FIELDS:
            if not (pd.api.types.is_string_dtype(part[c].dtype)
                    and all(isinstance(v, str) for v in part[c].tolist())):
                raise CorpusError(f"part {label!r}: {c!r} must hold strings only; "
                                  "validate_corpus() it first", file="concat_corpora", column=c)
        if not part["doc_id"].is_unique:
            dup = part["doc_id"][part["doc_id"].duplicated()].iloc[0]
            raise CorpusError(f"part {label!r}: doc_id {dup!r} appears twice within the part",
                              file="concat_corpora", column="doc_id")

    if doc_ids == "raise":
        owner: dict[str, str] = {}
        for label, part in zip(labels, corpora, strict=True):
            for d in part["doc_id"].tolist():
                if d in owner:
                    raise CorpusError(f"doc_id {d!r} is in parts {owner[d]!r} and {label!r}; pass "
                                      "doc_ids='prefix' to make ids '<part>:<doc_id>'",
                                      file="concat_corpora", column="doc_id")
                owner[d] = label

    # columns: schema, precision, metadata in first-seen order, warnings
    has_precision = any(_PRECISION_COLUMN in p.columns for p in corpora)
    meta: list[str] = []
    for part in corpora:
        meta += [c for c in part.columns if c not in SCHEMA and c not in meta
                 and c not in ("warnings", _PRECISION_COLUMN)]
    columns = [*SCHEMA, *([_PRECISION_COLUMN] if has_precision else []), *meta, "warnings"]
    columns_missing = {c: [lab for lab, p in zip(labels, corpora, strict=True) if c not in p.columns]
                       for c in meta}
    columns_missing = {c: v for c, v in columns_missing.items() if v}
    for c in meta:
        kinds = {lab: str(p[c].dtype) for lab, p in zip(labels, corpora, strict=True)
                 if c in p.columns and p[c].notna().any()}
        families = {("number" if pd.api.types.is_numeric_dtype(t) and t != "bool" else
                     "text" if t in ("str", "string", "object") else t) for t in kinds.values()}
        if len(families) > 1:
            warnings.warn(f"concat_corpora(): metadata column {c!r} has different types in the "
                          f"parts: {kinds}", CorpusWarning, stacklevel=2)

    pieces = []
    for label, part in zip(labels, corpora, strict=True):
        q = part.copy(deep=False)
        q.attrs = {}
        if doc_ids == "prefix":
            q["doc_id"] = pd.Series([f"{label}:{d}" for d in q["doc_id"].tolist()], index=q.index,
                                    dtype="str")
        if has_precision and _PRECISION_COLUMN not in q.columns:
            q[_PRECISION_COLUMN] = pd.Series(np.where(q["published"].isna(), "", "day"),
                                             index=q.index, dtype="str")
        if "warnings" not in q.columns:
            q["warnings"] = pd.Series([""] * len(q), index=q.index, dtype="str")
        pieces.append(q.reset_index(drop=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # all-NA columns of empty parts
        out = pd.concat(pieces, ignore_index=True, sort=False)
    out = out[columns]
    for c in _STRING_FIELDS + ("warnings",) + ((_PRECISION_COLUMN,) if has_precision else ()):
        out[c] = out[c].astype("str")
    out["published"] = out["published"].astype("datetime64[ns]")

    parts_prov = [{"part": lab, "n_rows": int(len(p)), "n_dropped": int(len(_get_dropped(p))),
                   "provenance": dict(p.attrs.get("provenance") or {})}
                  for lab, p in zip(labels, corpora, strict=True)]
    provenance = {"source": f"concat_corpora({', '.join(labels)})", "parts": parts_prov,
                  "doc_ids": doc_ids, "columns_missing": columns_missing}
    step = {"step": "concat_corpora", "doc_ids": doc_ids, "n_after": int(len(out)),
            "parts": [{"part": lab, "n_rows": int(len(p)),
                       "selection": list(p.attrs.get("selection") or [])}
                      for lab, p in zip(labels, corpora, strict=True)]}
    return _set_attrs(out, dropped=_concat_dropped(*(_get_dropped(p) for p in corpora)),
                      selection=[step], provenance=provenance)
