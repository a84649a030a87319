"""Tests of framing.lexical: counts, Fightin' Words with document-level uncertainty, priors,
plots. Fixtures are small texts written here or generated with numpy."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import framing

from framing import lexical
from framing.lexical import (LexicalError, build_vectorizer, fightin_words, log_odds_dirichlet, term_counts,
                             tokenize)
from framing.lexical import resample
from framing.lexical.resample import _bootstrap_weights

PLANTED = ["sham", "puppet", "staged", "illegal", "annexation"]


def planted_corpus(seed: int = 0, n_per_group: int = 40, doc_len: int = 150, burst: int = 40) -> pd.DataFrame:
    """Two groups of documents from one Zipf filler vocabulary; PLANTED words are six times as
    frequent in group A; the word 'zzburst' appears ``burst`` times in one A document only."""
    rng = np.random.default_rng(seed)
    filler = np.array([f"w{i:03d}" for i in range(200)])
    p = 1.0 / np.arange(1, 201)
    p /= p.sum()
    rows = []
    for g in ("A", "B"):
        for d in range(n_per_group):
            words = list(rng.choice(filler, size=doc_len, p=p))
            words += list(rng.choice(PLANTED, size=6 if g == "A" else 1))
            if g == "A" and d == 0:
                words += ["zzburst"] * burst
            rng.shuffle(words)
            rows.append({"doc_id": f"{g}{d:02d}", "outlet": g, "text": " ".join(words)})
    return pd.DataFrame(rows)


def null_corpus(seed: int = 1, n_docs: int = 40, doc_len: int = 120) -> pd.DataFrame:
    """No difference between the groups: every document drawn from one distribution."""
    rng = np.random.default_rng(seed)
    filler = np.array([f"w{i:03d}" for i in range(60)])
    p = 1.0 / np.arange(1, 61) ** 0.7
    p /= p.sum()
    texts = [" ".join(rng.choice(filler, size=doc_len, p=p)) for _ in range(n_docs)]
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(n_docs)],
                         "outlet": ["A"] * (n_docs // 2) + ["B"] * (n_docs - n_docs // 2), "text": texts})


def bursty_corpus(seed: int, *, n_a: int = 6, n_b: int = 60, n_terms: int = 40, concentration: float = 20.0,
                  planted: str | None = None, boost: float = 1.0) -> pd.DataFrame:
    """Dirichlet-multinomial documents: each document draws its own word rates
    theta_d ~ Dirichlet(concentration * p) around one Zipf distribution p (small
    ``concentration``: bursty documents, a word frequent in one article and absent from the
    next), then 80-300 tokens ~ Multinomial(theta_d). Groups A (``n_a`` documents) and B
    (``n_b``) share p, so there is no difference between them, unless ``planted``: that
    word's share of p is multiplied by ``boost`` in group A."""
    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{i:02d}" for i in range(n_terms)])
    base = 1.0 / np.arange(1, n_terms + 1) ** 0.8
    base /= base.sum()
    rows = []
    for g, n in (("A", n_a), ("B", n_b)):
        p = base.copy()
        if planted is not None and g == "A":
            p[list(vocab).index(planted)] *= boost
            p /= p.sum()
        for d in range(n):
            words = np.repeat(vocab, rng.multinomial(rng.integers(80, 300), rng.dirichlet(concentration * p)))
            rng.shuffle(words)
            rows.append({"doc_id": f"{g}{d:02d}", "outlet": g, "text": " ".join(words)})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------
# tokenisation
# ------------------------------------------------------------------------------------------

def test_tokenize_is_the_one_tokenizer():
    from framing import tokens

    assert tokenize is tokens.tokenize and lexical.TOKEN_PATTERN == tokens.TOKEN_PATTERN
    assert tokenize("The US and the U.S.") == ["the", "u.s.", "and", "the", "u.s."]


def test_vectorizer_ngrams_and_stop_words():
    v = build_vectorizer(ngram_range=(1, 3), stop_words="english")
    v.fit(["The special military operation in the Donbas"])
    names = list(v.get_feature_names_out())
    assert "special military operation" in names
    assert "the" not in names and "in" not in names
    assert "operation donbas" in names  # stop words are removed before n-grams are built
    with pytest.raises(LexicalError, match="ngram_range"):
        build_vectorizer(ngram_range=(2, 1))
    with pytest.raises(LexicalError, match="stop_words"):
        build_vectorizer(stop_words="french")


def test_term_counts_known_matrix_and_errors():
    c = pd.DataFrame({"doc_id": ["a", "b"], "text": ["Kyiv's vote, Kyiv.", "the vote"]})
    X, vocab = term_counts(c)
    assert sp.issparse(X) and X.dtype == np.int64
    assert list(vocab) == ["kyiv", "the", "vote"]
    assert X.toarray().tolist() == [[2, 0, 1], [0, 1, 1]]
    bad = pd.DataFrame({"doc_id": ["a", "b"], "text": ["fine", None]})
    with pytest.raises(LexicalError, match=r"doc_id 'b'.*'text'"):
        term_counts(bad)
    with pytest.raises(LexicalError, match="no column 'body'"):
        term_counts(c, column="body")


# ------------------------------------------------------------------------------------------
# the estimator, by hand
# ------------------------------------------------------------------------------------------

def test_delta_var_z_by_hand_uniform_prior():
    # vocabulary: referendum, sham, vote.  A: sham 2, vote 1 (n=3).  B: referendum 1, vote 2 (n=3).
    c = pd.DataFrame({"outlet": ["A", "B"], "text": ["sham vote sham", "vote vote referendum"]})
    fw = fightin_words(c, mode="two", prior="uniform", prior_scale=1.5, min_count=1).set_index("term")
    a, a0 = 0.5, 1.5  # alpha_w = 1.5 / 3 terms
    d_sham = math.log((2 + a) / (3 + a0 - 2 - a)) - math.log((0 + a) / (3 + a0 - 0 - a))
    v_sham = 1 / (2 + a) + 1 / (0 + a)
    d_vote = math.log((1 + a) / (3 + a0 - 1 - a)) - math.log((2 + a) / (3 + a0 - 2 - a))
    v_vote = 1 / (1 + a) + 1 / (2 + a)
    assert fw.loc["sham", "delta"] == pytest.approx(d_sham, rel=1e-12)
    assert fw.loc["sham", "var"] == pytest.approx(v_sham, rel=1e-12)
    assert fw.loc["sham", "z"] == pytest.approx(d_sham / math.sqrt(v_sham), rel=1e-12)
    assert fw.loc["vote", "delta"] == pytest.approx(d_vote, rel=1e-12)
    assert fw.loc["vote", "z"] == pytest.approx(d_vote / math.sqrt(v_vote), rel=1e-12)
    assert fw.loc["sham", ["count_group", "count_other", "docs_group", "docs_other"]].tolist() == [2, 0, 1, 0]
    # z: sham > 0 > referendum (-1.386 / sqrt(2.667) = -0.85) > vote (-1.022 / sqrt(1.067) = -0.99)
    assert list(fw.index) == ["sham", "referendum", "vote"]
    assert (fw["group"] == "A").all() and (fw["other"] == "B").all()


