"""What each cluster is about: :func:`describe_clusters` and :class:`ClusterDescription`."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from framing._checks import GroupSpec, group_labels, require_columns, resolve_embeddings
from framing._display import html_summary

from ._numeric import ClusterError
from .stability import _labels_array

__all__ = ["describe_clusters", "ClusterDescription"]


@dataclass
class ClusterDescription:
    """What :func:`describe_clusters` returns: four tidy tables.

    Attributes
    ----------
    terms : DataFrame
        ``cluster``, ``rank`` (1 = most distinctive), ``term``, ``score`` (c-TF-IDF),
        ``count`` (occurrences in the cluster).
    exemplars : DataFrame
        ``cluster``, ``rank``, ``row`` (position in the input table), ``doc_id``, (``sent_id``),
        the group column (``outlet`` by default), ``text``, ``similarity`` (cosine to the
        cluster centroid).
    sizes : DataFrame
        ``cluster``, the group column, ``n``, ``share_of_cluster``, ``share_of_group``.
    clusters : DataFrame
        One row per cluster: ``cluster``, ``size``, ``share``, ``top_terms`` (joined),
        ``exemplar`` (the most central text), ``groups`` (count per group as text); what
        :meth:`to_frame` returns.
    """

    terms: pd.DataFrame
    exemplars: pd.DataFrame
    sizes: pd.DataFrame
    clusters: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """One row per cluster: size, share, top terms, the most central text, groups (a copy)."""
        return self.clusters.copy()

    def summary(self) -> pd.DataFrame:
        """The short table: ``cluster``, ``size``, ``share``, ``top_terms``."""
        return self.clusters[["cluster", "size", "share", "top_terms"]].copy()

    def __repr__(self) -> str:
        return (f"ClusterDescription({len(self.clusters)} clusters)\n"
                f"{self.clusters.to_string(index=False, max_colwidth=60)}")

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: one row per cluster (size, top terms, exemplar)."""
        return html_summary("ClusterDescription", {"clusters": len(self.clusters)}, self.clusters)


def describe_clusters(table: pd.DataFrame, labels: Any, *, embeddings: Any = None, encoder: Any = None,
                      text: str = "text", group: GroupSpec = "outlet", top_terms: int = 10, exemplars: int = 5,
                      stop_words: str | Sequence[str] | None = "english", ngram_range: tuple[int, int] = (1, 1),
                      min_df: int = 2) -> ClusterDescription:
    """Describe each cluster: distinguishing terms, central exemplars, size per outlet.

    Terms are ranked by class-based TF-IDF (Grootendorst 2022): all texts of a cluster are
    one class; with ``tf[t, c]`` the frequency of term t in class c divided by the class's
    total term count, ``A`` the average number of terms per class and ``f[t]`` the total
    count of t over all classes, ``score[t, c] = tf[t, c] * log(1 + A / f[t])``. Counting uses
    scikit-learn's ``CountVectorizer`` (English stop words removed by default; terms in
    fewer than ``min_df`` texts ignored). Unclustered rows (-1) form their own class, so the
    vocabulary weights are not skewed by leaving them out, and are described too.

    Exemplars are the texts whose embeddings are most cosine-similar to the cluster's
    normalised mean embedding.

    Parameters
    ----------
    table : DataFrame
        Sentence table (``framing.split_sentences``) or corpus, one row per clustered item,
        with the ``text`` column (and ``doc_id``/``sent_id`` if present).
    labels : array of int, or a fitted Clusterer / StableClusters
        Cluster per row (-1 = unclustered).
    embeddings : array, optional
        One row per table row; else ``encoder`` is used to embed ``table[text]``. An
        all-zero row is an error (it has no direction).
    encoder : object with ``encode(texts)``, optional
    text : str
        Column with the texts.
    group : str, mapping, (column, mapping) or None
        The glossary's ``group=``: a column name (default ``"outlet"``), a mapping
        ``{outlet: label}``, a ``(column, mapping)`` pair, or None (one group). Rows in no
        group are left out of ``sizes`` only. The group column of ``exemplars`` and ``sizes``
        is named after the column, or ``group`` for a mapping.
    top_terms, exemplars : int
        How many terms and exemplar texts per cluster.
    stop_words, ngram_range, min_df
        Passed to ``CountVectorizer``.

    Returns
    -------
    ClusterDescription

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.testing import HashEncoder
    >>> t = pd.DataFrame({"doc_id": list("abcdef"), "outlet": ["X", "X", "Y", "Y", "X", "Y"],
    ...                   "text": ["missile strike city", "missile strike base", "strike missile",
    ...                            "vote referendum ballot", "referendum vote result", "ballot vote"]})
    >>> d = describe_clusters(t, [0, 0, 0, 1, 1, 1], encoder=HashEncoder(), top_terms=2, exemplars=1, min_df=1)
    >>> d.terms.groupby("cluster")["term"].apply(list).to_dict()
    {0: ['missile', 'strike'], 1: ['vote', 'ballot']}
    >>> d.sizes.query("cluster == 0")[["outlet", "n"]].to_dict("list")
    {'outlet': ['X', 'Y'], 'n': [2, 1]}
    >>> d.summary().columns.tolist()
    ['cluster', 'size', 'share', 'top_terms']
    """
    require_columns(table, [text], name="table", error=ClusterError)
    gvals = group_labels(table, group, name="table", error=ClusterError)
    gname = group if isinstance(group, str) else "group"
    n = len(table)
    lab = _labels_array(labels, n)
    texts = table[text].astype(str).tolist()
    E = resolve_embeddings(texts, embeddings=embeddings, encoder=encoder, what="table row", error=ClusterError)
    classes = np.unique(lab)
    terms = _ctfidf_terms(texts, lab, classes, top_terms, stop_words, ngram_range, min_df)
    exemplar_df = _exemplars(table, texts, lab, classes, E, gvals, gname, exemplars)
    keep = gvals.notna().to_numpy()
    g = gvals[keep].astype(str).to_numpy()
    sizes = (pd.DataFrame({"cluster": lab[keep], gname: g}).groupby(["cluster", gname]).size()
             .rename("n").reset_index())
    sizes["share_of_cluster"] = sizes["n"] / sizes.groupby("cluster")["n"].transform("sum")
    sizes["share_of_group"] = sizes["n"] / sizes[gname].map(pd.Series(g).value_counts()).astype(float)
    summ = []
    for c in classes:
        tt = terms.loc[terms["cluster"] == c, "term"].tolist()
        ex = exemplar_df.loc[exemplar_df["cluster"] == c, "text"]
        per = sizes[sizes["cluster"] == c].sort_values("n", ascending=False)
        summ.append({"cluster": int(c), "size": int((lab == c).sum()), "share": float((lab == c).mean()),
                     "top_terms": ", ".join(tt), "exemplar": ex.iloc[0] if len(ex) else "",
                     "groups": ", ".join(f"{o} {k}" for o, k in zip(per[gname], per["n"]))})
    return ClusterDescription(terms=terms, exemplars=exemplar_df, sizes=sizes, clusters=pd.DataFrame(summ))


