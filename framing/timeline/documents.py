"""Per-document values of a measure: the units that every trajectory and comparison resamples.

:func:`document_values` turns a sentence table (or a corpus) and a measure into one row per
document: its date, its group and, for each item of the measure (a marker, a stance class, a
theme, an axis), a numerator and a denominator, so that a group's estimate over any set of
documents is ``scale * sum(numerator) / sum(denominator)`` (pooled, never an average of
averages). Resampling whole documents then gives the document bootstrap.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from framing._checks import group_labels

__all__ = ["DocumentValues", "document_values", "MEASURES"]

#: the measures :func:`document_values` (and :func:`framing.over_time`) know
MEASURES = ("volume", "markers", "axes", "stance", "themes")


class DocumentValues:
    """One row per document: date, group, and per item a numerator and a denominator.

    Immutable; copies (``copy.deepcopy``, as pandas does with ``DataFrame.attrs``) return the
    object itself, and two objects are equal only when they are the same object.

    Attributes
    ----------
    doc_id, date, group : ndarray of shape (n,)
    num, den : ndarray of shape (n, k)
        ``den`` is None for ``"volume"`` (each document counts 1).
    items : DataFrame
        One row per item (``k`` rows) with the item's descriptive columns (``family`` and
        ``marker``; ``axis``; ``class``; ``theme``; none for volume).
    measure : str
    scale : float
        Multiplier of the ratio (``per`` for marker rates, 1 otherwise).
    params : dict
    """

    def __init__(self, *, doc_id: np.ndarray, date: np.ndarray, group: np.ndarray, num: np.ndarray,
                 den: np.ndarray | None, items: pd.DataFrame, measure: str, scale: float = 1.0,
                 params: dict[str, Any] | None = None) -> None:
        self.doc_id, self.date, self.group = doc_id, date, group
        self.num, self.den, self.items = num, den, items
        self.measure, self.scale, self.params = measure, float(scale), dict(params or {})

    def __deepcopy__(self, memo: dict) -> DocumentValues:
        return self

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __len__(self) -> int:
        return len(self.doc_id)

    def __repr__(self) -> str:
        return f"DocumentValues({self.measure!r}, {len(self)} documents, {len(self.items)} items)"

    def values(self) -> np.ndarray:
        """Per-document values ``scale * num / den`` (n, k); NaN where ``den`` is 0."""
        if self.den is None:
            return self.num.copy()
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.den > 0, self.scale * self.num / np.where(self.den > 0, self.den, 1), np.nan)

    def to_frame(self) -> pd.DataFrame:
        """Long table: one row per (document, item) with ``doc_id``, ``date``, ``group``, the
        item columns, ``numerator``, ``denominator``, ``value``."""
        n, k = self.num.shape
        rows = np.repeat(np.arange(n), k)
        cols = np.tile(np.arange(k), n)
        out = pd.DataFrame({"doc_id": self.doc_id[rows], "date": self.date[rows], "group": self.group[rows]})
        for c in self.items.columns:
            out[c] = self.items[c].to_numpy()[cols]
        out["numerator"] = self.num.ravel()
        out["denominator"] = 1.0 if self.den is None else self.den.ravel()
        out["value"] = self.values().ravel()
        return out

    def summary(self) -> pd.DataFrame:
        """Documents per group."""
        s = pd.Series(self.group).value_counts().sort_index()
        return pd.DataFrame({"group": s.index, "n_docs": s.to_numpy()})

    def _repr_html_(self) -> str:
        from framing._display import html_summary

        return html_summary("DocumentValues", {"measure": self.measure, "documents": len(self),
                                               "items": len(self.items)}, self.summary())


def _labels_of(table: pd.DataFrame, labels: Any, name: str) -> pd.Series:
    if labels is None:
        raise ValueError(f"document_values: measure {name!r} needs labels= (a column name or one label per row)")
    if isinstance(labels, str):
        if labels not in table.columns:
            raise ValueError(f"document_values: labels={labels!r} is not a column; columns: {list(table.columns)}")
        return table[labels].astype(object)
    arr = pd.Series(np.asarray(labels, dtype=object), index=table.index)
    if len(arr) != len(table):
        raise ValueError(f"document_values: labels has {len(arr)} values, the table {len(table)} rows")
    return arr


def _rows_to_docs(doc_codes: np.ndarray, n_docs: int, row_num: np.ndarray, row_den: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    num = np.zeros((n_docs, row_num.shape[1]))
    den = np.zeros((n_docs, row_den.shape[1]))
    ok = doc_codes >= 0
    np.add.at(num, doc_codes[ok], row_num[ok])
    np.add.at(den, doc_codes[ok], row_den[ok])
    return num, den


def _class_counts(lab: pd.Series, doc_codes: np.ndarray, n_docs: int, order: Sequence[Any] | None
                  ) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    present = lab.dropna()
    classes = list(order) if order is not None else sorted(present.unique(), key=lambda v: (str(type(v)), v))
    index = {c: i for i, c in enumerate(classes)}
    code = np.array([index.get(v, -1) if not pd.isna(v) else -1 for v in lab], dtype=np.int64)
    onehot = np.zeros((len(lab), len(classes)))
    has = code >= 0
    onehot[np.flatnonzero(has), code[has]] = 1.0
    num, den = _rows_to_docs(doc_codes, n_docs, onehot, has.astype(float)[:, None])
    return num, np.repeat(den, len(classes), axis=1), classes


def _marker_counts(table: pd.DataFrame, doc_codes: np.ndarray, n_docs: int, lexicon: Any, voice: str,
                   boilerplate: str) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    from framing.tokens import tokenize
    from framing.markers import load_lexicon, match_markers
    from framing.voice import filter_voice, voice_corpus

    lex = load_lexicon(lexicon)
    base = table.reset_index(drop=True)
    base.attrs = {}
    if "sent_id" not in base.columns and not base["doc_id"].is_unique:
        raise ValueError("document_values: doc_id repeats but there is no sent_id column: pass a sentence table "
                         "from framing.split_sentences or a corpus with one row per document")
    if "sent_id" in base.columns:            # a sentence table: keep the sentences in this voice
        kept = filter_voice(base, voice=voice, boilerplate=boilerplate)
    else:                                    # a corpus: blank the words of other voices
        kept = voice_corpus(base, voice=voice, boilerplate=boilerplate)
    rows = kept.index.to_numpy()
    texts = kept["text"].astype(str).tolist()
    words = np.zeros(len(base))
    words[rows] = [len(tokenize(t)) for t in texts]
    m = match_markers(kept.reset_index(drop=True).assign(doc_id=[str(r) for r in rows]), lexicon=lex)
    key = {(mk.family, mk.marker): i for i, mk in enumerate(lex.markers)}
    counts = np.zeros((len(base), len(lex.markers)))
    if len(m):
        r = m["doc_id"].astype(int).to_numpy()
        c = np.array([key[(f, k)] for f, k in zip(m["family"], m["marker"])], dtype=np.int64)
        np.add.at(counts, (r, c), 1.0)
    num, den = _rows_to_docs(doc_codes, n_docs, counts, words[:, None])
    items = pd.DataFrame({"family": [mk.family for mk in lex.markers], "marker": [mk.marker for mk in lex.markers]})
    return num, np.repeat(den, len(lex.markers), axis=1), items


def _axis_values(table: pd.DataFrame, doc_index: pd.Index, scores: Any, axes: Any, embeddings: Any, encoder: Any,
                 voice: str, boilerplate: str) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    if scores is None:
        if axes is None:
            raise ValueError("document_values: measure 'axes' needs scores= (a framing.score_axes result) or axes=")
        from framing.axes import score_axes

        scores = score_axes(table, axes, embeddings=embeddings, encoder=encoder, group=None, n_boot=1, n_null=1,
                            voice=voice, boilerplate=boilerplate, reliability=False)
    docs = scores.documents
    names = list(dict.fromkeys(docs["axis"]))
    num = np.zeros((len(doc_index), len(names)))
    den = np.zeros_like(num)
    rows = doc_index.get_indexer(docs["doc_id"])
    cols = pd.Index(names).get_indexer(docs["axis"])
    ok = rows >= 0
    w = docs["weight"].to_numpy(dtype=float)
    np.add.at(num, (rows[ok], cols[ok]), (w * docs["bias"].to_numpy(dtype=float))[ok])
    np.add.at(den, (rows[ok], cols[ok]), w[ok])
    return num, den, pd.DataFrame({"axis": names})


def _documents(table: pd.DataFrame, group: Any, date: str) -> tuple[np.ndarray, pd.DataFrame, dict[str, int]]:
    """Row -> document code (-1: left out) and the documents' id, date and group."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"document_values: expected a DataFrame, got {type(table).__name__}")
    for col in ("doc_id", date):
        if col not in table.columns:
            raise ValueError(f"document_values: the table has no column {col!r}; it has {list(table.columns)}")
    dates = pd.to_datetime(table[date], errors="coerce", utc=True).dt.tz_localize(None)
    labels = group_labels(table, group)
    keep = dates.notna().to_numpy() & labels.notna().to_numpy()
    codes, uniq = pd.factorize(table["doc_id"].where(keep))
    first = pd.DataFrame({"code": codes, "date": dates.to_numpy(), "group": labels.to_numpy()})[codes >= 0]
    first = first.drop_duplicates("code").sort_values("code")
    docs = pd.DataFrame({"doc_id": np.asarray(uniq, dtype=object), "date": first["date"].dt.normalize().to_numpy(),
                         "group": first["group"].to_numpy(dtype=object)})
    dropped = {"undated": int(dates.isna().sum()), "no_group": int((labels.isna() & dates.notna()).sum())}
    return codes.astype(np.int64), docs, dropped