def test_delta_by_hand_pooled_prior():
    c = pd.DataFrame({"outlet": ["A", "B"], "text": ["sham vote sham", "vote vote referendum"]})
    fw = fightin_words(c, mode="two", prior="pooled", prior_scale=6.0, min_count=1).set_index("term")
    # pooled shares: referendum 1/6, sham 2/6, vote 3/6 -> alpha = 1, 2, 3; alpha0 = 6
    a_vote, a0 = 3.0, 6.0
    d_vote = math.log((1 + a_vote) / (3 + a0 - 1 - a_vote)) - math.log((2 + a_vote) / (3 + a0 - 2 - a_vote))
    assert fw.loc["vote", "delta"] == pytest.approx(d_vote, rel=1e-12)
    assert fw.loc["vote", "var"] == pytest.approx(1 / 4 + 1 / 5, rel=1e-12)
    assert fw.attrs["prior"] == "pooled" and fw.attrs["prior_scale"] == 6.0


def test_background_prior_dataframe_equals_series_with_add_one():
    c = pd.DataFrame({"outlet": ["A", "B"], "text": ["sham vote sham", "vote vote referendum"]})
    bg = pd.DataFrame({"text": ["vote vote vote sham", "referendum vote"]})
    from_df = fightin_words(c, mode="two", prior=bg, prior_scale=3.0, min_count=1).set_index("term")
    series = pd.Series({"vote": 4, "sham": 1, "referendum": 1, "unrelated": 50})
    from_s = fightin_words(c, mode="two", prior=series, prior_scale=3.0, min_count=1).set_index("term")
    pd.testing.assert_series_equal(from_df["delta"], from_s["delta"])
    # add-one smoothed shares over the analysed vocabulary: (2, 2, 5) / 9 * 3
    a = {"referendum": 2 / 3, "sham": 2 / 3, "vote": 5 / 3}
    d = math.log((2 + a["sham"]) / (3 + 3 - 2 - a["sham"])) - math.log(a["sham"] / (3 + 3 - a["sham"]))
    assert from_df.loc["sham", "delta"] == pytest.approx(d, rel=1e-12)


def test_prior_scale_none_uses_raw_counts():
    c = pd.DataFrame({"outlet": ["A", "B"], "text": ["sham vote sham", "vote vote referendum"]})
    raw = fightin_words(c, mode="two", prior_scale=None, min_count=1, n_perm=0).set_index("term")
    # raw pooled counts referendum 1, sham 2, vote 3 are the pooled shares scaled to alpha0 = 6
    scaled = fightin_words(c, mode="two", prior_scale=6.0, min_count=1, n_perm=0).set_index("term")
    pd.testing.assert_series_equal(raw["delta"], scaled["delta"], rtol=1e-12)
    assert raw.attrs["prior"] == "pooled, raw counts" and raw.attrs["prior_scale"] == 6.0
    bg = pd.Series({"vote": 4, "sham": 1})          # background counts + 1: referendum 1, sham 2, vote 5
    fw = fightin_words(c, mode="two", prior=bg, prior_scale=None, min_count=1, n_perm=0).set_index("term")
    a, a0 = 2.0, 8.0
    d = math.log((2 + a) / (3 + a0 - 2 - a)) - math.log(a / (3 + a0 - a))
    assert fw.loc["sham", "delta"] == pytest.approx(d, rel=1e-12) and fw.attrs["prior_scale"] == a0


def test_log_odds_dirichlet_matches_formula_and_rejects_bad_prior():
    d, v = log_odds_dirichlet(np.array([3, 0]), 10, np.array([1, 4]), 12, alpha=np.array([0.5, 0.25]), alpha0=2.0)
    assert d[1] == pytest.approx(math.log(0.25 / (10 + 2 - 0.25)) - math.log(4.25 / (12 + 2 - 4.25)))
    assert v[0] == pytest.approx(1 / 3.5 + 1 / 1.5)
    with pytest.raises(LexicalError, match="alpha"):
        log_odds_dirichlet(1, 10, 1, 10, alpha=0.0)


# ------------------------------------------------------------------------------------------
# planted differences, one-article terms, resampling
# ------------------------------------------------------------------------------------------

def test_planted_terms_rank_first_and_pass_document_level_tests():
    c = planted_corpus()
    # ~200 tested terms: BH can flag 5 terms only if 200 / (5 (P + 1)) < 0.05, so P = 1000
    fw = fightin_words(c, mode="two", n_boot=1000, n_perm=1000, random_state=3)
    top = fw.head(len(PLANTED))
    assert set(top["term"]) == set(PLANTED)
    assert top["significant"].all()
    assert (top["ci_low"] > 0).all()
    assert (top["p_value"] <= 1 / 1001 + 1e-12).all() and (top["sign_stability"] >= 0.99).all()
    assert fw["significant"].sum() <= len(PLANTED) + 2  # the filler words are not different


