"""Readers of one table file: CSV/TSV, JSON lines, a JSON list of records, Parquet.

Each returns the raw rows as a DataFrame with the private columns ``_source`` (file) and
``_row`` (1-based data row) for :func:`framing.corpus.validate_corpus`; bad records are
raised as :class:`CorpusError` or, with ``errors="drop"``, appended to ``pre_dropped``.
"""
from __future__ import annotations

import csv
import io
import json
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .export import EXPORT_KEY
from .files import _NA_STRINGS, _decode, _read_bytes, _record_lines
from .schema import _CHECK, CorpusError, CorpusWarning, Errors
from .text import _SURROGATE


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
    pre_dropped = [] if pre_dropped is None else pre_dropped
    text = _decode(_read_bytes(path), encoding, file=str(path), info=info)
    if not text.strip():
        raise CorpusError("the file is empty", file=str(path))
    old_limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        header, records, rows = _Records(text, sep=sep, path=path, errors=errors,
                                         pre_dropped=pre_dropped).read()
    finally:
        csv.field_size_limit(old_limit)
    if header is None:
        raise CorpusError("the file is empty", file=str(path))
    df = _typed_frame(header, records, sep=sep, string_cols=set(string_cols), path=path)
    df["_source"] = str(path)
    df["_row"] = np.asarray(rows, dtype=np.int64)
    return df


class _Records:
    """The records of a delimited text, checked one by one against the header."""

    def __init__(self, text: str, *, sep: str, path: Path, errors: Errors,
                 pre_dropped: list[dict[str, Any]]) -> None:
        self.text, self.sep, self.file, self.errors = text, sep, str(path), errors
        self.pre_dropped = pre_dropped
        self.what = "CSV" if sep == "," else "delimited"
        self.lines: list[str] | None = None
        self.header: list[str] | None = None
        self.row = 0

    def raw_lines(self, first: int, last: int) -> str:
        if self.lines is None:
            self.lines = _record_lines(self.text)
        return "".join(self.lines[first - 1:last])[:1000]

    def read(self) -> tuple[list[str] | None, list[list[str]], list[int]]:
        """(header, records with as many fields as the header, their 1-based row numbers)."""
        records: list[list[str]] = []
        rows: list[int] = []
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.sep, strict=True)
        while True:
            first_line = reader.line_num + 1
            try:
                rec = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self.malformed(exc, first_line, reader.line_num)
                continue
            if not rec or (len(rec) == 1 and not rec[0].strip()
                           and (self.header is None or len(self.header) > 1)):
                continue  # a blank line is not a row
            if self.header is None:
                self.header = _header(rec, self.file)
                continue
            self.row += 1
            if len(rec) != len(self.header):
                self.field_count(rec, first_line, reader.line_num)
                continue
            records.append(rec)
            rows.append(self.row)
        return self.header, records, rows

    def drop(self, reason: str, column: str | None, check: str, first: int, last: int) -> None:
        if self.errors == "raise":
            raise CorpusError(reason, file=self.file, row=self.row, column=column) from None
        self.pre_dropped.append({"source": self.file, "row": self.row, "column": column or "",
                                 "reason": reason, _CHECK: check, "raw": self.raw_lines(first, last)})

    def malformed(self, exc: csv.Error, first_line: int, last_line: int) -> None:
        if "unexpected end of data" in str(exc):
            raise CorpusError(
                f"a quoted value opened on line {first_line} is never closed: lines "
                f"{first_line}-{last_line} (the rest of the file) would be one value; "
                "fix the quote", file=self.file, row=None if self.header is None else self.row + 1,
            ) from None
        if self.header is None:
            raise CorpusError(f"not a readable {self.what} header: {exc}", file=self.file) from None
        self.row += 1
        self.drop(f"malformed {self.what} record on line {last_line}: {exc}", None, "malformed_row",
                  first_line, last_line)

    def field_count(self, rec: list[str], first_line: int, last_line: int) -> None:
        header, sep = self.header, self.sep
        if len(rec) > len(header):
            column = header[-1]
            reason = (f"{len(rec)} fields but the header has {len(header)} columns (extra "
                      f"field(s) after column {column!r}): a value containing {sep!r} must "
                      "be in double quotes")
        else:
            column = header[len(rec)]
            reason = (f"{len(rec)} fields but the header has {len(header)} columns (no "
                      f"value from column {column!r} on)")
        if last_line > first_line:
            reason += f"; lines {first_line}-{last_line}"
        shown = sep.join(rec)
        reason += f"; the row reads {shown[:80]!r}" + ("..." if len(shown) > 80 else "")
        self.drop(reason, column, "field_count", first_line, last_line)


def _header(rec: list[str], file: str) -> list[str]:
    header = [h if h != "" else f"Unnamed: {k}" for k, h in enumerate(rec)]
    seen: dict[str, int] = {}
    for k, name in enumerate(header):
        if name in seen:
            raise CorpusError(f"duplicate column name {name!r} (columns {seen[name] + 1} and {k + 1} of "
                              "the header); rename one of them", file=file, column=name)
        seen[name] = k
    return header


def _typed_frame(header: list[str], records: list[list[str]], *, sep: str, string_cols: set[str],
                 path: Path) -> pd.DataFrame:
    """The records as a DataFrame: schema columns verbatim strings, metadata typed by pandas."""
    what = "CSV" if sep == "," else "delimited"
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
    text = _decode(_read_bytes(path), encoding, file=str(path), info=info)

    def parsed() -> Iterator[tuple[int, Any, tuple[str, str, str] | None, Callable[[], str]]]:
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
            yield lineno, obj, problem, lambda line=line: line[:1000]

    return _records_frame(parsed(), path=path, errors=errors, pre_dropped=pre_dropped)


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
    parsed = ((i, rec, _json_record_problem(rec, repeated),
               lambda rec=rec: json.dumps(rec, ensure_ascii=True, default=str)[:1000])
              for i, rec in enumerate(obj, start=1))
    return _records_frame(parsed, path=path, errors=errors, pre_dropped=pre_dropped)


def _records_frame(parsed: Iterable[tuple[int, Any, tuple[str, str, str] | None, Callable[[], str]]], *,
                   path: Path, errors: Errors, pre_dropped: list[dict[str, Any]]) -> pd.DataFrame:
    """The good JSON records as rows; a bad one (row, record, problem, its raw text) is
    raised or recorded in ``pre_dropped``."""
    records: list[dict[str, Any]] = []
    rows: list[int] = []
    for row, obj, problem, raw in parsed:
        if problem is not None:
            column, reason, check = problem
            if errors == "raise":
                raise CorpusError(reason, file=str(path), row=row, column=column or None)
            pre_dropped.append({"source": str(path), "row": row, "column": column, "reason": reason,
                                _CHECK: check, "raw": raw()})
            continue
        records.append(obj)
        rows.append(row)
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
                          stacklevel=4)
    df["_source"] = str(path)
    df["_row"] = np.arange(1, len(df) + 1)
    return df