def _ctfidf_terms(texts: list[str], lab: np.ndarray, classes: np.ndarray, top_terms: int,
                  stop_words: Any, ngram_range: tuple[int, int], min_df: int) -> pd.DataFrame:
    """The ``top_terms`` terms of each class by class-based TF-IDF (Grootendorst 2022)."""
    from sklearn.feature_extraction.text import CountVectorizer

    n = len(texts)
    cls_index = np.searchsorted(classes, lab)
    try:
        cv = CountVectorizer(stop_words=stop_words, ngram_range=ngram_range, min_df=min_df)
        counts = cv.fit_transform(texts)
        vocab = np.asarray(cv.get_feature_names_out())
    except ValueError:  # empty vocabulary (e.g. min_df too high for a tiny table)
        counts = sparse.csr_matrix((n, 0))
        vocab = np.array([], dtype=object)
    onehot = sparse.csr_matrix((np.ones(n), (cls_index, np.arange(n))), shape=(len(classes), n))
    class_counts = np.asarray((onehot @ counts).todense(), dtype=float)  # (C, V)
    rows = []
    if class_counts.shape[1]:
        totals = class_counts.sum(axis=1, keepdims=True)
        tf = np.divide(class_counts, totals, out=np.zeros_like(class_counts), where=totals > 0)
        f_t = class_counts.sum(axis=0)
        A = class_counts.sum() / len(classes)
        ctfidf = tf * np.log1p(A / np.maximum(f_t, 1))[None, :]
        for ci, c in enumerate(classes):
            order = [j for j in np.lexsort((vocab, -ctfidf[ci])) if class_counts[ci, j] > 0][:top_terms]
            for r, j in enumerate(order, start=1):
                rows.append({"cluster": int(c), "rank": r, "term": str(vocab[j]),
                             "score": float(ctfidf[ci, j]), "count": int(class_counts[ci, j])})
    return pd.DataFrame(rows, columns=["cluster", "rank", "term", "score", "count"])


def _exemplars(table: pd.DataFrame, texts: list[str], lab: np.ndarray, classes: np.ndarray, E: np.ndarray,
               gvals: pd.Series, gname: str, exemplars: int) -> pd.DataFrame:
    """The ``exemplars`` texts of each class nearest (cosine) to its normalised mean embedding."""
    id_cols = [c for c in ("doc_id", "sent_id") if c in table.columns]
    rows = []
    for c in classes:
        members = np.flatnonzero(lab == c)
        centroid = E[members].astype(np.float64).mean(axis=0)
        norm = np.linalg.norm(centroid)
        centroid = centroid / norm if norm > 0 else centroid
        sims = E[members] @ centroid
        for r, i in enumerate(members[np.lexsort((members, -sims))][:exemplars], start=1):
            rec = {"cluster": int(c), "rank": r, "row": int(i)}
            for col in id_cols:
                rec[col] = table[col].iloc[i]
            rec[gname] = gvals.iloc[i]
            rec["text"] = texts[i]
            rec["similarity"] = float(E[i] @ centroid)
            rows.append(rec)
    return pd.DataFrame(rows, columns=["cluster", "rank", "row", *id_cols, gname, "text", "similarity"])
