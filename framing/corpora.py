"""The named public corpora: ``ukraine-media``, ``ungdc`` and ``basil``.

:func:`load_corpus` fetches a corpus's pinned upstream files (see :mod:`framing.fetch`),
parses them into the corpus schema of :mod:`framing.corpus` (``doc_id``, ``outlet``,
``published``, ``title``, ``text``, ``url``, ``lang`` plus metadata), validates the table
and returns it. Dropped rows are recorded with their reason in ``attrs["dropped"]``; the
manifest hash, the files and the loader options in ``attrs["provenance"]``.

Parsing happens once: the validated table is cached as Parquet under
``<cache>/parsed/``, keyed by the manifest hash, the loader options, the framing version
and the loader version, and checked against a stored SHA-256 before it is served. Nothing
is pickled.

Corpus cards with sources, licences, citations, known problems and counts are in
``corpora/<name>/card.md`` in the repository.

The three corpora
-----------------
``ukraine-media``
    2022 news about the war in Ukraine scraped by r2nery/ukraine-media: RT, ABC, CBS,
    Fox, HuffPost, NYT, Reuters. Metadata: ``subset`` ("all": the outlet's complete
    scrape; "filtered": kept by the upstream authors' topic filter; "removed": set aside
    by it), ``topic`` (upstream topic id, only for "removed" rows), ``file``
    (upstream commit and path). Option ``include_removed`` (default True; Fox and NYT
    exist only in the "removed" files at the pinned commits).
``ungdc``
    UN General Debate speeches 2021-2024, one per state and year. ``outlet`` is the ISO3
    code; metadata ``country``, ``year``, ``session``, ``speaker``, ``post``,
    ``un_member``, ``es11_4_vote`` ("yes", "abstain", "no", "not voting"; missing for
    observers), ``es11_4_vote_source``.
``basil``
    BASIL (Fan et al. 2019): same-event triplets from Fox, NYT and HuffPost with
    phrase-level bias annotations (see :func:`basil_annotations`). Metadata
    ``triplet_uuid``, ``uuid``, ``main_event``, ``main_entities``, ``keywords``,
    ``year``, ``relative_stance``, ``word_count``.
"""
from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import os
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .corpus import CorpusError
from .fetch import (
    FetchError,
    RAW_URL,
    _atomic_writer,
    cache_root,
    fetch_corpus,
    load_manifest,
    local_path,
    manifest_hash,
)

__all__ = [
    "LOADER_VERSION",
    "basil_annotations",
    "corpus_info",
    "es11_4_votes",
    "export_corpus",
    "list_corpora",
    "load_corpus",
    "manifest_hash",
    "normalize_outlet",
    "normalize_url",
    "un_members",
]

#: bump when a loader's output changes, so that cached parsed tables are not reused
LOADER_VERSION = 2

_SCHEMA = ("doc_id", "outlet", "published", "title", "text", "url", "lang")

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


def un_members() -> pd.DataFrame:
    """The 193 UN member states: ``iso3``, ``name`` (UN short names), shipped with framing.

    Examples
    --------
    >>> m = un_members()
    >>> len(m), m["iso3"].is_unique, "VAT" in set(m["iso3"])
    (193, True, False)
    """
    return pd.read_csv(_data_file("un_members.csv"), keep_default_na=False, dtype=str)


def es11_4_votes() -> pd.DataFrame:
    """Votes of the 193 UN members on General Assembly resolution ES-11/4 (12 Oct 2022).

    ES-11/4, "Territorial integrity of Ukraine: defending the principles of the Charter of
    the United Nations", condemned the "attempted illegal annexation" of four Ukrainian
    regions after the September 2022 referendums. Columns ``iso3``, ``vote`` ("yes",
    "no", "abstain", "not voting") and ``source``: "GA/12458" (UN press release
    GA/12458 of 12 October 2022, which lists the 143 in favour, 5 against and 35
    abstentions) or "secondary source" (the 10 members recorded as not voting, which the
    press release does not list).

    Examples
    --------
    >>> v = es11_4_votes()
    >>> v["vote"].value_counts().to_dict()
    {'yes': 143, 'abstain': 35, 'not voting': 10, 'no': 5}
    """
    return pd.read_csv(_data_file("es11_4_votes.csv"), keep_default_na=False, dtype=str)


