"""The corpus schema, its error and warning types, and the dropped-row tables in ``attrs``.

Shared by every module of :mod:`framing.corpus`: the column names (:data:`SCHEMA`,
:data:`REQUIRED`, :data:`DROPPED_COLUMNS`), :class:`CorpusError` / :class:`CorpusWarning`,
and the helpers that build ``attrs["dropped"]``, ``attrs["selection"]`` and
``attrs["provenance"]`` deliberately (:func:`dropped_rows`, :func:`drop_summary`).
"""
from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = ["SCHEMA", "DROPPED_COLUMNS", "REQUIRED", "Errors", "CorpusError", "CorpusWarning",
           "dropped_rows", "drop_summary"]

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


# public under framing.corpus (messages, doctests and pickles name it there)
CorpusError.__module__ = CorpusWarning.__module__ = "framing.corpus"


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
    >>> from framing.corpus import validate_corpus
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
    >>> from framing.corpus import validate_corpus
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


def _check_corpus(corpus: Any, func: str, columns: Iterable[str] = ("doc_id", "text")) -> None:
    if not isinstance(corpus, pd.DataFrame):
        raise TypeError(f"{func}() expects a corpus DataFrame, got {type(corpus).__name__}")
    missing = [c for c in columns if c not in corpus.columns]
    if missing:
        raise ValueError(f"{func}(): the corpus has no column(s) {missing}; read it with "
                         "read_corpus() or validate_corpus()")
