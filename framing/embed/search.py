"""Vectors for corpus and sentence tables, and semantic search over sentences.

:func:`embed_articles` and :func:`embed_sentences` give one vector per row;
:func:`find_sentences` ranks sentences by cosine similarity to a query text and
:func:`nearest_by_outlet` finds, for anchor sentences, their nearest neighbours in every
other group (Reimers & Gurevych, 2019, *Sentence-BERT*: cosine similarity of sentence
embeddings as semantic similarity).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from framing._checks import GroupSpec, group_labels, l2_normalize, require_columns, resolve_embeddings
from framing._compat import renamed_kwargs

from .cache import EmbeddingError
from .encoder import Encoder

__all__ = ["embed_articles", "embed_sentences", "find_sentences", "nearest_by_outlet"]


def _encode_with(encoder: Any, texts: list[str]) -> np.ndarray:
    if encoder is None or not callable(getattr(encoder, "encode", None)):
        raise TypeError("pass an encoder: framing.Encoder(...) or any object with encode(texts)")
    X = np.asarray(encoder.encode(texts), dtype=np.float32)
    if X.ndim != 2 or X.shape[0] != len(texts):
        raise EmbeddingError(f"encoder returned shape {X.shape} for {len(texts)} texts")
    return X


def embed_articles(corpus: pd.DataFrame, encoder: Any, *, long_text: str | None = None) -> np.ndarray:
    """One vector per document of ``corpus`` (its ``text`` column), in row order.

    Parameters
    ----------
    corpus : DataFrame
        A corpus with a ``text`` column.
    encoder : Encoder or encoder-protocol object
    long_text : str, optional
        Override the encoder's long-text rule (:class:`Encoder` only).

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> from framing.testing import HashEncoder
    >>> enc = Encoder(HashEncoder(dim=8), cache_dir=tempfile.mkdtemp())
    >>> embed_articles(pd.DataFrame({"text": ["a b", "c d"]}), enc).shape
    (2, 8)
    """
    if not isinstance(corpus, pd.DataFrame) or "text" not in corpus.columns:
        raise ValueError("embed_articles() needs a corpus DataFrame with a 'text' column")
    if long_text is not None:
        if not isinstance(encoder, Encoder):
            raise EmbeddingError("long_text= can only be changed on a framing.Encoder")
        if long_text != encoder.long_text:
            encoder = encoder.replace(long_text=long_text)
    return _encode_with(encoder, corpus["text"].tolist())


def embed_sentences(sentences: pd.DataFrame | Sequence[str], encoder: Any) -> np.ndarray:
    """One vector per row of a sentence table (its ``text`` column), in row order.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> from framing.testing import HashEncoder
    >>> enc = Encoder(HashEncoder(dim=8), cache_dir=tempfile.mkdtemp())
    >>> embed_sentences(pd.DataFrame({"text": ["One.", "Two."]}), enc).shape
    (2, 8)
    """
    if isinstance(sentences, pd.DataFrame):
        if "text" not in sentences.columns:
            raise ValueError("embed_sentences() needs a sentence table with a 'text' column")
        texts = sentences["text"].tolist()
    elif isinstance(sentences, str):
        raise TypeError("embed_sentences() takes a sentence table or a list of texts, not a str")
    else:
        texts = list(sentences)
    return _encode_with(encoder, texts)


def _sentence_vectors(sentences: pd.DataFrame, embeddings: Any, encoder: Any, caller: str) -> np.ndarray:
    """Unit-length sentence vectors (table order): ``embeddings`` or the encoder's; a zero row stays zero."""
    require_columns(sentences, ["text"], name=f"{caller}(): the sentence table")
    return resolve_embeddings(sentences["text"].astype(str).tolist(), embeddings=embeddings, encoder=encoder,
                              what="sentence", zero="keep")


def _group_column(sentences: pd.DataFrame, group: GroupSpec) -> tuple[str, pd.Series]:
    """The output column for ``group=`` (the column's own name, else ``"group"``) and the labels."""
    labels = group_labels(sentences, group, name="the sentence table")
    return (group if isinstance(group, str) else "group"), labels


