"""Validation: a table of documents checked against the corpus schema (:func:`validate_corpus`)."""
from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .dates import _parse_dates
from .schema import (
    _CHECK,
    _PRECISION_COLUMN,
    _ROW_COLUMNS,
    _STRING_FIELDS,
    REQUIRED,
    SCHEMA,
    CorpusError,
    CorpusWarning,
    Errors,
    _as_str,
    _concat_dropped,
    _dropped_from_records,
    _get_dropped,
    _is_missing,
    _set_attrs,
)
from .text import (
    _EDGE_INVISIBLE,
    _SURROGATE,
    _blank,
    _char_problem,
    _first_line_with,
    _html_tag,
    _text_warnings,
    _type_problem,
)

__all__ = ["validate_corpus"]


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
    _check_options(df, errors=errors, dayfirst=dayfirst, date_format=date_format)
    source = str(source)
    src, rown, files = _row_origins(df, source, rows)
    _require_columns(df, file_label=_file_label(src, source), allow_missing_dates=allow_missing_dates)
    meta_cols = [c for c in df.columns if c not in SCHEMA and c not in _ROW_COLUMNS
                 and c not in ("warnings", _PRECISION_COLUMN)]
    fields = _read_fields(df, date_format=date_format, dayfirst=dayfirst)
    problem = _find_problems(df, fields, meta_cols, src=src, rown=rown,
                             allow_missing_dates=allow_missing_dates)
    bad = [i for i in range(len(df)) if problem[i] is not None]
    if bad and errors == "raise":
        i = bad[0]
        column, reason, _ = problem[i]
        raise CorpusError(reason + _file_note(files[i], src[i]), file=src[i], row=rown[i], column=column)

    keep_idx = np.flatnonzero(np.array([p is None for p in problem], dtype=bool))
    out, partial = _clean_table(df, fields, meta_cols, keep_idx)
    n_warn = _announce(out, fields, keep_idx, partial, source=source)
    records = _dropped_records(df, problem, bad, src=src, rown=rown, files=files)
    dropped = _concat_dropped(_get_dropped(df), _dropped_from_records(records))
    provenance = _provenance(df, source=source, n_out=len(out), n_bad=len(bad), n_warn=n_warn,
                             partial=partial, stripped=fields.stripped, dayfirst=dayfirst,
                             date_format=date_format)
    return _set_attrs(out, dropped=dropped, selection=list(df.attrs.get("selection") or []),
                      provenance=provenance, base=df.attrs)


# ---- the steps of validate_corpus ----------------------------------------------------------

#: (column, reason, check) of a row's first problem, or None
_Problem = tuple[str, str, str] | None


@dataclass
class _Fields:
    """The schema fields of every row as read: strings, type problems and parsed dates."""

    strings: dict[str, list[str]]
    type_problems: dict[str, list[str | None]]
    stripped: dict[str, int]
    dates: np.ndarray
    date_status: np.ndarray
    precision: np.ndarray
    date_reason: list[str]


def _check_options(df: Any, *, errors: str, dayfirst: Any, date_format: str | None) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"validate_corpus() expects a DataFrame, got {type(df).__name__}")
    if errors not in ("raise", "drop"):
        raise ValueError(f"errors must be 'raise' or 'drop', got {errors!r}")
    if dayfirst is not None and not isinstance(dayfirst, (bool, np.bool_)):
        raise TypeError(f"dayfirst must be True, False or None, got {dayfirst!r}")
    if dayfirst is not None and date_format:
        raise ValueError("give dayfirst= or date_format=, not both (the format says the order)")


def _file_label(src: list[str], source: str) -> str:
    """The file(s) named in a message about a whole column."""
    named = sorted(set(src)) or [source]
    return named[0] if len(named) == 1 else ", ".join(named[:3]) + (", ..." if len(named) > 3 else "")


def _file_note(file: str, source: str) -> str:
    return f" (document file {file})" if file and file != source else ""


def _require_columns(df: pd.DataFrame, *, file_label: str, allow_missing_dates: bool) -> None:
    for col in REQUIRED:
        if col not in df.columns and not (col == "published" and allow_missing_dates):
            present = [c for c in df.columns if c not in _ROW_COLUMNS]
            raise CorpusError(f"missing required column {col!r} (columns present: {present})",
                              file=file_label, column=col)