def test_one_article_term_fools_token_z_but_not_document_level_tests():
    c = planted_corpus()
    token = fightin_words(c, mode="two", n_perm=0).set_index("term")
    assert token.loc["zzburst", "z"] > 3                # token-level z: "overwhelming"
    assert token["significant"].isna().all() and "q" not in token.columns  # ... but z is never a test
    assert token.attrs["significance"].startswith("not tested")
    boot = fightin_words(c, mode="two", n_boot=1000, n_perm=0, random_state=5).set_index("term")
    # the bootstrap keeps the sign whenever the one article is drawn (~63% of replicates);
    # it describes, it does not test: still no q, significant still NA
    assert 0.5 < boot.loc["zzburst", "sign_stability"] < 0.75
    assert boot["significant"].isna().all() and "q" not in boot.columns and "p_boot" not in boot.columns
    assert boot.loc["zzburst", "ci_high"] - boot.loc["zzburst", "ci_low"] > 2
    perm = fightin_words(c, mode="two", random_state=5).set_index("term")   # the default call tests
    assert perm.attrs["n_perm"] == 1000
    assert perm.loc["zzburst", "p_value"] > 0.2          # ~ share of documents in group A
    assert not perm.loc["zzburst", "significant"]
    assert perm.loc[PLANTED, "significant"].all()


def test_bootstrap_weights_in_blocks_are_the_one_call_draws(monkeypatch):
    """Weights drawn a block of replicates at a time (bounded memory) equal the multinomial
    counts of one ``integers(0, n_g, size=(B, n_g))`` call per group: same stream, same numbers."""
    import framing.lexical.resample as resample

    lab = np.array([0] * 7 + [1] * 4 + [0] * 2)
    B = 23
    rng = np.random.default_rng(4)
    want = []
    for g in (0, 1):
        n_g = int((lab == g).sum())
        draws = rng.integers(0, n_g, size=(B, n_g))
        want.append(np.stack([np.bincount(row, minlength=n_g) for row in draws], axis=1))
    monkeypatch.setattr(resample, "_BLOCK", 20)           # blocks of 2 or 5 replicates, uneven last block
    got = resample._bootstrap_weights(lab, 2, B, np.random.default_rng(4))
    for g in (0, 1):
        assert got[g].dtype == np.float32 and got[g].shape == want[g].shape
        np.testing.assert_array_equal(got[g], want[g])
        assert (got[g].sum(axis=0) == (lab == g).sum()).all()  # each replicate draws n_g documents
    doc_len = np.arange(1, 8, dtype=float)
    np.testing.assert_array_equal(resample._replicate_tokens(doc_len, got[0][:7]), doc_len @ want[0][:7])


def _assert_matches_the_loop(fw: pd.DataFrame, vocab: np.ndarray, deltas: np.ndarray, signs: np.ndarray,
                             observed: np.ndarray) -> None:
    """Every row's interval and sign stability against replicate deltas/signs computed by hand."""
    col = {t: k for k, t in enumerate(vocab)}
    for _, row in fw.iterrows():
        k = col[row["term"]]
        lo, hi = np.quantile(deltas[:, k], [0.025, 0.975])
        assert row["ci_low"] == pytest.approx(lo, abs=2e-4)
        assert row["ci_high"] == pytest.approx(hi, abs=2e-4)
        assert observed[k] != 0
        assert row["sign_stability"] == pytest.approx((signs[:, k] == observed[k]).mean())


def test_bootstrap_matches_a_loop_over_replicates():
    """ci_low/ci_high/sign_stability against a plain loop that reuses the same resampling weights."""
    c = planted_corpus(n_per_group=12, doc_len=60, burst=8)
    B, seed = 200, 11
    fw = fightin_words(c, mode="two", n_boot=B, random_state=seed, min_count=3, prior_scale=50.0)
    X, vocab = term_counts(c)
    lab = (c["outlet"] == "B").to_numpy().astype(int)
    W = _bootstrap_weights(lab, 2, B, np.random.default_rng(seed))  # same draws (n_g x B)
    Xa, Xb = X[lab == 0].toarray(), X[lab == 1].toarray()
    pooled = X.toarray().sum(axis=0)
    alpha = 50.0 * pooled / pooled.sum()
    deltas, signs = np.empty((B, len(vocab))), np.empty((B, len(vocab)))
    for b in range(B):
        ya, yb = W[0][:, b] @ Xa, W[1][:, b] @ Xb
        na, nb = ya.sum(), yb.sum()
        deltas[b] = (np.log((ya + alpha) / (na + 50.0 - ya - alpha))
                     - np.log((yb + alpha) / (nb + 50.0 - yb - alpha)))
        signs[b] = np.sign(ya / na - yb / nb)
    observed = np.sign(Xa.sum(axis=0) / Xa.sum() - Xb.sum(axis=0) / Xb.sum())
    _assert_matches_the_loop(fw, vocab, deltas, signs, observed)


@pytest.mark.parametrize("permutation", ["shuffle", "keyed"])
def test_permutation_p_matches_exact_enumeration(permutation):
    c = pd.DataFrame({"doc_id": list("uvwxyz"), "outlet": ["A", "A", "A", "B", "B", "B"],
                      "text": ["sham vote sham", "sham sham poll", "vote poll sham", "vote vote poll",
                               "poll vote", "poll sham vote vote"]})
    P = 6000
    fw = fightin_words(c, mode="two", n_perm=P, random_state=2, min_count=1, prior_scale=4.0,
                       permutation=permutation)
    X, vocab = term_counts(c)
    X = X.toarray()
    pooled = X.sum(axis=0)
    alpha = 4.0 * pooled / pooled.sum()

    def delta(idx_a):
        mask = np.zeros(6, bool)
        mask[list(idx_a)] = True
        ya, yb = X[mask].sum(axis=0), X[~mask].sum(axis=0)
        na, nb = ya.sum(), yb.sum()
        return np.log((ya + alpha) / (na + 4 - ya - alpha)) - np.log((yb + alpha) / (nb + 4 - yb - alpha))

    obs = delta((0, 1, 2))
    perms = np.array([delta(s) for s in itertools.combinations(range(6), 3)])
    exact = (np.abs(perms) >= np.abs(obs) - 1e-9).mean(axis=0)
    got = fw.set_index("term")["p_value"]
    for k, t in enumerate(vocab):
        assert got[t] == pytest.approx(exact[k], abs=0.03)  # Monte Carlo error ~ 0.006


