"""Reading a corpus from a file or a folder (:func:`read_corpus`)."""
from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .export import SIDECAR_SUFFIX, _attrs_from_export
from .files import (
    _DEFAULT_NAMES,
    _HTML_SUFFIXES,
    _check_wrong_encoding,
    _codec,
    _doc_files,
    _infer_format,
    _sha256,
)
from .folders import _read_folder
from .schema import (
    _ROW_COLUMNS,
    SCHEMA,
    CorpusError,
    CorpusWarning,
    Errors,
    _as_str,
    _concat_dropped,
    _dropped_from_records,
    _set_attrs,
)
from .tables import _read_delimited, _read_json_array, _read_json_lines, _read_parquet
from .validation import validate_corpus

__all__ = ["read_corpus"]


def read_corpus(path: str | Path, *, format: str | None = None, text: str = "text",
                outlet: str | None = "outlet", published: str | None = "published",
                title: str | None = "title", doc_id: str | None = "doc_id",
                url: str | None = "url", lang: str | None = "lang",
                metadata: Sequence[str] | None = None, default_outlet: str | None = None,
                default_lang: str = "en", date_format: str | None = None,
                dayfirst: bool | None = None, errors: Errors = "raise",
                encoding: str | None = None, metadata_table: str | Path | None = None,
                file_column: str = "file", engine: str = "pandas") -> Any:
    """Read documents from a file or folder into a validated corpus.

    ``engine="dask"`` reads lazily instead (a path, folder, Parquet dataset or glob such as
    ``"news/*.jsonl"``): a ``dask.dataframe.DataFrame`` with one partition per file, each
    read and validated exactly as here (:func:`framing.dask_io.read_corpus`; the dropped rows
    of every partition with :func:`framing.dask_io.dropped_rows`).

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
    >>> from framing.corpus import dropped_rows
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
    if engine != "pandas":
        options = {k: v for k, v in locals().items() if k not in ("path", "engine")}
        return _read_engine(path, engine, options)
    path = Path(path)
    fmt, names = _check_read_options(path, format=format, errors=errors, encoding=encoding,
                                     names={"text": text, "outlet": outlet, "published": published,
                                            "title": title, "doc_id": doc_id, "url": url, "lang": lang})
    pre_dropped: list[dict[str, Any]] = []
    decoded: list[dict[str, Any]] = []
    raw = _read_raw(path, fmt=fmt, names=names, encoding=encoding, errors=errors,
                    metadata_table=metadata_table, file_column=file_column,
                    default_outlet=default_outlet, pre_dropped=pre_dropped, decoded=decoded)
    source = str(path)
    generated = list(raw.attrs.get("generated", ()))
    title_lines = list(raw.attrs.get("title_lines", ()))
    saved = _saved_export(path, fmt, raw.attrs.get("export"))
    raw.attrs = {}
    _check_wrong_encoding(raw, decoded, fmt=fmt, text_col=text)
    data_cols = [c for c in raw.columns if c not in _ROW_COLUMNS]
    if not data_cols and fmt in ("json", "jsonl"):
        if not pre_dropped:
            raise CorpusError("the file holds no JSON records", file=str(path))
        for name in names.values():  # every record was dropped: an empty corpus, with the drops
            if name:
                raw[name] = pd.Series([], dtype=object)
        data_cols = [c for c in raw.columns if c not in _ROW_COLUMNS]
    present = _map_columns(raw, names, data_cols, default_outlet=default_outlet, source=source)
    meta_cols = _metadata_columns(raw, metadata, present, data_cols, fmt=fmt, file_column=file_column,
                                  source=source)
    table = _schema_table(raw, present, meta_cols, path=path, default_outlet=default_outlet,
                          default_lang=default_lang)
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
    provenance = dict(corpus.attrs["provenance"])
    options = {"default_outlet": default_outlet, "default_lang": default_lang, "date_format": date_format,
               "dayfirst": dayfirst, "errors": errors, "encoding": encoding,
               "metadata": None if metadata is None else list(metadata),
               "file_column": file_column if fmt in ("txt", "html") else None}
    provenance.update(_read_provenance(path, fmt=fmt, metadata_table=metadata_table, present=present,
                                       generated=generated, options=options,
                                       n_read=len(raw) + len(pre_dropped)))
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


# ---- the steps of read_corpus -----------------------------------------------------------------

def _check_read_options(path: Path, *, format: str | None, errors: str, encoding: str | None,
                        names: dict[str, str | None]) -> tuple[str, dict[str, str | None]]:
    """The format to read and the column names, after checking the options."""
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {str(path)!r}")
    if errors not in ("raise", "drop"):
        raise ValueError(f"errors must be 'raise' or 'drop', got {errors!r}")
    if names["text"] is None:
        raise ValueError("text= cannot be None: a corpus needs the documents' text")
    if encoding is not None:
        _codec(encoding)
    fmt = _infer_format(path, format)
    for field, name in names.items():
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{field}= must be a column name (str) or None, got {name!r}")
    return fmt, names


def _read_raw(path: Path, *, fmt: str, names: dict[str, str | None], encoding: str | None, errors: Errors,
              metadata_table: str | Path | None, file_column: str, default_outlet: str | None,
              pre_dropped: list[dict[str, Any]], decoded: list[dict[str, Any]]) -> pd.DataFrame:
    """The rows of the file or folder as read, before mapping onto the schema."""
    info: dict[str, Any] = {"file": str(path)}
    if fmt in ("csv", "tsv"):
        raw = _read_delimited(path, sep="," if fmt == "csv" else "\t", encoding=encoding,
                              string_cols={v for v in names.values() if v}, errors=errors,
                              pre_dropped=pre_dropped, info=info)
    elif fmt == "jsonl":
        raw = _read_json_lines(path, encoding=encoding, errors=errors, pre_dropped=pre_dropped, info=info)
    elif fmt == "json":
        raw = _read_json_array(path, encoding=encoding, errors=errors, pre_dropped=pre_dropped, info=info)
    elif fmt == "parquet":
        raw = _read_parquet(path)
    else:
        raw = _read_folder(path, fmt=fmt, names=names, encoding=encoding,
                           metadata_table=metadata_table, file_column=file_column,
                           default_outlet=default_outlet, errors=errors, pre_dropped=pre_dropped,
                           decoded=decoded)
    if fmt not in ("txt", "html", "parquet"):
        decoded.append(info)
    return raw


def _saved_export(path: Path, fmt: str, saved: dict[str, Any] | None) -> dict[str, Any] | None:
    """Export metadata from the Parquet file (``saved``) or from the sidecar JSON next to it."""
    sidecar = Path(str(path) + SIDECAR_SUFFIX)
    if saved is None and path.is_file() and fmt != "parquet" and sidecar.is_file():
        try:
            saved = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CorpusError(f"unreadable export sidecar {sidecar.name}: {exc}", file=str(path)) from exc
        if saved.get("data_sha256") not in (None, _sha256(path)):
            warnings.warn(f"{path}: the file changed after export_corpus wrote {sidecar.name}; its "
                          "dropped rows, selection and provenance are attached but may not "
                          "describe this file", CorpusWarning, stacklevel=3)
    return saved


def _map_columns(raw: pd.DataFrame, names: dict[str, str | None], data_cols: list[str], *,
                 default_outlet: str | None, source: str) -> dict[str, str]:
    """Schema field -> the user's column, for the fields present in the data."""
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
            raise CorpusError(f"{what}{hint}; columns present: {data_cols}", file=source, column=name)
    if "outlet" not in present and default_outlet is None:
        outlet = names["outlet"]
        raise CorpusError(f"no outlet column {outlet!r}; give outlet= the column name or "
                          f"default_outlet=; columns present: {data_cols}", file=source,
                          column=outlet or "outlet")
    return present


