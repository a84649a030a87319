"""Framing axes: where each outlet (or state, or vote group) stands on a framing dimension.

This is FrameAxis (Kwak, An, Jing & Ahn 2021, "FrameAxis: characterizing microframe bias and
intensity with word embedding", *PeerJ Computer Science* 7:e644,
https://doi.org/10.7717/peerj-cs.644) with sentence embeddings in place of word vectors:

- an **axis** is the unit-normalised difference between the mean embeddings of two sets of
  pole texts (:class:`Axis`); the axis *name* describes its **positive** pole;
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

Everything is vectorised: the sentences are projected once (sentences x axes), summed per
document with :func:`numpy.bincount`, and the bootstrap and null draws are count matrices
(draws x documents) multiplied with the per-document sums; no Python loop runs over
documents.

Main entry points: :func:`load_axes` (the default axes in ``framing/data/axes_ru_ua.yaml``),
:meth:`Axis.fit`, :func:`score_axes` (-> :class:`AxisScores`), :func:`compare_groups`,
:func:`explain_axis`, :func:`place_text`. Plots are in :mod:`framing.plot.axes`.
"""
from __future__ import annotations

import math
import re
import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from framing._display import html_summary
from .stats import MIN_DOCS, SmallGroupWarning, as_rng as _rng, check_min_docs, fdr_bh, small_groups

__all__ = [
    "Axis", "AxisReliability", "AxisReliabilityWarning", "AxisSpecError", "AxisScores",
    "AxisExplanation", "TextPlacement", "load_axes", "score_axes", "compare_groups",
    "explain_axis", "place_text", "reliability_table", "fdr_bh", "DEFAULT_AXES",
]

#: Resource name of the default axes (inside the ``framing`` package).
DEFAULT_AXES = "data/axes_ru_ua.yaml"

_STATS = ("bias", "intensity")
_MAX_BLOCK = 4_000_000  # elements per temporary block in the resampling loops


class AxisReliabilityWarning(UserWarning):
    """An axis whose poles barely separate: projections on it are mostly noise."""


class AxisSpecError(ValueError):
    """An axis definition (in code or in a YAML file) is malformed; the message names the entry."""


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def _normalise_rows(X: np.ndarray, what: str) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"{what}: expected a 2-d array (rows x dimensions), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        bad = int(np.flatnonzero(~np.all(np.isfinite(X), axis=1))[0])
        raise ValueError(f"{what}: row {bad} has NaN or infinite values")
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    if np.any(norms == 0):
        bad = int(np.flatnonzero(norms[:, 0] == 0)[0])
        raise ValueError(f"{what}: row {bad} is the zero vector (cannot take a cosine)")
    return X / norms


def _auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """P(a positive scores above a negative), ties counted half (Mann-Whitney U / (n_p n_n))."""
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)


def _text_list(values: Any, what: str) -> list[str]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence | pd.Series | np.ndarray):
        raise AxisSpecError(f"{what}: expected a list of texts, got {type(values).__name__}")
    out = []
    for i, v in enumerate(list(values)):
        if not isinstance(v, str) or not v.strip():
            raise AxisSpecError(f"{what}, item {i}: expected a non-empty string, got {v!r}")
        out.append(v.strip())
    if len(out) < 2:
        raise AxisSpecError(f"{what}: needs at least 2 pole texts (6 or more recommended), got {len(out)}")
    if len(set(out)) != len(out):
        dup = next(t for t in out if out.count(t) > 1)
        raise AxisSpecError(f"{what}: the text {dup!r} appears twice")
    return out