@pytest.mark.parametrize("permutation", ["shuffle", "keyed"])
def test_permutation_p_values_uniform_under_the_null(permutation):
    """Size check: 40 null corpora, the 10 most frequent terms of each (frequent terms, so p is
    nearly continuous). Terms of one corpus are correlated, hence the loose bounds."""
    ps, flagged = [], 0
    terms = [f"w{i:03d}" for i in range(10)]
    for seed in range(40):
        fw = fightin_words(null_corpus(seed=seed, n_docs=40), mode="two", n_perm=199, random_state=seed,
                           min_count=20, permutation=permutation)
        ps.append(fw.set_index("term").loc[terms, "p_value"].to_numpy())
        flagged += int(fw["significant"].sum())
    p = np.concatenate(ps)
    assert p.min() >= 1 / 200 and p.max() <= 1
    assert (p <= 0.05).mean() <= 0.08          # not anti-conservative
    assert (p <= 0.10).mean() <= 0.14
    assert 0.35 <= (p <= 0.50).mean() <= 0.60  # and not degenerate
    assert 0.40 <= p.mean() <= 0.62
    assert flagged <= 2


def test_q_values_are_benjamini_hochberg_per_contrast():
    multipletests = pytest.importorskip("statsmodels.stats.multitest").multipletests
    c = planted_corpus(n_per_group=10)
    extra = c[c["outlet"] == "B"].assign(outlet="C", doc_id=lambda d: "C" + d["doc_id"])
    fw = fightin_words(pd.concat([c, extra], ignore_index=True), mode="one-vs-rest", n_perm=99,
                       random_state=0)
    for _, sub in fw.groupby("group"):
        assert np.allclose(sub["q"], multipletests(sub["p_value"], method="fdr_bh")[1])
        assert (sub["significant"] == (sub["q"] < 0.05)).all()


def test_default_call_under_a_bursty_null_makes_few_discoveries():
    """Size: 100 corpora with no difference between the groups (one Dirichlet-multinomial
    for 6 and 60 bursty documents). The DEFAULT call must flag nothing (q < 0.05) in the
    large majority; the family-wise rate should be near alpha. With 40 tested terms and 1000
    permutations a single term at the smallest p has q = 40/1001 < 0.05, so the test has
    room to fail. On these 100 corpora the new default flags something in 4; before this test
    existed, BH on the bootstrap "p_boot" (1000 replicates) flagged something in 99 and the
    token-level z (the old default) in 100."""
    flagged, small_p, n_p = 0, 0, 0
    for seed in range(100):
        fw = fightin_words(bursty_corpus(seed), random_state=seed)
        assert fw.attrs["n_perm"] == 1000 and len(fw) == 2 * 40  # A vs rest and B vs rest, 40 terms
        flagged += bool(fw["significant"].any())
        a = fw[fw["group"] == "A"]
        small_p += int((a["p_value"] <= 0.05).sum())
        n_p += len(a)
        # the two one-vs-rest contrasts of two groups are one test: the same p-values
        b = fw[fw["group"] == "B"].set_index("term").loc[a["term"]]
        assert np.array_equal(a["p_value"].to_numpy(), b["p_value"].to_numpy())
    assert flagged <= 9                       # 4/100 here; 41/1000 on other seeds; alpha = 0.05
    assert small_p / n_p <= 0.07              # per-term size of the permutation p-value


@pytest.mark.parametrize("seed", range(8))
def test_default_call_finds_a_planted_word_among_bursty_documents(seed):
    """Power: the same bursty documents, with one word (w10) six times as frequent in the six
    A documents. The default call flags it, and it leads the A side."""
    fw = fightin_words(bursty_corpus(1000 + seed, concentration=50.0, planted="w10", boost=6.0), random_state=seed)
    a = fw[fw["group"] == "A"].set_index("term")
    assert a.loc["w10", "significant"] and a.loc["w10", "q"] < 0.05
    assert a.index[0] == "w10"


def test_significant_never_comes_from_z_or_the_bootstrap():
    c = bursty_corpus(3)
    for kw in ({"n_perm": 0}, {"n_perm": 0, "n_boot": 200}):
        fw = fightin_words(c, random_state=0, **kw)
        assert fw["significant"].dtype == "boolean" and fw["significant"].isna().all()
        assert "q" not in fw.columns and "p_value" not in fw.columns
    both = fightin_words(c, n_boot=200, n_perm=300, random_state=0, min_effect=0.1)
    from framing.stats import fdr_bh

    for _, sub in both.groupby("group"):
        q = fdr_bh(sub["p_value"].to_numpy())
        assert np.allclose(sub["q"], q)
        assert (sub["significant"].to_numpy() == ((q < 0.05) & (sub["delta"].abs() >= 0.1).to_numpy())).all()
    assert (both["sign_stability"].between(0, 1) | both["sign_stability"].isna()).all()


def test_dense_and_sparse_permutation_paths_agree(monkeypatch):
    c = planted_corpus(n_per_group=10)
    kw = dict(mode="one-vs-rest", n_perm=300, random_state=4, n_boot=0)
    monkeypatch.setattr(resample, "_SPARSE_SHARE", 0.0)      # every contrast: sparse x dense
    dense = fightin_words(c, **kw)
    monkeypatch.setattr(resample, "_SPARSE_SHARE", 1.0)      # every contrast: sparse x sparse
    sparse = fightin_words(c, **kw)
    pd.testing.assert_frame_equal(dense, sparse)
    assert dense["p_value"].min() < 0.01 and dense["p_value"].max() > 0.5


def test_modes_pairs_antisymmetric_one_vs_rest_and_mapping():
    c = planted_corpus(n_per_group=10)
    extra = c[c["outlet"] == "B"].assign(outlet="C", doc_id=lambda d: "C" + d["doc_id"])
    c3 = pd.concat([c, extra], ignore_index=True)
    pairs = fightin_words(c3, mode="pairs", pairs=[("A", "B"), ("B", "A")], min_count=1)
    ab = pairs[pairs["group"] == "A"].set_index("term")
    ba = pairs[pairs["group"] == "B"].set_index("term").loc[ab.index]
    assert np.allclose(ab["delta"], -ba["delta"]) and np.allclose(ab["z"], -ba["z"])
    assert set(pairs["other"]) == {"A", "B"}
    allpairs = fightin_words(c3, mode="pairs", min_count=1)
    assert allpairs.attrs["contrasts"] == [("A", "B"), ("A", "C"), ("B", "C")]
    ovr = fightin_words(c3, mode="one-vs-rest", min_count=1)
    assert set(ovr["group"]) == {"A", "B", "C"} and set(ovr["other"]) == {"rest"}
    # a mapping pools values: A vs (B + C) equals one-vs-rest's A contrast
    pooled = fightin_words(c3, group={"A": "A", "B": "BC", "C": "BC"}, mode="two", min_count=1).set_index("term")
    a_rest = ovr[ovr["group"] == "A"].set_index("term").loc[pooled.index]
    assert np.allclose(pooled["delta"], a_rest["delta"])
    # a mapping subsets the corpus, in its order
    two = fightin_words(c3, group={"C": "C", "A": "A"}, mode="two", min_count=1)
    assert two.attrs["contrasts"] == [("C", "A")] and two.attrs["n_docs"] == {"C": 10, "A": 10}


