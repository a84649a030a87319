"""Tests of framing.markers: the lexicon, exact matching on tricky text, rates with intervals, concordances."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import framing
from framing import lexical
from framing.markers import LexiconError, concordance, load_lexicon, marker_rates, match_markers

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
    r = marker_rates(tricky, n_boot=0, voice="all", boilerplate="keep")
    m = match_markers(tricky)
    words = {g: sum(len(lexical.tokenize(t)) for t in tricky.loc[tricky["outlet"] == g, "text"]) for g in ("X", "Y")}
    row = r[(r["group"] == "X") & (r["family"] == "naming") & (r["marker"] == "Kiev")].iloc[0]
    assert row["count"] == 4 and row["words"] == words["X"] and row["n_docs"] == 2 and row["docs_with"] == 1
    assert row["rate"] == pytest.approx(1000 * 4 / words["X"])
    assert len(r) == 2 * len(load_lexicon().markers)  # zero counts included
    merged = r.groupby("group")["count"].sum().to_dict()
    assert merged == m.groupby("outlet").size().to_dict()
    assert r["ci_low"].isna().all()
    again = marker_rates(tricky, n_boot=0, matches=m, voice="all", boilerplate="keep")
    pd.testing.assert_frame_equal(r, again)


def test_marker_rates_bootstrap_matches_a_loop():
    texts = ["Kiev Kiev Kiev filler words here", "nothing at all here now", "Kyiv and Kiev", "more plain words",
             "Kyiv once", "Kyiv Kyiv twice"]
    c = pd.DataFrame({"doc_id": [f"d{i}" for i in range(6)], "outlet": ["A", "A", "A", "A", "B", "B"], "text": texts})
    B, seed = 500, 9
    r = marker_rates(c, n_boot=B, random_state=seed, interval="percentile", min_docs=2)
    r = r.set_index(["group", "marker"])
    code = (c["outlet"] == "B").to_numpy().astype(int)
    from framing.stats import bootstrap_counts

    W = bootstrap_counts(len(code), B, np.random.default_rng(seed), strata=code)  # B x n, within each outlet
    words = np.array([len(lexical.tokenize(t)) for t in texts], dtype=float)
    kiev = np.array([t.count("Kiev") for t in texts], dtype=float)
    wa = W[:, :4].T  # n_A x B
    rates = [1000 * (wa[:, b] @ kiev[:4]) / (wa[:, b] @ words[:4]) for b in range(B)]
    lo, hi = np.quantile(rates, [0.025, 0.975])
    assert r.loc[("A", "Kiev"), "ci_low"] == pytest.approx(lo)
    assert r.loc[("A", "Kiev"), "ci_high"] == pytest.approx(hi)
    # a marker found in one document of a group: the interval reaches 0
    assert r.loc[("A", "Kyiv"), "ci_low"] == 0 and r.loc[("A", "Kyiv"), "ci_high"] > r.loc[("A", "Kyiv"), "rate"]


def test_marker_rates_errors_and_no_mutation(tricky):
    before = tricky.copy()
    marker_rates(tricky, n_boot=20, random_state=0)
    pd.testing.assert_frame_equal(tricky, before)
    with pytest.raises(lexical.LexicalError, match="no column 'side'"):
        marker_rates(tricky, group="side")
    with pytest.raises(lexical.LexicalError, match="n_boot"):
        marker_rates(tricky, n_boot=-5)
    with pytest.raises(lexical.LexicalError, match="interval must be"):
        marker_rates(tricky, interval="wald")
    with pytest.raises(ValueError, match="min_docs must be an int >= 2"):
        marker_rates(tricky, min_docs=1)
    with pytest.raises(lexical.LexicalError, match="'war' appears more than once"):
        marker_rates(tricky.assign(doc_id=["naming", "quotes", "war", "war"]))


def test_benchmark_record(tricky):
    from framing.bench.markers import run

    rec = run(tricky, n_boot=10)
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
            r = marker_rates(c, lexicon=KIEV, interval=method, n_boot=200, random_state=0).set_index("group")
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
        r = marker_rates(c, lexicon=KIEV, interval=method, n_boot=200, random_state=0).set_index("group")
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


def test_tallies_of_parts_add_up_to_the_tally_of_the_whole():
    """Split the documents anyhow: the merged tallies give the same totals, word histogram,
    median and (count, words) pairs as the whole, and the same table."""
    import scipy.sparse as sp

    from framing.markers import tally

    rng = np.random.default_rng(4)
    n = 301
    labels = rng.choice(np.array(["A", "B", None], dtype=object), n)
    words = rng.integers(0, 60, n)
    C = sp.csr_matrix(rng.poisson(0.3, (n, 3)) * (words[:, None] > 0))
    whole = tally.group_tallies(labels, words, C)
    cuts = np.sort(rng.choice(np.arange(1, n), 4, replace=False))
    parts = [tally.group_tallies(labels[a:b], words[a:b], C[a:b]) for a, b in zip([0, *cuts], [*cuts, n])]
    merged = parts[0]
    for p in parts[1:]:
        merged = tally.merge_tallies(merged, p)
    assert sorted(merged) == ["A", "B"]
    for g in ("A", "B"):
        m = labels == g
        w = words[m]
        assert merged[g]["n_docs"] == m.sum() and (merged[g]["count"] == C[m].sum(axis=0).A1).all()
        assert (merged[g]["docs_with"] == (C[m].toarray() > 0).sum(axis=0)).all()
        assert tally._words(merged[g]) == (w.sum(), (w > 0).sum(), float(np.median(w[w > 0])))
        got = sorted(zip(*merged[g]["pairs"]))
        rows, cols = C[m].nonzero()
        assert got == sorted(zip(cols, C[m].toarray()[rows, cols], w[rows]))
    lex = load_lexicon({"families": {"f": {"markers": [{"marker": x} for x in ("a", "b", "c")]}}})
    opts = dict(per=1000, alpha=0.05, method="profile", min_docs=5)
    pd.testing.assert_frame_equal(tally.rates_from_tallies(merged, lex, **opts),
                                  tally.rates_from_tallies(whole, lex, **opts), check_exact=True)


def test_median_of_a_word_histogram_even_and_odd():
    from framing.markers import tally

    for w in ([5], [5, 9], [3, 3, 8, 1], [0, 0, 4, 7, 7, 2], [1, 2, 3, 4, 100, 100, 100]):
        w = np.asarray(w)
        t = tally.group_tallies(["g"] * len(w), w, np.zeros((len(w), 1), dtype=int))["g"]
        assert tally._words(t)[2] == np.median(w[w > 0])


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


# ------------------------------------------------------------------------------------------
# the glossary: group= forms and renamed keywords
# ------------------------------------------------------------------------------------------

def test_marker_rates_group_mapping_pools_outlets(tricky):
    kw = dict(n_boot=0, voice="all", boilerplate="keep")
    by_outlet = marker_rates(tricky, **kw).set_index(["group", "family", "marker"])
    pooled = marker_rates(tricky, group={"X": "all", "Y": "all"}, **kw)
    pooled = pooled.set_index(["group", "family", "marker"]).sort_index()
    summed = by_outlet.groupby(level=["family", "marker"])["count"].sum().sort_index()
    assert (pooled.loc["all", "count"] == summed.loc[pooled.loc["all"].index]).all()
    only_x = marker_rates(tricky, group={"X": "X"}, **kw)
    assert set(only_x["group"]) == {"X"}
    pd.testing.assert_frame_equal(only_x.reset_index(drop=True),
                                  by_outlet.loc[["X"]].reset_index()[list(only_x.columns)], check_dtype=False)


def test_marker_rates_old_bootstrap_keyword_warns_and_gives_the_same(tricky):
    kw = dict(random_state=0, interval="percentile", min_docs=2, voice="all", boilerplate="keep")
    new = marker_rates(tricky, n_boot=30, **kw)
    with pytest.warns(DeprecationWarning, match="n_boot"):
        old = marker_rates(tricky, bootstrap=30, **kw)
    pd.testing.assert_frame_equal(new, old)


# ------------------------------------------------------------------------------------------
# concordance
# ------------------------------------------------------------------------------------------

@pytest.fixture
def kwic_corpus():
    return pd.DataFrame({
        "doc_id": ["n1", "r1", "r2"],
        "outlet": ["NYT", "RT", "RT"],
        "published": pd.to_datetime(["2022-09-25", "2022-09-30", "2022-09-21"]),
        "text": ["Moving toward Kyiv.\nThe Kyiv-based mayor said the war goes on.",
                 "Officials in Kiev said the \u201creferendum\u201d was a sham. KIEV denied it.",
                 "The special military operation, not a war, Kiev's critics said."],
    })


def test_concordance_offsets_context_and_order(kwic_corpus):
    no_sentences = pd.DataFrame(columns=["doc_id", "sent_id", "start", "end"])
    kw = concordance(kwic_corpus, "kyiv", width=10, sentences=no_sentences)
    text = kwic_corpus.set_index("doc_id")["text"]
    assert len(kw) == 2  # "toward" and "Kyivan"-style partial words never match; Kyiv-based does
    for _, row in kw.iterrows():
        t = text[row["doc_id"]]
        assert t[row["start"]:row["end"]] == row["match"]
        assert row["left"] == t[max(0, row["start"] - 10):row["start"]].replace("\n", " ")
        assert row["right"] == t[row["end"]:row["end"] + 10].replace("\n", " ")
    assert list(kw.columns[:9]) == ["outlet", "doc_id", "sent_id", "left", "match", "right", "start", "end",
                                     "published"]
    war = concordance(kwic_corpus, "war")
    assert war["doc_id"].tolist() == ["n1", "r2"]  # "toward" not matched; groups sorted NYT < RT
    kiev = concordance(kwic_corpus, "Kiev", case=True)
    # RT rows sorted by date: r2 (21 Sep) before r1 (30 Sep); "KIEV" excluded by case=True
    assert kiev["doc_id"].tolist() == ["r2", "r1"] and kiev["match"].tolist() == ["Kiev", "Kiev"]
    rx = concordance(kwic_corpus, r"ref\w+", regex=True)
    assert rx["match"].tolist() == ["referendum"]


def test_concordance_sentence_ids_from_table(kwic_corpus):
    t = kwic_corpus.set_index("doc_id")["text"]
    cut = t["n1"].index("\n")
    sentences = pd.DataFrame({"doc_id": ["n1", "n1"], "sent_id": ["n1:0", "n1:1"], "start": [0, cut + 1],
                              "end": [cut, len(t["n1"])]})
    kw = concordance(kwic_corpus, "kyiv", sentences=sentences)
    assert kw["sent_id"].tolist() == ["n1:0", "n1:1"]


def test_concordance_sentence_ids_computed_with_the_segmenter(kwic_corpus):
    segment = pytest.importorskip("framing.segment")
    kw = concordance(kwic_corpus, "war")
    sents = segment.split_sentences(kwic_corpus).set_index("sent_id")
    assert kw["sent_id"].notna().all()
    for _, row in kw.iterrows():
        s = sents.loc[row["sent_id"]]
        assert s["doc_id"] == row["doc_id"] and s["start"] <= row["start"] < s["end"]
    bare = concordance(kwic_corpus[["doc_id", "outlet", "text"]], "war")  # no dates: no sentence table
    assert bare["sent_id"].isna().all() and len(bare) == 2


def test_concordance_of_a_lexicon_marker(kwic_corpus):
    kw = concordance(kwic_corpus, marker="Kiev", family="naming")
    assert kw["match"].tolist() == ["Kiev", "Kiev", "KIEV"]  # "Kiev's" in r2 (21 Sep) first
    assert kw["doc_id"].tolist() == ["r2", "r1", "r1"]
    assert (kw["marker"] == "Kiev").all() and (kw["family"] == "naming").all()
    sq = concordance(kwic_corpus, family="scare_quotes")
    assert sq["match"].tolist() == ["\u201creferendum\u201d"]
    with pytest.raises(lexical.LexicalError, match="give a term"):
        concordance(kwic_corpus)
    empty = concordance(kwic_corpus, "Luhansk")
    assert empty.empty and "left" in empty.columns


def test_concordance_moved_to_markers_with_group():
    c = pd.DataFrame({"doc_id": ["d1", "d2"], "outlet": ["X", "Y"], "published": pd.NaT,
                      "text": ["The sham vote.", "A sham poll."]})
    no_sents = pd.DataFrame(columns=["doc_id", "sent_id", "start", "end"])
    new = concordance(c, "sham", group="outlet", sentences=no_sents)
    with pytest.warns(DeprecationWarning, match="group"):
        old = concordance(c, "sham", by="outlet", sentences=no_sents)
    pd.testing.assert_frame_equal(new, old)
    with pytest.warns(DeprecationWarning, match="framing.markers.concordance"):
        shim = lexical.concordance(c, "sham", sentences=no_sents)
    pd.testing.assert_frame_equal(new, shim)
    only_y = concordance(c, "sham", group={"Y": "Pooled"}, sentences=no_sents)
    assert only_y["group"].tolist() == ["Pooled"] and only_y["doc_id"].tolist() == ["d2"]


def test_each_concordance_line_names_the_sentence_that_holds_it():
    import framing

    corpus = framing.validate_corpus(pd.DataFrame({
        "doc_id": ["b", "a"], "outlet": ["X", "Y"], "published": ["2022-09-20", "2022-09-21"],
        "text": ["No sham here. A sham vote. Then a sham again.", "First line. The sham came last."]}))
    sents = framing.split_sentences(corpus)
    lines = framing.concordance(corpus, "sham", sentences=sents, voice="all")
    for _, line in lines.iterrows():          # an independent check: the sentence's span holds the hit
        s = sents[sents["sent_id"] == line["sent_id"]].iloc[0]
        assert s["doc_id"] == line["doc_id"] and s["start"] <= line["start"] < s["end"]
    assert len(lines) == 4 and lines["sent_id"].nunique() == 4
