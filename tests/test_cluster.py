"""Tests for framing.cluster: clustering, stability, description, outlet shares, share test."""
from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency
from sklearn.metrics import adjusted_rand_score

import framing.cluster as fc
from framing.cluster import (ClusterError, Clusterer, StableClusters, cluster_stability, describe_clusters,
                             outlet_shares, share_test)
from framing.stats import SmallGroupWarning
from framing.testing import HashEncoder


def blobs(n_per=(40, 40, 40), dim=24, spread=0.25, seed=0):
    """Well separated Gaussian blobs around random directions; returns X, true labels."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((len(n_per), dim))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    X = np.vstack([c + rng.standard_normal((n, dim)) * spread / np.sqrt(dim) for c, n in zip(centres, n_per)])
    y = np.repeat(np.arange(len(n_per)), n_per)
    return X, y


# ----------------------------------------------------------------------------- Clusterer

@pytest.mark.parametrize("method", ["kmeans", "agglomerative", "hdbscan"])
def test_recovers_planted_blobs(method):
    X, y = blobs()
    cl = Clusterer(method=method, k_range=(2, 8), random_state=0).fit(X)
    assert cl.n_clusters_ == 3
    assert adjusted_rand_score(y, cl.labels_) == pytest.approx(1.0)
    # clusters are numbered by decreasing size
    X2, y2 = blobs(n_per=(15, 50, 30), seed=3)
    lab = Clusterer(method=method, k_range=(2, 8), random_state=0).fit(X2).labels_
    assert np.bincount(lab[lab >= 0]).tolist() == [50, 30, 15]


def test_selection_criteria_pick_planted_k():
    X, y = blobs(n_per=(30,) * 5, seed=1)
    sil = Clusterer(k_range=(2, 9), criterion="silhouette", random_state=0).fit(X)
    assert sil.n_clusters_ == 5
    assert list(sil.selection_["k"]) == list(range(2, 10))
    assert sil.selection_.loc[sil.selection_["score"].idxmax(), "k"] == 5
    stab = Clusterer(k_range=(2, 12), random_state=0).fit(X)   # the default criterion
    assert stab.n_clusters_ == 5
    assert adjusted_rand_score(y, stab.labels_) == pytest.approx(1.0)
    sel = stab.selection_.set_index("k")
    assert sel.loc[5, "score"] == pytest.approx(1.0) and sel.loc[6, "score"] < 0.75
    assert list(sel.index) == [2, 3, 4, 5, 6, 7, 8]   # stopped after 3 failing k (patience)


def test_stability_criterion_does_not_reward_one_split_among_stable_clusters():
    """Four tight blobs and one wide blob: k=6 splits the wide blob arbitrarily. Its global
    ARI stays high, but its least stable cluster does not, so k=5 is chosen."""
    rng = np.random.default_rng(2)
    dim = 12
    X = np.vstack([np.eye(dim)[i] * 10 + rng.normal(0, 0.3 if i < 4 else 2.5, (40, dim)) for i in range(5)])
    cl = Clusterer(k_range=(2, 8), n_components=None, random_state=0).fit(X)
    sel = cl.selection_.set_index("k")
    assert cl.n_clusters_ == 5
    assert sel.loc[6, "ari"] > 0.75 > sel.loc[6, "score"]


def test_one_se_rule_on_a_synthetic_stability_curve():
    """The documented rule: largest k with score - se >= threshold; a near tie goes to the smaller k."""
    ks = np.array([2, 3, 4, 5, 6])
    score = np.array([0.99, 0.93, 0.80, 0.78, 0.40])
    # k=5 reaches the threshold (a point-estimate rule picks it) but not by one SE: k=4 wins
    se = np.array([0.002, 0.01, 0.02, 0.04, 0.05])
    k, accepted = fc._one_se_choice(ks, score, se, 0.75)
    assert k == 4
    assert accepted.tolist() == [True, True, True, False, False]
    # with a precise estimate at k=5 the rule does take it: it is not "always the smaller k"
    k, _ = fc._one_se_choice(ks, score, np.array([0.002, 0.01, 0.02, 0.02, 0.05]), 0.75)
    assert k == 5
    # accepted k need not be contiguous (k=3 can be unstable while k=4 is stable)
    k, accepted = fc._one_se_choice(ks, np.array([0.99, 0.6, 0.9, 0.5, 0.4]), np.full(5, 0.01), 0.75)
    assert k == 4 and accepted.tolist() == [True, False, True, False, False]
    # nothing accepted: the highest lower bound (here k=3, although k=4 has the higher score)
    k, accepted = fc._one_se_choice(ks, np.array([0.5, 0.70, 0.72, 0.3, 0.2]),
                                    np.array([0.01, 0.01, 0.05, 0.01, 0.01]), 0.75)
    assert k == 3 and not accepted.any()


def near_tie_blobs(sep=1.9, n=60, dim=12, seed=0):
    """Three tight blobs and a fourth made of two sub-blobs ``sep`` apart: k=4 is clearly
    stable, splitting the fourth blob (k=5) is only just stable -- a near tie at the threshold."""
    rng = np.random.default_rng(seed)
    C = np.eye(dim)[:4] * 10
    off = np.zeros(dim)
    off[5] = sep / 2
    X = np.vstack([c + rng.normal(0, 0.5, (n, dim)) for c in C[:3]]
                  + [C[3] + off + rng.normal(0, 0.5, (n // 2, dim)), C[3] - off + rng.normal(0, 0.5, (n // 2, dim))])
    return X, np.repeat([0, 1, 2, 3], [n, n, n, n])


@pytest.mark.parametrize("random_state", [0, 3])
def test_stability_selection_breaks_a_near_tie_by_one_standard_error(random_state):
    X, y = near_tie_blobs()
    cl = Clusterer(k_range=(3, 6), n_components=None, random_state=random_state).fit(X)
    sel = cl.selection_.set_index("k")
    # the table follows the documented rule, recomputed here from its score and se columns
    assert np.allclose(sel["lower"], sel["score"] - sel["se"])
    assert (sel["accepted"] == (sel["score"] - sel["se"] >= 0.75)).all()
    assert cl.n_clusters_ == max(sel.index[sel["accepted"]]) == sel.index[sel["chosen"]].item()
    # the fixture is a near tie: k=5 reaches 0.75 (a point-estimate rule would split the
    # fourth blob) but not by one standard error, so the planted 4 blobs are kept
    assert sel.loc[5, "score"] >= 0.75 > sel.loc[5, "lower"]
    assert cl.n_clusters_ == 4
    assert adjusted_rand_score(y, cl.labels_) == pytest.approx(1.0)
    # the unclear k got more clusterings (up to max_fits), the clear ones n_fits
    assert 20 < sel.loc[5, "n_fits"] <= 100
    assert sel.loc[4, "n_fits"] == 20 and sel.loc[4, "score"] == pytest.approx(1.0)
    # same random_state, same table
    again = Clusterer(k_range=(3, 6), n_components=None, random_state=random_state).fit(X).selection_
    pd.testing.assert_frame_equal(cl.selection_, again)


def test_jackknife_standard_error_matches_leave_one_clustering_out():
    rng = np.random.default_rng(0)
    F = 7
    S = rng.uniform(0.3, 1.0, (F, F))
    S = np.triu(S, 1) + np.triu(S, 1).T
    np.fill_diagonal(S, np.nan)
    mean, se = fc._jackknife_pair_mean(S)
    pairs = [(i, j) for i in range(F) for j in range(i + 1, F)]
    assert mean == pytest.approx(np.mean([S[i, j] for i, j in pairs]))
    loo = np.array([np.mean([S[i, j] for i, j in pairs if d not in (i, j)]) for d in range(F)])
    assert se == pytest.approx(np.sqrt((F - 1) / F * np.sum((loo - loo.mean()) ** 2)))


def test_pair_scores_match_sets_and_sklearn():
    rng = np.random.default_rng(3)
    labs = [rng.integers(0, 4, 50) for _ in range(3)]
    labs[1][:30] = labs[0][:30]          # partly the same clustering
    S, A = fc._pair_scores(labs)
    for i in range(3):
        for j in range(i + 1, 3):
            a, b = labs[i], labs[j]

            def best(u, v):
                return [max(len(set(np.flatnonzero(u == c)) & set(np.flatnonzero(v == d)))
                            / len(set(np.flatnonzero(u == c)) | set(np.flatnonzero(v == d))) for d in np.unique(v))
                        for c in np.unique(u)]
            assert S[i, j] == pytest.approx(min(min(best(a, b)), min(best(b, a))))
            assert S[j, i] == S[i, j]
            assert A[i, j] == pytest.approx(adjusted_rand_score(a, b))
    # extending the tables of the first two labelings by a third gives the same tables
    S2, A2 = fc._pair_scores(labs, *fc._pair_scores(labs[:2]))
    np.testing.assert_allclose(S2, S, equal_nan=True)
    np.testing.assert_allclose(A2, A, equal_nan=True)


def test_silhouette_matches_independent_formula():
    """The score used for selection is the cosine silhouette of Rousseeuw (1987)."""
    X, _ = blobs(n_per=(12, 12, 12), seed=2)
    cl = Clusterer(k_range=(3, 3), criterion="silhouette", n_components=None, subsample=10**6,
                   random_state=0).fit(X)
    Z = X / np.linalg.norm(X, axis=1, keepdims=True)
    D = 1 - Z @ Z.T
    lab = cl.labels_
    s = []
    for i in range(len(Z)):
        own = (lab == lab[i]) & (np.arange(len(Z)) != i)
        a = D[i, own].mean()
        b = min(D[i, lab == c].mean() for c in set(lab) if c != lab[i])
        s.append((b - a) / max(a, b))
    assert cl.selection_["score"].iloc[0] == pytest.approx(np.mean(s), abs=1e-5)


def test_same_random_state_same_labels_and_cosine_invariance():
    X, _ = blobs(n_per=(30, 30, 30, 30), spread=1.5, seed=4)
    a = Clusterer(n_clusters=4, random_state=7).fit(X).labels_
    b = Clusterer(n_clusters=4, random_state=7).fit(X).labels_
    assert np.array_equal(a, b)
    # rows are L2-normalised: rescaling a row changes nothing
    scale = np.random.default_rng(0).uniform(0.5, 5, size=(len(X), 1))
    c = Clusterer(n_clusters=4, random_state=7).fit(X * scale).labels_
    assert np.array_equal(a, c)
    g = Clusterer(n_clusters=4, random_state=np.random.default_rng(3)).fit(X).labels_
    assert len(np.unique(g)) == 4


def test_pca_reduction_and_predict():
    X, y = blobs(dim=100)
    cl = Clusterer(n_clusters=3, n_components=10, random_state=0).fit(X)
    assert cl.pca_ is not None and cl.cluster_centers_.shape == (3, 10)
    assert np.array_equal(cl.predict(X), cl.labels_)
    assert Clusterer(n_clusters=3, n_components=None, random_state=0).fit(X).pca_ is None


def test_text_fixture_with_hash_encoder():
    """Texts from disjoint vocabularies fall into their own clusters."""
    rng = np.random.default_rng(0)
    vocabs = [["missile", "strike", "drone", "shelling", "artillery", "front", "troops", "attack"],
              ["referendum", "ballot", "vote", "turnout", "polling", "station", "result", "annexation"],
              ["gas", "pipeline", "energy", "prices", "sanctions", "export", "market", "supply"]]
    texts, y = [], []
    for k, voc in enumerate(vocabs):
        for _ in range(20):
            # ten topic words plus words every text shares
            texts.append("officials said the " + " ".join(rng.choice(voc, size=10)))
            y.append(k)
    X = HashEncoder(dim=128).encode(texts)
    cl = Clusterer(k_range=(2, 6), n_components=None, random_state=0).fit(X)
    assert cl.n_clusters_ == 3
    assert adjusted_rand_score(y, cl.labels_) == pytest.approx(1.0)


def test_bad_input_errors():
    X, _ = blobs()
    with pytest.raises(ClusterError, match="method"):
        Clusterer(method="spectral").fit(X)
    with pytest.raises(ClusterError, match="hdbscan"):
        Clusterer(method="hdbscan", n_clusters=3).fit(X)
    bad = X.copy()
    bad[5, 2] = np.nan
    with pytest.raises(ClusterError, match="row 5"):
        Clusterer(n_clusters=2).fit(bad)
    zero = X.copy()
    zero[7] = 0
    with pytest.raises(ClusterError, match="row 7"):
        Clusterer(n_clusters=2).fit(zero)
    with pytest.raises(ClusterError, match="2-D"):
        Clusterer(n_clusters=2).fit(X[0])
    with pytest.raises(ClusterError, match="k_range"):
        Clusterer(k_range=(1, 5)).fit(X)
    with pytest.raises(ClusterError, match="n_fits"):
        Clusterer(n_fits=2).fit(X)
    with pytest.raises(ClusterError, match="max_fits"):
        Clusterer(n_fits=20, max_fits=10).fit(X)
    with pytest.raises(ClusterError, match="subsamples of 60"):
        Clusterer(k_range=(60, 70)).fit(X)
    with pytest.raises(ClusterError, match="selection_fraction"):
        Clusterer(selection_fraction=1.5).fit(X)
    with pytest.raises(ClusterError, match="predict"):
        Clusterer(method="hdbscan").fit(X).predict(X)


# ----------------------------------------------------------------------------- stability

def test_stable_blobs_are_stable_and_consensus_exact():
    X, y = blobs()
    sc = StableClusters(Clusterer(k_range=(2, 6)), n_boot=10, random_state=0).fit(X)
    assert sc.n_clusters_ == 3
    t = sc.clusters_
    assert t.loc[t["cluster"] >= 0, "stable"].all()
    assert t.loc[t["cluster"] >= 0, "jaccard_mean"].min() > 0.99
    assert adjusted_rand_score(y, sc.labels_) == pytest.approx(1.0)
    assert sc.unclustered_["n"] == 0 and t.loc[t["cluster"] == -1, "size"].item() == 0
    assert sc.ari_summary_["pairwise_mean"] == pytest.approx(1.0)
    assert len(sc.pairwise_ari_) == 10 * 9 // 2
    assert sc.resample_labels_.shape == (10, len(X))
    # subsample of 80 %: each resample holds exactly 96 of the 120 points
    assert ((sc.resample_labels_ != -2).sum(axis=1) == 96).all()


def test_split_blob_is_flagged_unstable():
    """Two tight blobs plus one wide blob; forcing k=4 splits the wide one arbitrarily."""
    rng = np.random.default_rng(5)
    dim = 10
    a = np.r_[10.0, np.zeros(dim - 1)]
    b = np.r_[0.0, 10.0, np.zeros(dim - 2)]
    c = np.r_[0.0, 0.0, 10.0, np.zeros(dim - 3)]
    X = np.vstack([a + rng.normal(0, 0.3, (60, dim)),
                   b + rng.normal(0, 0.3, (60, dim)),
                   c + rng.normal(0, 3.0, (120, dim))])   # isotropic: any split is arbitrary
    truth = np.repeat([0, 1, 2], [60, 60, 120])
    sc = StableClusters(Clusterer(n_clusters=4, n_components=None, n_init=1), n_boot=15,
                        random_state=0).fit(X)
    t = sc.clusters_.set_index("cluster")
    ref = sc.reference_labels_
    # the clusters that are the tight blobs are stable; the halves of the wide blob are not
    tight = {int(np.bincount(ref[truth == 0]).argmax()), int(np.bincount(ref[truth == 1]).argmax())}
    halves = sorted(set(range(4)) - tight)
    assert all(t.loc[c, "stable"] for c in tight)
    assert not any(t.loc[c, "stable"] for c in halves)
    assert all(t.loc[c, "jaccard_mean"] < 0.75 for c in halves)
    # unstable clusters vanish from stable_labels_, their points are counted, not hidden
    assert set(np.unique(sc.stable_labels_)) == tight | {-1}
    assert sc.unclustered_["share_not_stable"] == pytest.approx((sc.stable_labels_ == -1).mean())
    assert sc.unclustered_["share_not_stable"] >= 0.4
    assert "unstable" in sc.reading()
    head = sc.summary()
    assert len(head) == 1 and head.loc[0, "n_clusters"] == 4 and head.loc[0, "n_stable"] == len(tight)
    assert head.loc[0, "share_not_stable"] == sc.unclustered_["share_not_stable"]
    pd.testing.assert_frame_equal(sc.to_frame(), sc.clusters_)


def test_jaccard_matches_direct_computation():
    X, _ = blobs(n_per=(30, 30, 30), spread=3.0, seed=8)   # overlapping: Jaccards below 1
    sc = StableClusters(Clusterer(n_clusters=3, n_components=None), n_boot=5, random_state=1).fit(X)
    ref = sc.reference_labels_
    for b in range(5):
        r = sc.resample_labels_[b]
        present = r != -2
        for c in range(3):
            A = set(np.flatnonzero((ref == c) & present))
            best = max(len(A & set(np.flatnonzero(r == d))) / len(A | set(np.flatnonzero(r == d)))
                       for d in np.unique(r[present]))
            assert sc.jaccard_[b, c] == pytest.approx(best)
        assert sc.ari_.loc[b, "ari_reference"] == pytest.approx(adjusted_rand_score(ref[present], r[present]))


def test_hdbscan_noise_reported_as_unclustered():
    X, _ = blobs(n_per=(50, 50), spread=0.2, seed=2)
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((12, X.shape[1])) * 3
    Xn = np.vstack([X, noise])
    sc = StableClusters(Clusterer(method="hdbscan", min_cluster_size=10, n_components=None),
                        n_boot=10, random_state=0).fit(Xn)
    assert sc.n_clusters_ == 2
    assert sc.clusters_.loc[sc.clusters_["cluster"] >= 0, "stable"].all()
    unc = sc.clusters_.set_index("cluster").loc[-1]
    assert unc["size"] == sc.unclustered_["n"] >= 8   # most planted noise points
    assert sc.unclustered_["share"] == pytest.approx(unc["size"] / len(Xn))
    assert (sc.labels_[-12:] == -1).mean() >= 0.6


@pytest.mark.parametrize("resample", ["bootstrap", "seed"])
def test_other_resampling_schemes(resample):
    X, y = blobs()
    sc = StableClusters(Clusterer(n_clusters=3), n_boot=10, resample=resample, random_state=0).fit(X)
    assert sc.clusters_.loc[sc.clusters_["cluster"] >= 0, "stable"].all()
    assert adjusted_rand_score(y, sc.labels_) == pytest.approx(1.0)


def test_stability_reproducible():
    X, _ = blobs(n_per=(30, 30, 30), spread=2.5, seed=6)
    a = cluster_stability(X, n_clusters=3, n_boot=10, random_state=11)
    b = cluster_stability(X, n_clusters=3, n_boot=10, random_state=11)
    assert np.array_equal(a.labels_, b.labels_)
    pd.testing.assert_frame_equal(a.clusters_, b.clusters_)
    with pytest.raises(ClusterError, match="resample"):
        StableClusters(resample="jackknife").fit(X)


# ----------------------------------------------------------------------------- description

def test_describe_clusters_terms_exemplars_sizes():
    t = pd.DataFrame({
        "doc_id": ["d1", "d1", "d2", "d3", "d3", "d4", "d5"],
        "sent_id": ["d1:0", "d1:1", "d2:0", "d3:0", "d3:1", "d4:0", "d5:0"],
        "outlet": ["RT", "RT", "NYT", "NYT", "NYT", "RT", "NYT"],
        "text": ["Missile strike hits the city", "Another missile strike overnight", "The strike killed two",
                 "Polls open for the referendum vote", "Referendum vote called a sham", "Vote count begins",
                 "Weather is mild today"],
    })
    labels = np.array([0, 0, 0, 1, 1, 1, -1])
    d = describe_clusters(t, labels, encoder=HashEncoder(), top_terms=3, exemplars=2, min_df=1)
    top = d.terms[d.terms["rank"] == 1].set_index("cluster")["term"]
    assert top[0] in {"strike", "missile"} and top[1] in {"vote", "referendum"}
    # c-TF-IDF written out for 'strike' in cluster 0
    counts = {0: {"missile": 2, "strike": 3, "hits": 1, "city": 1, "overnight": 1, "killed": 1},
              1: {"polls": 1, "open": 1, "referendum": 2, "vote": 3, "called": 1, "sham": 1, "count": 1, "begins": 1},
              -1: {"weather": 1, "mild": 1, "today": 1}}
    A = sum(sum(c.values()) for c in counts.values()) / 3
    expected = 3 / sum(counts[0].values()) * np.log(1 + A / 3)
    got = d.terms.query("cluster == 0 and term == 'strike'")["score"].item()
    assert got == pytest.approx(expected)
    # exemplars: closest to the centroid, with outlet and ids; unclustered row is described too
    assert set(d.exemplars.columns) >= {"cluster", "doc_id", "sent_id", "outlet", "text", "similarity"}
    ex0 = d.exemplars[d.exemplars["cluster"] == 0]
    assert ex0["similarity"].is_monotonic_decreasing and len(ex0) == 2
    sizes = d.sizes.set_index(["cluster", "outlet"])["n"]
    assert sizes[(0, "RT")] == 2 and sizes[(0, "NYT")] == 1 and sizes[(-1, "NYT")] == 1
    assert set(d.to_frame()["cluster"]) == {-1, 0, 1}
    assert d.summary().columns.tolist() == ["cluster", "size", "share", "top_terms"]
    assert d.summary()["size"].sum() == len(t)
    # embeddings given directly give the same answer; neither given is an error
    E = HashEncoder().encode(t["text"].tolist())
    d2 = describe_clusters(t, labels, embeddings=E, top_terms=3, exemplars=2, min_df=1)
    pd.testing.assert_frame_equal(d.exemplars, d2.exemplars)
    with pytest.raises(ClusterError, match="embeddings"):
        describe_clusters(t, labels)
    with pytest.raises(ClusterError, match="7 rows"):
        describe_clusters(t, labels[:5], embeddings=E)
    with pytest.raises(ClusterError, match="column"):
        describe_clusters(t.drop(columns="outlet"), labels, embeddings=E)


# ----------------------------------------------------------------------------- shares

def correlated_docs(n_docs, p, rng, concentration=1.5, outlet="A", prefix="a"):
    """Documents whose sentences share a document-level probability of cluster 1.

    The doc-level probability is Beta(p*c, (1-p)*c): strong within-document correlation.
    Returns (table, labels); the true share of cluster 1 is p.
    """
    q = rng.beta(p * concentration, (1 - p) * concentration, size=n_docs)
    lengths = rng.integers(5, 16, size=n_docs)
    doc = np.repeat(np.arange(n_docs), lengths)
    labels = (rng.random(lengths.sum()) < q[doc]).astype(int)
    t = pd.DataFrame({"outlet": outlet, "doc_id": [f"{prefix}{d}" for d in doc]})
    return t, labels


def test_outlet_shares_point_estimates_and_columns():
    t = pd.DataFrame({"outlet": ["A"] * 5 + ["B"] * 3, "doc_id": ["a1", "a1", "a2", "a2", "a2", "b1", "b1", "b2"]})
    labels = [0, 1, 1, -1, 1, 0, 0, 1]
    s = outlet_shares(t, labels, n_boot=100, random_state=0, min_docs=2)
    assert list(s.columns) == ["outlet", "cluster", "n", "n_items", "n_units", "share", "ci_low", "ci_high"]
    # unclustered is its own category, listed last; shares sum to 1 per outlet
    assert s["cluster"].tolist() == [0, 1, -1, 0, 1, -1]
    a = s[s["outlet"] == "A"].set_index("cluster")
    assert a.loc[1, "share"] == pytest.approx(3 / 5) and a.loc[-1, "share"] == pytest.approx(1 / 5)
    assert s.groupby("outlet")["share"].sum().tolist() == pytest.approx([1, 1])
    assert (s["ci_low"] <= s["share"] + 1e-12).all() and (s["share"] <= s["ci_high"] + 1e-12).all()
    assert a.loc[0, "n_units"] == 2
    # bootstrap replicates are whole articles: with 2 articles in B the share of cluster 0 can
    # only be 1, 2/3 (b1 twice / mixed) or 0 -> the interval ends are among those
    b0 = s[(s["outlet"] == "B") & (s["cluster"] == 0)]
    assert {round(b0["ci_low"].item(), 6), round(b0["ci_high"].item(), 6)} <= {0.0, round(2 / 3, 6), 1.0}
    pd.testing.assert_frame_equal(s, outlet_shares(t, labels, n_boot=100, random_state=0, min_docs=2))
    with pytest.raises(ClusterError, match="more than one"):
        outlet_shares(t.assign(doc_id=["x"] * 8), labels)
    with pytest.raises(ClusterError, match="8 rows"):
        outlet_shares(t, labels[:4])



def test_outlets_with_few_articles_get_no_share_interval():
    rng = np.random.default_rng(4)
    ta, la = correlated_docs(12, 0.3, rng, outlet="Big", prefix="a")
    tb, lb = correlated_docs(1, 0.3, rng, outlet="One", prefix="b")
    t, lab = pd.concat([ta, tb], ignore_index=True), np.r_[la, lb]
    with pytest.warns(SmallGroupWarning, match=r"outlet_shares: .*'One' \(1\)") as rec:
        s = outlet_shares(t, lab, n_boot=200, random_state=0)
    assert "Big" not in str(rec[0].message)
    assert s.loc[s["outlet"] == "One", ["ci_low", "ci_high"]].isna().all().all()    # not a zero-width interval
    assert s.loc[s["outlet"] == "Big", ["ci_low", "ci_high"]].notna().all().all()
    assert s.attrs["small_groups"] == ["One"] and s.attrs["min_docs"] == 5
    with pytest.warns(SmallGroupWarning, match=r"share_test: .*'One' \(1\)"):
        res = share_test(t, lab, n_perm=99, n_boot=100, random_state=0)
    cells = res.cells.set_index("outlet")
    assert cells.loc["One", ["ratio_ci_low", "ratio_ci_high"]].isna().all().all()
    assert cells.loc["Big", ["ratio_ci_low", "ratio_ci_high"]].notna().all().all()
    with pytest.raises(ValueError, match="min_docs"):
        outlet_shares(t, lab, min_docs=1)


def test_share_interval_coverage_simulation():
    """95 % cluster-bootstrap intervals cover the true share ~95 % of the time.

    Within-document correlation is strong, so resampling sentences instead of articles
    (unit=None) must under-cover: that shows the simulation can tell the two apart.
    """
    rng = np.random.default_rng(123)
    p_true = 0.3
    hits_doc = hits_row = 0
    reps = 200
    for r in range(reps):
        t, lab = correlated_docs(40, p_true, rng)
        s = outlet_shares(t, lab, n_boot=300, random_state=r).set_index("cluster").loc[1]
        hits_doc += s["ci_low"] <= p_true <= s["ci_high"]
        s2 = outlet_shares(t, lab, unit=None, n_boot=300, random_state=r).set_index("cluster").loc[1]
        hits_row += s2["ci_low"] <= p_true <= s2["ci_high"]
    cov_doc, cov_row = hits_doc / reps, hits_row / reps
    # binomial sd at 0.95 with 200 reps is 0.015; percentile intervals with 40 clusters
    # run slightly short, so the band is asymmetric
    assert 0.88 <= cov_doc <= 0.99, cov_doc
    assert cov_row < 0.8, cov_row


def test_share_test_size_under_null_and_naive_test_is_not():
    """Article-level permutation keeps its level; a sentence-level chi-square does not."""
    rng = np.random.default_rng(7)
    reps, rej, rej_naive = 200, 0, 0
    for r in range(reps):
        ta, la = correlated_docs(15, 0.4, rng, outlet="A", prefix="a")
        tb, lb = correlated_docs(15, 0.4, rng, outlet="B", prefix="b")
        t = pd.concat([ta, tb], ignore_index=True)
        lab = np.r_[la, lb]
        res = share_test(t, lab, n_perm=99, n_boot=0, random_state=r)
        rej += res.p_value <= 0.05
        tab = pd.crosstab(t["outlet"], lab).to_numpy()
        rej_naive += chi2_contingency(tab, correction=False)[1] <= 0.05
    # P(X >= 21 | n=200, p=0.05) < 0.002 and P(X <= 2) < 0.003
    assert 3 <= rej <= 20, rej / reps
    assert rej_naive / reps > 0.25, rej_naive / reps


def test_share_test_power_statistic_and_cells():
    rng = np.random.default_rng(1)
    ta, la = correlated_docs(30, 0.7, rng, outlet="A", prefix="a")
    tb, lb = correlated_docs(30, 0.2, rng, outlet="B", prefix="b")
    tc, lc = correlated_docs(30, 0.2, rng, outlet="C", prefix="c")
    t = pd.concat([ta, tb, tc], ignore_index=True)
    lab = np.r_[la, lb, lc]
    res = share_test(t, lab, n_perm=499, n_boot=300, random_state=0)
    # statistic = Pearson chi-square, V from it (independent calculation with scipy)
    tab = pd.crosstab(t["outlet"], lab).to_numpy()
    chi2 = chi2_contingency(tab, correction=False)[0]
    assert res.statistic == pytest.approx(chi2)
    assert res.cramers_v == pytest.approx(np.sqrt(chi2 / (tab.sum() * 1)))
    assert res.p_value == pytest.approx(1 / 500)
    cells = res.cells.set_index(["outlet", "cluster"])
    assert cells.loc[("A", 1), "direction"] == "over"
    assert cells.loc[("A", 0), "direction"] == "under"
    # adjusted residual formula written out
    N, r, c = tab.sum(), tab.sum(1), tab.sum(0)
    E = np.outer(r, c) / N
    adj = (tab - E) / np.sqrt(E * (1 - r[:, None] / N) * (1 - c[None, :] / N))
    assert cells.loc[("A", 1), "residual"] == pytest.approx(adj[0, 1])
    # ratio vs pooled share with an interval around it
    assert cells.loc[("A", 1), "ratio"] == pytest.approx((tab[0, 1] / r[0]) / (c[1] / N))
    assert cells.loc[("A", 1), "ratio_ci_low"] > 1 > cells.loc[("B", 1), "ratio_ci_high"]
    # BH adjustment: adjusted >= raw
    assert (res.cells["q"] >= res.cells["p_value"] - 1e-12).all()
    with pytest.raises(ClusterError, match="2 groups"):
        share_test(ta, la, n_perm=9)


def test_doctests_run():
    for mod in (fc, fc.estimators, fc.stability, fc.describe, fc.shares, fc._numeric):
        assert doctest.testmod(mod, optionflags=doctest.ELLIPSIS).failed == 0


# ----------------------------------------------------------------------------- glossary: renamed keywords

def test_n_resamples_is_deprecated_for_n_boot():
    X, _ = blobs()
    new = StableClusters(Clusterer(n_clusters=3), n_boot=5, random_state=0).fit(X)
    with pytest.warns(DeprecationWarning, match="n_boot"):
        old = StableClusters(Clusterer(n_clusters=3), n_resamples=5, random_state=0).fit(X)
    assert old.n_boot == 5 and np.array_equal(old.resample_labels_, new.resample_labels_)
    with pytest.warns(DeprecationWarning, match="n_boot"):
        assert old.n_resamples == 5
    with pytest.warns(DeprecationWarning, match="n_boot"):
        f_old = cluster_stability(X, n_clusters=3, n_resamples=5, random_state=0)
    f_new = cluster_stability(X, n_clusters=3, n_boot=5, random_state=0)
    assert np.array_equal(f_old.jaccard_, f_new.jaccard_) and f_new.ari_summary_["n_boot"] == 5
    with pytest.raises(TypeError):
        cluster_stability(X, n_clusters=3, n_boot=5, n_resample=5)   # unknown keyword: raises
    with pytest.raises(TypeError):
        StableClusters(n_boot=5, n_resamples=5)                       # both names: raises


def test_permutations_is_deprecated_for_n_perm_and_results_follow_the_protocol():
    t, lab = _share_fixture()
    new = share_test(t, lab, n_perm=99, n_boot=50, random_state=3)
    with pytest.warns(DeprecationWarning, match="n_perm"):
        old = share_test(t, lab, permutations=99, n_boot=50, random_state=3)
    pd.testing.assert_frame_equal(old.cells, new.cells)
    assert new.n_perm == 99 and "q" in new.cells and "p_adjusted" not in new.cells
    with pytest.warns(DeprecationWarning, match="n_perm"):
        assert new.permutations == 99
    head = new.summary()
    assert head.loc[0, "p_value"] == new.p_value and head.loc[0, "n_perm"] == 99
    assert head.loc[0, "n_over"] == int((new.cells["direction"] == "over").sum())
    pd.testing.assert_frame_equal(new.to_frame(), new.cells)
    assert "<b>ShareTest" in new._repr_html_()


def test_group_mapping_equals_a_column_of_mapped_values():
    t, lab = _share_fixture()
    mapping = {"A": "west", "B": "west", "C": "east"}
    by_map = outlet_shares(t, lab, group=mapping, n_boot=100, random_state=0, min_docs=2)
    by_col = outlet_shares(t.assign(side=t["outlet"].map(mapping)), lab, group="side", n_boot=100, random_state=0,
                           min_docs=2)
    assert by_map.attrs["group"] == "group" and set(by_map["group"]) == {"east", "west"}
    np.testing.assert_array_equal(by_map[["n", "share", "ci_low", "ci_high"]].to_numpy(),
                                  by_col[["n", "share", "ci_low", "ci_high"]].to_numpy())
    # outlets the mapping leaves out are in no group: their rows are left out
    only_a = outlet_shares(t, lab, group={"A": "a", "B": "b"}, n_boot=20, random_state=0, min_docs=2)
    assert only_a["n_items"].groupby(only_a["group"]).first().sum() == int(t["outlet"].isin(["A", "B"]).sum())
    res = share_test(t, lab, group=("outlet", mapping), n_perm=49, n_boot=0, random_state=0)
    assert set(res.cells["group"]) == {"east", "west"}


def _share_fixture():
    rng = np.random.default_rng(5)
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(30)], "outlet": np.repeat(list("ABC"), 10)})
    t = docs.loc[docs.index.repeat(4)].reset_index(drop=True)
    lab = (rng.random(len(t)) < np.where(t["outlet"] == "A", 0.7, 0.3)).astype(int)
    return t, lab