def test_counts_argument_same_result_determinism_and_no_mutation():
    c = planted_corpus(n_per_group=10)
    before = c.copy()
    kw = dict(mode="two", n_boot=50, n_perm=50, random_state=7)
    a = fightin_words(c, **kw)
    b = fightin_words(c, counts=term_counts(c), **kw)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(c, before)
    d = fightin_words(c, **{**kw, "random_state": 8})
    assert not np.allclose(a["ci_low"], d["ci_low"])


def test_min_count_and_min_effect():
    c = planted_corpus(n_per_group=10)
    fw = fightin_words(c, mode="two", min_count=30)
    assert ((fw["count_group"] + fw["count_other"]) >= 30).all()
    assert "zzburst" in set(fw["term"])
    docs = fightin_words(c, mode="two", min_docs=2)
    assert ((docs["docs_group"] + docs["docs_other"]) >= 2).all() and "zzburst" not in set(docs["term"])
    strict = fightin_words(c, mode="two", min_effect=50.0)
    assert not strict["significant"].any()


@pytest.mark.parametrize("kwargs, match", [
    ({"group": "source"}, "no column 'source'"),
    ({"mode": "two"}, "exactly two groups"),
    ({"mode": "pairs", "pairs": [("A", "Z")]}, "unknown group 'Z'"),
    ({"mode": "sideways"}, "mode must be"),
    ({"group": ("outlet", {"A": "A", "Q": "Q"})}, r"no documents for group\(s\) \['Q'\]"),
    ({"n_boot": -1}, "n_boot must be"),
    ({"prior": "flat"}, "prior must be"),
    ({"prior_scale": 0}, "prior_scale must be"),
    ({"prior": "uniform", "prior_scale": None}, "needs a number for prior_scale"),
    ({"counts": (sp.csr_matrix((2, 2)), ["a", "b"])}, "counts has shape"),
])
def test_bad_input_errors(kwargs, match):
    c = pd.concat([planted_corpus(n_per_group=3),
                   pd.DataFrame({"doc_id": ["c"], "outlet": ["C"], "text": ["w001 w002"]})], ignore_index=True)
    with pytest.raises(LexicalError, match=match):
        fightin_words(c, **kwargs)


# ------------------------------------------------------------------------------------------
# prior sensitivity
# ------------------------------------------------------------------------------------------

def test_prior_sensitivity_equals_fightin_words_under_each_prior():
    c = planted_corpus(n_per_group=10)
    ps = framing.prior_sensitivity(c, mode="two", prior_scales=(10.0, 500.0, None), per_term=(0.01, 0.5))
    settings = ps.attrs["settings"]
    assert [d["prior_scale"] for d in settings] == sorted(d["prior_scale"] for d in settings)
    assert len(settings) == 5 and set(ps["setting"]) == {d["setting"] for d in settings}
    V = len(term_counts(c)[1])
    for d in settings:
        if d["per_term"] is not None:
            kw = {"prior": "uniform", "prior_scale": d["per_term"] * V}
        elif d["prior"].endswith("raw counts"):
            kw = {"prior_scale": None}
        else:
            kw = {"prior_scale": d["prior_scale"]}
        fw = fightin_words(c, mode="two", n_perm=0, **kw).set_index("term")
        sub = ps[ps["setting"] == d["setting"]].set_index("term").loc[fw.index]
        assert np.allclose(sub["delta"], fw["delta"], rtol=1e-12) and np.allclose(sub["z"], fw["z"], rtol=1e-12)
        assert sub["prior_scale"].iloc[0] == pytest.approx(fw.attrs["prior_scale"])
        by_z = sub.sort_values("z", ascending=False)["rank"].to_numpy()
        assert by_z[0] == 1 and (np.diff(by_z) >= 0).all()
    ref = ps[ps["reference"]]
    assert set(ref["setting"]) == {ps.attrs["reference"]} == {"pooled, α0=500"}
    agree = pd.DataFrame(ps.attrs["agreement"]).set_index("setting")
    assert agree.loc["pooled, α0=500", "spearman"] == pytest.approx(1.0)
    assert agree.loc["pooled, α0=500", "top_overlap"] == 1.0


def test_prior_sensitivity_shows_a_ranking_that_hangs_on_the_prior():
    """A word in one article of one group only (zzburst): with 0.01 pseudo-counts per term
    its variance 1/(0 + 0.01) swamps its z, with raw counts as the prior it leads the list.
    The planted words stay at the top under every prior."""
    ps = framing.prior_sensitivity(planted_corpus(), mode="two")
    rank = ps.pivot_table(index="term", columns="setting", values="rank")
    uniform = next(s for s in rank.columns if s.startswith("uniform, 0.01 per term"))
    raw = next(s for s in rank.columns if "raw counts" in s)
    assert rank.loc["zzburst", uniform] > 20 and rank.loc["zzburst", raw] <= 3
    assert (rank.loc[PLANTED] <= 6).all().all()
    agree = pd.DataFrame(ps.attrs["agreement"]).set_index("setting")
    assert agree.loc[uniform, "top_overlap"] < 1.0


@pytest.mark.parametrize("kwargs, match", [
    ({"reference": 7.0}, "reference=7.0 is not one of prior_scales"),
    ({"prior_scales": ()}, "at least one"),
    ({"prior_scales": (10.0, 10.0)}, "duplicates"),
    ({"prior_scales": (-1.0, 500.0)}, "prior_scale must be"),
    ({"per_term": (0.0,)}, "each per_term value must be a number > 0,"),
    ({"reference": -5.0}, "reference must be a number > 0 or None"),
    ({"mode": "sideways"}, "mode must be"),
])
def test_prior_sensitivity_bad_input(kwargs, match):
    with pytest.raises(LexicalError, match=match):
        framing.prior_sensitivity(planted_corpus(n_per_group=3), **kwargs)