def _metadata_columns(raw: pd.DataFrame, metadata: Sequence[str] | None, present: dict[str, str],
                      data_cols: list[str], *, fmt: str, file_column: str, source: str) -> list[str]:
    """The columns kept as metadata (all unmapped ones by default)."""
    mapped_sources = set(present.values())
    if metadata is None:
        meta_cols = [c for c in data_cols if c not in mapped_sources]
    else:
        meta_cols = [metadata] if isinstance(metadata, str) else list(metadata)
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
    return meta_cols


def _schema_table(raw: pd.DataFrame, present: dict[str, str], meta_cols: list[str], *, path: Path,
                  default_outlet: str | None, default_lang: str) -> pd.DataFrame:
    """The raw rows under the schema's column names, defaults filled, metadata after them."""
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
    return table


def _read_provenance(path: Path, *, fmt: str, metadata_table: str | Path | None, present: dict[str, str],
                     generated: list[str], options: dict[str, Any], n_read: int) -> dict[str, Any]:
    """Source, format, SHA-256 of the file(s) and the column mapping of one read."""
    files = ([path] if path.is_file() else _doc_files(path, (".txt",) if fmt == "txt" else _HTML_SUFFIXES))
    if fmt in ("txt", "html") and (metadata_table is not None or (path / "metadata.csv").exists()):
        t = Path(metadata_table) if metadata_table is not None else path / "metadata.csv"
        files = [t if t.exists() else path / t, *files]
    digests = [(f.relative_to(path).as_posix() if path.is_dir() and f.is_relative_to(path) else str(f),
                _sha256(f)) for f in files]
    return {
        "source": str(path),
        "format": fmt,
        "files": len(digests),
        "sha256": digests[0][1] if path.is_file() else hashlib.sha256(
            "".join(f"{name}\0{d}\n" for name, d in digests).encode()).hexdigest(),
        "columns": {f: None if f in generated else present.get(f) for f in SCHEMA},
        "generated": sorted(set(generated) | {f for f in ("doc_id",) if f not in present}),
        "options": options,
        "rows_read": int(n_read),
    }


def _read_engine(path: Any, engine: str, options: dict[str, Any]) -> Any:
    """``read_corpus(engine=...)`` other than pandas: only ``"dask"``."""
    if engine != "dask":
        raise ValueError(f"read_corpus: engine must be 'pandas' or 'dask', got {engine!r}")
    from framing.dask_io import read_corpus as read_dask

    return read_dask(path, **options)
