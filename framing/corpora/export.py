"""Summaries and files of a corpus: :func:`corpus_info` and :func:`export_corpus`."""
from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..fetch import atomic_writer
from .._checks import is_dask as _is_dask
from ._common import _is_na, _jsonable


def corpus_info(name_or_df: str | pd.DataFrame, *, mirror: str | os.PathLike[str] | None = None,
                cache_dir: str | os.PathLike[str] | None = None, **options: Any) -> dict[str, Any]:
    """A JSON-serialisable summary of a corpus.

    Parameters
    ----------
    name_or_df : str or DataFrame
        A corpus name (loaded with :func:`load_corpus` and ``options``) or a corpus table.

    Returns
    -------
    dict
        ``name``, ``documents``, ``date_range`` ([first, last] ISO dates),
        ``per_outlet``, ``per_year`` ({year: n}), ``per_outlet_year``
        ({outlet: {year: n}}), ``per_day`` ({date: n}), ``dropped`` (total),
        ``dropped_reasons`` ({kind of problem: n}, the ``check`` column of the dropped
        rows), ``duplicates_dropped`` (rows dropped as duplicates),
        ``near_duplicates_flagged`` (rows kept but flagged in ``near_dup_of``; None when
        the corpus has no such column), ``duplicate_doc_ids`` (ids appearing more than once; 0 in a valid
        corpus), ``manifest_sha256`` (when known).

    Examples
    --------
    >>> c = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "Y"],
    ...                   "published": pd.to_datetime(["2022-09-23", "2022-10-01"])})
    >>> info = corpus_info(c)
    >>> info["per_outlet"], info["date_range"]
    ({'X': 1, 'Y': 1}, ['2022-09-23', '2022-10-01'])
    """
    if isinstance(name_or_df, str):
        from . import load_corpus

        df = load_corpus(name_or_df, mirror=mirror, cache_dir=cache_dir, progress=False, **options)
        name = name_or_df
    elif isinstance(name_or_df, pd.DataFrame):
        df, name = name_or_df, name_or_df.attrs.get("provenance", {}).get("corpus")
    else:
        raise TypeError(f"corpus_info expects a corpus name or a DataFrame, got {type(name_or_df).__name__}")
    dates = pd.to_datetime(df["published"])
    years = dates.dt.year
    dropped = df.attrs.get("dropped")
    reasons: dict[str, int] = {}
    dup_dropped = 0
    if isinstance(dropped, pd.DataFrame) and len(dropped):
        if "check" in dropped.columns and (dropped["check"].astype(str) != "").all():
            kinds = dropped["check"].astype(str)
        else:  # group reasons that carry a value (e.g. "unparseable date '...'") by their stem
            kinds = dropped["reason"].astype(str).str.replace(r"\s*['(].*$", "", regex=True)
        reasons = {str(k): int(v) for k, v in kinds.value_counts().sort_index().items()}
        dup_dropped = int(kinds.str.contains("duplicate", case=False).sum())
    per_outlet_year: dict[str, dict[str, int]] = {}
    for (o, y), n in df.groupby([df["outlet"], years]).size().items():
        per_outlet_year.setdefault(str(o), {})[str(int(y))] = int(n)
    return {
        "name": name,
        "documents": int(len(df)),
        "date_range": ([dates.min().date().isoformat(), dates.max().date().isoformat()]
                       if len(df) and dates.notna().any() else [None, None]),
        "per_outlet": {str(k): int(v) for k, v in df["outlet"].value_counts().sort_index().items()},
        "per_year": {str(int(k)): int(v) for k, v in years.value_counts().sort_index().items()},
        "per_outlet_year": per_outlet_year,
        "per_day": {k.date().isoformat(): int(v) for k, v in dates.value_counts().sort_index().items()},
        "dropped": int(len(dropped)) if isinstance(dropped, pd.DataFrame) else 0,
        "dropped_reasons": reasons,
        "duplicates_dropped": dup_dropped,
        "near_duplicates_flagged": (int((df["near_dup_of"].astype(str) != "").sum())
                                    if "near_dup_of" in df.columns else None),
        "duplicate_doc_ids": int(df["doc_id"].duplicated().sum()) if "doc_id" in df else 0,
        "manifest_sha256": df.attrs.get("provenance", {}).get("manifest_sha256"),
    }


