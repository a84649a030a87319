"""Align the sentences of one story's articles across outlets into claims.

:func:`align_claims` links sentences of different outlets by mutual best matches whose
ratio margin over their neighbourhood is high enough (Artetxe & Schwenk 2019) and groups the
links into claims of at most one sentence per outlet; :class:`ClaimAlignment` holds the
result. The side-by-side HTML view is :func:`framing.plot.storyview.render_story_view`.

References
----------
Artetxe, M. & Schwenk, H. (2019). Margin-based parallel corpus mining with multilingual
sentence embeddings. *ACL 2019*, 3197-3203.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from framing._checks import require_columns, resolve_embeddings
from framing._display import html_summary
from framing.align.entities import _texts

__all__ = ["ClaimAlignment", "align_claims", "ARTICLE_COLUMNS"]

#: Article metadata that :func:`align_claims` keeps (per ``doc_id``) when the sentence table has it.
ARTICLE_COLUMNS: tuple[str, ...] = ("title", "published", "url")


@dataclass
class ClaimAlignment:
    """Claims of one story aligned across outlets (see :func:`align_claims`).

    Attributes
    ----------
    claims : DataFrame
        One row per sentence: ``claim_id``, ``outlet``, ``sent_id``, ``doc_id``, ``text``,
        ``similarity`` (cosine of the sentence's best accepted link inside its claim; NaN
        for a sentence no other outlet matches), ``position`` (index in its article).
    coverage : DataFrame
        Boolean claim x outlet matrix (index ``claim_id``, one column per outlet): does the
        outlet carry the claim?
    omissions : DataFrame
        ``outlet``, ``claim_id``, ``carried_by`` (comma-separated outlets that carry it),
        ``n_carriers``: one row for each claim an outlet does not carry.
    links : DataFrame
        Every accepted cross-outlet sentence link: ``sent_id_a``, ``outlet_a``,
        ``sent_id_b``, ``outlet_b``, ``similarity``, ``margin``, ``used`` (False when the
        one-sentence-per-outlet rule kept it out of a claim).
    outlets : list of str
        Outlets in column order.
    story : str or None
        Story label.
    params : dict
        Parameters of the alignment.
    articles : DataFrame
        One row per article in order of first appearance: ``doc_id``, ``outlet``, and
        ``title``, ``published``, ``url`` when the sentence table carries them (see
        :data:`ARTICLE_COLUMNS`; the story view shows them in its column headers).
    """

    claims: pd.DataFrame
    coverage: pd.DataFrame
    omissions: pd.DataFrame
    links: pd.DataFrame
    outlets: list[str]
    story: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    articles: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["doc_id", "outlet"]))

    @property
    def n_claims(self) -> int:
        """Number of claims (shared and singleton)."""
        return len(self.coverage)

    def shared(self, min_outlets: int = 2) -> pd.DataFrame:
        """Claims carried by at least ``min_outlets`` outlets (rows of :attr:`claims`)."""
        keep = self.coverage.index[self.coverage.sum(axis=1) >= min_outlets]
        return self.claims[self.claims["claim_id"].isin(keep)].reset_index(drop=True)

    def unique(self, outlet: str | None = None) -> pd.DataFrame:
        """Claims one outlet alone carries (optionally only those of ``outlet``)."""
        alone = self.coverage.index[self.coverage.sum(axis=1) == 1]
        out = self.claims[self.claims["claim_id"].isin(alone)]
        if outlet is not None:
            if outlet not in self.outlets:
                raise ValueError(f"unknown outlet {outlet!r}; outlets are {self.outlets}")
            out = out[out["outlet"] == outlet]
        return out.reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: one row per sentence with its claim (a copy of :attr:`claims`),
        plus ``n_carriers`` (outlets carrying the claim)."""
        n_car = self.coverage.sum(axis=1)
        out = self.claims.copy()
        out["n_carriers"] = out["claim_id"].map(n_car).astype("int64")
        return out

    def summary(self) -> pd.DataFrame:
        """Per outlet: sentences, claims carried, shared, carried alone, omitted (one row per outlet)."""
        cov = self.coverage
        n_car = cov.sum(axis=1)
        rows = []
        for o in self.outlets:
            has = cov[o]
            rows.append({
                "outlet": o,
                "n_sentences": int((self.claims["outlet"] == o).sum()),
                "n_claims": int(has.sum()),
                "n_shared": int((has & (n_car >= 2)).sum()),
                "n_unique": int((has & (n_car == 1)).sum()),
                "n_omitted": int((~has).sum()),
                "n_omitted_shared": int((~has & (n_car >= 2)).sum()),
            })
        return pd.DataFrame(rows, columns=["outlet", "n_sentences", "n_claims", "n_shared", "n_unique",
                                           "n_omitted", "n_omitted_shared"])

    def to_html(self, path: str | Path | None = None, *, title: str | None = None,
                max_claims: int | None = None, min_outlets: int = 1) -> str:
        """Deprecated: the story view is drawn by the plot stage.

        Use ``framing.render_story_view(alignment, path=..., title=...)``
        (:func:`framing.plot.storyview.render_story_view`). An analysis result does not
        import the plot stage, so this method only raises (with a DeprecationWarning first).
        """
        warnings.warn("ClaimAlignment.to_html() is deprecated: use framing.render_story_view(alignment, "
                      "path=..., title=...)", DeprecationWarning, stacklevel=2)
        raise NotImplementedError("ClaimAlignment.to_html() moved to the plot stage: call "
                                  "framing.render_story_view(alignment, path=path, title=title, "
                                  "max_claims=max_claims, min_outlets=min_outlets)")

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: the parameters and the per-outlet summary.

        The side-by-side view is :func:`framing.render_story_view`.
        """
        n_shared = int((self.coverage.sum(axis=1) >= 2).sum())
        return html_summary("ClaimAlignment", {"story": self.story, "outlets": self.outlets,
                                               "claims": self.n_claims, "shared": n_shared,
                                               "omissions": len(self.omissions)}, self.summary(),
                            note="side by side: framing.render_story_view(alignment)")

    def __repr__(self) -> str:
        n_shared = int((self.coverage.sum(axis=1) >= 2).sum())
        return (f"ClaimAlignment(story={self.story!r}, outlets={self.outlets}, "
                f"claims={self.n_claims}, shared={n_shared})")


def _margin_links(Xa: np.ndarray, Xb: np.ndarray, *, k: int, min_similarity: float,
                  margin: float, mutual: bool) -> list[tuple[int, int, float, float]]:
    """Accepted (i, j, cosine, ratio margin) links between two sentence sets.

    Ratio margin (Artetxe & Schwenk 2019): cos(x, y) divided by the mean of the average
    cosine of x to its k nearest neighbours in b and of y to its k nearest in a.
    """
    if len(Xa) == 0 or len(Xb) == 0:
        return []
    S = Xa.astype(np.float64) @ Xb.T.astype(np.float64)
    ka, kb = min(k, S.shape[1]), min(k, S.shape[0])
    nn_a = -np.sort(-S, axis=1)[:, :ka].mean(axis=1)
    nn_b = -np.sort(-S, axis=0)[:kb, :].mean(axis=0)
    denom = np.maximum((nn_a[:, None] + nn_b[None, :]) / 2, 1e-6)
    M = S / denom
    best_b = S.argmax(axis=1)
    best_a = S.argmax(axis=0)
    links = []
    for i in range(S.shape[0]):
        cands = [int(best_b[i])] if mutual else list(range(S.shape[1]))
        for j in cands:
            if mutual and int(best_a[j]) != i:
                continue
            if not mutual and (int(best_b[i]) != j and int(best_a[j]) != i):
                continue
            if S[i, j] >= min_similarity and M[i, j] >= margin:
                links.append((i, j, float(S[i, j]), float(M[i, j])))
    return links


def align_claims(
    sentences: pd.DataFrame,
    *,
    embeddings: np.ndarray | None = None,
    encoder: Any = None,
    story: str | None = None,
    min_similarity: float = 0.55,
    margin: float = 1.05,
    mutual: bool = True,
    k: int = 4,
    outlets: Sequence[str] | None = None,
) -> ClaimAlignment:
    """Align the sentences of one story's articles across outlets into claims.

    For every pair of outlets, each sentence is compared with all sentences of the other
    outlet (cosine of the embeddings; the order of sentences plays no part). A link is
    accepted when the two sentences are each other's best match (``mutual``), their cosine
    is at least ``min_similarity``, and their ratio margin (Artetxe & Schwenk 2019) --
    the cosine divided by the average cosine of both sentences to their ``k`` nearest
    candidates -- is at least ``margin``, i.e. the match clearly stands out from the
    next-best candidates. Claims are then grown from the accepted links in order of
    decreasing cosine, joining two groups only if they share no outlet, so a claim has
    at most one sentence per outlet (a link that would break this is reported with
    ``used=False``). Every sentence without an accepted link is a singleton claim. Claims
    are numbered by the mean relative position of their sentences in their articles.

    Parameters
    ----------
    sentences : DataFrame
        Sentence table of one story (``doc_id``, ``sent_id``, ``outlet``, ``text``;
        ``position`` is used for ordering when present; ``title``, ``published`` and ``url``
        are kept per article in :attr:`ClaimAlignment.articles` when present). With a
        ``story_id`` column and ``story`` given, only that story's rows are used.
    embeddings : ndarray, optional
        Sentence embeddings, one L2-normalised row per row of ``sentences``.
    encoder : object, optional
        Encoder used when ``embeddings`` is None.
    story : str, optional
        Story label (selects rows when ``sentences`` has ``story_id``).
    min_similarity : float
        Minimum cosine of an accepted link.
    margin : float
        Minimum ratio margin of an accepted link (1.0 disables the margin test).
    mutual : bool
        Require mutual best matches (else a best match in either direction suffices).
    k : int
        Neighbourhood size of the margin.
    outlets : sequence of str, optional
        Outlet column order (default: order of first appearance).

    Returns
    -------
    ClaimAlignment

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.testing import HashEncoder
    >>> s = pd.DataFrame({
    ...     "doc_id": ["a", "a", "b", "b"], "sent_id": ["a:0", "a:1", "b:0", "b:1"],
    ...     "outlet": ["A", "A", "B", "B"],
    ...     "text": ["Russia vetoed the resolution", "Markets were calm",
    ...              "Officials praised the harvest", "the resolution Russia vetoed"]})
    >>> al = align_claims(s, encoder=HashEncoder(), min_similarity=0.5, margin=1.0)
    >>> al.coverage.astype(int).values.tolist()  # claims ordered by position in the articles
    [[0, 1], [1, 1], [1, 0]]
    """
    require_columns(sentences, ("doc_id", "sent_id", "outlet", "text"), name="sentences")
    df, embeddings, story = _story_rows(sentences, story, embeddings)
    if not (0 <= min_similarity <= 1):
        raise ValueError(f"min_similarity must be in [0, 1], got {min_similarity}")
    if margin < 0 or k < 1:
        raise ValueError(f"margin must be >= 0 and k >= 1, got margin={margin}, k={k}")
    X = resolve_embeddings(_texts(df["text"]), embeddings=embeddings, encoder=encoder, what="sentence",
                           zero="keep")
    outl = df["outlet"].astype(str).tolist()
    order = _outlet_order(outl, outlets)
    links = _accepted_links(X, outl, order, k=k, min_similarity=min_similarity, margin=margin, mutual=mutual)
    roots, best_sim, used = _group_links(links, outl)
    pos = _positions(df)
    cid, claim_ids = _claim_ids(df, roots, pos)
    claims = _claims_table(df, roots, cid, outl, best_sim, pos, order, claim_ids)
    coverage, omissions = _coverage(claims, claim_ids, order)
    sid = df["sent_id"].astype(str).tolist()
    link_df = pd.DataFrame(
        [(sid[a], outl[a], sid[b], outl[b], sim, mar, u) for (a, b, sim, mar), u in zip(links, used)],
        columns=["sent_id_a", "outlet_a", "sent_id_b", "outlet_b", "similarity", "margin", "used"],
    )
    params = {"min_similarity": min_similarity, "margin": margin, "mutual": mutual, "k": k,
              "encoder": getattr(encoder, "name", None) if embeddings is None else None}
    return ClaimAlignment(claims=claims, coverage=coverage, omissions=omissions, links=link_df,
                          outlets=order, story=story, params=params, articles=_articles(df))


def _story_rows(sentences: pd.DataFrame, story: str | None, embeddings: Any
                ) -> tuple[pd.DataFrame, Any, str | None]:
    """The rows (and embedding rows) of the story to align, with the story label."""
    df = sentences
    if "story_id" in df.columns:
        if story is not None:
            keep = (df["story_id"] == story).to_numpy()
            if not keep.any():
                raise ValueError(f"no sentences of story {story!r} (column 'story_id')")
            if embeddings is not None:
                embeddings = np.asarray(embeddings)[keep]
            df = df[keep]
        elif df["story_id"].nunique() > 1:
            raise ValueError("sentences hold several stories (column 'story_id'); pass story=...")
        elif len(df):
            story = str(df["story_id"].iloc[0])
    if df["sent_id"].duplicated().any():
        dup = df.loc[df["sent_id"].duplicated(), "sent_id"].iloc[0]
        raise ValueError(f"column 'sent_id' is not unique (e.g. {dup!r})")
    return df.reset_index(drop=True), embeddings, story


def _outlet_order(outl: list[str], outlets: Sequence[str] | None) -> list[str]:
    order = list(dict.fromkeys(outl))
    if outlets is not None:
        extra = [o for o in order if o not in outlets]
        if extra:
            raise ValueError(f"sentences have outlet(s) {extra} not in outlets={list(outlets)}")
        order = [str(o) for o in outlets]
    return order


def _accepted_links(X: np.ndarray, outl: list[str], order: list[str], *, k: int, min_similarity: float,
                    margin: float, mutual: bool) -> list[tuple[int, int, float, float]]:
    """Accepted links of every outlet pair (row indices), by decreasing cosine."""
    outl_arr = np.array(outl, dtype=object)
    idx = {o: np.flatnonzero(outl_arr == o) for o in order}
    links = []
    for ai, oa in enumerate(order):
        for ob in order[ai + 1:]:
            ia, ib = idx[oa], idx[ob]
            for i, j, sim, mar in _margin_links(X[ia], X[ib], k=k, min_similarity=min_similarity,
                                                margin=margin, mutual=mutual):
                links.append((int(ia[i]), int(ib[j]), sim, mar))
    links.sort(key=lambda t: (-t[2], t[0], t[1]))
    return links


def _group_links(links: list[tuple[int, int, float, float]], outl: list[str]
                 ) -> tuple[np.ndarray, np.ndarray, list[bool]]:
    """Union-find with outlet sets (at most one sentence per outlet per claim): each row's
    claim root, its best used cosine, and whether each link was used."""
    parent = list(range(len(outl)))
    members_outlets = [{o} for o in outl]
    best_sim = np.full(len(outl), np.nan)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    used = []
    for a, b, sim, _ in links:
        ra, rb = find(a), find(b)
        ok = ra != rb and not (members_outlets[ra] & members_outlets[rb])
        if ok:
            parent[rb] = ra
            members_outlets[ra] |= members_outlets[rb]
            for s in (a, b):
                best_sim[s] = sim if np.isnan(best_sim[s]) else max(best_sim[s], sim)
        used.append(ok)
    return np.array([find(i) for i in range(len(outl))]), best_sim, used


def _positions(df: pd.DataFrame) -> np.ndarray:
    """Index of each sentence in its article (``position`` when given, else row order)."""
    if "position" in df.columns:
        return pd.to_numeric(df["position"], errors="coerce").to_numpy(dtype=float)
    return df.groupby("doc_id", sort=False).cumcount().to_numpy(dtype=float)


def _claim_ids(df: pd.DataFrame, roots: np.ndarray, pos: np.ndarray) -> tuple[dict[Any, str], list[str]]:
    """Claim ids numbered by the mean relative position of their sentences in their articles."""
    doc = df["doc_id"].astype(str).to_numpy(dtype=object)
    rel = np.zeros(len(df))
    for d in pd.unique(doc):
        m = doc == d
        span = np.nanmax(pos[m]) if m.sum() > 1 else 0.0
        rel[m] = pos[m] / span if span and span > 0 else 0.0
    root_ids = pd.unique(roots)
    key = {r: (float(np.mean(rel[roots == r])), int(np.min(np.flatnonzero(roots == r)))) for r in root_ids}
    ranked = sorted(root_ids, key=lambda r: key[r])
    width = max(3, len(str(len(ranked))))
    cid = {r: f"c{k_ + 1:0{width}d}" for k_, r in enumerate(ranked)}
    return cid, [cid[r] for r in ranked]


def _claims_table(df: pd.DataFrame, roots: np.ndarray, cid: dict[Any, str], outl: list[str],
                  best_sim: np.ndarray, pos: np.ndarray, order: list[str], claim_ids: list[str]) -> pd.DataFrame:
    claims = pd.DataFrame({
        "claim_id": pd.array([cid[r] for r in roots], dtype="str"),
        "outlet": pd.array(outl, dtype="str"),
        "sent_id": df["sent_id"].astype("str").to_numpy(),
        "doc_id": df["doc_id"].astype("str").to_numpy(),
        "text": df["text"].astype("str").to_numpy(),
        "similarity": best_sim,
        "position": pos,
    })
    rank_of = {c: i for i, c in enumerate(claim_ids)}
    claims = claims.assign(_r=claims["claim_id"].map(rank_of),
                           _o=claims["outlet"].map({o: i for i, o in enumerate(order)}))
    claims = claims.sort_values(["_r", "_o", "position"], kind="stable").drop(columns=["_r", "_o"])
    return claims.reset_index(drop=True)


def _coverage(claims: pd.DataFrame, claim_ids: list[str], order: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The claim x outlet coverage matrix and the omissions table."""
    coverage = pd.DataFrame(False, index=pd.Index(claim_ids, name="claim_id"), columns=order)
    for c_, o in zip(claims["claim_id"], claims["outlet"]):
        coverage.loc[c_, o] = True
    coverage.columns.name = "outlet"
    om_rows = []
    for c_ in claim_ids:
        carriers = [o for o in order if coverage.loc[c_, o]]
        for o in order:
            if not coverage.loc[c_, o]:
                om_rows.append((o, c_, ", ".join(carriers), len(carriers)))
    omissions = pd.DataFrame(om_rows, columns=["outlet", "claim_id", "carried_by", "n_carriers"])
    return coverage, omissions.astype({"outlet": "str", "claim_id": "str", "carried_by": "str"})


def _articles(df: pd.DataFrame) -> pd.DataFrame:
    """One row per article: ``doc_id``, ``outlet`` and the metadata of :data:`ARTICLE_COLUMNS` present."""
    cols = ["doc_id", "outlet"] + [c for c in ARTICLE_COLUMNS if c in df.columns]
    out = df[cols].drop_duplicates("doc_id").reset_index(drop=True)
    return out.astype({"doc_id": "str", "outlet": "str"})