def _read_fields(df: pd.DataFrame, *, date_format: str | None, dayfirst: bool | None) -> _Fields:
    """Strings of the schema fields (ids trimmed of invisible edges) and the parsed dates."""
    n = len(df)
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
        dates, date_status, _, precision, date_reason = _parse_dates(df["published"], date_format, dayfirst)
    else:
        dates = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        date_status, precision, date_reason = np.ones(n, dtype=np.int8), np.full(n, "", dtype=object), [""] * n
    if _PRECISION_COLUMN in df.columns:  # as written by export_corpus: keep where it agrees
        for i, given in enumerate(df[_PRECISION_COLUMN].tolist()):
            if given in ("month", "year") and precision[i] == "day":
                day = pd.Timestamp(dates[i])
                if day.day == 1 and (given == "month" or day.month == 1):
                    precision[i] = given
    return _Fields(strings, type_problems, stripped, dates, date_status, precision, date_reason)


def _find_problems(df: pd.DataFrame, fields: _Fields, meta_cols: list[str], *, src: list[str],
                   rown: list[Any], allow_missing_dates: bool) -> list[_Problem]:
    """Each row's first problem, checked in the order of validate_corpus' table."""
    problem: list[_Problem] = [None] * len(df)

    def flag(i: int, column: str, reason: str, check: str) -> None:
        if problem[i] is None:
            problem[i] = (column, reason, check)

    strings = fields.strings
    check_cols = [c for c in _STRING_FIELDS if c in df.columns] + [
        c for c in meta_cols if df[c].dtype == object or pd.api.types.is_string_dtype(df[c].dtype)]
    _encoding_problems(df, strings, check_cols, flag)
    for col, probs in fields.type_problems.items():
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
    for i in range(len(df)):
        _row_problems(i, fields, flag, allow_missing_dates=allow_missing_dates)
        if problem[i] is None:
            tag = _html_tag(strings["text"][i])
            if tag:
                flag(i, "text", f"HTML markup in text: {tag!r}", "html_markup")
    _duplicate_ids(strings["doc_id"], problem, flag, src=src, rown=rown)
    return problem


def _encoding_problems(df: pd.DataFrame, strings: dict[str, list[str]], check_cols: list[str],
                       flag: Callable[[int, str, str, str], None]) -> None:
    """U+FFFD (undecodable bytes) first, then lone surrogates, in any string column."""
    for col in check_cols:
        values = strings[col] if col in strings else df[col].tolist()
        for i, v in enumerate(values):
            if isinstance(v, str) and "\ufffd" in v:
                flag(i, col, f"undecodable bytes in {col} (replacement character U+FFFD at "
                             f"line {_first_line_with(v, chr(0xFFFD))} of the field; if the file "
                             "is not UTF-8, pass encoding=, e.g. 'cp1252')", "undecodable")
    for col in check_cols:
        values = strings[col] if col in strings else df[col].tolist()
        for i, v in enumerate(values):
            if isinstance(v, str) and _SURROGATE.search(v):
                flag(i, col, _char_problem(v, col)[0], "invalid_unicode")


def _row_problems(i: int, fields: _Fields, flag: Callable[[int, str, str, str], None], *,
                  allow_missing_dates: bool) -> None:
    """Missing ids and outlets, blank texts, missing or bad dates of row ``i``."""
    strings = fields.strings
    if not strings["doc_id"][i]:
        flag(i, "doc_id", "missing doc_id", "missing_doc_id")
    if not strings["outlet"][i]:
        flag(i, "outlet", "missing outlet", "missing_outlet")
    text = strings["text"][i]
    if _blank(text):
        what = ("empty text" if not text.strip() else "empty text (only invisible characters: " + ", ".join(
            sorted({f"U+{ord(ch):04X}" for ch in text if not ch.isspace()})) + ")")
        flag(i, "text", what, "empty_text")
    status = fields.date_status[i]
    if status == 1 and not allow_missing_dates:
        flag(i, "published", "missing date", "missing_date")
    elif status == 2:
        flag(i, "published", fields.date_reason[i], "unparseable_date")
    elif status == 3:
        flag(i, "published", fields.date_reason[i], "ambiguous_date")


