"""Corpora bigger than memory: reading and writing a corpus as a Dask DataFrame.

:func:`read_corpus` turns a Parquet file, a partitioned Parquet dataset, or a glob of CSV /
JSON lines / Parquet files into a :class:`dask.dataframe.DataFrame` with **one partition per
file**. Every partition is read by :func:`framing.read_corpus` itself, so the schema, the
validation rules (``errors="raise"`` or ``"drop"``) and the recorded dropped rows are exactly
those of the in-memory path, file by file; nothing is read until the frame is computed.
:func:`dropped_rows` gathers the dropped rows of every partition (a small pandas table).
:func:`write_corpus` writes a pandas or Dask corpus as a partitioned Parquet dataset
(``partition_on=["outlet"]`` gives one folder ``outlet=<value>`` per outlet, Hive style) that
:func:`read_corpus` reads back with the same rows, columns and dtypes.

One rule the in-memory reader enforces per table cannot be checked per file: ``doc_id``
must be unique across files. :func:`check_doc_ids` checks it (one pass over the ``doc_id``
column), and every reduction of :mod:`framing.scale` checks it again when it gathers its
per-document statistics.

Examples
--------
>>> import tempfile, pathlib, pandas as pd, framing
>>> from framing import dask_io
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> raw = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": ["X", "Y", "X"],
...                     "published": ["2022-09-20", "2022-09-21", "2022-09-22"],
...                     "text": ["One.", "Two.", "Three."]})
>>> corpus = framing.validate_corpus(raw)
>>> path = dask_io.write_corpus(corpus, folder / "corpus", partition_on=["outlet"])
>>> ddf = dask_io.read_corpus(path)
>>> ddf.npartitions
2
>>> ddf.compute(scheduler="sync").sort_values("doc_id")["doc_id"].tolist()
['a', 'b', 'c']
"""
from __future__ import annotations

import glob as _glob
import os
import tempfile
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from framing.corpora import export_corpus
from framing.corpus import CorpusError, read_corpus as _read_one
from framing.corpus import dropped_rows as _dropped_one

__all__ = ["check_doc_ids", "corpus_files", "dropped_rows", "read_corpus", "write_corpus"]

#: Suffixes of the files a dataset folder is searched for (a sidecar ``.framing.json`` is not data).
DATA_SUFFIXES = (".parquet", ".pq", ".csv", ".csv.gz", ".tsv", ".jsonl", ".jsonl.gz", ".ndjson")


def _is_data_file(path: Path) -> bool:
    name = path.name.lower()
    return (not name.startswith((".", "_")) and name.endswith(DATA_SUFFIXES)
            and not name.endswith(".framing.json"))


def _hive_keys(file: Path, root: Path) -> dict[str, str]:
    """``{"outlet": "RT"}`` from the ``outlet=RT`` folders between ``root`` and ``file``."""
    keys: dict[str, str] = {}
    for part in file.relative_to(root).parts[:-1]:
        if "=" in part:
            k, v = part.split("=", 1)
            keys[urllib.parse.unquote(k)] = urllib.parse.unquote(v)
    return keys


def corpus_files(path: str | os.PathLike[str]) -> list[tuple[str, dict[str, str]]]:
    """The files a Dask corpus is read from, in partition order, with their Hive keys.

    Parameters
    ----------
    path : str or path
        A file, a folder (searched recursively for data files: Parquet, CSV, TSV, JSON lines;
        names starting with ``.`` or ``_`` are skipped) or a glob such as ``"news/*.jsonl"``.

    Returns
    -------
    list of (str, dict)
        Sorted file paths, each with the ``column=value`` keys of its folders.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "outlet=RT").mkdir()
    >>> _ = (root / "outlet=RT" / "part-0.parquet").write_bytes(b"")
    >>> [(pathlib.Path(f).name, k) for f, k in corpus_files(root)]
    [('part-0.parquet', {'outlet': 'RT'})]
    """
    text = os.fspath(path)
    p = Path(text)
    if p.is_dir():
        files = sorted(f for f in p.rglob("*") if f.is_file() and _is_data_file(f))
        if not files:
            raise CorpusError(f"folder holds no data files ({', '.join(DATA_SUFFIXES)})", file=text)
        return [(str(f), _hive_keys(f, p)) for f in files]
    if p.is_file():
        return [(str(p), {})]
    if _glob.has_magic(text):
        files = sorted(Path(f) for f in _glob.glob(text, recursive=True) if Path(f).is_file())
        if not files:
            raise FileNotFoundError(f"no file matches {text!r}")
        return [(str(f), {}) for f in files]
    raise FileNotFoundError(f"no such file or folder: {text!r}")


