"""The named public corpora: ``ukraine-media``, ``ungdc`` and ``basil``.

:func:`load_corpus` fetches a corpus's pinned upstream files (see :mod:`framing.fetch`),
parses them into the corpus schema of :mod:`framing.corpus` (``doc_id``, ``outlet``,
``published``, ``title``, ``text``, ``url``, ``lang`` plus metadata), validates the table
and returns it. Dropped rows are recorded with their reason in ``attrs["dropped"]``; the
manifest hash, the files and the loader options in ``attrs["provenance"]``.

Parsing happens once: the validated table is cached as Parquet under
``<cache>/parsed/``, keyed by the manifest hash, the loader options (``years`` included),
the framing version and the loader version, and checked against a stored SHA-256 before it
is served. Nothing is pickled.

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
    UN General Debate speeches 1946-2024, one per state and year; by default the years
    2021-2024 (option ``years``: a year, an iterable of years such as ``range(1946, 2025)``,
    or ``"all"``; only the files of those years are fetched and parsed). ``outlet`` is the
    ISO3 code (former Members: ``CSK``, ``DDR``, ``YMD``, ``YUG``); metadata ``country``,
    ``year``, ``session``, ``speaker``, ``post``, ``un_member`` (a UN Member at any time in
    that year, see :func:`un_members`), ``es11_4_vote`` (the state's 2022 vote on ES-11/4:
    "yes", "abstain", "no", "not voting"; missing for observers and former Members),
    ``es11_4_vote_source``.
``basil``
    BASIL (Fan et al. 2019): same-event triplets from Fox, NYT and HuffPost with
    phrase-level bias annotations (see :func:`basil_annotations`). Metadata
    ``triplet_uuid``, ``uuid``, ``main_event``, ``main_entities``, ``keywords``,
    ``year``, ``relative_stance``, ``word_count``.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..corpus import CorpusError  # noqa: F401  (importable from here before the split)
from ..fetch import (  # noqa: F401  (FetchError ... local_path: importable from here before the split)
    RAW_URL,
    FetchError,
    cache_root,
    fetch_corpus,
    load_manifest,
    local_path,
    manifest_hash,
)
from ._common import OUTLETS, _dropped_frame, _fetched_files, normalize_outlet, normalize_url
from .basil import _load_basil, basil_annotations
from .cache import _copy, _prune_parsed, _read_parsed, _write_parsed
from .export import corpus_info, export_corpus
from .news import _load_ukraine_media
from .un import _load_ungdc, es11_4_votes, select_years, un_members, ungdc_years

__all__ = [
    "LOADER_VERSION",
    "OUTLETS",
    "basil_annotations",
    "corpus_info",
    "fetch_named",
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
LOADER_VERSION = 3

_SCHEMA = ("doc_id", "outlet", "published", "title", "text", "url", "lang")

# --------------------------------------------------------------------------- registry

_CORPORA: dict[str, dict[str, Any]] = {
    "ukraine-media": {
        "title": "2022 news on the war in Ukraine: RT, ABC, CBS, Fox, HuffPost, NYT, Reuters",
        "licence": "scraped news; research use only; texts belong to the outlets",
        "loader": _load_ukraine_media,
        "options": {"include_removed": True, "deduplicate": True},
    },
    "ungdc": {
        "title": "UN General Debate speeches 1946-2024 (default years 2021-2024) with ES-11/4 votes",
        "licence": "CC0 1.0 (UNGDC, Harvard Dataverse); cite Jankin et al. and Baturo et al.",
        "loader": _load_ungdc,
        "options": {"years": None},  # None: framing.corpora.un.DEFAULT_YEARS (2021-2024)
        "check": {"years": ungdc_years},
        "select": select_years,
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

    ``documents`` is the number of documents with default options at the pinned manifest
    (for ``ungdc``: the default years 2021-2024); ``files`` and ``megabytes`` count every
    pinned file (for ``ungdc``: all years, of which a load fetches only the requested ones).

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
        if k in spec.get("check", {}):
            merged[k] = spec["check"][k](v)
            continue
        if isinstance(spec["options"][k], bool) and not isinstance(v, (bool, np.bool_)):
            raise TypeError(f"load_corpus({name!r}): option {k!r} must be True or False, got {v!r}")
        merged[k] = bool(v) if isinstance(v, (bool, np.bool_)) else v
    return merged


def fetch_named(name: str, *, mirror: str | os.PathLike[str] | None = None,
                cache_dir: str | os.PathLike[str] | None = None, progress: bool = True,
                **options: Any) -> int:
    """Fetch (and verify) the files that ``load_corpus(name, **options)`` reads, nothing more.

    For ``ungdc`` that is the speeches of the requested ``years`` (default 2021-2024; ``"all"``
    for every session); for the other corpora, every file of the manifest. Returns the number
    of files now in the cache. Unknown options raise ``TypeError`` as in :func:`load_corpus`.
    """
    spec, opts = _spec(name), _options(name, options)
    select = spec.get("select")
    files = _fetched_files(name, mirror=mirror, cache_dir=cache_dir, progress=progress,
                           select=None if select is None else (lambda entries: select(entries, **opts)))
    return len(files)


def _validate(df: pd.DataFrame, source: str, dropped: list[dict[str, Any]]) -> pd.DataFrame:
    """framing.corpus.validate_corpus(errors="drop"), with the loader's dropped rows first.

    Loaders put the private columns ``_source`` (file) and ``_row`` (1-based data row) in
    ``df`` so that validation messages name the file and row; they are removed here.
    """
    from ..corpus import validate_corpus

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
        recording them in ``attrs["dropped"]``). ``ungdc``: ``years`` (default None:
        2021-2024, those of them the manifest holds; a year, an iterable of years such as
        ``range(1990, 2000)``, or ``"all"`` for 1946-2024): only the speeches of those
        years are fetched and parsed, and each choice of years is cached separately.
        ``basil``: none.

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
        Unknown corpus name, or (``ungdc``) a year without speeches in the manifest.
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
    >>> cold_war = load_corpus("ungdc", years=range(1946, 1992), progress=False)   # doctest: +SKIP
    >>> cold_war["year"].agg(["min", "max"]).tolist()   # doctest: +SKIP
    [1946, 1991]
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
    select = spec.get("select")
    files = _fetched_files(source, mirror=mirror, cache_dir=cache_dir, progress=progress,
                           select=None if select is None else (lambda entries: select(entries, **opts)))
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