# ------------------------------------------------------------------------------------------
# plots (framing/plot/lexical.py)
# ------------------------------------------------------------------------------------------

def _label_boxes(ax, exclude=()):
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts
            if t.get_text().strip() and t.get_text() not in exclude]


@pytest.mark.parametrize("top, size", [(10, (8, 6)), (40, (5, 3))])
def test_plot_fightin_words_labels_do_not_overlap(top, size):
    import matplotlib.pyplot as plt
    from framing.plot.lexical import plot_fightin_words

    fw = fightin_words(planted_corpus(), mode="two")
    _, ax = plt.subplots(figsize=size)
    assert plot_fightin_words(fw, ax=ax, top=top) is ax
    boxes = [(t, b) for t, b in _label_boxes(ax) if not t.startswith("more in")]
    labelled = {t.strip() for t, _ in boxes}
    assert set(PLANTED) <= labelled
    wanted = min(top, (fw["z"] > 0).sum()) + min(top, (fw["z"] < 0).sum())
    if top == 10:
        assert len(boxes) == wanted
    else:  # small axes: the lowest-ranked labels are dropped rather than overlapped
        assert 20 <= len(boxes) < wanted
    for (t1, b1), (t2, b2) in itertools.combinations(boxes, 2):
        assert not b1.overlaps(b2), (t1, t2)


def test_plot_term_intervals_marks_token_only_terms():
    import matplotlib.pyplot as plt
    from framing.plot.lexical import plot_term_intervals

    fw = fightin_words(planted_corpus(), mode="two", n_boot=1000, random_state=0)
    ax = plot_term_intervals(fw, terms=["zzburst"] + PLANTED)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    burst = [t for t in labels if t.startswith("zzburst")]
    assert burst == ["zzburst [1|0] †"]
    assert not any(t.endswith("†") for t in labels if not t.startswith("zzburst"))
    assert len(ax.collections) == 2  # the two sets of intervals
    with pytest.raises(ValueError, match="n_boot > 0"):
        plot_term_intervals(fightin_words(planted_corpus(), mode="two"))
    with pytest.raises(ValueError, match="no contrast"):
        plot_term_intervals(fw, group="Z")
    plt.close("all")


def test_plots_colour_nothing_without_a_permutation_test():
    from matplotlib.colors import to_hex
    from framing.plot.lexical import plot_fightin_words, plot_term_intervals

    c = planted_corpus()
    untested = fightin_words(c, mode="two", n_perm=0, n_boot=200, random_state=0)
    ax = plot_fightin_words(untested)
    assert {to_hex(col) for col in ax.collections[0].get_facecolors()} == {"#bbbbbb"}   # z alone colours nothing
    assert "not tested" in ax.get_title()
    ax = plot_term_intervals(untested, terms=["zzburst"] + PLANTED)
    assert not any(t.get_text().endswith("†") for t in ax.get_yticklabels())
    tested = plot_fightin_words(fightin_words(c, mode="two", random_state=0))
    assert len({to_hex(col) for col in tested.collections[0].get_facecolors()}) > 1


def test_plot_prior_sensitivity():
    import matplotlib.pyplot as plt
    from framing.plot import plot_prior_sensitivity

    ps = framing.prior_sensitivity(planted_corpus(), mode="two")
    _, ax = plt.subplots(figsize=(9, 6))
    assert plot_prior_sensitivity(ps, ax=ax, top=5) is ax
    assert len(ax.get_lines()) >= 10 + 1                   # 5 terms a side, plus the reference line
    assert [t.get_text() for t in ax.get_xticklabels()] == [d["setting"] for d in ps.attrs["settings"]]
    labels = {t.get_text() for t in ax.texts}
    assert set(PLANTED) <= labels
    boxes = _label_boxes(ax)
    for (t1, b1), (t2, b2) in itertools.combinations(boxes, 2):
        assert not b1.overlaps(b2), (t1, t2)
    ax = plot_prior_sensitivity(ps, value="rank", top=3)
    assert ax.yaxis_inverted()
    with pytest.raises(ValueError, match="prior_sensitivity"):
        plot_prior_sensitivity(fightin_words(planted_corpus(), mode="two", n_perm=0))
    with pytest.raises(ValueError, match="value must be"):
        plot_prior_sensitivity(ps, value="q")


def test_plot_marker_rates_and_heatmap():
    from framing.markers import marker_rates
    from framing.plot.lexical import plot_marker_heatmap, plot_marker_rates

    c = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": ["RT", "RT", "NYT"],
                      "text": ["Kiev said Kiev. The sham referendum.", "Kiev again", "Kyiv, Kyiv and the war."]})
    rates = marker_rates(c, n_boot=50, random_state=0)
    ax = plot_marker_rates(rates, family="naming")
    assert len(ax.get_yticklabels()) == (rates["family"] == "naming").sum() // 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["NYT", "RT"]
    ax = plot_marker_heatmap(rates, family=["naming", "status"])
    n_rows = rates[rates["family"].isin(["naming", "status"])][["family", "marker"]].drop_duplicates().shape[0]
    assert len(ax.texts) == n_rows * 2
    assert ax.images[0].get_array().max() == pytest.approx(1.0)  # row-normalised colours
    with pytest.raises(ValueError, match="unknown family"):
        plot_marker_rates(rates, family="nope")


# ------------------------------------------------------------------------------------------
# benchmark and the real corpus
# ------------------------------------------------------------------------------------------

def test_benchmark_record_on_a_small_corpus(tmp_path):
    from framing.bench.lexical import run

    rec = run(planted_corpus(n_per_group=8), n_boot=20, scattertext_env=tmp_path / "none", build_env=False)
    for key in ("countvectorizer_s", "term_counts_s", "fightin_words_s", "n_tokens", "tested_terms_per_contrast"):
        assert key in rec
    assert rec["n_docs"] == 16 and rec["corpus"] == "given corpus"
    assert "no environment" in rec["scattertext_skipped"]


def _real(name):
    from framing.fetch import FetchError

    try:
        return framing.load_corpus(name, progress=False)
    except FetchError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"corpus {name!r} not available: {exc}")


