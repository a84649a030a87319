"""Per-document layout of a corpus or sentence table: text, paragraphs and sentences."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["document_layouts"]


def document_layouts(data: pd.DataFrame) -> tuple[list[dict[str, Any]], bool]:
    """Per document: its text, outlet, paragraphs and sentences, from a corpus or a sentence table.

    The one per-document reader of quote detection (:func:`framing.quotes.extract_quotes`)
    and voice attribution (:func:`framing.attribute_voice`). From a sentence table
    (``doc_id``, ``sent_id``, ``text``, ``start``, ``end``, optionally ``para_id`` and
    ``outlet``) the article text is rebuilt from the sentences at their offsets (gaps become
    spaces); a corpus (``doc_id``, ``text``, optionally ``outlet``/``published``) is split
    with :func:`framing.segment.split_sentences`.

    Parameters
    ----------
    data : DataFrame
        A sentence table or a corpus.

    Returns
    -------
    docs : list of dict
        One per document, in order of first appearance: ``doc_id``, ``outlet``, ``text``,
        ``paras`` (sorted ``(start, end)`` spans) and ``sents`` (``(start, end, sent_id,
        text)`` tuples).
    is_sentence_table : bool
        Whether ``data`` was read as a sentence table.

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": ["d", "d"], "sent_id": ["d:0", "d:1"], "text": ["One.", "Two."],
    ...                   "start": [0, 5], "end": [4, 9]})
    >>> docs, is_sent = document_layouts(s)
    >>> docs[0]["text"], docs[0]["paras"], is_sent
    ('One. Two.', [(0, 9)], True)
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"extract_quotes() expects a corpus or sentence table DataFrame, got {type(data).__name__}")
    for c in ("doc_id", "text"):
        if c not in data.columns:
            raise ValueError(f"input lacks column {c!r}; pass a corpus (doc_id, outlet, text) or a "
                             "sentence table (doc_id, sent_id, outlet, text, start, end)")
    is_sent = "sent_id" in data.columns
    docs: list[dict[str, Any]] = []
    if is_sent:
        for c in ("start", "end"):
            if c not in data.columns:
                raise ValueError(f"sentence table lacks column {c!r} (character offsets into the article)")
        codes, uniques = pd.factorize(data["doc_id"], sort=False)
        order = np.argsort(codes, kind="stable")
        bounds = np.flatnonzero(np.diff(codes[order])) + 1
        all_starts = data["start"].to_numpy(dtype=np.int64)
        all_ends = data["end"].to_numpy(dtype=np.int64)
        all_texts = data["text"].astype(str).tolist()
        all_sids = data["sent_id"].astype(str).tolist()
        all_paras = data["para_id"].to_numpy() if "para_id" in data.columns else np.zeros(len(data), dtype=np.int64)
        all_outlets = data["outlet"].astype(str).tolist() if "outlet" in data.columns else [""] * len(data)
        for idx in np.split(order, bounds) if len(order) else []:
            starts, ends, para = all_starts[idx], all_ends[idx], all_paras[idx]
            texts = [all_texts[i] for i in idx]
            n = int(ends.max()) if len(idx) else 0
            buf = [" "] * n
            for k, (s_, e, t) in enumerate(zip(starts, ends, texts)):
                if len(t) != e - s_:
                    raise ValueError(f"sentence table, sent_id {all_sids[idx[k]]!r}: text length "
                                     f"{len(t)} does not match end - start = {e - s_}")
                buf[s_:e] = t
            paras = []
            for p_ in pd.unique(para):
                m = para == p_
                paras.append((int(starts[m].min()), int(ends[m].max())))
            docs.append({"doc_id": str(uniques[codes[idx[0]]]), "outlet": all_outlets[idx[0]], "text": "".join(buf),
                         "paras": sorted(paras),
                         "sents": list(zip(starts.tolist(), ends.tolist(), [all_sids[i] for i in idx], texts))})
    else:
        from framing.segment import split_sentences

        corpus = data
        dup = corpus["doc_id"].duplicated()
        if dup.any():
            row = int(np.flatnonzero(dup.to_numpy())[0])
            raise ValueError(f"corpus column 'doc_id' is not unique: {corpus['doc_id'].iloc[row]!r} "
                             f"repeats at row {row}")
        if "published" not in corpus.columns:
            corpus = corpus.assign(published=pd.NaT)
        if "outlet" not in corpus.columns:
            corpus = corpus.assign(outlet="")
        sents = split_sentences(corpus)
        by_doc = {d: g for d, g in sents.groupby("doc_id", sort=False)}
        for row in corpus.itertuples(index=False):
            doc_id = str(row.doc_id)
            text = row.text if isinstance(row.text, str) else ""
            g = by_doc.get(doc_id)
            if g is None:
                sl, paras = [], [(0, len(text))]
            else:
                sl = list(zip(g["start"].tolist(), g["end"].tolist(), g["sent_id"].astype(str).tolist(),
                              g["text"].astype(str).tolist()))
                paras = [(int(pg["start"].min()), int(pg["end"].max())) for _, pg in g.groupby("para_id")]
            docs.append({"doc_id": doc_id, "outlet": str(row.outlet), "text": text, "paras": sorted(paras),
                         "sents": sl})
    return docs, is_sent