def _read_part(file: str, keys: dict[str, str], options: dict[str, Any],
               columns: list[str] | None = None) -> pd.DataFrame:
    """One partition: :func:`framing.read_corpus` on one file (Hive keys added when the file
    lacks those columns, as in datasets written by other tools)."""
    missing = {}
    if keys and file.lower().endswith((".parquet", ".pq")):
        import pyarrow.parquet as pq

        names = pq.read_schema(file).names
        missing = {k: v for k, v in keys.items() if k not in names}
    if missing:  # a fragment of a foreign Hive dataset: put the keys into a copy of the file
        table = pd.read_parquet(file).assign(**missing)
        table.attrs = {}
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / Path(file).name
            table.to_parquet(copy, index=False)
            part = _read_one(copy, **options)
        part.attrs["provenance"] = {**part.attrs.get("provenance", {}), "source": file, "hive_keys": missing}
    else:
        part = _read_one(file, **options)
    if columns is not None:
        part = _conform(part, columns, file=file)
    return part


def _conform(part: pd.DataFrame, columns: list[str], *, file: str) -> pd.DataFrame:
    """The partition's columns in the first partition's order; a different set is an error."""
    if list(part.columns) == columns:
        return part
    if set(part.columns) != set(columns):
        extra = sorted(set(part.columns) - set(columns))
        lack = sorted(set(columns) - set(part.columns))
        raise CorpusError(f"the file's columns differ from the first file's: extra {extra}, missing {lack}; "
                          "every file of a Dask corpus needs the same columns (metadata=[...] selects them)",
                          file=file)
    attrs = part.attrs
    out = part[columns]
    out.attrs = attrs
    return out


def read_corpus(path: str | os.PathLike[str], **options: Any) -> Any:
    """Read a corpus lazily as a Dask DataFrame, one partition per file.

    Each partition is exactly what :func:`framing.read_corpus` gives for its file with the
    same ``options`` (column names, ``errors=``, dates, encodings...), so the in-memory and
    the Dask path apply the same schema and the same validation. With ``errors="drop"`` each
    partition records its dropped rows; :func:`dropped_rows` gathers them. In a partitioned
    Parquet dataset the ``column=value`` folder names become columns when the files do not
    hold them (datasets written by :func:`write_corpus` hold every column in every file).

    The column names and dtypes (``meta``) are taken from the first file, which is read
    once now; every other file must give the same columns (else a :class:`CorpusError`
    naming it when that partition is computed). ``doc_id`` is unique within each file; see
    :func:`check_doc_ids` for the whole dataset.

    Parameters
    ----------
    path : str or path
        A Parquet, CSV, TSV or JSON lines file, a folder (a partitioned Parquet dataset, or
        any folder of such files; searched recursively) or a glob (``"news/2022-*.jsonl"``).
    **options
        The keyword options of :func:`framing.read_corpus` (``text=``, ``outlet=``,
        ``published=``, ``errors=``, ``date_format=``, ``encoding=`` ...); an unknown
        keyword is a TypeError.

    Returns
    -------
    dask.dataframe.DataFrame
        The corpus schema (:mod:`framing.corpus`), one partition per file in sorted path
        order, unknown divisions.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for i in (1, 2):
    ...     _ = (folder / f"news-{i}.csv").write_text(
    ...         f"doc_id,outlet,published,text\\nd{i},RT,2022-09-2{i},Voting began.\\n"
    ...         f"e{i},RT,2022-09-2{i},\\n")
    >>> ddf = read_corpus(str(folder / "news-*.csv"), errors="drop")
    >>> ddf.npartitions, len(ddf.compute(scheduler="sync"))
    (2, 2)
    >>> dropped_rows(ddf, scheduler="sync")[["row", "reason"]].values.tolist()
    [[2, 'empty text'], [2, 'empty text']]
    """
    import dask
    import dask.dataframe as dd

    _check_options(options)
    files = corpus_files(path)
    first = _read_part(files[0][0], files[0][1], options)
    columns = list(first.columns)
    meta = first.iloc[:0]
    meta.attrs = {}
    parts = [dask.delayed(_read_part, pure=True)(f, k, options, columns) for f, k in files]
    return dd.from_delayed(parts, meta=meta, verify_meta=False)


def _check_options(options: dict[str, Any]) -> None:
    import inspect

    allowed = set(inspect.signature(_read_one).parameters) - {"path", "engine"}
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise TypeError(f"read_corpus() got unexpected keyword argument(s) {unknown}; "
                        f"options are those of framing.read_corpus: {sorted(allowed)}")


def _part_dropped(part: pd.DataFrame) -> pd.DataFrame:
    return _dropped_one(part)


def dropped_rows(ddf: Any, *, scheduler: str | None = None) -> pd.DataFrame:
    """The rows dropped while reading, gathered from every partition (a pandas table).

    Works on the frame :func:`read_corpus` returns and on frames derived from it
    partition-wise (selections, ``map_partitions``), which keep each partition's records.
    Computing it reads the files again (or uses persisted partitions).

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame or pandas.DataFrame
        A Dask corpus (a pandas corpus is passed to :func:`framing.dropped_rows`).
    scheduler : str, optional
        Dask scheduler for the computation (default: the current one).

    Returns
    -------
    DataFrame
        The columns of :func:`framing.dropped_rows` (``source``, ``row``, ``column``,
        ``reason``, ``check``, the fields read), partitions in order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "news.csv"
    >>> _ = f.write_text("doc_id,outlet,published,text\\na,RT,2022-09-20,\\n")
    >>> dropped_rows(read_corpus(f, errors="drop"), scheduler="sync")["check"].tolist()
    ['empty_text']
    """
    import dask

    if isinstance(ddf, pd.DataFrame):
        return _dropped_one(ddf)
    tables = dask.compute(*[dask.delayed(_part_dropped)(p) for p in ddf.to_delayed()], scheduler=scheduler)
    tables = [t for t in tables if len(t)]
    if not tables:
        return _dropped_one(pd.DataFrame())
    return pd.concat(tables, ignore_index=True)


