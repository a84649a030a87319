"""A trained coder: a classifier on sentence embeddings, validated against hand codes.

:func:`train_coder` fits a :class:`Coder` -- regularised (L2) multinomial logistic
regression on sentence embeddings (scikit-learn's ``LogisticRegression``) -- on coded
sentences and reports its cross-validated performance the way content analysts need it:
folds grouped by document (sentences of one article are never on both sides of a split;
Roberts et al. 2016 on leakage in text classification), accuracy, macro-F1 and one-vs-rest
AUC with document-bootstrap intervals, the confusion matrix, and leave-one-outlet-out
transfer (train on the other outlets, test on one). A coder is saved as JSON plus a ``.npz``
of its coefficients (no pickle) and loaded back with :meth:`Coder.load`.

Coded tables follow the project's convention (``doc_id``, ``sent_id``, ``text`` and one
column per code, e.g. from :func:`framing.recover_coded`); the code column is named with
``label=``.

References
----------
Grimmer, J. & Stewart, B. M. (2013). Text as data: the promise and pitfalls of automatic
content analysis methods for political texts. *Political Analysis* 21(3), 267-297.

Hastie, T., Tibshirani, R. & Friedman, J. (2009). *The Elements of Statistical Learning*,
ch. 4.4 (logistic regression), 7.10 (cross-validation). Springer.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from framing._checks import group_labels, resolve_embeddings
from framing._display import html_summary
from framing.stats import as_rng, percentile_interval

__all__ = ["Coder", "train_coder"]


def _embed(sentences: pd.DataFrame, embeddings: Any, encoder: Any, what: str) -> np.ndarray:
    """The sentences' embeddings (given, or encoded from ``text``), not normalised: the
    coder is fitted on the encoder's own vectors."""
    if embeddings is None and encoder is not None and "text" not in sentences.columns:
        raise ValueError(f"{what}: the table has no 'text' column to embed")
    texts = sentences["text"].astype(str).tolist() if embeddings is None and encoder is not None \
        else [""] * len(sentences)
    return resolve_embeddings(texts, embeddings=embeddings, encoder=encoder, name=f"{what}: embeddings",
                              what="sentence", normalize=False, dtype=np.float64)


