"""Tests of framing.markers: the lexicon, exact matching on tricky text, rates with intervals."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from framing import lexical
from framing.markers import LexiconError, load_lexicon, marker_rates, match_markers

NAMING = ("KIEV, Sept. 30 - Officials in Kiev and Kyiv's suburbs met. A Kyivan artist, a Kiev-based NGO "
          "and pro-Kiev forces; kiev in lower case. Kyiv\u2019s mayor. Zaporozhzhia, Zaporizhia, Zaporozhye "
          "and ZAPORIZHZHIA. Donbass/Donbas, Kharkov or Kharkiv, Nikolayev and Mykolaiv, Kherson.")
QUOTES = ('The so-called "referendum" and the so called \u2018referendums\u2019 were a sham; '
          '\u00abreferendum\u00bb again, \u201creferendum,\u201d they said. The referendum\u2019s result, '
          "a 'vote'. A \u201cspecial military operation\u201d.")
WAR = ("Moscow calls it a special military operation, not a war; critics call the war an invasion. "
       "Toward the award-winning warship, software and post-war plans. Wars end.")
HEDGES = "The self-proclaimed republic, a self proclaimed leader and a self-styled mayor allegedly, purportedly."


@pytest.fixture
def tricky():
    return pd.DataFrame({"doc_id": ["naming", "quotes", "war", "hedges"], "outlet": ["X", "Y", "X", "Y"],
                         "published": pd.to_datetime(["2022-09-30"] * 4), "text": [NAMING, QUOTES, WAR, HEDGES]})


def counts(m: pd.DataFrame, doc: str, family: str) -> dict[str, int]:
    sub = m[(m["doc_id"] == doc) & (m["family"] == family)]
    return sub["marker"].value_counts().to_dict()


def test_default_lexicon_has_the_families_and_pairs():
    lex = load_lexicon()
    assert lex.families == ["naming", "status", "war_label", "scare_quotes", "hedges"]
    frame = lex.to_frame()
    naming = frame[frame["family"] == "naming"]
    for ru, ua in [("Kiev", "Kyiv"), ("Lugansk", "Luhansk"), ("Zaporozhye", "Zaporizhzhia"), ("Donbass", "Donbas"),
                   ("Kharkov", "Kharkiv"), ("Nikolaev", "Mykolaiv")]:
        assert {ru, ua} <= set(naming["marker"])
        assert naming.set_index("marker").loc[ru, "concept"] == naming.set_index("marker").loc[ua, "concept"]
    assert (naming["case"] == "proper").all()
    assert frame.set_index(["family", "marker"]).loc[("scare_quotes", "referendum"), "quoted"]


def test_naming_possessives_hyphens_case(tricky):
    m = match_markers(tricky)
    assert counts(m, "naming", "naming") == {"Kiev": 4, "Zaporizhzhia": 3, "Kyiv": 2, "Zaporozhye": 1, "Donbass": 1,
                                             "Donbas": 1, "Kharkov": 1, "Kharkiv": 1, "Nikolaev": 1, "Mykolaiv": 1,
                                             "Kherson": 1}
    kiev = m[(m["doc_id"] == "naming") & (m["marker"] == "Kiev")]
    assert kiev["match"].tolist() == ["KIEV", "Kiev", "Kiev", "Kiev"]  # not "kiev", not "Kyivan"
    zap = m[m["marker"] == "Zaporizhzhia"]
    assert zap["variant"].tolist() == ["Zaporozhzhia", "Zaporizhia", "Zaporizhzhia"]
    assert zap["match"].tolist() == ["Zaporozhzhia", "Zaporizhia", "ZAPORIZHZHIA"]


def test_scare_quotes_any_style_and_double_count_with_status(tricky):
    m = match_markers(tricky)
    sq = m[(m["doc_id"] == "quotes") & (m["family"] == "scare_quotes")]
    assert sq["match"].tolist() == ['"referendum"', "\u2018referendums\u2019", "\u00abreferendum\u00bb",
                                    "\u201creferendum,\u201d", "'vote'", "\u201cspecial military operation\u201d"]
    assert counts(m, "quotes", "scare_quotes") == {"referendum": 4, "vote": 1, "special military operation": 1}
    # the same words also count in their own families (documented): 4 quoted + the possessive one
    status = counts(m, "quotes", "status")
    assert status == {"referendum": 5, "so-called": 2, "sham": 1}
    assert counts(m, "quotes", "war_label") == {"special military operation": 1}


def test_war_label_no_substrings_and_no_double_count(tricky):
    m = match_markers(tricky)
    assert counts(m, "war", "war_label") == {"war": 4, "special military operation": 1, "invasion": 1}
    war = m[(m["doc_id"] == "war") & (m["marker"] == "war")]
    assert war["match"].tolist() == ["war", "war", "war", "Wars"]  # post-war counts; toward/award/warship do not


def test_overlapping_markers_in_one_family_count_once():
    lex = load_lexicon({"families": {
        "label": {"markers": [{"marker": "operation", "variants": ["military operation"]},
                              {"marker": "SMO", "variants": ["special military operation"]},
                              {"marker": "war", "variants": ["war", "war of aggression"]}]},
        "other": {"markers": [{"marker": "military", "variants": ["military"]}]}}})
    c = pd.DataFrame({"doc_id": ["d"], "text": ["The special military operation, a military operation, a war of "
                                                "aggression and a war."]})
    m = match_markers(c, lexicon=lex)
    label = m[m["family"] == "label"]
    assert label["marker"].tolist() == ["SMO", "operation", "war", "war"]
    assert label["match"].tolist() == ["special military operation", "military operation", "war of aggression",
                                       "war"]
    assert (m["family"] == "other").sum() == 2  # other families still see "military" inside both phrases


def test_hedges_and_offsets(tricky):
    m = match_markers(tricky)
    assert counts(m, "hedges", "hedges") == {"self-proclaimed": 3, "alleged": 1, "purported": 1}
    text = tricky.set_index("doc_id")["text"]
    for _, row in m.iterrows():
        assert text[row["doc_id"]][row["start"]:row["end"]] == row["match"]
    assert list(m.columns) == ["doc_id", "outlet", "published", "family", "marker", "concept", "variant", "start",
                               "end", "match"]


def test_case_rules_and_regex_variants():
    lex = load_lexicon({"families": {"f": {"markers": [
        {"marker": "exact", "variants": ["NATO"], "case": "sensitive"},
        {"marker": "loose", "variants": ["sham"]},
        {"marker": "rx", "variants": [r"referend(?:um|a)"], "regex": True}]}}})
    c = pd.DataFrame({"doc_id": ["d"], "text": ["NATO, Nato, SHAM, Sham, sham, referenda, referendums"]})
    m = match_markers(c, lexicon=lex)
    assert m.groupby("marker").size().to_dict() == {"exact": 1, "loose": 3, "rx": 1}


@pytest.mark.parametrize("data, match", [
    ({"families": {"f": {"markers": [{"marker": "x", "case": "upper"}]}}}, r"family 'f', marker #1 \('x'\): 'case'"),
    ({"families": {"f": {"markers": [{"marker": "x"}, {"marker": "x"}]}}}, r"marker #2 \('x'\): duplicate"),
    ({"families": {"f": {"markers": [{"marker": "x", "variants": []}]}}}, "'variants' must be"),
    ({"families": {"f": {"markers": [{"marker": "x", "variant": ["y"]}]}}}, r"unknown key\(s\) \['variant'\]"),
    ({"families": {"f": {"markers": [{"marker": "x", "variants": ["("], "regex": True}]}}}, "bad regex"),
    ({"families": {"f": {"markers": [{"marker": "x", "quoted": "yes"}]}}}, "'quoted' must be true or false"),
    ({"families": {"f": {"markers": []}}}, "family 'f': 'markers' must be a non-empty list"),
    ({"family": {}}, r"top level: unknown key\(s\) \['family'\]"),
])
def test_lexicon_validation_names_the_entry(data, match):
    with pytest.raises(LexiconError, match=match):
        load_lexicon(data)


def test_lexicon_files(tmp_path):
    good = tmp_path / "mine.yaml"
    good.write_text("families:\n  f:\n    case: sensitive\n    markers:\n      - marker: Kiev\n")
    lex = load_lexicon(good)
    assert lex.source == str(good) and lex.markers[0].case == "sensitive" and lex.markers[0].variants == ("Kiev",)
    bad = tmp_path / "bad.yaml"
    bad.write_text("families: [unclosed\n")
    with pytest.raises(LexiconError, match="bad.yaml: not valid YAML"):
        load_lexicon(bad)
    with pytest.raises(LexiconError, match="no such lexicon file"):
        load_lexicon(tmp_path / "missing.yaml")
    with pytest.raises(LexiconError, match="unknown family"):
        lex.select(family="nope")


def test_marker_rates_counts_words_and_rate(tricky):
    r = marker_rates(tricky, bootstrap=0, voice="all", boilerplate="keep")
    m = match_markers(tricky)
    words = {g: sum(len(lexical.tokenize(t)) for t in tricky.loc[tricky["outlet"] == g, "text"]) for g in ("X", "Y")}
    row = r[(r["group"] == "X") & (r["family"] == "naming") & (r["marker"] == "Kiev")].iloc[0]
    assert row["count"] == 4 and row["words"] == words["X"] and row["n_docs"] == 2 and row["docs_with"] == 1
    assert row["rate"] == pytest.approx(1000 * 4 / words["X"])
    assert len(r) == 2 * len(load_lexicon().markers)  # zero counts included
    merged = r.groupby("group")["count"].sum().to_dict()
    assert merged == m.groupby("outlet").size().to_dict()
    assert r["ci_low"].isna().all()
    again = marker_rates(tricky, bootstrap=0, matches=m, voice="all", boilerplate="keep")
    pd.testing.assert_frame_equal(r, again)


def test_marker_rates_bootstrap_matches_a_loop():
    texts = ["Kiev Kiev Kiev filler words here", "nothing at all here now", "Kyiv and Kiev", "more plain words",
             "Kyiv once", "Kyiv Kyiv twice"]
    c = pd.DataFrame({"doc_id": [f"d{i}" for i in range(6)], "outlet": ["A", "A", "A", "A", "B", "B"], "text": texts})
    B, seed = 500, 9
    r = marker_rates(c, bootstrap=B, random_state=seed, interval="percentile", min_docs=2)
    r = r.set_index(["group", "marker"])
    code = (c["outlet"] == "B").to_numpy().astype(int)
    W = lexical._bootstrap_weights(code, 2, B, np.random.default_rng(seed))
    words = np.array([len(lexical.tokenize(t)) for t in texts], dtype=float)
    kiev = np.array([t.count("Kiev") for t in texts], dtype=float)
    wa = W[0]  # n_A x B
    rates = [1000 * (wa[:, b] @ kiev[:4]) / (wa[:, b] @ words[:4]) for b in range(B)]
    lo, hi = np.quantile(rates, [0.025, 0.975])
    assert r.loc[("A", "Kiev"), "ci_low"] == pytest.approx(lo)
    assert r.loc[("A", "Kiev"), "ci_high"] == pytest.approx(hi)
    # a marker found in one document of a group: the interval reaches 0
    assert r.loc[("A", "Kyiv"), "ci_low"] == 0 and r.loc[("A", "Kyiv"), "ci_high"] > r.loc[("A", "Kyiv"), "rate"]


def test_marker_rates_errors_and_no_mutation(tricky):
    before = tricky.copy()
    marker_rates(tricky, bootstrap=20, random_state=0)
    pd.testing.assert_frame_equal(tricky, before)
    with pytest.raises(lexical.LexicalError, match="no column 'side'"):
        marker_rates(tricky, group="side")
    with pytest.raises(lexical.LexicalError, match="bootstrap"):
        marker_rates(tricky, bootstrap=-5)
    with pytest.raises(lexical.LexicalError, match="interval must be"):
        marker_rates(tricky, interval="wald")
    with pytest.raises(ValueError, match="min_docs must be an int >= 2"):
        marker_rates(tricky, min_docs=1)
    with pytest.raises(lexical.LexicalError, match="'war' appears more than once"):
        marker_rates(tricky.assign(doc_id=["naming", "quotes", "war", "war"]))


def test_benchmark_record(tricky):
    from framing.markers import benchmark

    rec = benchmark(tricky, bootstrap=10)
    assert rec["n_docs"] == 4 and rec["n_matches"] == len(match_markers(tricky)) and rec["match_s"] >= 0


# ----------------------------------------------------------------------------- intervals for small groups


def _rates_corpus(counts_by_group: dict[str, list[int]], filler: int = 40) -> pd.DataFrame:
    """One document per count: that many "Kiev"s plus filler words (distinct, so not boilerplate)."""
    rows = []
    for g, counts in counts_by_group.items():
        for i, n in enumerate(counts):
            words = " ".join(f"w{g}{i}x{j}" for j in range(filler))
            rows.append({"doc_id": f"{g}{i}", "outlet": g, "text": ("Kiev. " * n) + words + "."})
    return pd.DataFrame(rows)


KIEV = {"families": {"naming": {"markers": [{"marker": "Kiev"}]}}}


def test_one_document_group_gets_no_interval_and_a_warning_naming_it():
    from framing.stats import SmallGroupWarning

    c = _rates_corpus({"Big": [0, 2, 0, 1, 0, 0, 3, 0], "Tiny": [1]})
    for method in ("profile", "bca", "percentile"):
        with pytest.warns(SmallGroupWarning, match=r"'Tiny' \(1\)") as rec:
            r = marker_rates(c, lexicon=KIEV, interval=method, bootstrap=200, random_state=0).set_index("group")
        assert "Big" not in str(rec[0].message)
        assert np.isnan(r.loc["Tiny", "ci_low"]) and np.isnan(r.loc["Tiny", "ci_high"])
        assert r.loc["Tiny", "rate"] > 0                                   # the rate itself is still reported
        assert r.loc["Big", "ci_low"] < r.loc["Big", "rate"] < r.loc["Big", "ci_high"]
        assert r.attrs["small_groups"] == ["Tiny"] and r.attrs["interval"] == method
    # the minimum is an option
    with pytest.warns(SmallGroupWarning, match="'Big' \\(8\\)"):
        r = marker_rates(c, lexicon=KIEV, min_docs=10)
    assert r["ci_low"].isna().all()


def test_zero_count_gets_the_rule_of_three_bound_not_zero_width():
    c = _rates_corpus({"A": [0] * 6, "B": [1, 0, 2, 0, 0, 1]})
    for method in ("profile", "bca", "percentile"):
        r = marker_rates(c, lexicon=KIEV, interval=method, bootstrap=200, random_state=0).set_index("group")
        words = r.loc["A", "words"]
        assert r.loc["A", "count"] == 0 and r.loc["A", "ci_low"] == 0
        assert r.loc["A", "ci_high"] == pytest.approx(1000 * -np.log(0.05) / words)   # about 3 / words


def test_marker_rates_profile_interval_is_nb_rate_interval_per_group():
    from framing.stats import nb_rate_interval

    c = _rates_corpus({"A": [0, 3, 0, 1, 0, 0, 5, 0, 1, 0], "B": [2, 1, 0, 1, 1, 2]})
    r = marker_rates(c, lexicon=KIEV, alpha=0.1).set_index("group")
    words = np.array([len(lexical.tokenize(t)) for t in c["text"]], dtype=float)
    kiev = np.array([t.count("Kiev") for t in c["text"]], dtype=float)
    for g in ("A", "B"):
        m = (c["outlet"] == g).to_numpy()
        lo, hi = nb_rate_interval(kiev[m], words[m], alpha=0.1)
        assert r.loc[g, "ci_low"] == pytest.approx(1000 * lo) and r.loc[g, "ci_high"] == pytest.approx(1000 * hi)


def _bursty(rng, n_rep: int, n_docs: int, rate: float, shape: float) -> tuple[np.ndarray, np.ndarray]:
    """Documents of ~500 words (log-normal lengths); each has its own rate, gamma(shape) around
    ``rate`` (shape 0.3 is the median burstiness of the lexicon's markers in ukraine-media)."""
    w = np.maximum(50, rng.lognormal(np.log(500), 0.6, (n_rep, n_docs))).round()
    doc_rate = rate * rng.gamma(shape, 1 / shape, (n_rep, n_docs))
    return rng.poisson(doc_rate * w).astype(float), w


def test_profile_interval_coverage_on_bursty_documents():
    """Coverage of the true rate, nominal 95 %: the profile interval is within 3 points at 10 and
    30 documents; the old percentile bootstrap is far below (the problem of issue 11d)."""
    from framing.stats import nb_rate_interval

    rng = np.random.default_rng(11)
    rate, shape, reps = 2e-3, 0.3, 500
    for n_docs in (10, 30):
        C, W = _bursty(rng, reps, n_docs, rate, shape)
        prof = pct = 0
        for c, w in zip(C, W):
            lo, hi = nb_rate_interval(c, w)
            prof += lo <= rate <= hi
            M = rng.multinomial(n_docs, np.full(n_docs, 1 / n_docs), size=400).astype(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                b = (M @ c) / (M @ w)
            plo, phi = np.nanquantile(b, [0.025, 0.975]) if c.sum() else (0.0, 3 / w.sum())
            pct += plo <= rate <= phi
        print(f"{n_docs} documents: profile {prof / reps:.3f}, percentile {pct / reps:.3f}")
        assert abs(prof / reps - 0.95) <= 0.03, (n_docs, prof / reps)
        assert pct / reps < 0.90, (n_docs, pct / reps)
