"""The parsed-table cache of :func:`framing.corpora.load_corpus`: validated tables stored as
Parquet under ``<cache>/parsed/``, keyed by the manifest hash, the loader options, the framing
version and the loader version, and checked against a stored SHA-256 before they are served.
Nothing is pickled."""
from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..fetch import atomic_writer
from ._common import _as_dropped_table, _dropped_frame, _jsonable


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    df = df.copy()
    df.attrs = {}
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                              else (v if isinstance(v, str) else json.dumps(_jsonable(v)))).astype("str")
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


def _write_parsed(folder: Path, stem: str, df: pd.DataFrame, material: Mapping[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    body = _parquet_bytes(df)
    dropped = _parquet_bytes(pd.DataFrame(df.attrs.get("dropped", _dropped_frame([]))))
    with atomic_writer(folder / f"{stem}.parquet") as fh:
        fh.write(body)
    with atomic_writer(folder / f"{stem}.dropped.parquet") as fh:
        fh.write(dropped)
    meta = {"key": material, "corpus_sha256": hashlib.sha256(body).hexdigest(),
            "dropped_sha256": hashlib.sha256(dropped).hexdigest(),
            "selection": _jsonable(df.attrs.get("selection", [])),
            "provenance": _jsonable(df.attrs.get("provenance", {}))}
    with atomic_writer(folder / f"{stem}.json") as fh:  # written last: marks the entry complete
        fh.write(json.dumps(meta, indent=1, sort_keys=True).encode())


def _prune_parsed(folder: Path, name: str, material: Mapping[str, Any]) -> None:
    """Remove cached tables of ``name`` made by another manifest, framing or loader version
    (tables for other options of the current version are kept)."""
    current = {k: material[k] for k in ("manifest_sha256", "framing", "loader_version")}
    for meta_path in folder.glob(f"{name}-*.json"):
        stem = meta_path.name[: -len(".json")]
        try:
            key = json.loads(meta_path.read_text()).get("key", {})
        except (OSError, ValueError):
            key = {}
        if key.get("corpus", name) == name and {k: key.get(k) for k in current} != current:
            for suffix in (".json", ".parquet", ".dropped.parquet"):
                with contextlib.suppress(OSError):
                    (folder / f"{stem}{suffix}").unlink()


def _read_parsed(folder: Path, stem: str, material: Mapping[str, Any]) -> pd.DataFrame | None:
    meta_path = folder / f"{stem}.json"
    if not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text())
        if meta.get("key") != json.loads(json.dumps(material, default=str)):
            return None
        body = (folder / f"{stem}.parquet").read_bytes()
        dropped = (folder / f"{stem}.dropped.parquet").read_bytes()
        if (hashlib.sha256(body).hexdigest() != meta["corpus_sha256"]
                or hashlib.sha256(dropped).hexdigest() != meta["dropped_sha256"]):
            return None
        df = pd.read_parquet(io.BytesIO(body))
        drop = pd.read_parquet(io.BytesIO(dropped))
    except (OSError, ValueError, KeyError):
        return None
    df.attrs = {"dropped": _as_dropped_table(drop), "selection": meta.get("selection", []),
                "provenance": meta.get("provenance", {})}
    return df


def _copy(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.attrs = copy.deepcopy(df.attrs)
    return out
