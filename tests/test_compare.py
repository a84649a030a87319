"""framing.compare: omnibus permutation test across k groups, then the pairs, adjusted."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from framing.compare import compare_measure, compare_themes, holm, omnibus
from framing.stats import SmallGroupWarning, fdr_bh


def _null_table(rng: np.random.Generator, k: int = 4, n: int = 10) -> pd.DataFrame:
    return pd.DataFrame({"outlet": np.repeat([f"g{i}" for i in range(k)], n), "x": rng.exponential(size=k * n)})


def test_the_omnibus_test_has_the_right_size_under_the_null():
    rng = np.random.default_rng(0)
    p = [omnibus(_null_table(rng), "x", n_perm=99, n_boot=0, random_state=i).loc[0, "p_value"] for i in range(200)]
    rate = float(np.mean(np.asarray(p) <= 0.05))
    assert 0.015 <= rate <= 0.09, rate


def test_pairwise_p_values_are_adjusted_as_one_family():
    rng = np.random.default_rng(1)
    t = pd.DataFrame({"outlet": np.repeat(list("ABCD"), 25), "x": rng.normal(size=100) + np.repeat([0, 0, 0.8, 0], 25)})
    r = omnibus(t, "x", n_perm=500, n_boot=300, random_state=0)
    om, pairs = r.iloc[0], r.iloc[1:]
    assert om["test"] == "omnibus" and om["p_value"] < 0.01 and np.isnan(om["q"])
    assert len(pairs) == 6 and (pairs["test"] == "pairwise").all()
    assert np.allclose(pairs["q"], holm(pairs["p_value"]))
    assert "Holm" in r.attrs["control"]
    sig = pairs[pairs["q"] < 0.05]
    assert set(map(frozenset, zip(sig["group"], sig["other"]))) <= {frozenset(("C", o)) for o in "ABD"}
    assert len(sig) >= 2
    bh = omnibus(t, "x", n_perm=500, n_boot=0, pairwise="bh", random_state=0)
    assert np.allclose(bh["q"].iloc[1:], fdr_bh(bh["p_value"].iloc[1:])) and "Benjamini" in bh.attrs["control"]


def test_pairwise_intervals_cover_the_difference():
    rng = np.random.default_rng(2)
    covered = 0
    for i in range(40):
        t = pd.DataFrame({"outlet": np.repeat(["A", "B"], 40), "x": rng.normal(size=80) + np.repeat([0, 0.5], 40)})
        row = omnibus(t, "x", n_perm=50, n_boot=300, random_state=i).iloc[1]
        assert row["group"] == "B" and row["other"] == "A"
        covered += row["ci_low"] <= 0.5 <= row["ci_high"]
    assert covered >= 34


def test_holm_matches_its_definition():
    p = np.array([0.01, 0.02, 0.03, 0.04, np.nan])
    assert np.allclose(holm(p)[:4], [0.04, 0.06, 0.06, 0.06]) and np.isnan(holm(p)[4])


def test_weights_make_group_means_pooled_ratios():
    t = pd.DataFrame({"outlet": ["A", "A", "B", "B"], "share": [1.0, 0.0, 0.5, 0.5], "n": [3, 1, 2, 2]})
    r = omnibus(t, "share", weight="n", n_perm=20, n_boot=0, min_docs=2, random_state=0)
    assert r.loc[1, "estimate"] == pytest.approx(0.5 - 0.75)


def test_theme_shares_per_theme_and_small_groups_warned():
    s = pd.DataFrame({"doc_id": np.r_[np.repeat(np.arange(20), 2), [99]], "outlet": ["A"] * 20 + ["B"] * 20 + ["C"],
                      "k": (["war", "vote"] * 10) + (["war"] * 20) + ["vote"]})
    with pytest.warns(SmallGroupWarning, match="'C'"):
        r = compare_themes(s, "k", n_perm=200, n_boot=100, random_state=0)
    assert set(r["theme"]) == {"vote", "war"}
    pair = r[(r["theme"] == "war") & (r["group"] == "B") & (r["other"] == "A")].iloc[0]
    assert pair["estimate"] > 0 and pair["p_value"] < 0.05
    assert r[(r["group"] == "C") | (r["other"] == "C")]["ci_low"].isna().all()


def test_compare_measure_refuses_volume_and_unknown_keywords():
    s = pd.DataFrame({"doc_id": [1, 2], "outlet": ["A", "B"], "k": [0, 1]})
    with pytest.raises(ValueError, match="volume"):
        compare_measure(s, "volume")
    with pytest.raises(TypeError):
        omnibus(s, "k", permutations=10)
    with pytest.raises(ValueError, match="pairwise"):
        omnibus(s, "k", pairwise="bonferroni")


def test_marker_comparison_counts_own_voice():
    from framing.compare import compare_markers

    lex = {"families": {"status": {"markers": [{"marker": "sham"}]}}}
    c = pd.DataFrame({"doc_id": [f"d{i}" for i in range(12)], "outlet": ["X"] * 6 + ["Y"] * 6,
                      "text": ["Biden called it “a sham.” The vote ended."] * 6 + ["The sham vote ended."] * 6})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = compare_markers(c, lexicon=lex, boilerplate="keep", n_perm=200, n_boot=0, random_state=0)
    pair = r.iloc[1]
    assert pair["group"] == "Y" and pair["estimate"] > 0 and r.loc[0, "p_value"] < 0.05


def test_small_group_warning_is_issued_once_at_the_callers_line():
    import warnings

    from framing import SmallGroupWarning
    from framing.compare import compare_themes

    s = pd.DataFrame({"doc_id": np.arange(33), "outlet": ["A"] * 15 + ["B"] * 15 + ["C"] * 3,
                      "theme": (["war", "vote"] * 17)[:33]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compare_themes(s, s["theme"], n_perm=50, n_boot=0, random_state=0)
    small = [w for w in caught if issubclass(w.category, SmallGroupWarning)]
    assert len(small) == 1 and small[0].filename == __file__ and "'C'" in str(small[0].message)