@renamed_kwargs(by="group")
def find_sentences(sentences: pd.DataFrame, query: str, *, k: int = 5, group: GroupSpec = "outlet",
                   within: Any = None, embeddings: Any = None, encoder: Any = None) -> pd.DataFrame:
    """The ``k`` sentences closest to a query text (cosine similarity; semantic search).

    Parameters
    ----------
    sentences : DataFrame
        Sentence table (a ``text`` column; ``sent_id`` and ``doc_id`` are carried).
    query : str
        Free text, embedded with ``encoder`` (required for the query even when
        ``embeddings`` are given for the sentences).
    k : int
        Number of sentences returned.
    group : str, mapping, (column, mapping) or None
        How sentences are grouped (the glossary's ``group=``; default the ``outlet`` column).
        ``by=`` is its deprecated name.
    within : label or list of labels, optional
        Only sentences whose group is one of these.
    embeddings : array, optional
        One row per sentence, in table order; else encoded with ``encoder``.
    encoder : encoder, optional
        Any object with ``encode(list_of_str)`` (e.g. :class:`framing.Encoder`).

    Returns
    -------
    DataFrame
        ``rank`` (0-based), ``row`` (position in ``sentences``), the carried id columns,
        the group (named as the ``group`` column, or ``group`` for a mapping), ``text``,
        ``similarity``; most similar first.

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.testing import HashEncoder
    >>> s = pd.DataFrame({"sent_id": ["a:0", "b:0"], "outlet": ["X", "Y"],
    ...                   "text": ["vote results announced", "weather is fine"]})
    >>> find_sentences(s, "the vote results", k=1, encoder=HashEncoder())["sent_id"].tolist()
    ['a:0']
    """
    if encoder is None:
        raise ValueError("find_sentences() needs encoder= to embed the query")
    X = _sentence_vectors(sentences, embeddings, encoder, "find_sentences")
    name, labels = _group_column(sentences, group)
    q = l2_normalize(_encode_with(encoder, [query]), zero="keep", name="query vector")[0]
    sim = X @ q
    mask = np.ones(len(sentences), dtype=bool)
    if within is not None:
        keep = [within] if isinstance(within, str) or not isinstance(within, Sequence) else list(within)
        mask = labels.isin(keep).to_numpy()
    idx = np.flatnonzero(mask)
    order = idx[np.argsort(-sim[idx], kind="stable")][:k]
    cols = [c for c in ("sent_id", "doc_id") if c in sentences.columns]
    out = sentences.iloc[order][cols].reset_index(drop=True)
    out[name] = labels.iloc[order].to_numpy()
    out["text"] = sentences["text"].iloc[order].to_numpy()
    out.insert(0, "row", order.astype(np.int64))
    out.insert(0, "rank", np.arange(len(order), dtype=np.int64))
    out["similarity"] = sim[order].astype(np.float64)
    return out


@renamed_kwargs(by="group")
def nearest_by_outlet(sentences: pd.DataFrame, anchors: Sequence[int], *, k: int = 1, group: GroupSpec = "outlet",
                      embeddings: Any = None, encoder: Any = None) -> pd.DataFrame:
    """For each anchor sentence, its ``k`` nearest sentences (cosine) in every *other* group.

    Parameters
    ----------
    sentences : DataFrame
        Sentence table.
    anchors : sequence of int
        Row positions (``iloc``) of the anchor sentences, e.g. ``find_sentences(...)["row"]``.
    k : int
        Neighbours per anchor and group.
    group : str, mapping, (column, mapping) or None
        How sentences are grouped (the glossary's ``group=``; default the ``outlet`` column);
        sentences in no group are never neighbours. ``by=`` is its deprecated name.
    embeddings, encoder
        Sentence vectors (table order), or an encoder to compute them.

    Returns
    -------
    DataFrame
        Tidy: ``anchor`` (row), ``anchor_group``, ``anchor_text``, ``group``, ``rank``,
        ``row``, ``text``, ``similarity`` (cosine), plus ``sent_id`` when present.

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.testing import HashEncoder
    >>> s = pd.DataFrame({"outlet": ["X", "Y", "Y"],
    ...                   "text": ["vote results announced", "results of the vote", "weather"]})
    >>> nearest_by_outlet(s, [0], encoder=HashEncoder())[["group", "text"]].values.tolist()
    [['Y', 'results of the vote']]
    """
    X = _sentence_vectors(sentences, embeddings, encoder, "nearest_by_outlet")
    labels = group_labels(sentences, group, name="the sentence table")
    groups = labels.map(lambda v: v if pd.isna(v) else str(v)).to_numpy(dtype=object)
    named = sorted({g for g in groups if isinstance(g, str)})
    texts = sentences["text"].astype("str").to_numpy()
    ids = sentences["sent_id"].astype("str").to_numpy() if "sent_id" in sentences.columns else None
    rows = []
    for a in anchors:
        a = int(a)
        if not 0 <= a < len(sentences):
            raise IndexError(f"anchor row {a} outside the sentence table (0..{len(sentences) - 1})")
        sim = X @ X[a]
        for g in (g for g in named if g != groups[a]):
            idx = np.flatnonzero(groups == g)
            best = idx[np.argsort(-sim[idx], kind="stable")][:k]
            for r, j in enumerate(best):
                row = {"anchor": a, "anchor_group": groups[a], "anchor_text": texts[a], "group": g, "rank": r,
                       "row": int(j), "text": texts[j], "similarity": float(sim[j])}
                if ids is not None:
                    row["anchor_id"], row["sent_id"] = ids[a], ids[j]
                rows.append(row)
    cols = ["anchor", "anchor_group", "anchor_text", "group", "rank", "row", "text", "similarity"]
    if ids is not None:
        cols[1:1] = ["anchor_id"]
        cols.insert(cols.index("row") + 1, "sent_id")
    return pd.DataFrame(rows, columns=cols)
