"""Corpus model: one table schema for documents, reading, validation, duplicates, selection.

A *corpus* is a :class:`pandas.DataFrame` with one row per document and these columns
(:data:`SCHEMA`):

=============  ===============================================================
``doc_id``     unique string id of the document
``outlet``     the source (a newspaper, a state, ...), string
``published``  publication date, ``datetime64[ns]`` (day resolution, naive)
``title``      string ("" when unknown)
``text``       the full text, non-empty string
``url``        string ("" when unknown)
``lang``       ISO 639-1 code, e.g. ``"en"``
=============  ===============================================================

Any further columns are free metadata and are carried along untouched.

Provenance travels in ``corpus.attrs`` (pandas' metadata dict):

- ``attrs["dropped"]``: DataFrame of the rows that were dropped, with at least the
  columns ``source`` (file), ``row`` (1-based data row in that file), ``column``,
  ``reason`` plus whatever fields were read. Use :func:`dropped_rows` to get it.
- ``attrs["selection"]``: list of dicts, one per selection step, recording how the
  corpus was narrowed (see :func:`select`).
- ``attrs["provenance"]``: free dict (source files, checksums, loader parameters).
"""
from __future__ import annotations

SCHEMA: tuple[str, ...] = ("doc_id", "outlet", "published", "title", "text", "url", "lang")
DROPPED_COLUMNS: tuple[str, ...] = ("source", "row", "column", "reason")


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
