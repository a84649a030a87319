"""Saving a corpus' ``attrs`` with its file, and reading them back.

:func:`framing.export_corpus` stores :func:`export_metadata` as Parquet key-value metadata
(key :data:`EXPORT_KEY`) or as a sidecar ``<file>.framing.json`` (:data:`SIDECAR_SUFFIX`);
:func:`framing.corpus.read_corpus` restores the dropped rows, selection steps and provenance.
"""
from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .schema import CorpusError, _DroppedTable, _get_dropped, _is_missing

__all__ = ["EXPORT_KEY", "SIDECAR_SUFFIX", "export_metadata"]

#: Key of the export metadata in a Parquet file's key-value metadata; suffix of the sidecar
#: JSON next to an exported CSV/JSONL file.
EXPORT_KEY = "framing"
SIDECAR_SUFFIX = ".framing.json"


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
    >>> from framing.corpus import validate_corpus
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
