"""Scoring sentences on framing axes: :func:`score_axes` and its result, :class:`AxisScores`.

FrameAxis (Kwak, An, Jing & Ahn 2021, *PeerJ Computer Science* 7:e644) with sentence
embeddings in place of word vectors:

- a sentence's **projection** on an axis is its cosine similarity with the axis vector;
- the **bias** of a document or a group is the weighted mean projection of its sentences,
  ``B = sum_u w_u p_u / sum_u w_u`` (FrameAxis weights words by frequency; here the units
  are sentences, weighted equally or by length);
- the **intensity** is the weighted mean squared deviation of the sentences' projections
  from the corpus-wide bias ``B_T``: ``I = sum_u w_u (p_u - B_T)**2 / sum_u w_u``;
- **effect sizes** come from a null model: FrameAxis compares the observed value with random
  samples of the same number of words; here a group's value is compared with random samples
  of the same number of *documents* drawn from the whole corpus (without replacement), and
  reported as effect (observed - null mean), z, percentile and a two-sided p value;
- **uncertainty** comes from bootstrapping whole documents within the group.

The sentences are projected once (sentences x axes), summed per document with
:func:`numpy.bincount`, and the bootstrap and null draws are count matrices (draws x
documents) multiplied with the per-document sums.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from framing._checks import group_codes, group_labels, resolve_embeddings, dask_options, is_dask, defaults_of as _defaults
from framing._compat import deprecated_value, renamed_kwargs
from framing._display import html_summary
from framing.stats import (MIN_DOCS, as_rng as _rng, check_min_docs, fdr_bh, percentile_interval,
                           small_groups)

from .resample import _STATS, _bootstrap, _null_draws, _p_two_sided
from .spec import Axis, as_axis_list

__all__ = ["AxisScores", "score_axes"]

_GROUP_COLUMNS = ["axis", "group", "stat", "value", "ci_low", "ci_high", "null_mean", "null_low", "null_high",
                  "effect", "z", "percentile", "p_value", "n_docs", "n_units"]


def _fit_axes(axes: list[Axis], encoder: Any) -> None:
    """Fit unfitted axes with ``encoder``; refuse axes fitted with another encoder or dimension."""
    for a in axes:
        if not a.is_fitted:
            if encoder is None:
                raise ValueError(f"axis {a.name!r} is not fitted: pass encoder= or call axis.fit(encoder)")
            a.fit(encoder)
    enc_name = getattr(encoder, "name", None) if encoder is not None else None
    if enc_name is not None:
        for a in axes:
            if a.encoder_name_ is not None and a.encoder_name_ != enc_name:
                raise ValueError(f"axis {a.name!r} was fitted with encoder {a.encoder_name_!r} but the "
                                 f"sentences are encoded with {enc_name!r}; refit the axis with the same encoder")
    dims = {len(a.vector_) for a in axes}
    if len(dims) > 1:
        raise ValueError(f"axes have different dimensions {sorted(dims)} (fitted with different encoders?)")


class AxisScores:
    """Result of :func:`score_axes`: tidy tables of projections, biases and intensities.

    Built by :func:`score_axes` (the constructor's ``group_table=`` is :attr:`groups`; its
    former name ``groups=`` still works for one release). :meth:`to_frame` is the group table,
    :meth:`summary` the groups' biases with their intervals.

    Attributes
    ----------
    groups : DataFrame
        One row per (axis, group, stat) with ``stat`` in {"bias", "intensity"}: ``value``,
        bootstrap interval ``ci_low``/``ci_high``, null model ``null_mean``,
        ``null_low``/``null_high`` (central 1 - alpha band of random document samples of the
        group's size), ``effect`` (value - null_mean), ``z`` (effect / null SD), ``percentile``
        (of the value in the null, 0-100), ``p_value`` (two-sided Monte Carlo p value), ``q``
        (Benjamini-Hochberg over all rows of the table), ``n_docs``, ``n_units``. The same
        table is :meth:`to_frame`.
    documents : DataFrame
        One row per (axis, document): ``axis``, ``doc_id``, ``group``, ``n_units``, ``weight``
        (sum of sentence weights), ``bias``, ``intensity``.
    corpus : DataFrame
        One row per axis: ``axis``, ``bias`` (the baseline B_T), ``sd`` (weighted SD of the
        sentences' projections), ``n_docs``, ``n_units``.
    sentences : DataFrame
        One row per (axis, sentence): ``axis``, ``doc_id``, ``sent_id``, ``group``, ``text``,
        ``weight``, ``projection`` (built on first access).
    projections : ndarray of shape (n_sentences, n_axes)
        The same projections as a matrix, rows in the input order.
    axes : list of Axis
    params : dict
        The options used (``group``, ``unit``, ``weights``, ``document_weight``, ``resample``,
        ``n_boot``, ``n_null``, ``alpha``, ``min_docs``, ``small_groups`` (the groups left
        without an interval), ``random_state``, ``encoder``, ``voice``, ``boilerplate``,
        ``text_filter``: sentences kept and left out by reason).
    excluded : DataFrame
        The sentences left out by ``voice=``/``boilerplate=`` (``doc_id``, ``sent_id``,
        ``reason``).
    reliability : DataFrame or None
        Split-half reliability of each axis's scores on the scored sentences
        (:func:`framing.axis_reliability`), unlike the pole-vector ``Axis.reliability_``.
    """

    @renamed_kwargs(groups="group_table")
    def __init__(self, *, axes: list[Axis], units: pd.DataFrame, projections: np.ndarray,
                 documents: pd.DataFrame, group_table: pd.DataFrame, corpus: pd.DataFrame,
                 params: dict[str, Any], atoms: dict[str, Any]) -> None:
        self.axes = axes
        self._units = units
        self.projections = projections
        self.documents = documents
        self.groups = group_table
        self.corpus = corpus
        self.params = params
        self._atoms = atoms
        self._sentences: pd.DataFrame | None = None
        #: the sentences left out by voice= / boilerplate= (doc_id, sent_id, reason)
        self.excluded: pd.DataFrame = pd.DataFrame(columns=["doc_id", "sent_id", "reason"])
        #: split-half reliability of each axis's scores on these sentences (framing.axis_reliability)
        self.reliability: pd.DataFrame | None = None

    def __repr__(self) -> str:
        n_groups = self.groups["group"].nunique() if len(self.groups) else 0
        return (f"AxisScores({len(self.axes)} axes, {len(self._units)} sentences, "
                f"{self.corpus['n_docs'].iloc[0]} documents, {n_groups} groups)")

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: sizes, options and the first rows of :meth:`summary`."""
        n_groups = self.groups["group"].nunique() if len(self.groups) else 0
        params = {"axes": self.axis_names, "sentences": len(self._units),
                  "documents": int(self.corpus["n_docs"].iloc[0]) if len(self.corpus) else 0,
                  "groups": n_groups, "n_boot": self.params.get("n_boot"),
                  "n_null": self.params.get("n_null"), "alpha": self.params.get("alpha")}
        return html_summary("AxisScores", params, self.summary())

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: one row per (axis, group, stat), i.e. :attr:`groups` (a copy)."""
        return self.groups.copy()

    def summary(self) -> pd.DataFrame:
        """The groups' biases: ``axis``, ``group``, ``value``, ``ci_low``, ``ci_high``, ``effect``,
        ``q``, ``n_docs`` (one row per axis and group)."""
        cols = ["axis", "group", "value", "ci_low", "ci_high", "effect", "q", "n_docs"]
        return self.bias()[[c for c in cols if c in self.groups.columns]]

    @property
    def axis_names(self) -> list[str]:
        return [a.name for a in self.axes]

    def axis(self, name: str) -> Axis:
        """The fitted :class:`Axis` called ``name``."""
        for a in self.axes:
            if a.name == name:
                return a
        raise KeyError(f"no axis {name!r}; axes: {self.axis_names}")

    def _axis_index(self, name: str) -> int:
        return self.axis_names.index(self.axis(name).name)

    @property
    def sentences(self) -> pd.DataFrame:
        if self._sentences is None:
            n, A = self.projections.shape
            idx = np.tile(np.arange(n), A)
            long = self._units.iloc[idx].reset_index(drop=True)
            long.insert(0, "axis", np.repeat(np.asarray(self.axis_names, dtype=object), n))
            long["projection"] = self.projections.T.ravel()
            self._sentences = long
        return self._sentences

    def bias(self, axis: str | None = None) -> pd.DataFrame:
        """Rows of :attr:`groups` with ``stat == "bias"`` (optionally one axis)."""
        out = self.groups[self.groups["stat"] == "bias"]
        if axis is not None:
            self.axis(axis)
            out = out[out["axis"] == axis]
        return out.reset_index(drop=True)

    def intensity(self, axis: str | None = None) -> pd.DataFrame:
        """Rows of :attr:`groups` with ``stat == "intensity"`` (optionally one axis)."""
        out = self.groups[self.groups["stat"] == "intensity"]
        if axis is not None:
            self.axis(axis)
            out = out[out["axis"] == axis]
        return out.reset_index(drop=True)

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """All tables as a dict: ``groups``, ``documents``, ``corpus``, ``sentences``."""
        return {"groups": self.groups, "documents": self.documents, "corpus": self.corpus,
                "sentences": self.sentences}


def score_axes(sentences: pd.DataFrame, axes: Axis | Sequence[Axis], *,
               embeddings: np.ndarray | None = None, encoder: Any = None,
               group: str | Mapping[Hashable, Hashable] | tuple[str, Mapping[Hashable, Hashable]] | None = "outlet",
               unit: str = "doc_id", weights: str | Sequence[float] | np.ndarray | None = None,
               document_weight: str = "pooled", resample: str = "documents",
               n_boot: int = 1000, n_null: int = 1000, alpha: float = 0.05,
               random_state: int | np.random.Generator | None = None, voice: str = "own",
               boilerplate: str = "drop", min_docs: int = MIN_DOCS, reliability: bool = True) -> AxisScores:
    """Project sentences on framing axes; bias and intensity per document and group.

    **Whose words.** An axis position says how the outlet frames only if it is computed on
    the outlet's own words: by default only own-voice sentences are scored (``voice="own"``:
    quotations, reported speech and mixed sentences are left out, see
    :func:`framing.filter_voice`) and boilerplate sentences are dropped; ``params`` records
    the choice and how many sentences were left out, ``excluded`` which ones.

    FrameAxis (Kwak et al. 2021, PeerJ Comput. Sci. 7:e644) with sentences as units. With
    sentence weights ``w_u`` (see ``weights``) and projections ``p_u`` (cosine with the axis):

    - document / group bias ``B = sum w_u p_u / sum w_u`` over its sentences;
    - corpus baseline ``B_T``: the same over all sentences passed;
    - intensity ``I = sum w_u (p_u - B_T)**2 / sum w_u``.

    Parameters
    ----------
    sentences : DataFrame
        One row per sentence (the table of :func:`framing.split_sentences`): needs the ``unit``
        column, ``text`` (when ``encoder`` is used, for ``weights="length"`` and for
        explanations), the ``group`` column; ``sent_id`` is kept when present.
    axes : Axis or list of Axis
        Fitted axes, or unfitted ones to be fitted with ``encoder``.
    embeddings : ndarray of shape (n_sentences, dim), optional
        Sentence embeddings in row order; otherwise ``encoder.encode(sentences["text"])``.
    encoder : object with ``encode(texts)``, optional
    group : str, mapping, (column, mapping) or None
        How documents are grouped (the glossary's ``group=``): a column of ``sentences``
        (``"outlet"``, a vote group...), a mapping ``{outlet: label}`` applied to the
        ``outlet`` column, a pair ``(column, mapping)`` for another column, or None (one
        group ``"all"``). Documents with no group take part in the corpus baseline and the
        null pool but get no group row. All sentences of a document must have the same
        group. A mapping or Series from the ``unit`` id to the group still works for one
        release, with a DeprecationWarning.
    unit : str
        Column identifying the document (the resampling unit).
    weights : None, "length", column name or array
        Sentence weights: equal (None), the sentence's length in characters, a numeric column
        or one value per row.
    document_weight : {"pooled", "equal"}
        ``"pooled"`` (FrameAxis): a group's bias pools all its sentences, so long documents
        weigh more. ``"equal"``: every document counts once (sentence weights are normalised
        to sum to 1 within each document), and ``B_T`` is the mean of the documents' biases.
    resample : {"documents", "units"}
        Resampling unit of the bootstrap and the null model. ``"documents"`` (default) keeps
        each document's sentences together, which respects their correlation. ``"units"``
        resamples sentences (the original FrameAxis null model); only for groups that are
        single documents (one speech per state): it ignores within-document correlation, so
        its intervals are too narrow for multi-document groups.
    n_boot, n_null : int
        Bootstrap draws (whole documents resampled with replacement within the group) and null
        draws (random samples of the group's number of documents drawn without replacement
        from all documents passed).
    alpha : float
        1 - coverage of the percentile intervals; the null band is its central 1 - alpha range.
    random_state : int, Generator or None
    reliability : bool
        Also measure each axis's split-half reliability on the scored sentences' projections
        (:func:`framing.axis_reliability`; ``.reliability``), with an
        :class:`AxisReliabilityWarning` for an axis whose scores are unreliable here.
    voice : {"own", "attributed", "all"}
        Which sentences to score (voice columns are computed when missing). A mixed
        sentence is scored on its part in that voice (:func:`framing.filter_voice`,
        ``mixed="split"``): with ``embeddings=`` given, that part is embedded with
        ``encoder`` (without an encoder the mixed sentences are left out and
        ``params["text_filter"]`` says how many).
    boilerplate : {"drop", "keep"}
        Leave out sentences flagged by :func:`framing.find_boilerplate` (computed when
        missing).
    min_docs : int
        A group with fewer resampling units than this -- documents, or sentences with
        ``resample="units"`` -- gets no bootstrap interval (``ci_low``/``ci_high`` NaN) and a
        :class:`framing.stats.SmallGroupWarning` naming it (default
        :data:`framing.stats.MIN_DOCS`, 5). Its value, null band and p are still reported.

    Returns
    -------
    AxisScores
        Tidy tables ``groups``, ``documents``, ``corpus``, ``sentences`` (see
        :class:`AxisScores`).

    Notes
    -----
    The null draws share one random order per draw across groups, so groups of equal size
    get identical null distributions (each is still a valid null for its group). The baseline
    ``B_T`` is held fixed in the resampling. A bootstrap over a handful of documents is far
    too narrow (one document: zero width), so groups with fewer than ``min_docs``
    resampling units get NaN intervals and a warning; a single speech per group is scored
    with ``resample="units"``, where the units counted are its sentences.

    Examples
    --------
    >>> from framing.testing import HashEncoder
    >>> enc = HashEncoder(dim=128)
    >>> axis = Axis("calm", ["calm quiet day", "quiet peaceful night", "calm peaceful town"],
    ...             ["violent loud riot", "loud angry clash", "violent angry crowd"]).fit(enc)
    >>> s = pd.DataFrame({"doc_id": ["a", "a", "b", "b", "c", "c", "d"],
    ...                   "outlet": ["X", "X", "X", "X", "Y", "Y", "Y"],
    ...                   "text": ["a calm quiet morning", "peaceful town", "quiet day",
    ...                            "calm night", "violent riot", "an angry loud crowd", "loud clash"]})
    >>> scores = score_axes(s, [axis], encoder=enc, n_boot=200, n_null=200, random_state=0)
    >>> b = scores.bias("calm").set_index("group")["value"]
    >>> bool(b["X"] > b["Y"])
    True

    """
    if is_dask(sentences):   # the Dask path: same answers from per-partition statistics
        options = {k: v for k, v in locals().items() if k != "sentences"}
        from framing import scale

        return scale.score_axes(sentences, **dask_options("score_axes", options, _defaults(score_axes),
                                                          ("embeddings",)))
    min_docs = _check_options(sentences, unit=unit, document_weight=document_weight, resample=resample,
                              alpha=alpha, min_docs=min_docs, n_boot=n_boot, n_null=n_null)
    legacy = _unit_id_mapping(sentences, group, unit)
    if legacy is not None:
        deprecated_value("score_axes", "group= as a mapping or Series from document id to group",
                         "pass a column of sentences, a mapping {outlet: label} or a (column, mapping) pair")
    axes = as_axis_list(axes)
    _fit_axes(axes, encoder)
    rng = _rng(random_state)
    kept = _select_sentences(sentences, embeddings=embeddings, encoder=encoder, weights=weights, voice=voice,
                             boilerplate=boilerplate)
    sentences, weights = kept.sentences, kept.weights
    X, Pj = _project(sentences, kept.embeddings, encoder, axes)
    grouping = _document_groups(sentences, unit, group if legacy is None else legacy)
    atoms = _weighted_sums(sentences, Pj, grouping, weights, document_weight, resample)
    groups, small = _group_table(atoms, grouping, axes, n_boot=n_boot, n_null=n_null, alpha=alpha,
                                 min_docs=min_docs, resample=resample, rng=rng)
    documents, corpus, units = _tables(sentences, axes, grouping, atoms, unit)
    params = {"group": grouping.name, "unit": unit,
              "weights": weights if (weights is None or isinstance(weights, str)) else "array",
              "document_weight": document_weight, "resample": resample, "n_boot": int(n_boot),
              "n_null": int(n_null), "alpha": float(alpha), "min_docs": min_docs,
              "small_groups": [g for g in grouping.labels if g in small],
              "random_state": random_state if isinstance(random_state, (int, type(None))) else repr(random_state),
              "encoder": getattr(encoder, "name", None) if embeddings is None else None,
              "voice": voice, "boilerplate": boilerplate, "text_filter": kept.text_filter}
    result = AxisScores(axes=axes, units=units, projections=Pj, documents=documents, group_table=groups,
                        corpus=corpus, params=params,
                        atoms={"num": atoms.num, "den": atoms.den, "group": atoms.group, "labels": grouping.labels,
                               "A": Pj.shape[1], "unit_gcode": grouping.doc_gcode[grouping.doc_codes]})
    result.excluded = kept.excluded
    if reliability and all(getattr(a, "positive_embeddings_", None) is not None for a in axes):
        from framing.validate import axis_reliability

        # split-half reliability of the scores on these very sentences (warns per weak axis)
        result.reliability = axis_reliability(axes, X, n_splits=100, random_state=0)
    return result


# --------------------------------------------------------------------------------------
# the steps of score_axes
# --------------------------------------------------------------------------------------

def _check_options(sentences: Any, *, unit: str, document_weight: str, resample: str, alpha: float,
                   min_docs: int, n_boot: int, n_null: int) -> int:
    """Validate the table and the options of :func:`score_axes`; return ``min_docs``."""
    if not isinstance(sentences, pd.DataFrame):
        raise TypeError(f"sentences: expected a DataFrame, got {type(sentences).__name__}")
    if len(sentences) == 0:
        raise ValueError("sentences: the table is empty")
    if unit not in sentences.columns:
        raise ValueError(f"sentences: no column {unit!r} (the document id, see unit=)")
    if sentences[unit].isna().any():
        i = int(np.flatnonzero(sentences[unit].isna().to_numpy())[0])
        raise ValueError(f"sentences: row {i}, column {unit!r}: missing document id")
    if document_weight not in ("pooled", "equal"):
        raise ValueError(f"document_weight: expected 'pooled' or 'equal', got {document_weight!r}")
    if resample not in ("documents", "units"):
        raise ValueError(f"resample: expected 'documents' or 'units', got {resample!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha: expected a number in (0, 1), got {alpha!r}")
    for name, val in (("n_boot", n_boot), ("n_null", n_null)):
        if not isinstance(val, (int, np.integer)) or val < 1:
            raise ValueError(f"{name}: expected a positive integer, got {val!r}")
    return check_min_docs(min_docs, caller="score_axes")


def _unit_id_mapping(sentences: pd.DataFrame, group: Any, unit: str) -> pd.Series | None:
    """The deprecated form of ``group=``: a Series, or a mapping whose keys are document ids
    (values of ``unit``) and not values of the ``outlet`` column. None for the glossary forms."""
    if isinstance(group, pd.Series):
        mapping = group
    elif isinstance(group, Mapping) and len(group):
        keys = list(group)
        outlets = sentences["outlet"] if "outlet" in sentences.columns else pd.Series([], dtype=object)
        if outlets.isin(keys).any() or not sentences[unit].isin(keys).any():
            return None
        mapping = pd.Series(dict(group), dtype=object)
    else:
        return None
    if not mapping.index.is_unique:
        raise ValueError("group: the mapping has duplicate document ids")
    return mapping


@dataclass
class _Kept:
    sentences: pd.DataFrame
    embeddings: np.ndarray | None
    weights: Any
    text_filter: dict[str, Any]
    excluded: pd.DataFrame


def _select_sentences(sentences: pd.DataFrame, *, embeddings: Any, encoder: Any, weights: Any, voice: str,
                      boilerplate: str) -> _Kept:
    """Whose words: keep the sentences the measure should see (:func:`framing.filter_voice`),
    with their rows of ``embeddings`` and ``weights``; a mixed sentence's part in the voice
    is re-embedded with ``encoder`` (or left out without one)."""
    from framing.voice import filter_voice

    if embeddings is not None and len(embeddings) != len(sentences):
        raise ValueError(f"embeddings have {len(embeddings)} rows, sentences {len(sentences)}")
    positional = sentences.reset_index(drop=True)
    positional.attrs = {}
    kept = filter_voice(positional, voice=voice, boilerplate=boilerplate)
    text_filter = kept.attrs["text_filter"]
    excluded = pd.DataFrame.from_records(kept.attrs["excluded"],
                                         columns=["doc_id", "sent_id", "outlet", "start", "end", "reason"])
    if len(kept) == 0:
        raise ValueError(f"score_axes: no sentence left with voice={voice!r}, boilerplate={boilerplate!r} "
                         f"({text_filter['excluded']})")
    if embeddings is not None:
        embeddings = np.asarray(embeddings)[kept.index.to_numpy()]
        part = kept["voice_part"].to_numpy() if "voice_part" in kept.columns else np.zeros(len(kept), dtype=bool)
        if part.any():
            # the embedding given is of the whole mixed sentence: embed its part in this voice
            if encoder is None:
                kept, embeddings = kept[~part], embeddings[~part]
                text_filter = {**text_filter, "mixed_dropped_no_encoder": int(part.sum())}
            else:
                embeddings = embeddings.astype(float, copy=True)
                embeddings[part] = np.asarray(encoder.encode(kept.loc[part, "text"].astype(str).tolist()))
    if weights is not None and not isinstance(weights, str):
        weights = np.asarray(weights)
        if len(weights) != len(positional):
            raise ValueError(f"weights have {len(weights)} values, sentences {len(positional)}")
        weights = weights[kept.index.to_numpy()]
    return _Kept(kept.reset_index(drop=True), embeddings, weights, text_filter, excluded)


def _project(sentences: pd.DataFrame, embeddings: Any, encoder: Any, axes: list[Axis]) -> tuple[np.ndarray, np.ndarray]:
    """Unit-length sentence embeddings ``X`` (given, or encoded) and projections ``X @ V``."""
    if embeddings is None and encoder is not None and "text" not in sentences.columns:
        raise ValueError("sentences: no column 'text' to encode")
    texts = sentences["text"].astype(str).tolist() if embeddings is None and encoder is not None \
        else [""] * len(sentences)
    X = resolve_embeddings(texts, embeddings=embeddings, encoder=encoder, what="sentence", zero="error",
                           dtype=np.float64)
    V = np.stack([a.vector_ for a in axes], axis=1)
    if X.shape[1] != V.shape[0]:
        raise ValueError(f"embeddings have dimension {X.shape[1]}, the axes {V.shape[0]} "
                         f"(different encoders?)")
    return X, X @ V


@dataclass
class _Grouping:
    doc_codes: np.ndarray      # document code of each sentence
    doc_ids: pd.Index          # document id of each code
    g_sent: pd.Series          # group label of each sentence (None: no group)
    doc_group: np.ndarray      # group label of each document
    doc_gcode: np.ndarray      # group code of each document (-1: none)
    labels: list[Any]          # group labels, in code order
    name: str | None           # what grouped the documents (for params)


def _document_groups(sentences: pd.DataFrame, unit: str, group: Any) -> _Grouping:
    """Documents, and the one group of each (:func:`framing._checks.group_labels`)."""
    doc_codes, doc_ids = pd.factorize(sentences[unit], sort=False)
    if isinstance(group, pd.Series):          # deprecated: document id -> group
        g_sent = sentences[unit].map(group).astype(object)
        name = group.name if isinstance(group.name, str) else "group"
    else:
        g_sent = group_labels(sentences, group, name="sentences").astype(object)
        name = None if group is None else group if isinstance(group, str) else \
            group[0] if isinstance(group, tuple) else "outlet"
    g_sent = g_sent.where(g_sent.notna(), None)
    per_doc = pd.DataFrame({"d": doc_codes, "g": g_sent.to_numpy()})
    nun = per_doc.groupby("d", sort=True)["g"].nunique(dropna=False)
    if (nun > 1).any():
        d = int(nun.index[np.argmax(nun.to_numpy() > 1)])
        vals = per_doc.loc[per_doc["d"] == d, "g"].unique().tolist()
        raise ValueError(f"document {doc_ids[d]!r} has sentences in several groups {vals} "
                         f"(column {name!r}); a document must belong to one group")
    first_row = np.unique(doc_codes, return_index=True)[1]   # first sentence of each document
    doc_group = g_sent.to_numpy()[first_row]
    doc_gcode, labels = group_codes(pd.Series(doc_group, dtype=object))
    return _Grouping(doc_codes, doc_ids, g_sent, doc_group, doc_gcode, labels, name)


def _unit_weights(sentences: pd.DataFrame, weights: Any) -> np.ndarray:
    n = len(sentences)
    if weights is None:
        return np.ones(n)
    if isinstance(weights, str):
        if weights == "length":
            if "text" not in sentences.columns:
                raise ValueError("weights='length' needs a 'text' column in sentences")
            w = sentences["text"].astype(str).str.len().to_numpy(dtype=np.float64)
        elif weights in sentences.columns:
            w = pd.to_numeric(sentences[weights], errors="coerce").to_numpy(dtype=np.float64)
        else:
            raise ValueError(f"weights={weights!r}: not 'length' and not a column of sentences")
    else:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (n,):
            raise ValueError(f"weights: expected {n} values (one per sentence), got shape {w.shape}")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"weights: row {i} has an invalid weight {w[i]!r} (must be finite and >= 0)")
    return w




@dataclass
class _Sums:
    w: np.ndarray              # sentence weights as given
    W_doc_raw: np.ndarray      # their sum per document
    S_doc: np.ndarray          # (D, A) weighted projection sums per document
    Q_doc: np.ndarray          # (D, A) weighted squared deviations from B_T per document
    W_doc: np.ndarray          # effective weight per document
    BT: np.ndarray             # (A,) corpus baseline
    sd: np.ndarray             # (A,) weighted SD of the projections
    num: np.ndarray            # what is resampled: (atoms, 2A) bias and intensity sums
    den: np.ndarray            # (atoms,) their weights
    group: np.ndarray          # (atoms,) group code


def _weighted_sums(sentences: pd.DataFrame, Pj: np.ndarray, g: _Grouping, weights: Any, document_weight: str,
                   resample: str) -> _Sums:
    """Sentence weights, per-document sums, the corpus baseline and the resampled atoms."""
    A, D = Pj.shape[1], len(g.doc_ids)
    w = _unit_weights(sentences, weights)
    W_doc_raw = np.bincount(g.doc_codes, weights=w, minlength=D)
    if np.any(W_doc_raw <= 0):
        d = int(np.flatnonzero(W_doc_raw <= 0)[0])
        raise ValueError(f"document {g.doc_ids[d]!r}: its sentence weights sum to 0")
    omega = w / W_doc_raw[g.doc_codes] if document_weight == "equal" else w

    def per_doc_sum(values: np.ndarray) -> np.ndarray:
        return np.stack([np.bincount(g.doc_codes, weights=values[:, a], minlength=D) for a in range(A)], axis=1)

    wP = omega[:, None] * Pj
    S_doc = per_doc_sum(wP)                               # (D, A)
    W_doc = np.bincount(g.doc_codes, weights=omega, minlength=D)
    BT = S_doc.sum(0) / W_doc.sum()                       # (A,)
    wQ = omega[:, None] * (Pj - BT) ** 2
    Q_doc = per_doc_sum(wQ)
    sd = np.sqrt((omega[:, None] * (Pj - (omega @ Pj) / omega.sum()) ** 2).sum(0) / omega.sum())
    if resample == "documents":
        num, den, atom_g = np.concatenate([S_doc, Q_doc], axis=1), W_doc, g.doc_gcode
    else:
        num, den, atom_g = np.concatenate([wP, wQ], axis=1), omega, g.doc_gcode[g.doc_codes]
    return _Sums(w, W_doc_raw, S_doc, Q_doc, W_doc, BT, sd, num, den, atom_g)


def _group_table(s: _Sums, g: _Grouping, axes: list[Axis], *, n_boot: int, n_null: int, alpha: float,
                 min_docs: int, resample: str, rng: np.random.Generator) -> tuple[pd.DataFrame, set[Any]]:
    """Per group: observed bias and intensity, bootstrap interval, null band, effect, p and q."""
    labels, A = g.labels, len(axes)
    G = len(labels)
    sizes = np.bincount(s.group[s.group >= 0], minlength=G) if G else np.zeros(0, dtype=int)
    null = _null_draws(s.num, s.den, sizes, n_null, rng)
    n_docs_g = np.bincount(g.doc_gcode[g.doc_gcode >= 0], minlength=G) if G else np.zeros(0, dtype=int)
    unit_g = g.doc_gcode[g.doc_codes]
    n_units_g = np.bincount(unit_g[unit_g >= 0], minlength=G) if G else []
    n_resampled = n_docs_g if resample == "documents" else sizes
    small = set(small_groups({label: int(n_resampled[gi]) for gi, label in enumerate(labels)}, min_docs,
                             caller="score_axes", stacklevel=4,
                             unit="documents" if resample == "documents" else "sentences (resample='units')"))
    rows = []
    for gi, label in enumerate(labels):
        sel = s.group == gi
        num_g, den_g = s.num[sel], s.den[sel]
        obs = num_g.sum(0) / den_g.sum()
        boot = _bootstrap(num_g, den_g, n_boot, rng)    # drawn for every group: same stream as before
        lo, hi = percentile_interval(boot, alpha)
        if label in small:
            lo, hi = np.full_like(lo, np.nan), np.full_like(hi, np.nan)
        nd = null[int(sizes[gi])]
        n_lo, n_hi = percentile_interval(nd, alpha)
        n_mean, n_sd = np.nanmean(nd, axis=0), np.nanstd(nd, axis=0, ddof=1) if len(nd) > 1 else np.full(2 * A, np.nan)
        pct = 100 * (np.sum(nd < obs, axis=0) + 0.5 * np.sum(nd == obs, axis=0)) / np.sum(np.isfinite(nd), axis=0)
        p = _p_two_sided(obs, nd)
        for si, stat in enumerate(_STATS):
            for a in range(A):
                c = si * A + a
                with np.errstate(invalid="ignore", divide="ignore"):
                    z = (obs[c] - n_mean[c]) / n_sd[c] if n_sd[c] > 0 else np.nan
                rows.append((axes[a].name, label, stat, obs[c], lo[c], hi[c], n_mean[c], n_lo[c], n_hi[c],
                             obs[c] - n_mean[c], z, pct[c], p[c], int(n_docs_g[gi]), int(n_units_g[gi])))
    groups = pd.DataFrame(rows, columns=_GROUP_COLUMNS)
    groups["group"] = groups["group"].astype(object)
    groups.insert(groups.columns.get_loc("p_value") + 1, "q", fdr_bh(groups["p_value"].to_numpy()))
    return groups, small


def _tables(sentences: pd.DataFrame, axes: list[Axis], g: _Grouping, s: _Sums,
            unit: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The documents table, the corpus table and the sentence (unit) table of the result."""
    A, D, n = len(axes), len(g.doc_ids), len(sentences)
    with np.errstate(invalid="ignore", divide="ignore"):
        documents = pd.DataFrame({
            "axis": np.repeat(np.asarray([a.name for a in axes], dtype=object), D),
            "doc_id": np.tile(np.asarray(g.doc_ids, dtype=object), A),
            "group": np.tile(np.array(g.doc_group, dtype=object), A),
            "n_units": np.tile(np.bincount(g.doc_codes, minlength=D), A),
            "weight": np.tile(s.W_doc_raw, A),
            "bias": (s.S_doc / s.W_doc[:, None]).T.ravel(),
            "intensity": (s.Q_doc / s.W_doc[:, None]).T.ravel(),
        })
    corpus = pd.DataFrame({"axis": [a.name for a in axes], "bias": s.BT, "sd": s.sd, "n_docs": D, "n_units": n})
    units = pd.DataFrame({
        "doc_id": sentences[unit].to_numpy(dtype=object),
        "sent_id": (sentences["sent_id"].astype(str).to_numpy(dtype=object) if "sent_id" in sentences.columns
                    else np.arange(n)),
        "group": g.g_sent.to_numpy(dtype=object),
        "text": (sentences["text"].astype(str).to_numpy(dtype=object) if "text" in sentences.columns
                 else np.full(n, "", dtype=object)),
        "weight": s.w,
    })
    return documents, corpus, units
