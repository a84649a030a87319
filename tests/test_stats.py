"""Tests of framing.stats: the small-group rule, BCa, the negative binomial rate interval."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import optimize, stats

from framing.stats import (MIN_DOCS, SmallGroupWarning, bca_interval, check_min_docs, nb_profile_interval, nb_rate_interval, poisson_weights,
                           keyed_subsets, keyed_thresholds, permutation_keys, small_groups, zero_count_upper)


# ----------------------------------------------------------------------------- the small-group rule

def test_min_docs_default_and_validation():
    assert MIN_DOCS == 5
    assert check_min_docs(np.int64(3), caller="f") == 3
    for bad in (1, 0, -2, 2.5, True, "5", None):
        with pytest.raises(ValueError, match="f: min_docs must be an int >= 2"):
            check_min_docs(bad, caller="f")


def test_small_groups_warns_once_naming_every_small_group():
    with pytest.warns(SmallGroupWarning) as rec:
        out = small_groups({"RT": 40, "TASS": 1, "Sputnik": 4, "BBC": 5}, caller="marker_rates")
    assert out == ["TASS", "Sputnik"] and len(rec) == 1
    msg = str(rec[0].message)
    assert "marker_rates" in msg and "'TASS' (1), 'Sputnik' (4)" in msg and "RT" not in msg and "BBC" not in msg
    assert "min_docs=5" in msg and issubclass(SmallGroupWarning, UserWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert small_groups({"RT": 40, "BBC": 5}, caller="f") == []
    with pytest.warns(SmallGroupWarning, match="fewer than min_docs=41 articles: 'RT' \\(40\\), 'BBC' \\(5\\)"):
        small_groups({"RT": 40, "BBC": 5}, 41, caller="f", unit="articles")
    many = {f"g{i}": 1 for i in range(30)}
    with pytest.warns(SmallGroupWarning, match=r"for 30 groups .*'g19' \(1\) \.\.\."):
        assert len(small_groups(many, caller="f")) == 30


# ----------------------------------------------------------------------------- BCa

def _bca_loop(theta, boot, jack, alpha):
    """Efron & Tibshirani (1993), eqs. 14.9-14.15, written out."""
    z0 = stats.norm.ppf(np.mean(boot < theta) + 0.5 * np.mean(boot == theta))
    d = jack.mean() - jack
    a = (d ** 3).sum() / (6 * ((d ** 2).sum()) ** 1.5)
    out = []
    for q in (alpha / 2, 1 - alpha / 2):
        z = stats.norm.ppf(q)
        out.append(np.quantile(boot, stats.norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z)))))
    return tuple(out)


def test_bca_matches_the_textbook_formula_and_scipy():
    rng = np.random.default_rng(3)
    x = rng.lognormal(0, 1, 30)
    boot = x[rng.integers(0, 30, (20000, 30))].mean(axis=1)
    jack = (x.sum() - x) / 29
    lo, hi = bca_interval(x.mean(), boot, jack, alpha=0.1)
    assert (lo, hi) == pytest.approx(_bca_loop(x.mean(), boot, jack, 0.1))
    ref = stats.bootstrap((x,), np.mean, method="BCa", confidence_level=0.9, n_resamples=20000,
                          random_state=4).confidence_interval
    assert lo == pytest.approx(ref.low, rel=0.02) and hi == pytest.approx(ref.high, rel=0.02)
    # column by column, NaN replicates ignored, no spread -> the estimate at both ends
    B = np.column_stack([boot, np.r_[np.nan, boot[1:]], np.full(len(boot), 2.0)])
    J = np.column_stack([jack, jack, np.full(30, 2.0)])
    lo2, hi2 = bca_interval(np.array([x.mean(), x.mean(), 2.0]), B, J, alpha=0.1)
    assert lo2[0] == pytest.approx(lo) and np.isfinite(lo2[1]) and (lo2[2], hi2[2]) == (2.0, 2.0)


# ----------------------------------------------------------------------------- the rate interval

def _nb_profile_brute(c, w, alpha):
    """The same interval from scipy's negative binomial pmf (size a * w_i, p = a / (a + rate))
    and generic optimisers."""
    c, w = np.asarray(c, float), np.asarray(w, float)

    def prof(loglam):
        lam = np.exp(loglam)
        ll = lambda loga: stats.nbinom.logpmf(c, np.exp(loga) * w, np.exp(loga) / (np.exp(loga) + lam)).sum()
        grid = np.arange(-20, 6.01, 0.5)
        j = int(np.argmax([ll(g) for g in grid]))
        res = optimize.minimize_scalar(lambda g: -ll(g), bounds=(grid[max(j - 1, 0)], grid[min(j + 1, len(grid) - 1)]),
                                       method="bounded", options={"xatol": 1e-9})
        return max(-res.fun, stats.poisson.logpmf(c, lam * w).sum())

    rate = c.sum() / w.sum()
    level = prof(np.log(rate)) - stats.f.ppf(1 - alpha, 1, len(c) - 1) / 2
    lo = optimize.brentq(lambda x: prof(x) - level, np.log(rate) - 10, np.log(rate))
    hi = optimize.brentq(lambda x: prof(x) - level, np.log(rate), np.log(rate) + 10)
    return np.exp(lo), np.exp(hi)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_nb_rate_interval_matches_a_brute_force_profile(seed):
    rng = np.random.default_rng(seed)
    w = rng.integers(100, 1500, 12).astype(float)
    c = rng.poisson(2e-3 * w * rng.gamma(0.5, 2.0, 12))
    if c.sum() == 0 or (c > 0).sum() < 2:
        c[:2] += 1
    lo, hi = nb_rate_interval(c, w, alpha=0.05)
    blo, bhi = _nb_profile_brute(c, w, 0.05)
    assert lo == pytest.approx(blo, rel=2e-3) and hi == pytest.approx(bhi, rel=2e-3)
    assert lo < c.sum() / w.sum() < hi


def test_the_likelihood_is_maximal_at_the_pooled_ratio():
    """NB1: the maximum-likelihood rate is C / W whatever the burstiness, so the interval is
    about the rate that is reported (the NB2 estimate would weight documents unequally)."""
    rng = np.random.default_rng(8)
    w = rng.integers(100, 2000, 25).astype(float)
    c = rng.poisson(3.0 * rng.gamma(0.5, 2.0, 25)).astype(float)     # counts that ignore length
    for a in (1e-4, 1e-3, 1e-1):
        best = optimize.minimize_scalar(
            lambda x: -stats.nbinom.logpmf(c, a * w, a / (a + np.exp(x))).sum(),
            bounds=(np.log(c.sum() / w.sum()) - 3, np.log(c.sum() / w.sum()) + 3), method="bounded",
            options={"xatol": 1e-10})
        assert np.exp(best.x) == pytest.approx(c.sum() / w.sum(), rel=1e-5)
    lo, hi = nb_rate_interval(c, w)
    assert lo < c.sum() / w.sum() < hi


def test_nb_rate_interval_without_burstiness_is_the_poisson_likelihood_interval():
    rng = np.random.default_rng(5)
    w = rng.integers(300, 900, 40).astype(float)
    c = rng.poisson(5e-3 * w)        # Poisson counts: the fitted burstiness vanishes
    lo, hi = nb_rate_interval(c, w)
    C, W = c.sum(), w.sum()
    crit = stats.f.ppf(0.95, 1, 39) / 2
    ll = lambda lam: C * np.log(lam) - lam * W
    plo = optimize.brentq(lambda x: ll(C / W) - ll(x) - crit, 1e-9, C / W)
    phi = optimize.brentq(lambda x: ll(C / W) - ll(x) - crit, C / W, 1.0)
    # the burstiness is estimated from 40 documents, so the interval may be a little wider
    assert lo == pytest.approx(plo, rel=0.03) and hi == pytest.approx(phi, rel=0.03)
    assert lo <= plo * (1 + 1e-6) and hi >= phi * (1 - 1e-6)


def test_nb_profile_interval_from_sufficient_statistics_ignores_row_order():
    """The documents without events enter only through the total exposure, the count and the
    median: the interval from those equals the one from every row, bit for bit, in any order."""
    rng = np.random.default_rng(11)
    w = rng.integers(50, 2000, 200).astype(float)
    c = rng.poisson(1e-3 * w * rng.gamma(0.3, 1 / 0.3, 200)).astype(float)
    want = nb_rate_interval(c, w)
    for seed in range(3):
        order = np.random.default_rng(seed).permutation(200)
        assert nb_rate_interval(c[order], w[order]) == want
    pos = c > 0
    got = nb_profile_interval(c[pos][::-1], w[pos][::-1], exposure=w.sum(), n=200, scale=np.median(w))
    assert got == want and want[0] < c.sum() / w.sum() < want[1]
    # another median places the grid elsewhere: not the same numbers (the statistic matters)
    assert nb_profile_interval(c[pos], w[pos], exposure=w.sum(), n=200, scale=2 * np.median(w)) != want
    assert nb_profile_interval(np.zeros(0), np.zeros(0), exposure=1000.0, n=5, scale=100.0) == (
        0.0, pytest.approx(zero_count_upper(1000.0)))


def test_nb_rate_interval_edge_cases():
    w = np.array([400.0, 900, 650, 300, 800, 0, 700])
    # nothing counted: [0, -ln(alpha) / words], the rule of three
    lo, hi = nb_rate_interval(np.zeros(7), w, alpha=0.05)
    assert lo == 0 and hi == pytest.approx(-np.log(0.05) / w.sum()) and hi == pytest.approx(zero_count_upper(w.sum()))
    # every match in one document: the data cannot bound the rate from above
    lo, hi = nb_rate_interval(np.array([0, 9, 0, 0, 0, 0, 0]), w)
    assert 0 < lo < 9 / w.sum() and hi == np.inf
    # several columns at once, each as on its own
    C = np.column_stack([[1, 3, 0, 0, 2, 0, 1], [0] * 7, [5, 0, 0, 1, 0, 0, 0]])
    lo, hi = nb_rate_interval(C, w, alpha=0.1)
    for j in range(3):
        assert (lo[j], hi[j]) == pytest.approx(nb_rate_interval(C[:, j], w, alpha=0.1))
    with pytest.raises(ValueError, match="at least 2 documents"):
        nb_rate_interval(np.array([1, 0]), np.array([100.0, 0]))
    with pytest.raises(ValueError, match="zero exposure has events"):
        nb_rate_interval(np.array([1, 1, 1]), np.array([100.0, 0, 50]))
    with pytest.raises(ValueError, match="one value per row"):
        nb_rate_interval(np.array([1, 1, 1]), np.array([100.0, 50]))
    with pytest.raises(ValueError, match=">= 0"):
        nb_rate_interval(np.array([1, -1, 1]), np.array([100.0, 50, 20]))


def test_poisson_weights_depend_only_on_seed_id_and_replicate():
    """The weights of a document do not depend on its neighbours or its row: any split of the
    documents gives the same weights (what lets partitions add up their sums)."""
    ids = [f"doc{i}" for i in range(50)]
    W = poisson_weights(ids, 40, random_state=3)
    assert W.shape == (40, 50) and W.dtype == np.int64
    order = np.random.default_rng(0).permutation(50)
    np.testing.assert_array_equal(poisson_weights([ids[i] for i in order], 40, random_state=3), W[:, order])
    np.testing.assert_array_equal(poisson_weights(ids[10:20], 40, random_state=3), W[:, 10:20])
    assert (poisson_weights(ids, 40, random_state=4) != W).mean() > 0.5       # another key, other draws
    with pytest.raises(TypeError, match="integer random_state"):
        poisson_weights(ids, 2, random_state=np.random.default_rng(0))


def test_keyed_subsets_are_uniform_k_subsets_whatever_the_order():
    """All 10 2-subsets of 5 ids come up equally often (chi-square), each subset has k members,
    and the subsets follow the ids, not their order."""
    from scipy.stats import chisquare

    ids = ["a", "b", "c", "d", "e"]
    S = keyed_subsets(ids, 2, 20000, random_state=3)
    assert (S.sum(axis=1) == 2).all()
    codes = S.astype(int) @ (1 << np.arange(5))
    values, counts = np.unique(codes, return_counts=True)
    assert len(values) == 10 and chisquare(counts).pvalue > 0.001
    order = [3, 0, 4, 1, 2]
    np.testing.assert_array_equal(keyed_subsets([ids[i] for i in order], 2, 20000, random_state=3), S[:, order])
    assert not np.array_equal(keyed_subsets(ids, 2, 200, random_state=4), S[:200])


def test_keyed_thresholds_split_the_keys_and_refuse_ties():
    h = np.arange(100, dtype=np.uint64) * np.uint64(7919)
    thr = keyed_thresholds(h, [1, 30, 100], 50, 0, block_bytes=800 * 7)    # several blocks
    keys = permutation_keys(h, 0, 50, 0)
    for i, k in enumerate([1, 30, 100]):
        assert ((keys <= thr[i][:, None]).sum(axis=1) == k).all()
    with pytest.raises(ValueError, match="same 64-bit key"):
        keyed_thresholds(np.array([5, 5], dtype=np.uint64), [1], 3, 0)
    with pytest.raises(ValueError, match="sizes must be in"):
        keyed_thresholds(h, [0], 3, 0)


def test_poisson_weights_are_poisson_one_and_independent():
    """Frequencies of 0..4 against Poisson(1) (chi-square), and no correlation between
    replicates or between neighbouring documents."""
    W = poisson_weights([f"d{i}" for i in range(2000)], 100, random_state=0)
    k = np.minimum(W.ravel(), 5)
    observed = np.bincount(k, minlength=6)
    p = stats.poisson.pmf(np.arange(5), 1.0)
    expected = np.append(p, 1 - p.sum()) * k.size
    assert stats.chisquare(observed, expected).pvalue > 0.001
    assert abs(W.mean() - 1) < 0.01 and abs(W.var() - 1) < 0.02
    C = np.corrcoef(W)                                          # replicates x replicates
    assert np.abs(C[np.triu_indices(100, 1)]).max() < 0.12      # 2000 documents: sd of r ~ 0.022
    assert abs(np.corrcoef(W[:, :-1].ravel(), W[:, 1:].ravel())[0, 1]) < 0.01