# Observer states that speak in the General Debate (not UN members).
_UN_OBSERVERS = {"PSE": "State of Palestine", "VAT": "Holy See"}
# First day of the General Debate of each session (the speech's own day is not in the data).
_GD_OPENING = {76: "2021-09-21", 77: "2022-09-20", 78: "2023-09-19", 79: "2024-09-24"}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


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
    from . import corpus as corpus_mod

    cls = getattr(corpus_mod, "_DroppedTable", None)
    return cls(pd.DataFrame(df)) if cls is not None else pd.DataFrame(df)


# --------------------------------------------------------------------------- ukraine-media

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
    for r in df[bad_date].itertuples():
        dropped.append({"source": r.file, "row": int(r.src_row), "column": "Date",
                        "reason": f"unparseable date {r.published_raw!r} (expected YYYY-MM-DD)",
                        "check": "unparseable_date", "doc_id": r.doc_id,
                        "outlet": r.outlet, "published": pd.NaT, "title": r.title, "url": r.url,
                        "duplicate_of": None})
    df = df[~bad_date]
    # earliest publication first, then manifest order and row: the first copy is kept
    df = df.sort_values(["published", "src_order", "src_row"], kind="stable").reset_index(drop=True)
    if deduplicate:
        for key, reason, column in (("url_key", "duplicate URL (normalised)", "URL"),
                                    ("text", "duplicate text (exact)", "Text")):
            valid = df[key] != ""
            dup = df.duplicated(key, keep="first") & valid
            first = df[valid].drop_duplicates(key, keep="first").set_index(key)["doc_id"]
            for r in df[dup].itertuples():
                dropped.append({"source": r.file, "row": int(r.src_row), "column": column,
                                "reason": f"{reason} of {first[getattr(r, key)]}",
                                "check": "duplicate_url" if key == "url_key" else "duplicate_text",
                                "doc_id": r.doc_id, "outlet": r.outlet, "published": r.published,
                                "title": r.title, "url": r.url,
                                "duplicate_of": first[getattr(r, key)]})
            df = df[~dup]
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


