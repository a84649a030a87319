"""Combining corpora into one, keeping every part's dropped rows and history (:func:`concat_corpora`)."""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .schema import (
    _PRECISION_COLUMN,
    _STRING_FIELDS,
    SCHEMA,
    CorpusError,
    CorpusWarning,
    _concat_dropped,
    _get_dropped,
    _set_attrs,
)

__all__ = ["concat_corpora"]


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
    >>> from framing.corpus import dropped_rows, validate_corpus
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
    labels = _part_labels(corpora, keys)
    for label, part in zip(labels, corpora, strict=True):
        _check_part(label, part)
    if doc_ids == "raise":
        _check_unique_ids(labels, corpora)
    has_precision = any(_PRECISION_COLUMN in p.columns for p in corpora)
    columns, columns_missing = _columns(labels, corpora, has_precision=has_precision)
    out = _stack(labels, corpora, columns, doc_ids=doc_ids, has_precision=has_precision)

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


# ---- the steps of concat_corpora -------------------------------------------------------------

def _part_labels(corpora: Sequence[pd.DataFrame], keys: str | Sequence[str] | None) -> list[str]:
    """One distinct label per part: ``keys``, else named corpus, file name or ``partN``."""
    if keys is None:
        labels = [_part_label(c, k) for k, c in enumerate(corpora)]
        seen: dict[str, int] = {}
        for k, label in enumerate(labels):
            seen[label] = seen.get(label, 0) + 1
            if seen[label] > 1:
                labels[k] = f"{label}-{seen[label]}"
        return labels
    labels = [keys] if isinstance(keys, str) else list(keys)
    if len(labels) != len(corpora):
        raise ValueError(f"keys= has {len(labels)} labels for {len(corpora)} corpora")
    if any(not isinstance(x, str) or not x for x in labels) or len(set(labels)) != len(labels):
        raise ValueError(f"keys= must be distinct non-empty strings, got {labels!r}")
    return labels


def _check_part(label: str, part: pd.DataFrame) -> None:
    """A part must be a validated corpus: schema columns of the right types, unique ids."""
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


def _check_unique_ids(labels: list[str], corpora: Sequence[pd.DataFrame]) -> None:
    owner: dict[str, str] = {}
    for label, part in zip(labels, corpora, strict=True):
        for d in part["doc_id"].tolist():
            if d in owner:
                raise CorpusError(f"doc_id {d!r} is in parts {owner[d]!r} and {label!r}; pass "
                                  "doc_ids='prefix' to make ids '<part>:<doc_id>'",
                                  file="concat_corpora", column="doc_id")
            owner[d] = label


def _columns(labels: list[str], corpora: Sequence[pd.DataFrame], *,
             has_precision: bool) -> tuple[list[str], dict[str, list[str]]]:
    """Schema, precision, metadata in first-seen order, warnings; and the parts lacking each
    metadata column. Warns when a metadata column has different types in different parts."""
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
                          f"parts: {kinds}", CorpusWarning, stacklevel=3)
    return columns, columns_missing


def _stack(labels: list[str], corpora: Sequence[pd.DataFrame], columns: list[str], *, doc_ids: str,
           has_precision: bool) -> pd.DataFrame:
    """The parts' rows in order, ids prefixed if asked, in ``columns`` with schema dtypes."""
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
    return out