@pytest.mark.integration
def test_real_event_window_rt_against_us():
    news = _real("ukraine-media")
    event = framing.select(news[news["near_dup_of"] == ""], start="2022-09-16", end="2022-10-07")
    sides = {"RT": "RT", **{o: "US" for o in ["ABC", "CBS", "Fox", "HuffPost", "NYT", "Reuters"]}}
    fw = fightin_words(event, group=sides,
                       mode="two", min_count=10, n_boot=200, n_perm=200, random_state=0)
    top_rt = fw[fw["significant"] & (fw["z"] > 0)]["term"].tolist()
    assert "kiev" in top_rt and "republics" in top_rt
    assert "kyiv" in fw[fw["significant"] & (fw["z"] < 0)]["term"].tolist()
    from framing.markers import marker_rates

    rates = marker_rates(event, n_boot=200, random_state=0).set_index(["group", "marker"])
    kiev = rates.xs("Kiev", level="marker")
    for outlet in ("ABC", "CBS", "Fox", "HuffPost", "NYT"):
        assert kiev.loc["RT", "ci_low"] > kiev.loc[outlet, "ci_high"]


# ------------------------------------------------------------------------------------------
# the glossary: renamed keywords, group= forms, one BH family
# ------------------------------------------------------------------------------------------

def test_old_keywords_warn_and_give_the_same_result():
    c = planted_corpus(n_per_group=8)
    new = fightin_words(c, mode="two", n_boot=30, n_perm=30, random_state=1)
    with pytest.warns(DeprecationWarning, match="n_boot"), pytest.warns(DeprecationWarning, match="n_perm"):
        old = fightin_words(c, mode="two", bootstrap=30, permutations=30, random_state=1)
    pd.testing.assert_frame_equal(new, old)
    assert "p_value" in new.columns and "p_perm" not in new.columns


def test_old_groups_keyword_warns_and_gives_the_same_result():
    c3 = pd.concat([planted_corpus(n_per_group=5), planted_corpus(seed=1, n_per_group=5).assign(
        outlet=lambda d: d["outlet"].map({"A": "C", "B": "C"}), doc_id=lambda d: "c" + d["doc_id"])],
        ignore_index=True)
    new = fightin_words(c3, group={"A": "A", "B": "BC", "C": "BC"}, mode="two", min_count=1, n_perm=0)
    with pytest.warns(DeprecationWarning, match="groups"):
        old = fightin_words(c3, groups={"A": "A", "BC": ["B", "C"]}, mode="two", min_count=1, n_perm=0)
    pd.testing.assert_frame_equal(new, old)
    new = framing.prior_sensitivity(c3, group=("outlet", {"C": "C", "A": "A"}), mode="two")
    with pytest.warns(DeprecationWarning, match="groups"):
        old = framing.prior_sensitivity(c3, group="outlet", groups=["C", "A"], mode="two")
    pd.testing.assert_frame_equal(new, old)
    assert new.attrs["contrasts"] == [("C", "A")]


def test_one_vs_rest_bh_over_the_whole_family():
    c3 = pd.concat([planted_corpus(n_per_group=6), planted_corpus(seed=2, n_per_group=6).assign(
        outlet="C", doc_id=lambda d: "c" + d["doc_id"])], ignore_index=True)
    per = fightin_words(c3, mode="one-vs-rest", n_perm=99, random_state=0)
    fam = fightin_words(c3, mode="one-vs-rest", n_perm=99, random_state=0, fdr="all")
    assert set(fam["group"]) == {"A", "B", "C"} and fam.attrs["fdr"] == "all"
    pd.testing.assert_series_equal(per["p_value"], fam["p_value"])
    from framing.stats import fdr_bh

    assert np.allclose(fam["q"], fdr_bh(fam["p_value"].to_numpy()))       # one family: every row
    for g, sub in per.groupby("group"):
        assert np.allclose(sub["q"], fdr_bh(sub["p_value"].to_numpy()))  # default: per contrast
    with pytest.raises(LexicalError, match="fdr must be"):
        fightin_words(c3, fdr="global")