def _flag_near_duplicates(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``near_dup_of`` / ``near_dup_similarity`` (kept, only flagged) via find_duplicates."""
    from .corpus import find_duplicates

    found = find_duplicates(df[["doc_id", "published", "text"]].reset_index(drop=True), near=True)
    is_dup = (found["dup_kind"] != "").to_numpy()
    out = df.copy()
    out["near_dup_of"] = np.where(is_dup, found["dup_of"].to_numpy(dtype=object), "")
    out["near_dup_of"] = out["near_dup_of"].astype("str")
    out["near_dup_similarity"] = np.where(is_dup, found["dup_similarity"].to_numpy(), np.nan)
    return out


# --------------------------------------------------------------------------- ungdc

_UNGDC_FILE = re.compile(r"^([A-Z]{3})_(\d+)_(\d{4})\.txt$")


def _speakers_table(path: Path, label: str) -> pd.DataFrame:
    raw = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl")
    cols = {re.sub(r"\s+", " ", str(c)).strip().lower(): c for c in raw.columns}
    want = {"year": "year", "session": "session", "iso code": "iso3", "country": "country_upstream",
            "name of person speaking": "speaker", "post": "post"}
    missing = [k for k in want if k not in cols]
    if missing:
        raise CorpusError(f"missing column(s) {missing}; got {list(raw.columns)}", file=label)
    t = pd.DataFrame({new: raw[cols[old]] for old, new in want.items()})
    for c in t.columns:
        t[c] = t[c].str.strip().replace("", pd.NA)
    t = t.dropna(subset=["year", "iso3"])
    t["year"] = pd.to_numeric(t["year"], errors="coerce").astype("Int64")
    t = t.dropna(subset=["year"]).drop_duplicates(["iso3", "year"], keep="first")
    return t.set_index(["iso3", "year"])


def _load_ungdc(files: list[tuple[dict[str, Any], Path]]) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    members = un_members().set_index("iso3")["name"]
    votes = es11_4_votes().set_index("iso3")
    speakers = None
    for entry, path in files:
        if entry["path"].endswith("Speakers_by_session.xlsx"):
            speakers = _speakers_table(path, _file_label(entry))
    rows, dropped = [], []
    for entry, path in files:
        p = PurePosixPath(entry["path"])
        if p.suffix != ".txt" or "TXT" not in p.parts:
            continue
        label = _file_label(entry)
        m = _UNGDC_FILE.match(p.name)
        if not m:
            dropped.append({"source": label, "row": 1, "column": "file name",
                            "reason": "file name is not ISO3_SESSION_YEAR.txt",
                            "check": "bad_file_name", "doc_id": None,
                            "outlet": None, "published": pd.NaT, "title": None, "url": None,
                            "duplicate_of": None})
            continue
        iso3, session, year = m.group(1), int(m.group(2)), int(m.group(3))
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise CorpusError(f"not UTF-8 text ({exc})", file=label) from None
        text = text.replace("\r\n", "\n").strip()
        is_member = iso3 in members.index
        country = members.get(iso3) or _UN_OBSERVERS.get(iso3)
        speaker = post = None
        if speakers is not None and (iso3, year) in speakers.index:
            s = speakers.loc[(iso3, year)]
            speaker, post = s["speaker"], s["post"]
            country = country or s["country_upstream"]
        vote = votes["vote"].get(iso3) if is_member else None
        date = _GD_OPENING.get(session, f"{year}-09-01")
        rows.append({
            "doc_id": f"{iso3}-{year}",
            "outlet": iso3,
            "published": pd.Timestamp(date),
            "title": f"{country or iso3}: General Debate, {_ordinal(session)} session ({year})",
            "text": text,
            "url": RAW_URL.format(owner=entry["owner"], repo=entry["repo"], commit=entry["commit"],
                                  path=urllib.parse.quote(entry["path"], safe="/")),
            "lang": "en",
            "country": country,
            "year": year,
            "session": session,
            "speaker": speaker,
            "post": post,
            "un_member": is_member,
            "es11_4_vote": vote,
            "es11_4_vote_source": votes["source"].get(iso3) if is_member else None,
            "file": label,
            "_source": label,
            "_row": 1,
        })
    df = pd.DataFrame(rows)
    df["published"] = df["published"].astype("datetime64[ns]")
    for c in ("year", "session"):
        df[c] = df[c].astype("int64")
    df["un_member"] = df["un_member"].astype(bool)
    for c in ("speaker", "post", "es11_4_vote", "es11_4_vote_source", "country"):
        df[c] = df[c].astype("str")
    df = df.sort_values(["year", "outlet"], kind="stable").reset_index(drop=True)
    return df, dropped


# --------------------------------------------------------------------------- basil

_BASIL_ARTICLE = re.compile(r"^data/articles/(\d{4})/([^/]+)\.json$")
_BASIL_ANN = re.compile(r"^data/annotations/resolved/(\d{4})/([^/]+)_ann\.json$")


def _read_json(path: Path, label: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorpusError(f"not valid JSON ({exc})", file=label) from None


def _basil_text(article: Mapping[str, Any]) -> tuple[str, list[tuple[int, int, int]]]:
    """Body text (sentences joined by " ", paragraphs by a blank line) and, per sentence
    in reading order, ``(paragraph index, index within paragraph, start offset in text)``."""
    parts: list[str] = []
    offsets: list[tuple[int, int, int]] = []
    pos = 0
    for pi, para in enumerate(article.get("body-paragraphs") or []):
        if pi:
            parts.append("\n\n")
            pos += 2
        for si, sent in enumerate(para):
            if si:
                parts.append(" ")
                pos += 1
            offsets.append((pi, si, pos))
            parts.append(sent)
            pos += len(sent)
    return "".join(parts), offsets


def _basil_pairs(files: list[tuple[dict[str, Any], Path]]) -> list[tuple[str, int, dict, Path, dict | None, Path | None]]:
    annotations = {}
    for entry, path in files:
        m = _BASIL_ANN.match(entry["path"])
        if m:
            annotations[(m.group(1), m.group(2))] = (entry, path)
    out = []
    for entry, path in files:
        m = _BASIL_ARTICLE.match(entry["path"])
        if not m:
            continue
        ann = annotations.get((m.group(1), m.group(2)))
        out.append((m.group(2), int(m.group(1)), entry, path,
                    ann[0] if ann else None, ann[1] if ann else None))
    return out


def _basil_doc_id(outlet: str, stem: str) -> str:
    # the file stem (TRIPLET-UUID_N) is unique; the article "uuid" field is not (4 HuffPost
    # articles carry the placeholder "empty")
    return f"{outlet}-{stem}"


def _load_basil(files: list[tuple[dict[str, Any], Path]]) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    rows, dropped = [], []
    for stem, year, entry, path, ann_entry, ann_path in _basil_pairs(files):
        label = _file_label(entry)
        a = _read_json(path, label)
        try:
            outlet = normalize_outlet(str(a.get("source", "")))
        except ValueError as exc:
            dropped.append({"source": label, "row": 1, "column": "source", "reason": str(exc),
                            "check": "unknown_outlet", "doc_id": None, "outlet": None, "published": pd.NaT,
                            "title": a.get("title"), "url": a.get("url"), "duplicate_of": None})
            continue
        text, _ = _basil_text(a)
        stance = None
        if ann_path is not None:
            ann = _read_json(ann_path, _file_label(ann_entry))
            stance = (ann.get("article-level-annotations") or {}).get("relative_stance") or None
        entities = a.get("main-entities") or []
        wc = a.get("word-count")
        rows.append({
            "doc_id": _basil_doc_id(outlet, stem),
            "outlet": outlet,
            "published": pd.to_datetime(a.get("date"), format="%Y-%m-%d", errors="coerce"),
            "title": (a.get("title") or "").strip(),
            "text": text,
            "url": (a.get("url") or "").strip(),
            "lang": "en",
            "triplet_uuid": a.get("triplet-uuid"),
            "uuid": None if a.get("uuid") in (None, "", "empty") else a.get("uuid"),
            "main_event": a.get("main-event"),
            "main_entities": "; ".join(str(e) for e in entities) if isinstance(entities, list) else str(entities),
            "keywords": a.get("keywords") or "",
            "year": year,
            "relative_stance": stance,
            "word_count": wc if isinstance(wc, int) else None,
            "file": label,
            "_source": label,
            "_row": 1,
        })
    df = pd.DataFrame(rows)
    df["published"] = df["published"].astype("datetime64[ns]")
    df["year"] = df["year"].astype("int64")
    df["word_count"] = df["word_count"].astype("Int64")
    for c in ("triplet_uuid", "uuid", "main_event", "main_entities", "keywords", "relative_stance"):
        df[c] = df[c].astype("str")
    df = df.sort_values(["year", "triplet_uuid", "outlet"], kind="stable").reset_index(drop=True)
    return df, dropped


def basil_annotations(*, mirror: str | os.PathLike[str] | None = None,
                      cache_dir: str | os.PathLike[str] | None = None,
                      progress: bool = True,
                      manifest: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """BASIL's phrase-level bias annotations, one row per annotated span.

    Upstream, each span carries ``id`` (``"p{N}"`` or ``"p{N}_{k}"``: body sentence N,
    counting sentences over all paragraphs from 0; ``_k`` marks duplicated sentences used
    for overlapping spans; ``"title"``: the headline) and ``start``/``end``: character
    offsets *within that sentence* (or within the title). This function keeps those and
    adds offsets into the corpus text of :func:`load_corpus` ``("basil")``.

    Returns
    -------
    DataFrame
        ``doc_id``, ``outlet``, ``triplet_uuid``, ``ann_id`` (upstream id), ``field``
        ("body" or "title"), ``sentence`` (N), ``paragraph`` (0-based paragraph index),
        ``sentence_in_paragraph``, ``txt``, ``start``, ``end`` (upstream, within the
        sentence/title), ``doc_start``, ``doc_end`` (within the corpus ``text``; missing
        for title spans), ``offsets_match`` (upstream ``sentence[start:end] == txt``;
        where False the span was located by searching ``txt`` in the sentence nearest
        to ``start``), ``bias`` ("lex" lexical / "inf" informational), ``quote``,
        ``speaker``, ``target``, ``polarity``, ``aim``, ``indirect_target``,
        ``indirect_sentiment``, ``notes``.

    References
    ----------
    Fan, L., White, M., Sharma, E., Su, R., Choubey, P. K., Huang, R., & Wang, L. (2019).
    In Plain Sight: Media Bias Through the Lens of Factual Reporting. EMNLP-IJCNLP 2019.

    Examples
    --------
    >>> ann = basil_annotations(progress=False)   # doctest: +SKIP
    >>> corpus = load_corpus("basil").set_index("doc_id")   # doctest: +SKIP
    >>> r = ann[ann.field == "body"].iloc[0]   # doctest: +SKIP
    >>> corpus.loc[r.doc_id, "text"][r.doc_start:r.doc_end] == r.txt   # doctest: +SKIP
    True
    """
    files = _fetched_files(manifest or "basil", mirror=mirror, cache_dir=cache_dir, progress=progress)
    rows = []
    for stem, year, entry, path, ann_entry, ann_path in _basil_pairs(files):
        if ann_path is None:
            continue
        a = _read_json(path, _file_label(entry))
        ann = _read_json(ann_path, _file_label(ann_entry))
        outlet = normalize_outlet(str(a.get("source", "")))
        doc_id = _basil_doc_id(outlet, stem)
        text, offsets = _basil_text(a)
        sentences = [s for para in a.get("body-paragraphs") or [] for s in para]
        for ph in ann.get("phrase-level-annotations") or []:
            ann_id = str(ph.get("id", ""))
            txt, start, end = ph.get("txt", ""), int(ph.get("start", -1)), int(ph.get("end", -1))
            m = re.match(r"^p(\d+)(?:_\d+)?$", ann_id)
            field, n, para, sip, doc_start, doc_end = "title", None, None, None, None, None
            host = a.get("title") or ""
            if m:
                field, n = "body", int(m.group(1))
                if n >= len(sentences):
                    raise CorpusError(f"annotation {ann_id!r} points to sentence {n}, the article "
                                      f"has {len(sentences)}", file=_file_label(ann_entry))
                host = sentences[n]
                para, sip, sent_start = offsets[n]
            match = host[start:end] == txt
            s0 = start
            if not match:
                hits = [i for i in range(len(host)) if host.startswith(txt, i)] if txt else []
                s0 = min(hits, key=lambda i: abs(i - start)) if hits else None
            if field == "body" and s0 is not None:
                doc_start, doc_end = sent_start + s0, sent_start + s0 + len(txt)
            rows.append({
                "doc_id": doc_id, "outlet": outlet, "triplet_uuid": a.get("triplet-uuid"),
                "ann_id": ann_id, "field": field, "sentence": n, "paragraph": para,
                "sentence_in_paragraph": sip, "txt": txt, "start": start, "end": end,
                "doc_start": doc_start, "doc_end": doc_end, "offsets_match": match,
                "bias": ph.get("bias"), "quote": ph.get("quote"), "speaker": ph.get("speaker"),
                "target": ph.get("target"), "polarity": ph.get("polarity"), "aim": ph.get("aim"),
                "indirect_target": ph.get("indirect-target-name"),
                "indirect_sentiment": ph.get("indirect-ally-opponent-sentiment"),
                "notes": ph.get("notes"),
            })
    df = pd.DataFrame(rows)
    for c in ("sentence", "paragraph", "sentence_in_paragraph", "doc_start", "doc_end"):
        df[c] = df[c].astype("Int64")
    return df


# --------------------------------------------------------------------------- registry

_CORPORA: dict[str, dict[str, Any]] = {
    "ukraine-media": {
        "title": "2022 news on the war in Ukraine: RT, ABC, CBS, Fox, HuffPost, NYT, Reuters",
        "licence": "scraped news; research use only; texts belong to the outlets",
        "loader": _load_ukraine_media,
        "options": {"include_removed": True, "deduplicate": True},
    },
    "ungdc": {
        "title": "UN General Debate speeches 2021-2024 with ES-11/4 votes",
        "licence": "CC0 1.0 (UNGDC, Harvard Dataverse); cite Jankin et al. and Baturo et al.",
        "loader": _load_ungdc,
        "options": {},
    },
    "basil": {
        "title": "BASIL: Fox/NYT/HuffPost same-event triplets with bias annotations (2010-2014 in the manifest)",
        "licence": "no licence stated upstream; research use, cite Fan et al. 2019",
        "loader": _load_basil,
        "options": {},
    },
}
# documents with the default options at the pinned manifests (checked by the integration tests)
_DOCUMENTS = {"ukraine-media": 4662, "ungdc": 767, "basil": 150}


def list_corpora() -> pd.DataFrame:
    """The named corpora: ``name``, ``title``, ``documents``, ``licence``, ``files``, ``megabytes``.

    ``documents`` is the number of documents with default options at the pinned manifest.

    Examples
    --------
    >>> list_corpora()["name"].tolist()
    ['ukraine-media', 'ungdc', 'basil']
    """
    rows = []
    for name, spec in _CORPORA.items():
        m = load_manifest(name)
        rows.append({"name": name, "title": spec["title"], "documents": _DOCUMENTS[name],
                     "licence": spec["licence"], "files": len(m["files"]),
                     "megabytes": round(sum(e["size"] for e in m["files"]) / 1e6, 1)})
    return pd.DataFrame(rows)


def _spec(name: str) -> dict[str, Any]:
    if not isinstance(name, str):
        raise TypeError(f"corpus name must be a string, got {type(name).__name__}")
    try:
        return _CORPORA[name]
    except KeyError:
        raise ValueError(f"unknown corpus {name!r}; named corpora: {', '.join(_CORPORA)}") from None


def _options(name: str, options: Mapping[str, Any]) -> dict[str, Any]:
    spec = _spec(name)
    unknown = sorted(set(options) - set(spec["options"]))
    if unknown:
        allowed = ", ".join(spec["options"]) or "none"
        raise TypeError(f"load_corpus({name!r}): unknown option(s) {unknown}; allowed: {allowed}")
    merged = {**spec["options"], **options}
    for k, v in merged.items():
        if isinstance(spec["options"][k], bool) and not isinstance(v, (bool, np.bool_)):
            raise TypeError(f"load_corpus({name!r}): option {k!r} must be True or False, got {v!r}")
        merged[k] = bool(v) if isinstance(v, (bool, np.bool_)) else v
    return merged


def _fetched_files(name: str | os.PathLike[str], *, mirror: Any, cache_dir: Any,
                   progress: bool) -> list[tuple[dict[str, Any], Path]]:
    manifest = load_manifest(name)
    fetch_corpus(name, mirror=mirror, cache_dir=cache_dir, progress=progress)
    return [(e, local_path(e, cache_dir)) for e in manifest["files"]]


def _validate(df: pd.DataFrame, source: str, dropped: list[dict[str, Any]]) -> pd.DataFrame:
    """framing.corpus.validate_corpus(errors="drop"), with the loader's dropped rows first.

    Loaders put the private columns ``_source`` (file) and ``_row`` (1-based data row) in
    ``df`` so that validation messages name the file and row; they are removed here.
    """
    from .corpus import validate_corpus

    df = df.copy()
    df.attrs = {"dropped": _dropped_frame(dropped)}
    return validate_corpus(df, source=source, errors="drop")


# --------------------------------------------------------------------------- parsed cache

_MEMORY: dict[str, pd.DataFrame] = {}


def _cache_key(name: str, options: Mapping[str, Any],
               manifest: str | os.PathLike[str]) -> tuple[str, dict[str, Any]]:
    material = {"corpus": name, "manifest_sha256": manifest_hash(manifest), "options": dict(options),
                "framing": __version__, "loader_version": LOADER_VERSION}
    blob = json.dumps(material, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:24], material


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
    with _atomic_writer(folder / f"{stem}.parquet") as fh:
        fh.write(body)
    with _atomic_writer(folder / f"{stem}.dropped.parquet") as fh:
        fh.write(dropped)
    meta = {"key": material, "corpus_sha256": hashlib.sha256(body).hexdigest(),
            "dropped_sha256": hashlib.sha256(dropped).hexdigest(),
            "selection": _jsonable(df.attrs.get("selection", [])),
            "provenance": _jsonable(df.attrs.get("provenance", {}))}
    with _atomic_writer(folder / f"{stem}.json") as fh:  # written last: marks the entry complete
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


def load_corpus(name: str, *, mirror: str | os.PathLike[str] | None = None,
                cache_dir: str | os.PathLike[str] | None = None, progress: bool = True,
                refresh: bool = False, manifest: str | os.PathLike[str] | None = None,
                **options: Any) -> pd.DataFrame:
    """Load a named public corpus as a validated corpus table.

    Parameters
    ----------
    name : {"ukraine-media", "ungdc", "basil"}
        The corpus (see :func:`list_corpora`).
    mirror : path, optional
        Mirror root for offline use (default ``$FRAMING_MIRROR``); see
        :func:`framing.fetch.fetch_corpus`.
    cache_dir : path, optional
        Cache folder (default ``$FRAMING_CACHE_DIR`` or ``~/.cache/framing``).
    progress : bool
        Progress bar while fetching (only on a terminal).
    refresh : bool
        Re-parse even when a cached parsed table exists.
    manifest : path, optional
        A manifest ``.json`` to use instead of the packaged one, e.g. the BASIL manifest
        extended to more years (see ``corpora/basil/card.md``). Its hash keys the cache and
        is recorded in ``attrs["provenance"]``.
    **options
        Loader options. ``ukraine-media``: ``include_removed`` (default True: keep the
        articles the upstream topic filter set aside; Fox and NYT exist only there),
        ``deduplicate`` (default True: drop duplicate URLs and exact duplicate texts,
        recording them in ``attrs["dropped"]``). ``ungdc``, ``basil``: none.

    Returns
    -------
    DataFrame
        The corpus schema plus the corpus's metadata columns (see the module docstring).
        ``attrs["dropped"]``: dropped rows with ``source``, ``row``, ``column``,
        ``reason``; ``attrs["provenance"]``: corpus name, manifest hash, files, options,
        framing and loader version.

    Raises
    ------
    ValueError
        Unknown corpus name.
    TypeError
        Unknown or ill-typed option.
    framing.fetch.FetchError
        A file could not be fetched or failed its checksum.

    Examples
    --------
    >>> load_corpus("ukrainemedia")
    Traceback (most recent call last):
    ...
    ValueError: unknown corpus 'ukrainemedia'; named corpora: ukraine-media, ungdc, basil

    With the corpus files available (fetched, or ``FRAMING_MIRROR`` set):

    >>> news = load_corpus("ukraine-media", progress=False)   # doctest: +SKIP
    >>> sorted(news["outlet"].unique())   # doctest: +SKIP
    ['ABC', 'CBS', 'Fox', 'HuffPost', 'NYT', 'RT', 'Reuters']
    """
    spec = _spec(name)
    opts = _options(name, options)
    source = manifest if manifest is not None else name
    key, material = _cache_key(name, opts, source)
    folder = cache_root(cache_dir) / "parsed"
    stem = f"{name}-{key}"
    mem_key = f"{folder.resolve()}/{stem}"
    if not refresh:
        if mem_key in _MEMORY:
            return _copy(_MEMORY[mem_key])
        cached = _read_parsed(folder, stem, material)
        if cached is not None:
            _MEMORY[mem_key] = cached
            return _copy(cached)
    files = _fetched_files(source, mirror=mirror, cache_dir=cache_dir, progress=progress)
    raw, dropped = spec["loader"](files, **opts)
    df = _validate(raw, name, dropped)
    df.attrs.setdefault("selection", [])
    df.attrs["provenance"] = {
        **dict(df.attrs.get("provenance") or {}),
        "corpus": name,
        "manifest_sha256": material["manifest_sha256"],
        "manifest": "packaged" if manifest is None else str(manifest),
        "options": opts,
        "framing_version": __version__,
        "loader_version": LOADER_VERSION,
        "files": [f"{e['owner']}/{e['repo']}@{e['commit']}:{e['path']}" for e, _ in files],
    }
    try:
        _prune_parsed(folder, name, material)
        _write_parsed(folder, stem, df, material)
    except OSError:
        pass  # read-only cache: serve the freshly parsed table anyway
    _MEMORY[mem_key] = _copy(df)
    return df


# --------------------------------------------------------------------------- info & export

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
                  **options: Any) -> Path:
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
    from .corpus import SIDECAR_SUFFIX, export_metadata

    path = Path(path)
    suffix = "".join(path.suffixes[-2:]) if path.suffix == ".gz" else path.suffix
    if suffix not in {".csv", ".jsonl", ".parquet", ".csv.gz", ".jsonl.gz"}:
        raise ValueError(f"export_corpus: cannot tell the format of {str(path)!r}; "
                         "use .csv, .jsonl or .parquet (optionally .csv.gz/.jsonl.gz)")
    if isinstance(name_or_df, str):
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
    path.parent.mkdir(parents=True, exist_ok=True)
    side = Path(str(path) + SIDECAR_SUFFIX)
    with _atomic_writer(path) as fh:
        fh.write(data)
    if suffix != ".parquet":
        if sidecar:
            meta["data_sha256"] = hashlib.sha256(data).hexdigest()
            with _atomic_writer(side) as fh:
                fh.write(json.dumps(meta, indent=1, ensure_ascii=True).encode("ascii"))
        elif side.exists():  # never leave a sidecar that describes another file
            side.unlink()
    return path


def _is_na(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))


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