class Coder:
    """Logistic-regression coder on sentence embeddings (a scikit-learn style estimator).

    Parameters
    ----------
    encoder : object with ``encode(texts)`` and ``name``, optional
        Embeds sentences for :meth:`fit` / :meth:`predict` when no ``embeddings=`` are given.
    C : float
        Inverse L2 regularisation strength.
    class_weight : "balanced" or None
        Reweight classes inversely to their frequency (rare codes such as "legitimizing").
    max_iter : int
    random_state : int or None

    Attributes
    ----------
    classes_ : ndarray of str
    coef_, intercept_ : ndarray
    encoder_name_ : str or None
    label_ : str
    cv_report_ : dict
        Set by :func:`train_coder`: ``metrics`` (DataFrame: metric, estimate, ci_low,
        ci_high, n, n_docs), ``confusion`` (DataFrame), ``transfer`` (leave-one-outlet-out
        metrics per outlet) and ``oof`` (out-of-fold probabilities for the coded rows).

    Examples
    --------
    >>> from framing.testing import HashEncoder
    >>> enc = HashEncoder(dim=64)
    >>> coded = pd.DataFrame({"doc_id": [f"d{i}" for i in range(8)], "sent_id": [f"d{i}:0" for i in range(8)],
    ...     "text": ["a free fair vote"] * 4 + ["a sham staged vote"] * 4, "stance": ["leg"] * 4 + ["del"] * 4})
    >>> coder = Coder(encoder=enc).fit(coded, label="stance")
    >>> coder.predict(pd.DataFrame({"text": ["the sham staged vote"]})).tolist()
    ['del']
    """

    def __init__(self, encoder: Any = None, *, C: float = 1.0, class_weight: str | None = "balanced",
                 max_iter: int = 2000, random_state: int | None = None) -> None:
        self.encoder = encoder
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.random_state = random_state

    def _model(self) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter,
                                  random_state=self.random_state)

    def fit(self, coded: pd.DataFrame, y: Any = None, *, label: str | None = None,
            embeddings: Any = None) -> Coder:
        """Fit on coded sentences (codes from column ``label``, or ``y``)."""
        if y is None:
            if label is None or label not in coded.columns:
                raise ValueError(f"Coder.fit: the coded table has no code column {label!r} (label=)")
            y = coded[label]
        y = pd.Series(np.asarray(y), dtype=object)
        if y.isna().any():
            row = int(np.flatnonzero(y.isna().to_numpy())[0])
            raise ValueError(f"Coder.fit: coded row {row}, column {label!r}: missing code")
        y = y.astype(str).to_numpy()
        if len(set(y)) < 2:
            raise ValueError(f"Coder.fit: need at least two classes in {label!r}, got {sorted(set(y))}")
        X = _embed(coded, embeddings, self.encoder, "Coder.fit")
        m = self._model().fit(X, y)
        self.classes_ = np.asarray(m.classes_, dtype=object)
        self.coef_ = m.coef_.copy()
        self.intercept_ = m.intercept_.copy()
        self.encoder_name_ = getattr(self.encoder, "name", None)
        self.label_ = label
        self.n_train_ = int(len(y))
        return self

    def _check(self) -> None:
        if not hasattr(self, "coef_"):
            raise ValueError("this Coder is not fitted: call fit() or framing.train_coder()")

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: options, classes, and the cross-validated metrics if any."""
        params = {"C": self.C, "class_weight": self.class_weight,
                  "encoder": getattr(self, "encoder_name_", None) or getattr(self.encoder, "name", None)}
        if not hasattr(self, "coef_"):
            return html_summary("Coder (not fitted)", params)
        params.update(label=self.label_, classes=list(self.classes_))
        report = getattr(self, "cv_report_", None)
        table = report.get("metrics") if isinstance(report, dict) else None
        return html_summary("Coder", params, table)

    def to_frame(self) -> pd.DataFrame:
        """The cross-validated metrics as a tidy table (set by :func:`train_coder`): one row per
        (metric, group), ``group`` ``"all"`` for the pooled folds and the held-out group for
        the leave-one-group-out transfer; ``metric``, ``group``, ``estimate``, ``ci_low``,
        ``ci_high`` (NaN for transfer), ``n``, ``n_docs``."""
        report = getattr(self, "cv_report_", None)
        cols = ["metric", "group", "estimate", "ci_low", "ci_high", "n", "n_docs"]
        if not isinstance(report, dict):
            return pd.DataFrame(columns=cols)
        parts = [report["metrics"].assign(group="all")]
        transfer = report.get("transfer")
        if transfer is not None and len(transfer):
            metrics = [c for c in transfer.columns if c not in ("group", "n", "n_docs")]
            parts.append(transfer.melt(id_vars=["group", "n", "n_docs"], value_vars=metrics, var_name="metric",
                                       value_name="estimate").assign(ci_low=np.nan, ci_high=np.nan))
        return pd.concat(parts, ignore_index=True)[cols]

    def summary(self) -> pd.DataFrame:
        """The pooled cross-validated metrics: ``metric``, ``estimate``, ``ci_low``, ``ci_high``."""
        out = self.to_frame()
        return out[out["group"] == "all"][["metric", "estimate", "ci_low", "ci_high"]].reset_index(drop=True)

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        self._check()
        return X @ self.coef_.T + self.intercept_

    def predict_proba(self, sentences: pd.DataFrame, *, embeddings: Any = None) -> pd.DataFrame:
        """Class probabilities: one column per class, rows in the table's order (same index)."""
        self._check()
        X = _embed(sentences, embeddings, self.encoder, "Coder.predict_proba")
        if X.shape[1] != self.coef_.shape[1]:
            raise ValueError(f"Coder.predict_proba: embeddings have dimension {X.shape[1]}, the coder "
                             f"{self.coef_.shape[1]} (another encoder?)")
        z = self.decision_function(X)
        if len(self.classes_) == 2:  # scikit-learn's binary parameterisation
            p1 = 1.0 / (1.0 + np.exp(-z[:, 0]))
            P = np.column_stack([1 - p1, p1])
        else:
            z = z - z.max(axis=1, keepdims=True)
            P = np.exp(z)
            P /= P.sum(axis=1, keepdims=True)
        return pd.DataFrame(P, columns=[str(c) for c in self.classes_], index=sentences.index)

    def predict(self, sentences: pd.DataFrame, *, embeddings: Any = None) -> pd.Series:
        """The most probable class per sentence (same index as the table)."""
        P = self.predict_proba(sentences, embeddings=embeddings)
        return P.idxmax(axis=1).rename("predicted")

    # -- saving without pickle ------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write ``path`` (JSON: parameters, classes, encoder name, report) and ``path.npz``."""
        self._check()
        path = Path(path)
        meta = {"format": "framing.Coder", "version": 1, "C": self.C, "class_weight": self.class_weight,
                "max_iter": self.max_iter, "random_state": self.random_state,
                "classes": [str(c) for c in self.classes_], "encoder_name": self.encoder_name_,
                "label": self.label_, "n_train": self.n_train_}
        if hasattr(self, "cv_report_"):
            meta["cv_metrics"] = self.cv_report_["metrics"].to_dict("records")
        path.write_text(json.dumps(meta, indent=2, default=float), encoding="utf-8")
        np.savez(path.with_suffix(path.suffix + ".npz"), coef=self.coef_, intercept=self.intercept_)
        return path

    @classmethod
    def load(cls, path: str | Path, *, encoder: Any = None) -> Coder:
        """Read a coder written by :meth:`save`; ``encoder`` must have the same ``name``."""
        path = Path(path)
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: not a saved Coder ({exc})") from None
        if meta.get("format") != "framing.Coder":
            raise ValueError(f"{path}: not a saved Coder (format {meta.get('format')!r})")
        if encoder is not None and meta.get("encoder_name") and getattr(encoder, "name", None) != meta["encoder_name"]:
            raise ValueError(f"{path}: the coder was trained on {meta['encoder_name']!r} embeddings, "
                             f"not {getattr(encoder, 'name', None)!r}")
        with np.load(path.with_suffix(path.suffix + ".npz"), allow_pickle=False) as z:
            coef, intercept = z["coef"], z["intercept"]
        c = cls(encoder, C=meta["C"], class_weight=meta["class_weight"], max_iter=meta["max_iter"],
                random_state=meta["random_state"])
        c.classes_ = np.asarray(meta["classes"], dtype=object)
        c.coef_, c.intercept_ = coef, intercept
        c.encoder_name_, c.label_, c.n_train_ = meta["encoder_name"], meta["label"], meta["n_train"]
        return c