def export_corpus(name_or_df: str | pd.DataFrame, path: str | os.PathLike[str], *,
                  mirror: str | os.PathLike[str] | None = None,
                  cache_dir: str | os.PathLike[str] | None = None, sidecar: bool = True,
                  partition_on: Sequence[str] | None = None, **options: Any) -> Path:
    """Write a corpus, with its dropped rows, selection steps and provenance, to a file.

    The format follows the extension: CSV (``.csv``, ``.csv.gz``), JSON lines
    (``.jsonl``, ``.jsonl.gz``) or Parquet (``.parquet``). ``corpus.attrs`` (the dropped-row
    table, ``selection`` and ``provenance``; see :func:`framing.corpus.export_metadata`)
    travels with the file: as Parquet key-value metadata under the key ``"framing"``, or
    for CSV and JSON lines in the sidecar ``<file>.framing.json`` (with the file's SHA-256).
    :func:`framing.read_corpus` restores all of it: the same dropped rows and selection
    steps, and the same provenance plus ``read_back`` (how the file was read).

    Dates are written as ``YYYY-MM-DD`` in CSV and JSON lines; a partial date
    (``published_precision`` ``"month"`` or ``"year"``) as ``YYYY-MM`` or ``YYYY``. CSV
    has RFC 4180 line ends (``\\r\\n``), so that a value holding a bare ``\\r`` is quoted.
    In Parquet and CSV, list and dict metadata values are stored as JSON text (never as
    their Python repr) and come back as lists and dicts. Files are written atomically.

    Parameters
    ----------
    name_or_df : str or DataFrame
        A corpus name (loaded with :func:`load_corpus`, ``mirror``, ``cache_dir`` and
        ``options``) or a corpus table.
    path : path
        Output file.
    sidecar : bool
        Write ``<file>.framing.json`` next to a CSV or JSON lines file (default). Without
        it the dropped rows, selection and provenance are not saved.
    partition_on : list of str, optional
        Write a partitioned Parquet dataset instead (a folder ``col=value/part-<i>.parquet``,
        :func:`framing.dask_io.write_corpus`), read back lazily with
        ``framing.read_corpus(path, engine="dask")``. A Dask DataFrame is always written so.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValueError
        For an unsupported extension.

    Examples
    --------
    >>> import tempfile, pathlib, framing
    >>> raw = pd.DataFrame({"doc_id": ["a", "b"], "outlet": "X", "published": ["2022-09-23", "2022-09"],
    ...                     "text": ["Some text.", " "]})
    >>> c = framing.validate_corpus(raw, source="raw.csv", errors="drop")
    >>> p = export_corpus(c, pathlib.Path(tempfile.mkdtemp()) / "c.jsonl")
    >>> p.read_text().strip()
    '{"doc_id":"a","outlet":"X","published":"2022-09-23","title":"","text":"Some text.","url":"","lang":"","warnings":""}'
    >>> back = framing.read_corpus(p)
    >>> framing.dropped_rows(back)[["source", "row", "reason"]]
        source  row      reason
    0  raw.csv    2  empty text
    >>> back.attrs["provenance"]["source"], back.attrs["provenance"]["read_back"]["format"]
    ('raw.csv', 'jsonl')
    """
    if partition_on is not None or _is_dask(name_or_df):
        from framing.dask_io import write_corpus

        from . import load_corpus

        table = (load_corpus(name_or_df, mirror=mirror, cache_dir=cache_dir, progress=False, **options)
                 if isinstance(name_or_df, str) else name_or_df)
        return write_corpus(table, path, partition_on=partition_on)
    from ..corpus import SIDECAR_SUFFIX, export_metadata

    path = Path(path)
    suffix = "".join(path.suffixes[-2:]) if path.suffix == ".gz" else path.suffix
    if suffix not in {".csv", ".jsonl", ".parquet", ".csv.gz", ".jsonl.gz"}:
        raise ValueError(f"export_corpus: cannot tell the format of {str(path)!r}; "
                         "use .csv, .jsonl or .parquet (optionally .csv.gz/.jsonl.gz)")
    if isinstance(name_or_df, str):
        from . import load_corpus

        df = load_corpus(name_or_df, mirror=mirror, cache_dir=cache_dir, progress=False, **options)
    elif isinstance(name_or_df, pd.DataFrame):
        df = name_or_df
    else:
        raise TypeError(f"export_corpus expects a corpus name or a DataFrame, got {type(name_or_df).__name__}")
    meta = export_metadata(df)
    out = df.copy()
    out.attrs = {}
    if suffix == ".parquet":
        data = _export_parquet_bytes(out, meta)
    else:
        data = _text_bytes(out, meta, suffix)
    path.parent.mkdir(parents=True, exist_ok=True)
    side = Path(str(path) + SIDECAR_SUFFIX)
    with atomic_writer(path) as fh:
        fh.write(data)
    if suffix != ".parquet":
        if sidecar:
            meta["data_sha256"] = hashlib.sha256(data).hexdigest()
            with atomic_writer(side) as fh:
                fh.write(json.dumps(meta, indent=1, ensure_ascii=True).encode("ascii"))
        elif side.exists():  # never leave a sidecar that describes another file
            side.unlink()
    return path


