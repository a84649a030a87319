"""Loader of ``ukraine-media``: 2022 news on the war in Ukraine scraped by r2nery/ukraine-media."""
from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from ..corpus import CorpusError
from ._common import _file_label, _sha1, normalize_outlet, normalize_url


def _subset_of(path: str) -> str:
    if "/data_removed/" in f"/{path}":
        return "removed"
    if path.startswith("data_filtered/"):
        return "filtered"
    return "all"


def _load_ukraine_media(files: list[tuple[dict[str, Any], Path]], *, include_removed: bool = True,
                        deduplicate: bool = True) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    frames = []
    for order, (entry, path) in enumerate(files):
        if not entry["path"].endswith(".csv"):
            continue
        subset = _subset_of(entry["path"])
        if subset == "removed" and not include_removed:
            continue
        label = _file_label(entry)
        try:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        except (UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise CorpusError(f"cannot parse CSV ({exc})", file=label) from None
        missing = [c for c in ("Date", "URL", "Title", "Text") if c not in raw.columns]
        if missing:
            raise CorpusError(f"missing column(s) {missing}; got {list(raw.columns)}", file=label)
        outlet = normalize_outlet(PurePosixPath(entry["path"]).stem)
        topic = (pd.to_numeric(raw["Topic"].str.strip(), errors="coerce").astype("Int64")
                 if "Topic" in raw.columns else pd.array([pd.NA] * len(raw), dtype="Int64"))
        frames.append(pd.DataFrame({
            "outlet": outlet,
            "published_raw": raw["Date"].str.strip(),
            "title": raw["Title"].str.strip(),
            "text": raw["Text"].str.strip(),
            "url": raw["URL"].str.strip(),
            "lang": "en",
            "subset": subset,
            "topic": topic,
            "file": label,
            "src_row": np.arange(1, len(raw) + 1),
            "src_order": order,
        }))
    df = pd.concat(frames, ignore_index=True)
    dropped: list[dict[str, Any]] = []
    published = pd.to_datetime(df["published_raw"], format="%Y-%m-%d", errors="coerce")
    df["published"] = published.astype("datetime64[ns]")
    df["url_key"] = df["url"].map(normalize_url)
    keyed = df["url_key"].where(df["url_key"] != "", "text:" + df["text"].map(_sha1))
    df["doc_id"] = df["outlet"] + "-" + keyed.map(lambda k: _sha1(k)[:12])

    bad_date = df["published"].isna()
    dropped.extend(_dropped_record(r, "Date", f"unparseable date {r.published_raw!r} (expected YYYY-MM-DD)",
                                   "unparseable_date", pd.NaT, None) for r in df[bad_date].itertuples())
    df = df[~bad_date]
    # earliest publication first, then manifest order and row: the first copy is kept
    df = df.sort_values(["published", "src_order", "src_row"], kind="stable").reset_index(drop=True)
    if deduplicate:
        df = _drop_duplicates(df, dropped)
    # same normalised URL can survive when deduplicate=False: make ids unique, stably
    if df["doc_id"].duplicated().any():
        n = df.groupby("doc_id").cumcount()
        df["doc_id"] = df["doc_id"].where(n == 0, df["doc_id"] + "-" + n.astype(str))
    df = df.sort_values(["outlet", "published", "doc_id"], kind="stable").reset_index(drop=True)
    df = df.rename(columns={"file": "_source", "src_row": "_row"})
    df["file"] = df["_source"]
    out = df[["doc_id", "outlet", "published", "title", "text", "url", "lang", "subset", "topic", "file",
              "_source", "_row"]]
    return _flag_near_duplicates(out), dropped


def _dropped_record(r: Any, column: str, reason: str, check: str, published: Any,
                    duplicate_of: str | None) -> dict[str, Any]:
    return {"source": r.file, "row": int(r.src_row), "column": column, "reason": reason, "check": check,
            "doc_id": r.doc_id, "outlet": r.outlet, "published": published, "title": r.title, "url": r.url,
            "duplicate_of": duplicate_of}


def _drop_duplicates(df: pd.DataFrame, dropped: list[dict[str, Any]]) -> pd.DataFrame:
    """Drop later copies of a normalised URL, then of an exact text, recording each in ``dropped``."""
    for key, reason, column in (("url_key", "duplicate URL (normalised)", "URL"),
                                ("text", "duplicate text (exact)", "Text")):
        valid = df[key] != ""
        dup = df.duplicated(key, keep="first") & valid
        first = df[valid].drop_duplicates(key, keep="first").set_index(key)["doc_id"]
        check = "duplicate_url" if key == "url_key" else "duplicate_text"
        for r in df[dup].itertuples():
            of = first[getattr(r, key)]
            dropped.append(_dropped_record(r, column, f"{reason} of {of}", check, r.published, of))
        df = df[~dup]
    return df


def _flag_near_duplicates(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``near_dup_of`` / ``near_dup_similarity`` (kept, only flagged) via find_duplicates."""
    from ..corpus import find_duplicates

    found = find_duplicates(df[["doc_id", "published", "text"]].reset_index(drop=True), near=True)
    is_dup = (found["dup_kind"] != "").to_numpy()
    out = df.copy()
    out["near_dup_of"] = np.where(is_dup, found["dup_of"].to_numpy(dtype=object), "")
    out["near_dup_of"] = out["near_dup_of"].astype("str")
    out["near_dup_similarity"] = np.where(is_dup, found["dup_similarity"].to_numpy(), np.nan)
    return out