def test_plot_marker_rates_old_groups_keyword_warns():
    import matplotlib.pyplot as plt
    from framing.markers import marker_rates
    from framing.plot.lexical import plot_marker_heatmap, plot_marker_rates

    c = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": ["RT", "RT", "NYT"],
                      "text": ["Kiev said Kiev.", "Kiev again", "Kyiv, Kyiv and the war."]})
    rates = marker_rates(c, n_boot=0)
    ax = plot_marker_rates(rates, family="naming", group=["RT"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["RT"]
    with pytest.warns(DeprecationWarning, match="group"):
        old = plot_marker_rates(rates, family="naming", groups=["RT"])
    assert [t.get_text() for t in old.get_legend().get_texts()] == ["RT"]
    with pytest.warns(DeprecationWarning, match="group"):
        heat = plot_marker_heatmap(rates, family="naming", groups=["RT", "NYT"])
    assert [t.get_text() for t in heat.get_xticklabels()] == ["RT", "NYT"]
    plt.close("all")


# ---- the Poisson bootstrap (resampling="poisson") -------------------------------------------

def test_poisson_bootstrap_matches_a_loop_over_replicates():
    """ci_low/ci_high/sign_stability of resampling='poisson' against a plain loop over
    replicates with the weights of framing.stats.poisson_weights (keyed by doc_id)."""
    from framing.stats import poisson_weights

    c = planted_corpus(n_per_group=12, doc_len=60, burst=8)
    B, seed = 200, 11
    fw = fightin_words(c, mode="two", n_boot=B, resampling="poisson", random_state=seed, min_count=3,
                       prior_scale=50.0, n_perm=0)
    assert fw.attrs["resampling"] == "poisson"
    X, vocab = term_counts(c)
    X = X.toarray()
    W = poisson_weights(c["doc_id"].tolist(), B, seed)                # B x documents
    a_rows = (c["outlet"] == "A").to_numpy()
    pooled = X.sum(axis=0)
    alpha = 50.0 * pooled / pooled.sum()
    ya, yb = W[:, a_rows] @ X[a_rows], W[:, ~a_rows] @ X[~a_rows]    # B x terms
    na, nb = ya.sum(axis=1, keepdims=True), yb.sum(axis=1, keepdims=True)
    deltas = np.log((ya + alpha) / (na + 50.0 - ya - alpha)) - np.log((yb + alpha) / (nb + 50.0 - yb - alpha))
    signs = np.sign(ya / na - yb / nb)
    observed = np.sign(X[a_rows].sum(axis=0) / X[a_rows].sum() - X[~a_rows].sum(axis=0) / X[~a_rows].sum())
    _assert_matches_the_loop(fw, vocab, deltas, signs, observed)
    # the weights follow the documents, not the rows: shuffled rows, same intervals
    shuffled = fightin_words(c.sample(frac=1, random_state=1), mode="two", n_boot=B, resampling="poisson",
                             random_state=seed, min_count=3, prior_scale=50.0, n_perm=0)
    pd.testing.assert_frame_equal(shuffled, fw)


def test_poisson_bootstrap_leaves_the_permutation_test_alone():
    c = planted_corpus(n_per_group=10, doc_len=50)
    plain = fightin_words(c, mode="two", n_perm=200, random_state=4)
    both = fightin_words(c, mode="two", n_perm=200, n_boot=50, resampling="poisson", random_state=4)
    np.testing.assert_array_equal(both["p_value"].to_numpy(), plain["p_value"].to_numpy())
    assert both["ci_low"].notna().all()


def test_keyed_permutation_ignores_row_order_and_keeps_group_sizes():
    """permutation="keyed": the same p-values for any row order (the shuffle depends on the
    ids, not the rows), another random_state gives other draws, and it needs unique ids."""
    c = planted_corpus(n_per_group=12, doc_len=40)
    c = pd.concat([c, c[c["outlet"] == "B"].assign(outlet="C", doc_id=lambda d: "C" + d["doc_id"])],
                  ignore_index=True)
    kw = dict(mode="one-vs-rest", n_perm=300, permutation="keyed", min_count=2)
    fw = fightin_words(c, random_state=4, **kw)
    back = fightin_words(c.sample(frac=1, random_state=1), random_state=4, **kw)
    pd.testing.assert_frame_equal(back, fw)
    a = fw[fw["group"] == "A"].set_index("term")["p_value"]
    assert fw.attrs["permutation"] == "keyed" and (a.loc[list(PLANTED)] < 0.05).all() and a.max() > 0.5
    other = fightin_words(c, random_state=5, **kw)
    assert not np.array_equal(other["p_value"].to_numpy(), fw["p_value"].to_numpy())
    with pytest.raises(LexicalError, match="permutation='keyed' keys each document"):
        fightin_words(c.drop(columns="doc_id"), **kw)
    with pytest.raises(LexicalError, match="permutation must be one of"):
        fightin_words(c, mode="two", n_perm=10, permutation="random")
    assert "permutation" not in fightin_words(c, n_perm=0).attrs or fightin_words(c, n_perm=0).attrs["permutation"] is None


def test_keyed_permutation_size_under_a_bursty_null():
    """Size of the default call's test with keyed permutations: 60 bursty null corpora; the
    per-term rate of p <= 0.05 and the family-wise rate of any discovery stay near alpha."""
    flagged, small_p, n_p = 0, 0, 0
    for seed in range(60):
        fw = fightin_words(bursty_corpus(seed), random_state=seed, n_perm=500, permutation="keyed")
        flagged += bool(fw["significant"].any())
        a = fw[fw["group"] == "A"]
        small_p += int((a["p_value"] <= 0.05).sum())
        n_p += len(a)
    assert flagged <= 7                       # alpha = 0.05 of 60 is 3
    assert 0.02 <= small_p / n_p <= 0.075     # per-term size (and not degenerate)


def test_poisson_bootstrap_needs_unique_doc_ids():
    c = planted_corpus(n_per_group=5, doc_len=30)
    with pytest.raises(LexicalError, match="no doc_id column"):
        fightin_words(c.drop(columns="doc_id"), mode="two", n_boot=10, resampling="poisson", n_perm=0)
    dup = c.assign(doc_id=c["doc_id"].where(c.index != 3, c["doc_id"].iloc[1]))
    with pytest.raises(LexicalError, match="'A01' is in rows \\[1, 3\\]"):
        fightin_words(dup, mode="two", n_boot=10, resampling="poisson", n_perm=0)
    with pytest.raises(LexicalError, match="resampling must be one of"):
        fightin_words(c, mode="two", n_boot=10, resampling="multinomial", n_perm=0)
    fightin_words(c.drop(columns="doc_id"), mode="two", n_boot=10, n_perm=0)   # stratified: no ids needed


def _bursty_pair(rng: np.random.Generator, rates: dict[str, list[float]], n: int = 40, length: int = 120
                 ) -> pd.DataFrame:
    """Two groups of documents; each document's rates of the three target terms are the group's
    rates times a Gamma(2, 1/2) factor (mean 1): documents, not tokens, are the units."""
    rows = []
    for g, r in rates.items():
        for i in range(n):
            p = np.array(r) * rng.gamma(2.0, 0.5, len(r))
            k = rng.multinomial(length, list(p) + [1 - p.sum()])
            words = [w for w, m in zip(("ta", "tb", "tc"), k) for _ in range(m)]
            words += list(rng.choice(["f1", "f2", "f3", "f4"], k[-1]))
            rows.append({"doc_id": f"{g}{i}", "outlet": g, "text": " ".join(words)})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("resampling", ["stratified", "poisson"])
def test_bootstrap_intervals_cover_at_the_nominal_rate(resampling):
    """150 simulated corpora with bursty documents, three terms each (true delta +0.72, 0,
    -0.70 on the population rates; a negligible prior): the 95% intervals hold the true delta
    in 95% of cases, within Monte Carlo error (sd about 0.01) and the small undercoverage of
    percentile intervals at 40 documents a group."""
    rates = {"A": [0.03, 0.01, 0.02], "B": [0.015, 0.01, 0.04]}
    truth = {t: math.log(a / (1 - a)) - math.log(b / (1 - b)) for t, a, b in zip(("ta", "tb", "tc"), *rates.values())}
    rng = np.random.default_rng(2026)
    hits = []
    for r in range(150):
        fw = fightin_words(_bursty_pair(rng, rates), mode="two", n_perm=0, n_boot=200, resampling=resampling,
                           random_state=r, prior="uniform", prior_scale=0.07, min_count=1).set_index("term")
        hits += [fw.loc[t, "ci_low"] <= d <= fw.loc[t, "ci_high"] for t, d in truth.items()]
    assert 0.91 <= np.mean(hits) <= 0.98
