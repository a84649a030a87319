"""Loader of ``basil`` (Fan et al. 2019) and its phrase-level bias annotations."""
from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..corpus import CorpusError
from ._common import _fetched_files, _file_label, normalize_outlet


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