def check_doc_ids(ddf: Any, *, scheduler: str | None = None) -> None:
    """Raise a :class:`CorpusError` when a ``doc_id`` occurs in more than one row.

    The in-memory reader checks this per table; across the files of a Dask corpus it takes
    this pass over the ``doc_id`` column (the ids, not the texts, come to the client).

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> c = dd.from_pandas(pd.DataFrame({"doc_id": ["a", "b", "a"]}), npartitions=2)
    >>> check_doc_ids(c, scheduler="sync")
    Traceback (most recent call last):
    ...
    framing.corpus.CorpusError: doc_id 'a' occurs 2 times across the partitions; doc_id must be unique
    """
    counts = ddf["doc_id"].value_counts().compute(scheduler=scheduler)
    dup = counts[counts > 1]
    if len(dup):
        raise CorpusError(f"doc_id {dup.index[0]!r} occurs {int(dup.iloc[0])} times across the partitions; "
                          "doc_id must be unique")


def _quote(value: Any) -> str:
    return urllib.parse.quote(str(value), safe="")


def _write_part(part: pd.DataFrame, root: str, index: int, partition_on: list[str]) -> list[str]:
    """Write one partition as one file per value combination of ``partition_on``.

    The partition's dropped rows go with its first file only, so reading the dataset back
    records each of them once."""
    attrs = dict(part.attrs)
    written = []
    if not partition_on:
        groups = [((), part)]
    else:
        groups = list(part.groupby(partition_on, sort=True, dropna=False, observed=True))
    for n, (key, rows) in enumerate(groups):
        key = key if isinstance(key, tuple) else (key,)
        folder = Path(root, *[f"{_quote(c)}={_quote(v)}" for c, v in zip(partition_on, key)])
        rows = rows.copy()
        rows.attrs = dict(attrs)
        if n > 0:
            rows.attrs.pop("dropped", None)
        file = folder / f"part-{index:05d}.parquet"
        export_corpus(rows.reset_index(drop=True), file)
        written.append(str(file))
    return written


def write_corpus(corpus: Any, path: str | os.PathLike[str], *, partition_on: Sequence[str] | None = None,
                 npartitions: int | None = None, scheduler: str | None = None) -> Path:
    """Write a corpus as a (partitioned) Parquet dataset that :func:`read_corpus` reads back.

    One file ``part-<i>.parquet`` per input partition and value of ``partition_on``, in
    folders ``column=value`` (values URL-quoted). Every file holds every column and the
    corpus's ``attrs`` (:func:`framing.export_corpus`), so each reads on its own with
    :func:`framing.read_corpus`; a partition's dropped rows are stored once, with its first file.

    Parameters
    ----------
    corpus : pandas.DataFrame or dask.dataframe.DataFrame
        The corpus.
    path : path
        Output folder (created; files already there with the same names are replaced).
    partition_on : sequence of str, optional
        Columns whose values name the folders (``["outlet"]``, ``["outlet", "year"]``).
    npartitions : int, optional
        For a pandas corpus: split it into this many row blocks first (default 1).
    scheduler : str, optional
        Dask scheduler used to write a Dask corpus.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib, framing
    >>> c = framing.validate_corpus(pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "Y"],
    ...     "published": ["2022-09-20", "2022-09-21"], "text": ["One.", "Two."]}))
    >>> out = write_corpus(c, pathlib.Path(tempfile.mkdtemp()) / "c", partition_on=["outlet"])
    >>> sorted(p.parent.name for p in out.rglob("*.parquet"))
    ['outlet=X', 'outlet=Y']
    """
    import dask

    on = [] if partition_on is None else ([partition_on] if isinstance(partition_on, str) else list(partition_on))
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    if isinstance(corpus, pd.DataFrame):
        missing = [c for c in on if c not in corpus.columns]
        if missing:
            raise ValueError(f"write_corpus: partition_on names column(s) the corpus lacks: {missing}")
        k = max(1, int(npartitions or 1))
        bounds = [len(corpus) * i // k for i in range(k + 1)]
        for i in range(k):
            block = corpus.iloc[bounds[i]:bounds[i + 1]]
            attrs = dict(corpus.attrs)
            if i > 0:  # the dropped rows are written once, with the first block
                attrs.pop("dropped", None)
            block.attrs = attrs
            _write_part(block, str(path), i, on)
        return path
    missing = [c for c in on if c not in corpus.columns]
    if missing:
        raise ValueError(f"write_corpus: partition_on names column(s) the corpus lacks: {missing}")
    tasks = [dask.delayed(_write_part)(p, str(path), i, on) for i, p in enumerate(corpus.to_delayed())]
    dask.compute(*tasks, scheduler=scheduler)
    return path