def document_values(table: pd.DataFrame, measure: str, *, group: Any = "outlet", date: str = "published",
                    labels: Any = None, lexicon: Any = None, scores: Any = None, axes: Any = None,
                    coder: Any = None, embeddings: Any = None, encoder: Any = None, voice: str = "own",
                    boilerplate: str = "drop", per: float = 1000) -> DocumentValues:
    """Per-document numerators and denominators of a measure (documents are the units).

    - ``"volume"``: each document counts 1 (attention: articles per bin and group);
    - ``"markers"``: marker matches (:func:`framing.match_markers`) over words
      (:func:`framing.tokenize`) in the chosen voice (own voice by default: a sentence table
      is filtered with :func:`framing.filter_voice`, a corpus with :func:`framing.voice_corpus`,
      as :func:`framing.marker_rates` does), times ``per``;
    - ``"axes"``: the sum of sentence weight x projection over the sum of weights, from a
      :func:`framing.score_axes` result (``scores=``) or by calling it with ``axes=`` and
      ``embeddings=``/``encoder=``; the pooled ratio is the FrameAxis bias (Kwak et al. 2021);
    - ``"stance"``: sentences of each class over labelled sentences, from ``labels=`` (a column
      or one label per row) or a fitted :class:`framing.Coder` (``coder=``, with
      ``embeddings=`` when its encoder should not run);
    - ``"themes"``: the same for cluster labels given as ``labels=`` (every label is a theme,
      noise labels included: drop those rows first to leave them out).

    Rows are taken as given for ``stance`` and ``themes`` (filter them with
    :func:`framing.filter_voice` first to count one voice).

    Parameters
    ----------
    table : DataFrame
        One row per sentence (or per article) with ``doc_id``, the ``date`` column, the
        ``group`` column and ``text`` where the measure reads it. Rows without a date or a
        group are left out (counted in ``params["dropped"]``).
    measure : {"volume", "markers", "axes", "stance", "themes"}
    group : str, mapping, (column, mapping) or None
        The glossary's ``group=`` (:func:`framing._checks.group_labels`).
    date : str
        Column with the publication date (timezone-aware dates are converted to UTC).
    labels, lexicon, scores, axes, coder, embeddings, encoder, voice, boilerplate, per
        The measure's inputs (see above).

    Returns
    -------
    DocumentValues

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": ["a", "a", "b"], "published": ["2022-09-20"] * 3,
    ...                   "outlet": ["X", "X", "Y"], "lab": ["p", "q", "p"]})
    >>> dv = document_values(s, "themes", labels="lab")
    >>> dv.num.tolist(), dv.den.tolist(), dv.items["theme"].tolist()
    ([[1.0, 1.0], [1.0, 0.0]], [[2.0, 2.0], [1.0, 1.0]], ['p', 'q'])
    """
    if measure not in MEASURES:
        raise ValueError(f"document_values: measure must be one of {MEASURES}, got {measure!r}")
    codes, docs, dropped = _documents(table, group, date)
    n = len(docs)
    if measure == "volume":
        num, den, items = np.ones((n, 1)), None, pd.DataFrame(index=[0])
    elif measure == "markers":
        num, den, items = _marker_counts(table, codes, n, lexicon, voice, boilerplate)
    elif measure == "axes":
        num, den, items = _axis_values(table, pd.Index(docs["doc_id"]), scores, axes, embeddings, encoder,
                                       voice, boilerplate)
    else:
        if coder is not None and labels is None:
            lab = coder.predict(table, embeddings=embeddings).astype(object)
            order = [str(c) for c in coder.classes_]
        else:
            lab, order = _labels_of(table, labels, measure), None
        num, den, classes = _class_counts(lab, codes, n, order)
        items = pd.DataFrame({"class" if measure == "stance" else "theme": classes})
    params = {"group": group if isinstance(group, (str, type(None))) else repr(group), "date": date,
              "dropped": dropped, "voice": voice if measure in ("markers", "axes") else None,
              "boilerplate": boilerplate if measure in ("markers", "axes") else None,
              "per": per if measure == "markers" else None}
    return DocumentValues(doc_id=docs["doc_id"].to_numpy(dtype=object), date=docs["date"].to_numpy(),
                          group=docs["group"].to_numpy(dtype=object), num=num, den=den,
                          items=items.reset_index(drop=True) if measure != "volume" else pd.DataFrame(index=[0]),
                          measure=measure, scale=per if measure == "markers" else 1.0, params=params)