def _text_bytes(out: pd.DataFrame, meta: dict[str, Any], suffix: str) -> bytes:
    """CSV or JSON lines bytes of a corpus table (dates as text; lists/dicts as JSON in CSV,
    listed in ``meta["json_columns"]``), gzip-compressed for ``.gz``."""
    precision = out["published_precision"] if "published_precision" in out.columns else None
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            text = out[c].dt.strftime("%Y-%m-%d")
            if c == "published" and precision is not None:
                text = text.where(precision != "month", out[c].dt.strftime("%Y-%m"))
                text = text.where(precision != "year", out[c].dt.strftime("%Y"))
            out[c] = text
    if suffix.startswith(".csv"):
        meta["json_columns"] = _json_columns(out)  # lists and dicts as JSON text, not repr
        for c in meta["json_columns"]:
            out[c] = out[c].map(lambda v: v if _is_na(v) else json.dumps(_jsonable(
                v.tolist() if isinstance(v, np.ndarray) else v), ensure_ascii=False))
        # RFC 4180 line ends: the csv writer then quotes a value holding a bare "\r"
        data = out.to_csv(index=False, lineterminator="\r\n").encode("utf-8")
    else:
        data = out.to_json(orient="records", lines=True, force_ascii=False).encode("utf-8")
    if suffix.endswith(".gz"):
        import gzip

        data = gzip.compress(data, mtime=0)
    return data


def _json_columns(df: pd.DataFrame) -> list[str]:
    """Object columns whose values are all lists or dicts (stored as JSON text in a table)."""
    out = []
    for c in df.columns:
        if df[c].dtype == object:
            values = [v for v in df[c].tolist() if not _is_na(v)]
            if values and all(isinstance(v, (list, tuple, dict, np.ndarray)) for v in values):
                out.append(str(c))
    return out


def _export_parquet_bytes(df: pd.DataFrame, meta: dict[str, Any]) -> bytes:
    """Parquet with ``meta`` under the key-value metadata key "framing"; list/dict metadata
    columns are stored as JSON text and listed in ``meta["json_columns"]``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    df = df.copy()
    json_cols = _json_columns(df)
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                              else (v if isinstance(v, str) else json.dumps(_jsonable(
                                  v.tolist() if isinstance(v, np.ndarray) else v)))).astype("str")
    meta = {**meta, "json_columns": json_cols}
    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           b"framing": json.dumps(meta, ensure_ascii=True).encode("ascii")})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()