def _quantiles(draws: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = np.nanquantile(draws, [alpha / 2, 1 - alpha / 2], axis=0)
    return lo, hi


# --------------------------------------------------------------------------------------
# Axis
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AxisReliability:
    """How well an axis's two pole sets separate (see :meth:`Axis.fit`).

    Attributes
    ----------
    split_half : float
        Mean cosine between the axes built from random halves of the pole sets, Spearman-Brown
        corrected to full length, ``2 r / (1 + r)``.
    split_half_raw : float
        The mean cosine ``r`` before the correction.
    positive_mean, negative_mean : float
        Mean leave-one-out projection of the positive / negative pole texts (each text projected
        on the axis built without it).
    auc : float
        Leave-one-out AUC of telling positive from negative pole texts by projection (1 = all
        positive texts above all negative ones, 0.5 = chance).
    auc_in_sample : float
        The same with the full axis; optimistic (each text helped build the axis it is
        projected on: in high dimensions pure noise separates perfectly in-sample), shown only
        for comparison.
    n_splits : int
        Random splits averaged.
    ok : bool
        ``split_half >= Axis.min_reliability and auc >= Axis.min_auc``.
    """

    split_half: float
    split_half_raw: float
    positive_mean: float
    negative_mean: float
    auc: float
    auc_in_sample: float
    n_splits: int
    ok: bool

    def as_dict(self) -> dict[str, float | int | bool]:
        return dict(self.__dict__)

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: the reliability figures."""
        return html_summary("AxisReliability", self.as_dict())


class Axis:
    """A framing axis between two sets of pole texts (FrameAxis, Kwak et al. 2021).

    The axis vector is the unit-normalised difference between the mean embedding of the
    ``positive`` texts and the mean embedding of the ``negative`` texts; a text's projection is
    its cosine similarity with that vector. By convention the axis ``name`` describes the
    positive pole (``"legitimacy"``: high = the vote framed as legitimate).

    Parameters
    ----------
    name : str
        Short identifier (unique within a set of axes).
    positive, negative : sequence of str
        Pole texts (at least 2 each; 6 or more recommended, balanced in length and register,
        and not differing only by a negation).
    description : str
        Free text explaining the axis.
    positive_label, negative_label : str, optional
        Short labels of the poles for plots (default ``"+ name"`` / ``"- name"``).

    Attributes
    ----------
    vector_ : ndarray of shape (dim,)
        Unit axis vector (float64).
    positive_embeddings_, negative_embeddings_ : ndarray
        L2-normalised embeddings of the pole texts.
    reliability_ : AxisReliability
        Split-half reliability and pole separation (see :meth:`fit`).
    encoder_name_ : str or None
        ``encoder.name`` of the encoder used by :meth:`fit` (None when embeddings were given).

    Notes
    -----
    A warning (:class:`AxisReliabilityWarning`) is raised by :meth:`fit` when the poles barely
    separate: Spearman-Brown corrected split-half reliability below :attr:`min_reliability`
    (0.5) or leave-one-out AUC below :attr:`min_auc` (0.8). Both are judged on held-out
    information (halves, leave-one-out) because in-sample separation is always near perfect
    for a handful of texts in hundreds of dimensions, even when the poles are pure noise.

    Examples
    --------
    >>> from framing.testing import HashEncoder
    >>> ax = Axis("calm", ["calm quiet peaceful day", "quiet calm evening", "peaceful quiet calm"],
    ...           ["loud angry violent clash", "violent loud riot", "angry violent loud crowd"])
    >>> ax = ax.fit(HashEncoder(dim=256))
    >>> ax.vector_.shape
    (256,)
    >>> bool(ax.project(HashEncoder(dim=256).encode(["a quiet calm night"]))[0] > 0)
    True
    """

    #: Minimum Spearman-Brown corrected split-half reliability before warning.
    min_reliability: float = 0.5
    #: Minimum leave-one-out AUC of the pole texts before warning.
    min_auc: float = 0.8

    def __init__(self, name: str, positive: Sequence[str], negative: Sequence[str], *,
                 description: str = "", positive_label: str | None = None,
                 negative_label: str | None = None) -> None:
        if not isinstance(name, str) or not name.strip():
            raise AxisSpecError(f"axis name must be a non-empty string, got {name!r}")
        self.name = name.strip()
        self.positive = _text_list(positive, f"axis {self.name!r}, positive")
        self.negative = _text_list(negative, f"axis {self.name!r}, negative")
        both = set(self.positive) & set(self.negative)
        if both:
            raise AxisSpecError(f"axis {self.name!r}: the text {sorted(both)[0]!r} is in both poles")
        if not isinstance(description, str):
            raise AxisSpecError(f"axis {self.name!r}, description: expected a string")
        self.description = description
        self.positive_label = positive_label or f"+ {self.name}"
        self.negative_label = negative_label or f"- {self.name}"

    def __repr__(self) -> str:
        state = "fitted" if self.is_fitted else "not fitted"
        return (f"Axis({self.name!r}, {len(self.positive)} positive / {len(self.negative)} negative "
                f"texts, {state})")

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: the axis, its poles and reliability, the first pole texts."""
        rel = getattr(self, "reliability_", None)
        params = {"positive": self.positive_label, "negative": self.negative_label,
                  "texts": f"{len(self.positive)} positive / {len(self.negative)} negative",
                  "fitted": self.is_fitted}
        if rel is not None:
            params.update(split_half=rel.split_half, auc=rel.auc, ok=rel.ok)
        n = max(len(self.positive), len(self.negative))
        table = pd.DataFrame({"positive": list(self.positive) + [""] * (n - len(self.positive)),
                              "negative": list(self.negative) + [""] * (n - len(self.negative))})
        return html_summary(f"Axis {self.name!r}", params, table, n=5)

    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "vector_")

    # -- construction helpers ------------------------------------------------------
    @classmethod
    def from_dict(cls, spec: Mapping[str, Any], *, where: str = "axis") -> Axis:
        """Build an axis from a mapping with keys ``name``, ``positive``, ``negative`` and
        optionally ``description``, ``positive_label``, ``negative_label``."""
        if not isinstance(spec, Mapping):
            raise AxisSpecError(f"{where}: expected a mapping, got {type(spec).__name__}")
        allowed = {"name", "positive", "negative", "description", "positive_label", "negative_label"}
        unknown = sorted(set(map(str, spec)) - allowed)
        name = spec.get("name")
        label = f"{where} ({name!r})" if name else where
        if unknown:
            raise AxisSpecError(f"{label}: unknown field(s) {unknown}; allowed: {sorted(allowed)}")
        for key in ("name", "positive", "negative"):
            if key not in spec:
                raise AxisSpecError(f"{label}: missing field {key!r}")
        for key in ("positive_label", "negative_label", "description"):
            if spec.get(key) is not None and not isinstance(spec.get(key), str):
                raise AxisSpecError(f"{label}, field {key!r}: expected a string")
        try:
            return cls(spec["name"], spec["positive"], spec["negative"],
                       description=spec.get("description") or "",
                       positive_label=spec.get("positive_label"),
                       negative_label=spec.get("negative_label"))
        except AxisSpecError as exc:
            raise AxisSpecError(f"{where}: {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description,
                "positive_label": self.positive_label, "negative_label": self.negative_label,
                "positive": list(self.positive), "negative": list(self.negative)}

    # -- fitting -------------------------------------------------------------------
    def fit(self, encoder: Any = None, embeddings: Any = None, *, n_splits: int = 200,
            random_state: int | np.random.Generator | None = 0) -> Axis:
        """Embed the poles and build the axis vector; measure its reliability.

        Parameters
        ----------
        encoder : object with ``encode(texts)``, optional
            Embeds the pole texts (ignored when ``embeddings`` is given).
        embeddings : array or pair of arrays, optional
            Pole embeddings: a pair ``(positive, negative)`` of arrays, or one array with the
            positive rows first, then the negative rows, in the order of the texts.
        n_splits : int
            Random split-halves averaged for the reliability.
        random_state : int, Generator or None
            Seeds the split-halves (default 0, so an axis's reliability is reproducible).

        Returns
        -------
        Axis
            ``self``, with ``vector_``, ``positive_embeddings_``, ``negative_embeddings_``,
            ``reliability_`` and ``encoder_name_`` set.

        Notes
        -----
        Reliability (see :class:`AxisReliability`): each pole set is split at random into two
        halves ``n_splits`` times; the two half-axes' cosine is averaged and Spearman-Brown
        corrected, ``2 r / (1 + r)``. Pole separation: each pole text is projected on the axis
        built without it (leave-one-out); the mean per pole and the AUC are reported.
        """
        n_p, n_n = len(self.positive), len(self.negative)
        if embeddings is not None:
            if isinstance(embeddings, (tuple, list)) and len(embeddings) == 2:
                P = _normalise_rows(embeddings[0], f"axis {self.name!r}: positive embeddings")
                N = _normalise_rows(embeddings[1], f"axis {self.name!r}: negative embeddings")
            else:
                E = _normalise_rows(embeddings, f"axis {self.name!r}: embeddings")
                if len(E) != n_p + n_n:
                    raise ValueError(f"axis {self.name!r}: embeddings have {len(E)} rows, expected "
                                     f"{n_p + n_n} ({n_p} positive then {n_n} negative)")
                P, N = E[:n_p], E[n_p:]
            if len(P) != n_p or len(N) != n_n:
                raise ValueError(f"axis {self.name!r}: got {len(P)} positive / {len(N)} negative "
                                 f"embeddings for {n_p} / {n_n} texts")
            if P.shape[1] != N.shape[1]:
                raise ValueError(f"axis {self.name!r}: positive and negative embeddings differ in dimension")
            self.encoder_name_ = None
        elif encoder is not None:
            E = _normalise_rows(encoder.encode(self.positive + self.negative),
                                f"axis {self.name!r}: encoder output")
            P, N = E[:n_p], E[n_p:]
            self.encoder_name_ = getattr(encoder, "name", None)
        else:
            raise ValueError(f"axis {self.name!r}: pass encoder= or embeddings= to fit it")

        diff = P.mean(axis=0) - N.mean(axis=0)
        norm = np.linalg.norm(diff)
        if norm < 1e-12:
            raise ValueError(f"axis {self.name!r}: the two poles have the same mean embedding")
        self.vector_ = diff / norm
        self.positive_embeddings_ = P.astype(np.float32)
        self.negative_embeddings_ = N.astype(np.float32)
        self._loo = self._leave_one_out(P, N)
        self.reliability_ = self._reliability(P, N, n_splits, _rng(random_state))
        if not self.reliability_.ok:
            r = self.reliability_
            warnings.warn(
                f"axis {self.name!r}: the poles barely separate (split-half reliability "
                f"{r.split_half:.2f}, threshold {self.min_reliability}; leave-one-out AUC {r.auc:.2f}, "
                f"threshold {self.min_auc}); projections on this axis are mostly noise. Revise the "
                f"pole texts (see Axis.drivers()).", AxisReliabilityWarning, stacklevel=2)
        return self

    def _leave_one_out(self, P: np.ndarray, N: np.ndarray) -> dict[str, np.ndarray]:
        n_p, n_n = len(P), len(N)
        cp, cn = P.mean(axis=0), N.mean(axis=0)
        # axis without positive text i / without negative text j, one row each
        Dp = (n_p * cp - P) / (n_p - 1) - cn
        Dn = cp - (n_n * cn - N) / (n_n - 1)
        Dp /= np.linalg.norm(Dp, axis=1, keepdims=True)
        Dn /= np.linalg.norm(Dn, axis=1, keepdims=True)
        return {"proj_pos": P @ self.vector_, "proj_neg": N @ self.vector_,
                "loo_pos": np.einsum("ij,ij->i", P, Dp), "loo_neg": np.einsum("ij,ij->i", N, Dn),
                "shift_pos": 1.0 - Dp @ self.vector_, "shift_neg": 1.0 - Dn @ self.vector_}

    def _reliability(self, P: np.ndarray, N: np.ndarray, n_splits: int,
                     rng: np.random.Generator) -> AxisReliability:
        def halves(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            n = len(X)
            ranks = np.argsort(rng.random((n_splits, n)), axis=1).argsort(axis=1)
            a = (ranks < n // 2).astype(np.float64)
            b = 1.0 - a
            return (a @ X) / a.sum(1, keepdims=True), (b @ X) / b.sum(1, keepdims=True)

        pa, pb = halves(P)
        na, nb = halves(N)
        va, vb = pa - na, pb - nb
        cos = np.einsum("ij,ij->i", va, vb) / (np.linalg.norm(va, axis=1) * np.linalg.norm(vb, axis=1))
        r = float(np.mean(cos))
        sb = 2 * r / (1 + r) if r > -1 else -math.inf
        lo = self._loo
        auc = _auc(lo["loo_pos"], lo["loo_neg"])
        return AxisReliability(
            split_half=float(sb), split_half_raw=r,
            positive_mean=float(lo["loo_pos"].mean()), negative_mean=float(lo["loo_neg"].mean()),
            auc=auc, auc_in_sample=_auc(lo["proj_pos"], lo["proj_neg"]), n_splits=int(n_splits),
            ok=bool(sb >= self.min_reliability and auc >= self.min_auc))

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise ValueError(f"axis {self.name!r} is not fitted: call .fit(encoder) first")

    def project(self, embeddings: np.ndarray) -> np.ndarray:
        """Cosine similarity of each row of ``embeddings`` with the axis."""
        self._check_fitted()
        X = _normalise_rows(embeddings, f"axis {self.name!r}: embeddings to project")
        if X.shape[1] != len(self.vector_):
            raise ValueError(f"axis {self.name!r}: embeddings have dimension {X.shape[1]}, "
                             f"the axis {len(self.vector_)} (different encoders?)")
        return X @ self.vector_

    def drivers(self) -> pd.DataFrame:
        """The pole texts that drive the axis.

        Returns
        -------
        DataFrame
            One row per pole text: ``pole`` ("positive"/"negative"), ``text``, ``projection``
            (cosine with the full axis), ``loo_projection`` (cosine with the axis built without
            the text: near 0 or on the wrong side means the text is not carried by the rest of
            its pole), ``influence`` (1 - cosine between the full axis and the axis without the
            text: how much the axis depends on it). Sorted by pole, then influence, largest first.

        Examples
        --------
        >>> from framing.testing import HashEncoder
        >>> ax = Axis("calm", ["calm quiet day", "quiet calm night", "stock prices rose"],
        ...           ["loud violent riot", "violent loud clash", "angry loud crowd"]).fit(HashEncoder())
        >>> ax.drivers().query("pole == 'positive'")["text"].iloc[0]
        'stock prices rose'
        """
        self._check_fitted()
        lo = self._loo
        rows = []
        for pole, texts, proj, loo, shift in (
                ("positive", self.positive, lo["proj_pos"], lo["loo_pos"], lo["shift_pos"]),
                ("negative", self.negative, lo["proj_neg"], lo["loo_neg"], lo["shift_neg"])):
            rows.append(pd.DataFrame({"pole": pole, "text": texts, "projection": proj,
                                      "loo_projection": loo, "influence": shift}))
        out = pd.concat(rows, ignore_index=True)
        out["_p"] = out["pole"].map({"positive": 0, "negative": 1})
        return (out.sort_values(["_p", "influence"], ascending=[True, False], kind="stable")
                .drop(columns="_p").reset_index(drop=True))


def reliability_table(axes: Sequence[Axis]) -> pd.DataFrame:
    """One row per fitted axis with its :class:`AxisReliability` fields (``axis`` first)."""
    rows = []
    for a in axes:
        a._check_fitted()
        rows.append({"axis": a.name, "n_positive": len(a.positive), "n_negative": len(a.negative),
                     **a.reliability_.as_dict()})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# loading the default / user axes
# --------------------------------------------------------------------------------------

def load_axes(path: str | Path | None = None) -> list[Axis]:
    """Read axis definitions from a YAML file (default: the project's Russia-Ukraine axes).

    The file holds either a list of axes or a mapping with key ``axes`` (a list); each axis
    is a mapping with ``name``, ``positive`` (list of texts), ``negative`` (list of texts) and
    optionally ``description``, ``positive_label``, ``negative_label``. The axis name describes
    the positive pole. Copy ``framing/data/axes_ru_ua.yaml`` to start your own.

    Parameters
    ----------
    path : str or Path, optional
        The YAML file; default the packaged ``framing/data/axes_ru_ua.yaml``.

    Returns
    -------
    list of Axis
        Unfitted axes, in file order.

    Raises
    ------
    AxisSpecError
        Naming the file, the entry (1-based position and name) and the field that is wrong.

    Examples
    --------
    >>> axes = load_axes()
    >>> [a.name for a in axes][:2]
    ['legitimacy', 'sovereignty']
    """
    import yaml

    if path is None:
        res = resources.files("framing").joinpath(DEFAULT_AXES)
        source, text = f"framing/{DEFAULT_AXES}", res.read_text(encoding="utf-8")
    else:
        p = Path(path)
        if not p.is_file():
            raise FileNotFoundError(f"load_axes: no such file: {p}")
        source, text = str(p), p.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AxisSpecError(f"{source}: not valid YAML: {exc}") from None
    if isinstance(data, Mapping):
        if "axes" not in data:
            raise AxisSpecError(f"{source}: expected a top-level key 'axes' (a list of axes)")
        data = data["axes"]
    if not isinstance(data, list) or not data:
        raise AxisSpecError(f"{source}: expected a non-empty list of axes")
    axes, seen = [], set()
    for i, spec in enumerate(data, start=1):
        ax = Axis.from_dict(spec, where=f"{source}, axis #{i}")
        if ax.name in seen:
            raise AxisSpecError(f"{source}, axis #{i} ({ax.name!r}): duplicate axis name")
        seen.add(ax.name)
        axes.append(ax)
    return axes


# --------------------------------------------------------------------------------------
# scoring
# --------------------------------------------------------------------------------------

def _ratio(counts: np.ndarray, num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """(counts @ num) / (counts @ den)[:, None] with empty draws -> NaN."""
    d = counts @ den
    with np.errstate(invalid="ignore", divide="ignore"):
        return (counts @ num) / np.where(d > 0, d, np.nan)[:, None]


def _bootstrap(num: np.ndarray, den: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Resample the k atoms with replacement n_boot times: (n_boot, n_cols) ratio draws."""
    k = len(den)
    out = np.empty((n_boot, num.shape[1]))
    block = max(1, _MAX_BLOCK // max(k, 1))
    for s in range(0, n_boot, block):
        b = min(block, n_boot - s)
        idx = rng.integers(0, k, size=(b, k))
        counts = np.bincount((idx + (np.arange(b) * k)[:, None]).ravel(), minlength=b * k)
        out[s:s + b] = _ratio(counts.reshape(b, k).astype(np.float64), num, den)
    return out


def _null_draws(num: np.ndarray, den: np.ndarray, sizes: Sequence[int], n_null: int,
                rng: np.random.Generator) -> dict[int, np.ndarray]:
    """Ratio statistics of random size-k subsets (without replacement) of all N atoms.

    One random order per draw; the cumulative sums along it give the statistic of the first k
    atoms, a uniform random k-subset, for every k at once.
    """
    N = len(den)
    sizes = sorted({int(k) for k in sizes if 0 < k <= N})
    out = {k: np.empty((n_null, num.shape[1])) for k in sizes}
    if not sizes:
        return out
    block = max(1, _MAX_BLOCK // max(N * (num.shape[1] + 1), 1))
    kk = np.asarray(sizes) - 1
    for s in range(0, n_null, block):
        b = min(block, n_null - s)
        order = np.argsort(rng.random((b, N)), axis=1)
        cnum = np.cumsum(num[order], axis=1)[:, kk, :]     # (b, n_sizes, cols)
        cden = np.cumsum(den[order], axis=1)[:, kk]        # (b, n_sizes)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = cnum / np.where(cden > 0, cden, np.nan)[:, :, None]
        for j, k in enumerate(sizes):
            out[k][s:s + b] = ratio[:, j, :]
    return out


def _p_two_sided(obs: np.ndarray, null: np.ndarray) -> np.ndarray:
    """Equal-tailed two-sided Monte Carlo p value, ``2 min(1 + #above, 1 + #below) / (B + 1)``."""
    B = np.sum(np.isfinite(null), axis=0)
    above = np.sum(null >= obs, axis=0)
    below = np.sum(null <= obs, axis=0)
    return np.minimum(1.0, 2 * (1 + np.minimum(above, below)) / (B + 1))



def _axes_list(axes: Axis | Sequence[Axis]) -> list[Axis]:
    if isinstance(axes, Axis):
        return [axes]
    axes = list(axes)
    if not axes or not all(isinstance(a, Axis) for a in axes):
        raise TypeError("axes: expected an Axis or a non-empty list of Axis objects (see load_axes())")
    names = [a.name for a in axes]
    if len(set(names)) != len(names):
        raise ValueError(f"axes: duplicate axis names {sorted({n for n in names if names.count(n) > 1})}")
    return axes


def _fit_axes(axes: list[Axis], encoder: Any) -> None:
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


def _sort_labels(labels: list[Hashable]) -> list[Hashable]:
    try:
        return sorted(labels)
    except TypeError:
        return labels


class AxisScores:
    """Result of :func:`score_axes`: tidy tables of projections, biases and intensities.

    Attributes
    ----------
    groups : DataFrame
        One row per (axis, group, stat) with ``stat`` in {"bias", "intensity"}: ``value``,
        bootstrap interval ``ci_lo``/``ci_hi``, null model ``null_mean``, ``null_lo``/``null_hi``
        (central 1 - alpha band of random document samples of the group's size), ``effect``
        (value - null_mean), ``z`` (effect / null SD), ``percentile`` (of the value in the null,
        0-100), ``p`` (two-sided Monte Carlo p value), ``p_fdr`` (Benjamini-Hochberg over all
        rows of the table), ``n_docs``, ``n_units``.
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

    def __init__(self, *, axes: list[Axis], units: pd.DataFrame, projections: np.ndarray,
                 documents: pd.DataFrame, groups: pd.DataFrame, corpus: pd.DataFrame,
                 params: dict[str, Any], atoms: dict[str, Any]) -> None:
        self.axes = axes
        self._units = units
        self.projections = projections
        self.documents = documents
        self.groups = groups
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
        """Compact HTML for notebooks: sizes, options and the first rows of :attr:`groups`."""
        n_groups = self.groups["group"].nunique() if len(self.groups) else 0
        cols = [c for c in ("axis", "group", "stat", "value", "ci_lo", "ci_hi", "effect", "p_fdr", "n_docs")
                if c in self.groups.columns]
        params = {"axes": self.axis_names, "sentences": len(self._units),
                  "documents": int(self.corpus["n_docs"].iloc[0]) if len(self.corpus) else 0,
                  "groups": n_groups, "n_boot": self.params.get("n_boot"),
                  "n_null": self.params.get("n_null"), "alpha": self.params.get("alpha")}
        return html_summary("AxisScores", params, self.groups[cols])

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
               group: str | Mapping[Hashable, Hashable] | pd.Series | None = "outlet",
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
    group : str, mapping or None
        Column of ``sentences`` naming each document's group (``"outlet"``, a vote group...),
        or a mapping / Series from the ``unit`` id to the group; None: one group ``"all"``.
        Documents with a missing group take part in the corpus baseline and the null pool
        but get no group row. All sentences of a document must have the same group.
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
        ``resample="units"`` -- gets no bootstrap interval (``ci_lo``/``ci_hi`` NaN) and a
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
    min_docs = check_min_docs(min_docs, caller="score_axes")
    for name, val in (("n_boot", n_boot), ("n_null", n_null)):
        if not isinstance(val, (int, np.integer)) or val < 1:
            raise ValueError(f"{name}: expected a positive integer, got {val!r}")
    axes = _axes_list(axes)
    _fit_axes(axes, encoder)
    rng = _rng(random_state)

    # -- whose words: keep the sentences the measure should see ---------------------------
    from framing.voice import filter_voice

    if embeddings is not None and len(embeddings) != len(sentences):
        raise ValueError(f"embeddings have {len(embeddings)} rows, sentences {len(sentences)}")
    positional = sentences.reset_index(drop=True)
    positional.attrs = {}
    kept = filter_voice(positional, voice=voice, boilerplate=boilerplate)
    text_filter = kept.attrs["text_filter"]
    excluded = pd.DataFrame.from_records(kept.attrs["excluded"], columns=["doc_id", "sent_id", "outlet", "start", "end",
                                                                         "reason"])
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
    sentences = kept.reset_index(drop=True)

    # -- embeddings and projections ---------------------------------------------------
    n = len(sentences)
    if embeddings is not None:
        X = _normalise_rows(embeddings, "embeddings")
        if len(X) != n:
            raise ValueError(f"embeddings have {len(X)} rows, sentences {n}")
    elif encoder is not None:
        if "text" not in sentences.columns:
            raise ValueError("sentences: no column 'text' to encode")
        X = _normalise_rows(encoder.encode(sentences["text"].astype(str).tolist()), "encoder output")
    else:
        raise ValueError("score_axes: pass embeddings= (one row per sentence) or encoder=")
    V = np.stack([a.vector_ for a in axes], axis=1)
    if X.shape[1] != V.shape[0]:
        raise ValueError(f"embeddings have dimension {X.shape[1]}, the axes {V.shape[0]} "
                         f"(different encoders?)")
    Pj = X @ V                                            # (n, A)
    A = Pj.shape[1]

    # -- documents and groups ------------------------------------------------------------
    doc_codes, doc_ids = pd.factorize(sentences[unit], sort=False)
    D = len(doc_ids)
    if group is None:
        g_sent = pd.Series(["all"] * n, index=sentences.index, dtype=object)
        group_name = None
    elif isinstance(group, str):
        if group not in sentences.columns:
            raise ValueError(f"sentences: no column {group!r} (see group=)")
        g_sent = sentences[group].astype(object)
        group_name = group
    elif isinstance(group, (Mapping, pd.Series)):
        mapping = group if isinstance(group, pd.Series) else pd.Series(dict(group), dtype=object)
        if not mapping.index.is_unique:
            raise ValueError("group: the mapping has duplicate document ids")
        g_sent = sentences[unit].map(mapping).astype(object)
        group_name = getattr(group, "name", None) or "group"
    else:
        raise TypeError("group: expected a column name, a mapping doc id -> group, or None")
    g_sent = g_sent.where(g_sent.notna(), None)
    per_doc = pd.DataFrame({"d": doc_codes, "g": g_sent.to_numpy()})
    nun = per_doc.groupby("d", sort=True)["g"].nunique(dropna=False)
    if (nun > 1).any():
        d = int(nun.index[np.argmax(nun.to_numpy() > 1)])
        vals = per_doc.loc[per_doc["d"] == d, "g"].unique().tolist()
        raise ValueError(f"document {doc_ids[d]!r} has sentences in several groups {vals} "
                         f"(column {group_name!r}); a document must belong to one group")
    first_row = np.unique(doc_codes, return_index=True)[1]   # first sentence of each document
    doc_group = g_sent.to_numpy()[first_row]
    labels = _sort_labels(list(pd.unique(pd.Series([g for g in doc_group if g is not None], dtype=object))))
    label_code = {g: i for i, g in enumerate(labels)}
    doc_gcode = np.array([label_code.get(g, -1) if g is not None else -1 for g in doc_group], dtype=np.int64)

    # -- weights: w (as given), omega (effective, with document_weight) ---------------------
    w = _unit_weights(sentences, weights)
    W_doc_raw = np.bincount(doc_codes, weights=w, minlength=D)
    if np.any(W_doc_raw <= 0):
        d = int(np.flatnonzero(W_doc_raw <= 0)[0])
        raise ValueError(f"document {doc_ids[d]!r}: its sentence weights sum to 0")
    omega = w / W_doc_raw[doc_codes] if document_weight == "equal" else w

    # -- per document sums (bincount) ----------------------------------------------------
    def per_doc_sum(values: np.ndarray) -> np.ndarray:
        return np.stack([np.bincount(doc_codes, weights=values[:, a], minlength=D) for a in range(A)], axis=1)

    wP = omega[:, None] * Pj
    S_doc = per_doc_sum(wP)                               # (D, A)
    W_doc = np.bincount(doc_codes, weights=omega, minlength=D)
    BT = S_doc.sum(0) / W_doc.sum()                       # (A,)
    wQ = omega[:, None] * (Pj - BT) ** 2
    Q_doc = per_doc_sum(wQ)
    n_doc_units = np.bincount(doc_codes, minlength=D)
    sd = np.sqrt((omega[:, None] * (Pj - (omega @ Pj) / omega.sum()) ** 2).sum(0) / omega.sum())

    # -- atoms: what is resampled -----------------------------------------------------------
    if resample == "documents":
        num = np.concatenate([S_doc, Q_doc], axis=1)      # (D, 2A): bias sums, intensity sums
        den = W_doc
        atom_g = doc_gcode
    else:
        num = np.concatenate([wP, wQ], axis=1)
        den = omega
        atom_g = doc_gcode[doc_codes]

    # -- per group: observed, bootstrap, null -----------------------------------------------
    G = len(labels)
    sizes = np.bincount(atom_g[atom_g >= 0], minlength=G) if G else np.zeros(0, dtype=int)
    null = _null_draws(num, den, sizes, n_null, rng)
    n_docs_g = np.bincount(doc_gcode[doc_gcode >= 0], minlength=G) if G else np.zeros(0, dtype=int)
    n_units_g = np.bincount(doc_gcode[doc_codes][doc_gcode[doc_codes] >= 0], minlength=G) if G else []
    rows = []
    n_resampled = n_docs_g if resample == "documents" else sizes
    small = set(small_groups({label: int(n_resampled[gi]) for gi, label in enumerate(labels)}, min_docs,
                             caller="score_axes",
                             unit="documents" if resample == "documents" else "sentences (resample='units')"))
    for gi, label in enumerate(labels):
        sel = atom_g == gi
        num_g, den_g = num[sel], den[sel]
        obs = num_g.sum(0) / den_g.sum()
        boot = _bootstrap(num_g, den_g, n_boot, rng)    # drawn for every group: same stream as before
        lo, hi = _quantiles(boot, alpha)
        if label in small:
            lo, hi = np.full_like(lo, np.nan), np.full_like(hi, np.nan)
        nd = null[int(sizes[gi])]
        n_lo, n_hi = _quantiles(nd, alpha)
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
    groups = pd.DataFrame(rows, columns=["axis", "group", "stat", "value", "ci_lo", "ci_hi", "null_mean",
                                         "null_lo", "null_hi", "effect", "z", "percentile", "p",
                                         "n_docs", "n_units"])
    groups["group"] = groups["group"].astype(object)
    groups.insert(groups.columns.get_loc("p") + 1, "p_fdr", fdr_bh(groups["p"].to_numpy()))

    # -- tables ----------------------------------------------------------------------------
    doc_group_obj = np.array(doc_group, dtype=object)
    with np.errstate(invalid="ignore", divide="ignore"):
        documents = pd.DataFrame({
            "axis": np.repeat(np.asarray([a.name for a in axes], dtype=object), D),
            "doc_id": np.tile(np.asarray(doc_ids, dtype=object), A),
            "group": np.tile(doc_group_obj, A),
            "n_units": np.tile(n_doc_units, A),
            "weight": np.tile(W_doc_raw, A),
            "bias": (S_doc / W_doc[:, None]).T.ravel(),
            "intensity": (Q_doc / W_doc[:, None]).T.ravel(),
        })
    corpus = pd.DataFrame({"axis": [a.name for a in axes], "bias": BT, "sd": sd,
                           "n_docs": D, "n_units": n})
    units = pd.DataFrame({
        "doc_id": sentences[unit].to_numpy(dtype=object),
        "sent_id": (sentences["sent_id"].astype(str).to_numpy(dtype=object) if "sent_id" in sentences.columns
                    else np.arange(n)),
        "group": g_sent.to_numpy(dtype=object),
        "text": (sentences["text"].astype(str).to_numpy(dtype=object) if "text" in sentences.columns
                 else np.full(n, "", dtype=object)),
        "weight": w,
    })
    params = {"group": group_name, "unit": unit,
              "weights": weights if (weights is None or isinstance(weights, str)) else "array",
              "document_weight": document_weight, "resample": resample, "n_boot": int(n_boot),
              "n_null": int(n_null), "alpha": float(alpha), "min_docs": min_docs,
              "small_groups": [g for g in labels if g in small],
              "random_state": random_state if isinstance(random_state, (int, type(None))) else repr(random_state),
              "encoder": getattr(encoder, "name", None) if embeddings is None else None,
              "voice": voice, "boilerplate": boilerplate, "text_filter": text_filter}
    atoms = {"num": num, "den": den, "group": atom_g, "labels": labels, "A": A,
             "unit_gcode": doc_gcode[doc_codes]}
    result = AxisScores(axes=axes, units=units, projections=Pj, documents=documents, groups=groups,
                        corpus=corpus, params=params, atoms=atoms)
    result.excluded = excluded
    if reliability and all(getattr(a, "positive_embeddings_", None) is not None for a in axes):
        from framing.validate import axis_reliability

        # split-half reliability of the scores on these very sentences (warns per weak axis)
        result.reliability = axis_reliability(axes, X, n_splits=100, random_state=0)
    return result


# --------------------------------------------------------------------------------------
# comparing groups
# --------------------------------------------------------------------------------------

def _label_codes(scores: AxisScores, side: Any, what: str) -> list[int]:
    labels = scores._atoms["labels"]
    wanted = side if isinstance(side, list) else [side]
    codes = []
    for lab in wanted:
        if lab not in labels:
            raise KeyError(f"compare_groups: {what}={lab!r} is not a group; groups: {labels}")
        codes.append(labels.index(lab))
    return codes


def _min_perm_p(n_a: int, n_b: int, n_perm: int) -> float:
    """Smallest two-sided p the permutation test can give: a split and its mirror image tie when
    the sides are equal, and a Monte Carlo p is at least ``1 / (n_perm + 1)``."""
    splits = math.comb(n_a + n_b, n_a)
    return max((2 if n_a == n_b else 1) / splits, 1 / (n_perm + 1))


def compare_groups(scores: AxisScores, axis: str, a: Any, b: Any, *, stat: str = "bias",
                   n_boot: int | None = None, n_perm: int | None = None, alpha: float | None = None,
                   random_state: int | np.random.Generator | None = None,
                   min_docs: int | None = None) -> pd.DataFrame:
    """Difference between two groups on one axis: bootstrap CI and permutation test.

    The interval is reported only where the two sides can support one. It is NaN, with a
    :class:`framing.stats.SmallGroupWarning` naming the side, when a side has fewer than
    ``min_docs`` resampling units, or when the permutation test could not reject at
    ``alpha`` whatever the data: with ``n_a`` and ``n_b`` units there are only
    ``C(n_a + n_b, n_a)`` ways to split them, so the smallest attainable two-sided p is
    about ``2 / C(n_a + n_b, n_a)`` (0.1 with three documents a side). A percentile
    interval from so few documents is far too narrow and could exclude 0 while the test
    says p = 0.125; now it cannot.

    Parameters
    ----------
    scores : AxisScores
    axis : str
    a, b : group label, or list of labels (pooled into one side)
    stat : {"bias", "intensity"}
    n_boot, n_perm : int, optional
        Bootstrap draws (documents resampled with replacement within each side, independently)
        and permutations (the sides' documents shuffled between them); default ``n_boot`` of
        ``scores``.
    alpha : float, optional
        Default: that of ``scores``.
    random_state : int, Generator or None
    min_docs : int, optional
        Minimum resampling units (documents; sentences with ``resample="units"``) on each
        side for an interval; default that of ``scores`` (5).

    Returns
    -------
    DataFrame
        One row: ``axis``, ``stat``, ``a``, ``b``, ``value_a``, ``value_b``, ``difference``
        (a - b), ``ci_lo``, ``ci_hi`` (percentile bootstrap; NaN for small sides, see
        above), ``p_perm`` (two-sided
        permutation p value, ``(1 + #|perm diff| >= |diff|) / (n_perm + 1)``), ``n_a``, ``n_b``
        (resampled units: documents, or sentences with ``resample="units"``).

    Examples
    --------
    >>> from framing.testing import HashEncoder
    >>> enc = HashEncoder(dim=128)
    >>> axis = Axis("calm", ["calm quiet day", "quiet peaceful night", "calm peaceful town"],
    ...             ["violent loud riot", "loud angry clash", "violent angry crowd"]).fit(enc)
    >>> s = pd.DataFrame({"doc_id": list("abcdef"), "outlet": list("XXXYYY"),
    ...                   "text": ["calm quiet morning", "peaceful town", "quiet day",
    ...                            "violent riot", "angry loud crowd", "loud clash"]})
    >>> scores = score_axes(s, axis, encoder=enc, n_boot=200, n_null=200, random_state=0)
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     row = compare_groups(scores, "calm", "X", "Y", random_state=0).iloc[0]
    >>> bool(row["difference"] > 0), bool(np.isnan(row["ci_lo"])), float(row["p_perm"]) > 0.05   # 3 vs 3
    (True, True, True)
    >>> print(str(caught[-1].message).split(";")[0])
    compare_groups: no interval (NaN) for 2 groups with fewer than min_docs=5 documents: 'X' (3), 'Y' (3)
    """
    if stat not in _STATS:
        raise ValueError(f"stat: expected one of {_STATS}, got {stat!r}")
    ai = scores._axis_index(axis)
    A = scores._atoms["A"]
    col = ai + (A if stat == "intensity" else 0)
    num = scores._atoms["num"][:, col:col + 1]
    den = scores._atoms["den"]
    atom_g = scores._atoms["group"]
    ca, cb = _label_codes(scores, a, "a"), _label_codes(scores, b, "b")
    if set(ca) & set(cb):
        raise ValueError("compare_groups: a and b share a group")
    sa, sb = np.isin(atom_g, ca), np.isin(atom_g, cb)
    n_boot = int(n_boot or scores.params["n_boot"])
    n_perm = int(n_perm or scores.params["n_null"])
    alpha = float(alpha if alpha is not None else scores.params["alpha"])
    min_docs = check_min_docs(min_docs if min_docs is not None else scores.params.get("min_docs", MIN_DOCS),
                              caller="compare_groups")
    rng = _rng(random_state)
    va = float(num[sa].sum() / den[sa].sum())
    vb = float(num[sb].sum() / den[sb].sum())
    diff = va - vb
    boot = _bootstrap(num[sa], den[sa], n_boot, rng)[:, 0] - _bootstrap(num[sb], den[sb], n_boot, rng)[:, 0]
    lo, hi = np.nanquantile(boot, [alpha / 2, 1 - alpha / 2])
    # permutation: shuffle the side labels over the pooled atoms
    pool = np.flatnonzero(sa | sb)
    n_a = int(sa.sum())
    num_p, den_p = num[pool, 0], den[pool]
    perm_diffs = np.empty(n_perm)
    block = max(1, _MAX_BLOCK // max(len(pool), 1))
    for s in range(0, n_perm, block):
        bsz = min(block, n_perm - s)
        ranks = np.argsort(rng.random((bsz, len(pool))), axis=1).argsort(axis=1)
        m = (ranks < n_a).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            pa = (m @ num_p) / (m @ den_p)
            pb = ((1 - m) @ num_p) / ((1 - m) @ den_p)
        perm_diffs[s:s + bsz] = pa - pb
    ok = np.isfinite(perm_diffs)
    p = (1 + np.sum(np.abs(perm_diffs[ok]) >= abs(diff) - 1e-12)) / (ok.sum() + 1)
    label = (lambda x: ", ".join(map(str, x)) if isinstance(x, list) else x)
    n_b = int(sb.sum())
    unit = "documents" if scores.params.get("resample", "documents") == "documents" else "sentences"
    if small_groups({label(a): n_a, label(b): n_b}, min_docs, caller="compare_groups", unit=unit):
        lo = hi = np.nan
    elif _min_perm_p(n_a, n_b, n_perm) > alpha:
        warnings.warn(f"compare_groups: no interval (NaN) for {label(a)!r} ({n_a}) vs {label(b)!r} ({n_b}): with "
                      f"so few {unit} and {n_perm} permutations the permutation test cannot reach p <= {alpha}",
                      SmallGroupWarning, stacklevel=2)
        lo = hi = np.nan
    return pd.DataFrame([{"axis": axis, "stat": stat, "a": label(a), "b": label(b), "value_a": va,
                          "value_b": vb, "difference": diff, "ci_lo": float(lo), "ci_hi": float(hi),
                          "p_perm": float(p), "n_a": n_a, "n_b": n_b}])


# --------------------------------------------------------------------------------------
# explanations
# --------------------------------------------------------------------------------------

@dataclass
class AxisExplanation:
    """What drives a group's position on an axis (see :func:`explain_axis`).

    Attributes
    ----------
    group, axis : the group and axis explained
    sentences : DataFrame
        ``pole`` ("positive"/"negative"), ``rank``, ``text``, ``projection``, ``deviation``
        (projection - corpus bias), ``pull`` (the sentence's total weighted deviation, over all its
        occurrences in the group, as a share of the group's total weight), ``count`` (how often
        the identical sentence occurs in the group), ``doc_id``, ``sent_id`` (first occurrence).
    neutral_share : float
        Weighted share of the group's sentences within ``band`` corpus SDs of the corpus bias.
    band : float
        Half-width of the near-neutral band, in corpus SDs of the projection.
    corpus_bias, corpus_sd : float
    n_units : int
    """

    group: Any
    axis: str
    sentences: pd.DataFrame
    neutral_share: float
    band: float
    corpus_bias: float
    corpus_sd: float
    n_units: int
    positive_label: str = ""
    negative_label: str = ""

    def __str__(self) -> str:
        lines = [f"{self.group} on {self.axis}: {self.neutral_share:.0%} of {self.n_units} sentences near-neutral "
                 f"(|projection - {self.corpus_bias:.3f}| < {self.band:g} SD = {self.band * self.corpus_sd:.3f})"]
        for pole, label in (("positive", self.positive_label), ("negative", self.negative_label)):
            lines.append(f"  towards {label}:")
            for r in self.sentences[self.sentences["pole"] == pole].itertuples():
                lines.append(f"    {r.projection:+.3f} x{r.count}  {r.text[:140]}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: the neutral share and the top pulling sentences."""
        params = {"group": self.group, "axis": self.axis, "neutral_share": self.neutral_share,
                  "n_units": self.n_units, "band": self.band, "corpus_bias": self.corpus_bias}
        cols = [c for c in ("pole", "rank", "projection", "pull", "count", "text") if c in self.sentences.columns]
        return html_summary("AxisExplanation", params, self.sentences[cols])


def explain_axis(scores: AxisScores, group: Any, axis: str, *, n: int = 5, band: float = 0.5) -> AxisExplanation:
    """The sentences that pull a group towards each pole of an axis, and its neutral share.

    Identical sentences (boilerplate repeated across a group's documents) are merged; the
    ranking is by *pull*: the merged sentence's summed weighted deviation from the corpus bias,
    ``sum w_u (p_u - B_T)``, divided by the group's total weight, i.e. its contribution to
    ``bias_group - B_T``. The near-neutral share is the weighted share of the group's sentences
    with ``|p_u - B_T| < band * SD``, SD being the corpus-wide SD of the projections.

    Parameters
    ----------
    scores : AxisScores
    group : a group label (as in ``scores.groups["group"]``)
    axis : str
    n : int
        Sentences per pole.
    band : float
        Half-width of the neutral band in corpus SDs (default 0.5).

    Returns
    -------
    AxisExplanation

    Examples
    --------
    >>> from framing.testing import HashEncoder
    >>> enc = HashEncoder(dim=128)
    >>> axis = Axis("calm", ["calm quiet day", "quiet peaceful night", "calm peaceful town"],
    ...             ["violent loud riot", "loud angry clash", "violent angry crowd"]).fit(enc)
    >>> s = pd.DataFrame({"doc_id": ["a", "a", "b", "c", "d"], "outlet": ["X", "X", "X", "Y", "Y"],
    ...                   "text": ["a calm quiet morning", "violent riot", "budget talks", "loud clash",
    ...                            "calm talks"]})
    >>> ex = explain_axis(score_axes(s, axis, encoder=enc, n_boot=50, n_null=50, random_state=0), "X", "calm", n=1)
    >>> ex.sentences["text"].tolist()
    ['a calm quiet morning', 'violent riot']
    """
    if n < 1:
        raise ValueError(f"n: expected a positive integer, got {n!r}")
    ai = scores._axis_index(axis)
    ax = scores.axes[ai]
    units = scores._units
    labels = scores._atoms["labels"]
    if group not in labels:
        raise KeyError(f"explain_axis: {group!r} is not a group; groups: {labels}")
    sel = scores._atoms["unit_gcode"] == labels.index(group)
    corp = scores.corpus.iloc[ai]
    BT, sd = float(corp["bias"]), float(corp["sd"])
    p = scores.projections[sel, ai]
    # effective weights as used in scoring (sentence weight, normalised per document when 'equal')
    w = units["weight"].to_numpy(dtype=float)[sel]
    if scores.params["document_weight"] == "equal":
        docs = units["doc_id"].to_numpy(dtype=object)[sel]
        tot = pd.Series(w).groupby(docs).transform("sum").to_numpy()
        w = w / tot
    dev = p - BT
    sub = pd.DataFrame({"text": units["text"].to_numpy(dtype=object)[sel],
                        "doc_id": units["doc_id"].to_numpy(dtype=object)[sel],
                        "sent_id": units["sent_id"].to_numpy(dtype=object)[sel],
                        "projection": p, "deviation": dev, "wdev": w * dev})
    merged = sub.groupby("text", sort=False).agg(
        doc_id=("doc_id", "first"), sent_id=("sent_id", "first"), projection=("projection", "first"),
        deviation=("deviation", "first"), pull=("wdev", "sum"), count=("text", "size")).reset_index()
    merged["pull"] /= w.sum()
    pos = merged[merged["pull"] > 0].nlargest(n, "pull").assign(pole="positive")
    neg = merged[merged["pull"] < 0].nsmallest(n, "pull").assign(pole="negative")
    out = pd.concat([pos, neg], ignore_index=True)
    out["rank"] = out.groupby("pole").cumcount() + 1
    out = out[["pole", "rank", "text", "projection", "deviation", "pull", "count", "doc_id", "sent_id"]]
    neutral = float(w[np.abs(dev) < band * sd].sum() / w.sum())
    return AxisExplanation(group=group, axis=ax.name, sentences=out, neutral_share=neutral, band=band,
                           corpus_bias=BT, corpus_sd=sd, n_units=int(sel.sum()),
                           positive_label=ax.positive_label, negative_label=ax.negative_label)


# --------------------------------------------------------------------------------------
# placing a new text
# --------------------------------------------------------------------------------------

_FALLBACK_SPLIT = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def _fallback_sentences(text: str) -> list[str]:
    """Paragraphs split on blank lines, then on ``. ! ?`` followed by space and a capital/digit."""
    out = []
    for para in re.split(r"\n\s*\n", text):
        para = " ".join(para.split())
        if para:
            out.extend(s.strip() for s in _FALLBACK_SPLIT.split(para) if s.strip())
    return out


def _read_text(text_or_path: str | Path) -> tuple[str, str]:
    if isinstance(text_or_path, Path) or (isinstance(text_or_path, str) and "\n" not in text_or_path
                                          and len(text_or_path) < 1024 and Path(text_or_path).suffix
                                          and Path(text_or_path).is_file()):
        p = Path(text_or_path)
        if not p.is_file():
            raise FileNotFoundError(f"place_text: no such file: {p}")
        raw = p.read_text(encoding="utf-8", errors="replace")
        if p.suffix.lower() in (".html", ".htm"):
            import trafilatura

            extracted = trafilatura.extract(raw)
            if not extracted:
                raise ValueError(f"place_text: no article text could be extracted from {p}")
            raw = extracted
        return raw, str(p)
    if not isinstance(text_or_path, str):
        raise TypeError(f"place_text: expected a text or a path, got {type(text_or_path).__name__}")
    return text_or_path, "<text>"


def _segment(text: str) -> list[str]:
    try:
        from framing.segment import split_text
    except ImportError:  # the segmenter is optional here
        return _fallback_sentences(text)
    return [text[a:b] for a, b in split_text(text)]


@dataclass
class TextPlacement:
    """Where a new text stands relative to the groups of a reference corpus (:func:`place_text`).

    Attributes
    ----------
    table : DataFrame
        One row per axis: ``axis``, ``n_units``, ``bias`` with bootstrap ``ci_lo``/``ci_hi``
        (over the text's sentences), ``intensity``, ``corpus_bias``, ``lean`` ("positive",
        "negative" or "neutral": whether the interval excludes the corpus bias),
        ``nearest_group``, ``nearest_bias``, ``distance``, ``second_group``, ``second_bias``,
        ``groups_in_ci`` (groups whose bias lies inside the text's interval), ``summary``.
    summary : str
        One line, e.g. ``"leans like RT on legitimacy; like NYT on sovereignty"``; a note is
        added per axis when the text is indistinguishable from the corpus average or lies
        beyond every group.
    source : str
    """

    table: pd.DataFrame
    summary: str
    source: str = "<text>"

    def __str__(self) -> str:
        return self.summary

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: the text's placement per axis and the one-line summary."""
        table = self.table.drop(columns=["summary"], errors="ignore")
        return html_summary("TextPlacement", {"source": self.source, "axes": len(self.table)}, table,
                            note=self.summary)


def place_text(text_or_path: str | Path, axes: Sequence[Axis] | Axis | None, reference: AxisScores, *,
               encoder: Any, n_boot: int = 1000, alpha: float | None = None,
               random_state: int | np.random.Generator | None = None, voice: str | None = None,
               boilerplate: str | None = None) -> TextPlacement:
    """Score a new article on the axes and place it among the reference corpus's groups.

    The text is split into sentences with the project's segmenter
    (:func:`framing.segment.split_text`, as :func:`framing.split_sentences` does) when available,
    else with a simple fallback (paragraphs at blank lines, then sentences at ``. ! ?``
    followed by a space and a capital letter or digit). Its sentences are projected on each
    axis and weighted like the reference (equal, or by length); its bias gets a percentile
    bootstrap interval over its sentences; the nearest group is the one whose bias is closest.

    Parameters
    ----------
    text_or_path : str or Path
        The article text, or a path to a ``.txt`` (or ``.html``, extracted with trafilatura) file.
    axes : list of Axis, Axis or None
        The axes to use (by name, from ``reference``); None: all of ``reference``'s axes.
    reference : AxisScores
        Scores of the reference corpus (:func:`score_axes`), defining the groups and ``B_T``.
    encoder : object with ``encode(texts)``
        The same encoder that embedded the reference sentences.
    n_boot : int
    alpha : float, optional
        Default: that of ``reference``.
    random_state : int, Generator or None
    voice, boilerplate : str, optional
        Which of the text's sentences to score (see :func:`score_axes`); default: the
        reference's choice, so the text is placed on the same kind of words as the groups
        (own voice by default). ``n_units`` in the table counts the sentences scored.

    Returns
    -------
    TextPlacement
        ``.table`` (one row per axis) and ``.summary`` (one line).

    Examples
    --------
    >>> from framing.testing import HashEncoder
    >>> enc = HashEncoder(dim=128)
    >>> axis = Axis("calm", ["calm quiet day", "quiet peaceful night", "calm peaceful town"],
    ...             ["violent loud riot", "loud angry clash", "violent angry crowd"]).fit(enc)
    >>> s = pd.DataFrame({"doc_id": list("abcdef"), "outlet": list("XXXYYY"),
    ...                   "text": ["calm quiet morning", "peaceful town", "quiet day",
    ...                            "violent riot", "angry loud crowd", "loud clash"]})
    >>> ref = score_axes(s, axis, encoder=enc, n_boot=100, n_null=100, random_state=0)
    >>> place_text("A quiet day. The town was calm.", None, ref, encoder=enc, random_state=0).summary
    'leans like X on calm'
    """
    if encoder is None:
        raise ValueError("place_text: pass encoder= (the one that embedded the reference)")
    if axes is None:
        use = list(reference.axes)
    else:
        use = [reference.axis(a.name) for a in _axes_list(axes)]
        for given, ref in zip(_axes_list(axes), use):
            if given.is_fitted and (given.vector_.shape != ref.vector_.shape
                                    or not np.allclose(given.vector_, ref.vector_, atol=1e-6)):
                raise ValueError(f"place_text: axis {given.name!r} differs from the reference's axis of that "
                                 f"name (refitted with another encoder or other pole texts?)")
    enc_name, ref_enc = getattr(encoder, "name", None), reference.params.get("encoder")
    if enc_name is not None and ref_enc is not None and enc_name != ref_enc:
        raise ValueError(f"place_text: the reference was encoded with {ref_enc!r}, not {enc_name!r}")
    text, source = _read_text(text_or_path)
    sents = _segment(text)
    if not sents:
        raise ValueError(f"place_text: {source} has no sentences")
    voice = voice if voice is not None else reference.params.get("voice", "all")
    boilerplate = boilerplate if boilerplate is not None else reference.params.get("boilerplate", "keep")
    if voice != "all" or boilerplate != "keep":
        from framing.voice import filter_voice

        try:
            from framing.segment import split_sentences

            table = split_sentences(pd.DataFrame({"doc_id": ["text"], "outlet": [""], "published": [pd.NaT],
                                                  "text": [text]}))
        except ImportError:  # pragma: no cover - the segmenter is part of the package
            table = pd.DataFrame({"text": sents})
        kept = filter_voice(table, voice=voice, boilerplate=boilerplate)
        sents = kept["text"].astype(str).tolist()
        if not sents:
            raise ValueError(f"place_text: {source} has no sentence left with voice={voice!r}, "
                             f"boilerplate={boilerplate!r} ({kept.attrs['text_filter']['excluded']})")
    alpha = float(alpha if alpha is not None else reference.params["alpha"])
    rng = _rng(random_state)
    X = _normalise_rows(encoder.encode(sents), "encoder output")
    V = np.stack([a.vector_ for a in use], axis=1)
    if X.shape[1] != V.shape[0]:
        raise ValueError(f"place_text: the encoder gives dimension {X.shape[1]}, the axes {V.shape[0]}")
    Pj = X @ V
    w = (np.array([len(s) for s in sents], dtype=float) if reference.params.get("weights") == "length"
         else np.ones(len(sents)))
    corp = reference.corpus.set_index("axis")
    BT = corp.loc[[a.name for a in use], "bias"].to_numpy()
    bias = (w @ Pj) / w.sum()
    inten = (w @ (Pj - BT) ** 2) / w.sum()
    boot = _bootstrap(w[:, None] * Pj, w, n_boot, rng)
    lo, hi = np.nanquantile(boot, [alpha / 2, 1 - alpha / 2], axis=0)
    gb = reference.bias()
    rows, parts = [], []
    for j, a in enumerate(use):
        g = gb[gb["axis"] == a.name].copy()
        g["distance"] = (g["value"] - bias[j]).abs()
        g = g.sort_values("distance", kind="stable")
        lean = "positive" if lo[j] > BT[j] else "negative" if hi[j] < BT[j] else "neutral"
        nearest = g.iloc[0] if len(g) else None
        second = g.iloc[1] if len(g) > 1 else None
        inside = g[(g["value"] >= lo[j]) & (g["value"] <= hi[j])]["group"].tolist()
        if nearest is not None:
            summ = f"leans like {nearest['group']} on {a.name}"
            if lean == "neutral":
                summ += " (not distinguishable from the corpus average)"
            elif not inside and (lo[j] > g["value"].max() or hi[j] < g["value"].min()):
                beyond = a.positive_label if lo[j] > g["value"].max() else a.negative_label
                summ += f" (but further towards {beyond!r} than any group)"
        else:
            summ = f"no reference groups on {a.name}"
        parts.append(summ)
        rows.append({"axis": a.name, "n_units": len(sents), "bias": bias[j], "ci_lo": lo[j], "ci_hi": hi[j],
                     "intensity": inten[j], "corpus_bias": BT[j], "lean": lean,
                     "nearest_group": None if nearest is None else nearest["group"],
                     "nearest_bias": np.nan if nearest is None else nearest["value"],
                     "distance": np.nan if nearest is None else nearest["distance"],
                     "second_group": None if second is None else second["group"],
                     "second_bias": np.nan if second is None else second["value"],
                     "groups_in_ci": inside, "summary": summ})
    summary = parts[0] + "".join("; " + p.replace("leans like", "like", 1) for p in parts[1:])
    return TextPlacement(table=pd.DataFrame(rows), summary=summary, source=source)