def _metrics(y: np.ndarray, P: np.ndarray, classes: Sequence[str]) -> dict[str, float]:
    from sklearn.metrics import f1_score, roc_auc_score

    pred = np.asarray(classes, dtype=object)[P.argmax(axis=1)]
    out = {"accuracy": float((pred == y).mean()),
           "macro_f1": float(f1_score(y, pred, labels=list(classes), average="macro", zero_division=0))}
    present = [c for c in classes if (y == c).any() and (y != c).any()]
    if len(present) == len(classes) and len(classes) >= 2:
        if len(classes) == 2:
            out["auc"] = float(roc_auc_score((y == classes[1]).astype(int), P[:, 1]))
        else:
            out["auc"] = float(roc_auc_score(y, P, labels=list(classes), multi_class="ovr", average="macro"))
    else:
        out["auc"] = float("nan")
    return out


def train_coder(coded: pd.DataFrame, *, label: str, encoder: Any = None, embeddings: Any = None,
                n_splits: int = 5, C: float = 1.0, class_weight: str | None = "balanced",
                group: Any = "outlet", n_boot: int = 1000, alpha: float = 0.05,
                random_state: int | np.random.Generator | None = None) -> Coder:
    """Train a :class:`Coder` on coded sentences and cross-validate it by document.

    Parameters
    ----------
    coded : DataFrame
        Coded sentences: ``doc_id``, ``text`` (unless ``embeddings`` is given) and ``label``.
    label : str
        The code column.
    encoder : object with ``encode(texts)``, optional
        Sentence encoder (kept in the coder for prediction).
    embeddings : array, optional
        One row per coded sentence (otherwise the encoder embeds ``text``).
    n_splits : int
        Folds of the document-grouped cross-validation (scikit-learn ``StratifiedGroupKFold``).
    C, class_weight
        See :class:`Coder`.
    group : str, mapping, (column, mapping) or None
        Groups for leave-one-group-out transfer (train on the other groups, test on one): the
        glossary's ``group=`` (a column, a mapping ``{outlet: label}`` or a pair); a column
        the table lacks means no transfer report.
    n_boot, alpha, random_state
        Document-bootstrap intervals of the cross-validated metrics.

    Returns
    -------
    Coder
        Fitted on all coded sentences, with ``cv_report_``.

    Examples
    --------
    >>> from framing.testing import HashEncoder
    >>> texts = ["a free fair vote today", "the people voted freely", "a sham staged vote", "votes at gunpoint"] * 6
    >>> coded = pd.DataFrame({"doc_id": [f"d{i}" for i in range(24)], "sent_id": [f"d{i}:0" for i in range(24)],
    ...                       "text": texts, "stance": ["leg", "leg", "del", "del"] * 6, "outlet": ["A", "B"] * 12})
    >>> coder = train_coder(coded, label="stance", encoder=HashEncoder(dim=64), n_splits=3, n_boot=100, random_state=0)
    >>> float(coder.cv_report_["metrics"].set_index("metric").loc["accuracy", "estimate"])
    1.0
    """
    from sklearn.model_selection import StratifiedGroupKFold

    for c in ("doc_id", label):
        if c not in coded.columns:
            raise ValueError(f"train_coder: the coded table has no column {c!r}")
    if coded[label].isna().any():
        row = int(np.flatnonzero(coded[label].isna().to_numpy())[0])
        raise ValueError(f"train_coder: coded row {row}, column {label!r}: missing code")
    rng = as_rng(random_state)
    seed = int(rng.integers(2**31 - 1))
    X = _embed(coded, embeddings, encoder, "train_coder")
    y = coded[label].astype(str).to_numpy()
    docs = coded["doc_id"].astype(str).to_numpy()
    classes = sorted(set(y))
    counts = pd.Series(y).value_counts()
    k = int(min(n_splits, counts.min(), len(set(docs))))
    if k < 2:
        raise ValueError(f"train_coder: too few coded sentences per class for cross-validation: {counts.to_dict()}")
    oof = np.full((len(y), len(classes)), np.nan)
    folds = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    for tr, te in folds.split(X, y, groups=docs):
        m = Coder(C=C, class_weight=class_weight, random_state=seed).fit(coded.iloc[tr], y[tr], embeddings=X[tr])
        # a class absent from a training fold gets probability 0 there
        oof[te] = m.predict_proba(coded.iloc[te], embeddings=X[te]).reindex(columns=classes, fill_value=0.0).to_numpy()
    point = _metrics(y, oof, classes)
    # document bootstrap of the out-of-fold metrics
    udocs, inv = np.unique(docs, return_inverse=True)
    rows_of = [np.flatnonzero(inv == d) for d in range(len(udocs))]
    draws = {m: [] for m in point}
    for _ in range(int(n_boot)):
        pick = np.concatenate([rows_of[d] for d in rng.integers(0, len(udocs), len(udocs))])
        for m, v in _metrics(y[pick], oof[pick], classes).items():
            draws[m].append(v)
    mrows = []
    for m, v in point.items():
        d = np.asarray(draws[m], dtype=float)
        d = d[np.isfinite(d)]
        lo, hi = (percentile_interval(d, alpha) if len(d) else (np.nan, np.nan))
        mrows.append({"metric": m, "estimate": v, "ci_low": float(lo), "ci_high": float(hi), "n": len(y),
                      "n_docs": len(udocs)})
    pred = np.asarray(classes, dtype=object)[oof.argmax(axis=1)]
    confusion = pd.crosstab(pd.Series(y, name="coded"), pd.Series(pred, name="predicted")).reindex(
        index=classes, columns=classes, fill_value=0)
    transfer = []
    if group is not None and not (isinstance(group, str) and group not in coded.columns):
        labels = group_labels(coded, group, name="coded")
        g = (labels.astype(str) if isinstance(group, str) else labels).to_numpy(dtype=object)
        for out_g in sorted({x for x in g if not pd.isna(x)}, key=str):
            te, tr = g == out_g, g != out_g
            if len(set(y[tr])) < 2 or te.sum() == 0:
                continue
            m = Coder(C=C, class_weight=class_weight, random_state=seed).fit(coded[tr], y[tr], embeddings=X[tr])
            P = m.predict_proba(coded[te], embeddings=X[te]).reindex(columns=classes, fill_value=0.0).to_numpy()
            met = _metrics(y[te], P, classes)
            transfer.append({"group": out_g, **met, "n": int(te.sum()), "n_docs": int(len(set(docs[te])))})
    coder = Coder(encoder, C=C, class_weight=class_weight, random_state=seed).fit(coded, y, embeddings=X)
    coder.label_ = label
    coder.cv_report_ = {"metrics": pd.DataFrame(mrows), "confusion": confusion,
                        "transfer": pd.DataFrame(transfer),
                        "oof": pd.DataFrame(oof, columns=classes, index=coded.index),
                        "folds": k, "grouped_by": "doc_id", "bootstrap": {"n_boot": int(n_boot), "alpha": alpha}}
    return coder
