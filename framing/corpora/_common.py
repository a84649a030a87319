"""Helpers shared by the corpus loaders: outlet and URL normalisation, file labels, the
dropped-row table, JSON-safe values, and fetching a manifest's (selected) files."""
from __future__ import annotations

import hashlib
import os
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..fetch import fetch_files, load_manifest

# --------------------------------------------------------------------------- small helpers

_OUTLET_ALIASES: dict[str, str] = {
    "rt": "RT", "russia today": "RT", "rt com": "RT",
    "abc": "ABC", "abc news": "ABC", "abcnews": "ABC",
    "cbs": "CBS", "cbs news": "CBS", "cbsnews": "CBS",
    "fox": "Fox", "fox news": "Fox", "foxnews": "Fox",
    "huffpost": "HuffPost", "hpo": "HuffPost", "huffington post": "HuffPost",
    "huffingtonpost": "HuffPost", "the huffington post": "HuffPost", "huff post": "HuffPost",
    "nyt": "NYT", "new york times": "NYT", "the new york times": "NYT", "nytimes": "NYT",
    "reuters": "Reuters",
}
OUTLETS: tuple[str, ...] = ("RT", "ABC", "CBS", "Fox", "HuffPost", "NYT", "Reuters")


def normalize_outlet(name: str) -> str:
    """Canonical outlet name: RT, ABC, CBS, Fox, HuffPost, NYT or Reuters.

    Case, surrounding blanks, ``_``/``-``/``.`` separators and common long forms are
    ignored (BASIL's ``source`` field uses ``nyt``/``NYT``, ``fox``/``FOX``, ``hpo``/``HPO``).

    Raises
    ------
    ValueError
        For a name that is not one of the known outlets.

    Examples
    --------
    >>> [normalize_outlet(s) for s in ["hpo", "NYT", "Fox News", "huffpost", "rt"]]
    ['HuffPost', 'NYT', 'Fox', 'HuffPost', 'RT']
    """
    if not isinstance(name, str):
        raise TypeError(f"outlet name must be a string, got {type(name).__name__}")
    key = re.sub(r"[\s_.\-]+", " ", name.strip().lower()).strip()
    try:
        return _OUTLET_ALIASES[key]
    except KeyError:
        raise ValueError(f"unknown outlet name {name!r}; known outlets: {', '.join(OUTLETS)}") from None


def normalize_url(url: str, *, keep_query: Iterable[str] = ("id",)) -> str:
    """A URL reduced to what identifies the article, for duplicate detection.

    Scheme-insensitive; host lower-cased without ``www.`` and default ports; fragment,
    trailing slashes and query parameters dropped, except those named in ``keep_query``
    (default ``("id",)``, because ABC News identifies stories by ``?id=``).

    Examples
    --------
    >>> normalize_url("https://www.rt.com/news/1-x/?utm_source=a#top")
    'rt.com/news/1-x'
    >>> normalize_url("http://RT.com/news/1-x")
    'rt.com/news/1-x'
    >>> normalize_url("https://abcnews.go.com/US/story?id=42&cid=social")
    'abcnews.go.com/US/story?id=42'
    """
    if url is None or (isinstance(url, float) and np.isnan(url)):
        return ""
    url = str(url).strip()
    if not url:
        return ""
    if "://" not in url and not url.startswith("//"):
        url = "//" + url
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = re.sub(r"/+$", "", parts.path)
    keep = set(keep_query)
    query = sorted((k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True) if k in keep)
    out = host + path
    if query:
        out += "?" + urllib.parse.urlencode(query)
    return out


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _data_file(name: str) -> Path:
    return Path(str(resources.files("framing") / "data" / name))


def _file_label(entry: Mapping[str, Any]) -> str:
    return f"{entry['commit'][:7]}:{entry['path']}"


_DROPPED_COLS = ("source", "row", "column", "reason", "check", "doc_id", "outlet", "published", "title",
                 "url", "duplicate_of")


def _dropped_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Dropped-row table in the layout of :func:`framing.corpus.dropped_rows`."""
    df = pd.DataFrame.from_records(records, columns=list(_DROPPED_COLS))
    df["row"] = df["row"].astype("Int64")
    df["published"] = pd.to_datetime(df["published"]).astype("datetime64[ns]")
    for c in _DROPPED_COLS:
        if c not in ("row", "published"):
            df[c] = df[c].astype("str")
    return _as_dropped_table(df)


def _as_dropped_table(df: pd.DataFrame) -> pd.DataFrame:
    """Wrap in framing.corpus' table type for attrs["dropped"] (keeps pd.concat working)."""
    from .. import corpus as corpus_mod

    cls = getattr(corpus_mod, "_DroppedTable", None)
    return cls(pd.DataFrame(df)) if cls is not None else pd.DataFrame(df)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, pd.Timestamp):
        return obj.isoformat()
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return str(obj)


def _is_na(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))



def _fetched_files(name: str | os.PathLike[str], *, mirror: Any, cache_dir: Any, progress: bool,
                   select: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None,
                   ) -> list[tuple[dict[str, Any], Path]]:
    """Fetch the manifest's files (or the part ``select(entries)`` keeps); (entry, path) pairs."""
    manifest = load_manifest(name)
    entries = manifest["files"] if select is None else select(manifest["files"])
    return fetch_files(entries, mirror=mirror, cache_dir=cache_dir, progress=progress,
                       desc=f"corpus {manifest['name']}")
