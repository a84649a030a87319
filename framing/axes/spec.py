"""Framing axes: their definition, fitting, reliability and the YAML axis files.

An **axis** (FrameAxis: Kwak, An, Jing & Ahn 2021, "FrameAxis: characterizing microframe bias
and intensity with word embedding", *PeerJ Computer Science* 7:e644,
https://doi.org/10.7717/peerj-cs.644) is the unit-normalised difference between the mean
embeddings of two sets of pole texts (:class:`Axis`); its *name* describes the **positive**
pole. :func:`load_axes` reads axes from YAML (the default ``framing/data/axes_ru_ua.yaml``);
:func:`reliability_table` lists how well each fitted axis's poles separate.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from framing._checks import check_embeddings, l2_normalize
from framing._display import html_summary
from framing.stats import as_rng as _rng

__all__ = ["Axis", "AxisReliability", "AxisReliabilityWarning", "AxisSpecError", "load_axes",
           "reliability_table", "as_axis_list", "DEFAULT_AXES"]

#: Resource name of the default axes (inside the ``framing`` package).
DEFAULT_AXES = "data/axes_ru_ua.yaml"


class AxisReliabilityWarning(UserWarning):
    """An axis whose poles barely separate: projections on it are mostly noise."""


class AxisSpecError(ValueError):
    """An axis definition (in code or in a YAML file) is malformed; the message names the entry."""


def _normalise_rows(X: Any, what: str) -> np.ndarray:
    """Finite 2-D rows scaled to unit length (float64); a zero row is an error (no cosine)."""
    return l2_normalize(check_embeddings(X, name=what, dtype=np.float64), zero="error", name=what,
                        dtype=np.float64)



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

    def to_frame(self) -> pd.DataFrame:
        """The figures as a one-row table (one column per attribute)."""
        return pd.DataFrame([self.as_dict()])

    def summary(self) -> pd.DataFrame:
        """The figures a reader looks at first: ``split_half``, ``auc`` and ``ok`` (one row)."""
        return self.to_frame()[["split_half", "auc", "ok"]]

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


def reliability_table(axes: Axis | Sequence[Axis]) -> pd.DataFrame:
    """One row per fitted axis with its :class:`AxisReliability` fields (``axis`` first).

    Examples
    --------
    >>> from framing.testing import HashEncoder
    >>> ax = Axis("calm", ["calm quiet day", "quiet calm night"], ["loud violent riot", "violent loud clash"])
    >>> reliability_table([ax.fit(HashEncoder(dim=64))])[["axis", "n_positive", "n_negative"]].values.tolist()
    [['calm', 2, 2]]
    """
    rows = []
    for a in as_axis_list(axes):
        a._check_fitted()
        rows.append({"axis": a.name, "n_positive": len(a.positive), "n_negative": len(a.negative),
                     **a.reliability_.as_dict()})
    out = pd.DataFrame(rows)
    out.attrs["reliability_table"] = {"min_reliability": Axis.min_reliability, "min_auc": Axis.min_auc}
    return out


def as_axis_list(axes: Axis | Sequence[Axis]) -> list[Axis]:
    """``axes`` as a list of :class:`Axis` (one axis or a sequence), checking names are unique.

    Examples
    --------
    >>> [a.name for a in as_axis_list(Axis("calm", ["a b", "c d"], ["e f", "g h"]))]
    ['calm']
    """
    if isinstance(axes, Axis):
        return [axes]
    axes = list(axes)
    if not axes or not all(isinstance(a, Axis) for a in axes):
        raise TypeError("axes: expected an Axis or a non-empty list of Axis objects (see load_axes())")
    names = [a.name for a in axes]
    if len(set(names)) != len(names):
        raise ValueError(f"axes: duplicate axis names {sorted({n for n in names if names.count(n) > 1})}")
    return axes


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