def _duplicate_ids(doc_ids: list[str], problem: list[_Problem], flag: Callable[[int, str, str, str], None],
                   *, src: list[str], rown: list[Any]) -> None:
    """A doc_id already used by an earlier valid row (the first one is kept)."""
    first_seen: dict[str, int] = {}
    for i, key in enumerate(doc_ids):
        if problem[i] is not None:
            continue
        if key in first_seen:
            j = first_seen[key]
            where = f"{src[j]}, row {rown[j]}" if rown[j] is not None else src[j]
            flag(i, "doc_id", f"duplicate doc_id {key!r} (first at {where})", "duplicate_doc_id")
        else:
            first_seen[key] = i


def _clean_table(df: pd.DataFrame, fields: _Fields, meta_cols: list[str],
                 keep_idx: np.ndarray) -> tuple[pd.DataFrame, dict[str, int]]:
    """The kept rows in schema order (typed), precision, metadata; and the partial-date counts."""
    out = pd.DataFrame(index=pd.RangeIndex(len(keep_idx)))
    for col in SCHEMA:
        if col == "published":
            out[col] = pd.Series(fields.dates[keep_idx], dtype="datetime64[ns]")
        else:
            out[col] = pd.Series([fields.strings[col][i] for i in keep_idx], dtype="str")
    kept_precision = fields.precision[keep_idx]
    partial = {p: int((kept_precision == p).sum()) for p in ("month", "year")}
    if any(partial.values()) or _PRECISION_COLUMN in df.columns:
        out[_PRECISION_COLUMN] = pd.Series(list(kept_precision), dtype="str")
    for col in meta_cols:
        out[col] = df[col].iloc[keep_idx].reset_index(drop=True)
    return out, partial


def _announce(out: pd.DataFrame, fields: _Fields, keep_idx: np.ndarray, partial: dict[str, int], *,
              source: str) -> int:
    """Fill the ``warnings`` column and warn with counts; returns the rows with warnings."""
    warn_lists = [_text_warnings(fields.strings["text"][i], fields.strings["title"][i]) for i in keep_idx]
    out["warnings"] = pd.Series(["; ".join(w) for w in warn_lists], dtype="str")
    n_warn = sum(bool(w) for w in warn_lists)
    if n_warn:
        warnings.warn(f"{source}: {n_warn} of {len(out)} documents kept with warnings (HTML "
                      "entities, possible mojibake or boilerplate); see the corpus' 'warnings' "
                      "column", CorpusWarning, stacklevel=3)
    if any(partial.values()):
        warnings.warn(f"{source}: {sum(partial.values())} of {len(out)} dates are partial "
                      f"({partial['month']} month only, {partial['year']} year only); "
                      "'published' holds the first day of the period and 'published_precision' "
                      "says which", CorpusWarning, stacklevel=3)
    if fields.stripped:
        warnings.warn(f"{source}: invisible characters (zero-width space, byte-order mark, "
                      "direction marks) removed from the ends of "
                      + ", ".join(f"{k} {c} value(s)" for c, k in fields.stripped.items()),
                      CorpusWarning, stacklevel=3)
    return n_warn


def _dropped_records(df: pd.DataFrame, problem: list[_Problem], bad: list[int], *, src: list[str],
                     rown: list[Any], files: list[str]) -> list[dict[str, Any]]:
    field_cols = [c for c in df.columns if c not in _ROW_COLUMNS]
    records = []
    for i in bad:
        column, reason, check = problem[i]
        rec: dict[str, Any] = {"source": src[i], "row": rown[i], "column": column,
                               "reason": reason + _file_note(files[i], src[i]), _CHECK: check}
        for c in field_cols:
            rec.setdefault(c, df[c].iat[i])
        records.append(rec)
    return records


def _provenance(df: pd.DataFrame, *, source: str, n_out: int, n_bad: int, n_warn: int,
                partial: dict[str, int], stripped: dict[str, int], dayfirst: bool | None,
                date_format: str | None) -> dict[str, Any]:
    provenance = dict(df.attrs.get("provenance") or {})
    provenance.setdefault("source", source)
    provenance["validation"] = {"rows_in": len(df), "rows_out": int(n_out),
                                "rows_dropped": n_bad, "rows_with_warnings": n_warn}
    if any(partial.values()):
        provenance["validation"]["partial_dates"] = partial
    if stripped:
        provenance["validation"]["invisible_characters_removed"] = dict(stripped)
    if dayfirst is not None or date_format:
        provenance["validation"]["dates"] = {"dayfirst": dayfirst, "date_format": date_format}
    return provenance
