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

Modules: :mod:`~framing.corpus.schema` (columns, errors, dropped-row tables),
:mod:`~framing.corpus.validation` with :mod:`~framing.corpus.dates` and
:mod:`~framing.corpus.text` (the checks), :mod:`~framing.corpus.readers` with
:mod:`~framing.corpus.files`, :mod:`~framing.corpus.tables` and
:mod:`~framing.corpus.folders` (reading), :mod:`~framing.corpus.export` (``attrs`` saved with
a file), :mod:`~framing.corpus.duplicates`, :mod:`~framing.corpus.selection` and
:mod:`~framing.corpus.combine`.
"""
from __future__ import annotations

from .combine import concat_corpora
from .dates import PRECISIONS
from .duplicates import drop_duplicates, find_duplicates
from .export import EXPORT_KEY, SIDECAR_SUFFIX, export_metadata
from .readers import read_corpus
from .schema import (
    DROPPED_COLUMNS,
    REQUIRED,
    SCHEMA,
    CorpusError,
    CorpusWarning,
    Errors,
    _DroppedTable,  # the table type of attrs["dropped"], used by framing.corpora
    drop_summary,
    dropped_rows,
)
from .selection import select
from .validation import validate_corpus

__all__ = [
    "SCHEMA", "DROPPED_COLUMNS", "CorpusError", "CorpusWarning", "read_corpus",
    "validate_corpus", "dropped_rows", "drop_summary", "find_duplicates",
    "drop_duplicates", "select", "concat_corpora", "export_metadata", "PRECISIONS",
]
