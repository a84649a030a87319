"""Tests for framing.quotes: quote and speaker extraction, actor groups, shares, evaluation."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from framing.quotes import (
    QUOTE_COLUMNS,
    ActorLexicon,
    evaluate_speakers,
    extract_quotes,
    quote_shares,
    speaker_matches,
    verb_profile,
)
from framing.segment import split_sentences
from framing.stats import SmallGroupWarning

# Hand-written examples (doc_id -> text).
TEXTS = {
    "after": '"We will hold the line," Kuleba said. Officials met in Kyiv on Monday.',
    "verb_first": "“The vote is over,” said Dmitry Peskov, the Kremlin spokesman. Markets were calm.",
    "before": "Zelensky told reporters: “We will return every village.” The shelling went on.",
    "nested": "“He told me ‘leave now’ and then the shelling began,” a resident said.",
    "multi": "“The referendum is a sham. Nobody will ever recognise it,” Blinken said on Friday.",
    "according": "According to the UN human rights office, at least ten civilians were killed in the strike.",
    "pronoun": '"We see no alternative to the talks," Peskov said. "The door remains open," he added.',
    "indirect": "Guterres said that the annexation had no legal value. "
                "The shelling continued overnight, Ukrainian officials said.",
    "scare": 'Moscow held so-called "referendums" in four regions. Voters were escorted by soldiers.',
    "paragraphs": "“We were told to vote at gunpoint,” a teacher from Kherson said.\n\n"
                  "“Nobody asked what we wanted.”\n\nThe polls closed on Tuesday.",
}


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return pd.DataFrame({"doc_id": list(TEXTS), "outlet": ["X"] * 5 + ["Y"] * 5,
                         "published": pd.Timestamp("2022-09-30"), "text": list(TEXTS.values())})


@pytest.fixture(scope="module")
def quotes(corpus) -> pd.DataFrame:
    return extract_quotes(corpus)


def one(quotes: pd.DataFrame, doc: str, k: int = 0) -> pd.Series:
    return quotes[quotes["doc_id"] == doc].iloc[k]


def test_columns_and_offsets(quotes, corpus):
    assert list(quotes.columns) == list(QUOTE_COLUMNS)
    text = dict(zip(corpus["doc_id"], corpus["text"]))
    for r in quotes.itertuples():
        assert text[r.doc_id][r.quote_start:r.quote_end] == r.quote


@pytest.mark.parametrize("doc, quote, speaker, verb, group", [
    ("after", "We will hold the line", "Kuleba", "say", "ukrainian_officials"),
    ("verb_first", "The vote is over", "Dmitry Peskov", "say", "russian_officials"),
    ("before", "We will return every village.", "Zelensky", "tell", "ukrainian_officials"),
    ("nested", "He told me ‘leave now’ and then the shelling began", "a resident", "say", "residents_others"),
    ("multi", "The referendum is a sham. Nobody will ever recognise it", "Blinken", "say", "us_eu_officials"),
])
def test_direct_quotes(quotes, doc, quote, speaker, verb, group):
    rows = quotes[(quotes["doc_id"] == doc) & (quotes["kind"] == "direct")]
    assert len(rows) == 1
    r = rows.iloc[0]
    assert (r["quote"], r["speaker"], r["verb"], r["actor_group"]) == (quote, speaker, verb, group)


def test_multi_sentence_quote_spans_sentence_boundary(quotes, corpus):
    r = one(quotes, "multi")
    sents = split_sentences(corpus[corpus["doc_id"] == "multi"])
    assert len(sents) == 2  # the quote covers both sentences of the segmenter
    assert r["sent_id"] == "multi:0" and r["sentence"] == sents["text"].iloc[0]
    assert r["quote_end"] > sents["end"].iloc[0]


def test_according_to_and_indirect_statements(quotes):
    r = one(quotes, "according")
    assert (r["kind"], r["verb"], r["speaker"], r["actor_group"]) == (
        "indirect", "according to", "the UN human rights office", "un")
    assert r["quote"] == "at least ten civilians were killed in the strike"
    ind = quotes[quotes["doc_id"] == "indirect"]
    assert ind[["quote", "speaker", "kind"]].values.tolist() == [
        ["the annexation had no legal value", "Guterres", "indirect"],
        ["The shelling continued overnight", "Ukrainian officials", "indirect"],
    ]


def test_pronoun_resolved_to_most_recent_named_speaker(quotes):
    rows = quotes[quotes["doc_id"] == "pronoun"]
    assert rows["speaker"].tolist() == ["Peskov", "Peskov"]
    assert rows["speaker_mention"].tolist() == ["Peskov", "he"]
    assert rows["verb"].tolist() == ["say", "add"]


def test_scare_quotes_skipped_and_continuation_inherits(quotes):
    assert quotes[quotes["doc_id"] == "scare"].empty
    rows = quotes[quotes["doc_id"] == "paragraphs"]
    assert rows["attribution"].tolist() == ["after", "inherited"]
    assert rows["speaker"].tolist() == ["a teacher from Kherson"] * 2
    assert rows["actor_group"].tolist() == ["residents_others"] * 2


def test_sentence_table_input_gives_same_quotes(corpus, quotes):
    sents = split_sentences(corpus)
    from_sents = extract_quotes(sents)
    cols = ["doc_id", "quote", "quote_start", "quote_end", "speaker", "verb", "kind", "sent_id"]
    pd.testing.assert_frame_equal(from_sents[cols].reset_index(drop=True), quotes[cols].reset_index(drop=True))


def test_bad_input():
    with pytest.raises(ValueError, match="column"):
        extract_quotes(pd.DataFrame({"doc_id": ["a"]}))
    with pytest.raises(TypeError):
        extract_quotes(["a text"])
    dup = pd.DataFrame({"doc_id": ["a", "a"], "outlet": "X", "published": pd.Timestamp("2022-01-01"),
                        "text": ["One.", "Two."]})
    with pytest.raises(ValueError, match="not unique"):
        extract_quotes(dup)


# --------------------------------------------------------------------------- lexicon

def test_lexicon_names_before_titles_and_yaml(tmp_path):
    lex = ActorLexicon.default()
    assert lex.classify("Russia's UN ambassador Vassily Nebenzia") == "russian_officials"
    assert lex.classify("UN Secretary-General Antonio Guterres") == "un"
    assert lex.classify("Ukrainian President Volodymyr Zelenskyy") == "ukrainian_officials"
    assert lex.classify("Secretary of State Antony Blinken") == "us_eu_officials"
    assert lex.classify("the Kremlin") == "russian_officials"
    assert lex.classify("a local farmer's cousin") == "residents_others"
    assert lex.classify("Jane Roe") == "other"
    p = tmp_path / "lex.yaml"
    p.write_text("default_group: misc\ngroups:\n  - id: cats\n    label: Cats\n    names: [Tom]\n"
                 "    titles: [cat]\n")
    mine = ActorLexicon.from_yaml(p)
    assert mine.classify("Tom the cat") == "cats" and mine.classify("Jerry") == "misc"
    q = extract_quotes(pd.DataFrame({"doc_id": ["d"], "outlet": ["X"], "published": pd.Timestamp("2022-01-01"),
                                     "text": ['"I will catch that mouse today," Tom said.']}), actors=p)
    assert q["actor_group"].tolist() == ["cats"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("groups:\n  - id: x\n    names: ['(unclosed']\n")
    with pytest.raises(ValueError, match="bad pattern"):
        ActorLexicon.from_yaml(bad)


# --------------------------------------------------------------------------- summaries

def _toy_quotes() -> tuple[pd.DataFrame, pd.DataFrame]:
    corpus = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "outlet": ["X", "X", "X", "Y"]})
    q = pd.DataFrame({
        "doc_id": ["a", "a", "b", "d", "d"], "outlet": ["X", "X", "X", "Y", "Y"],
        "quote": ["one two three", "four five", "six", "seven eight", "nine"],
        "actor_group": ["un", "other", "un", "other", "other"],
        "verb": ["say", "claim", None, "say", "say"],
    })
    return q, corpus


def test_quote_shares_point_estimates():
    q, corpus = _toy_quotes()
    s = quote_shares(q, corpus, n_boot=0).set_index(["outlet", "actor_group"])
    # outlet X: un = 3 + 1 words, other = 2 words -> 4/6 and 2/6
    assert s.loc[("X", "un"), "share"] == pytest.approx(4 / 6)
    assert s.loc[("X", "other"), "words"] == 2
    assert s.loc[("Y", "other"), "share"] == pytest.approx(1.0)
    assert s.loc[("X", "un"), "n_docs"] == 3  # the quote-less document c counts
    assert np.isnan(s.loc[("X", "un"), "ci_low"])


def test_quote_shares_bootstrap_matches_delta_method():
    # 300 documents; per document y words by the UN out of x quoted words.
    rng = np.random.default_rng(11)
    rows = []
    for d in range(300):
        for _ in range(rng.integers(1, 4)):
            grp = "un" if rng.random() < 0.3 else "other"
            rows.append({"doc_id": f"d{d}", "outlet": "X", "quote": " ".join(["w"] * int(rng.integers(3, 30))),
                         "actor_group": grp})
    q = pd.DataFrame(rows)
    s = quote_shares(q, n_boot=2000, random_state=1).set_index("actor_group").loc["un"]
    # independent: delta-method standard error of the ratio estimator sum(y)/sum(x) over documents
    q["n"] = q["quote"].str.split().str.len()
    per = q.assign(y=np.where(q["actor_group"] == "un", q["n"], 0)).groupby("doc_id")[["y", "n"]].sum()
    R = per["y"].sum() / per["n"].sum()
    n = len(per)
    se = np.sqrt(((per["y"] - R * per["n"]) ** 2).sum() / (n * (n - 1))) / per["n"].mean()
    assert s["share"] == pytest.approx(R)
    assert s["ci_low"] < R < s["ci_high"]
    assert (s["ci_high"] - s["ci_low"]) == pytest.approx(2 * 1.96 * se, rel=0.2)
    again = quote_shares(q, n_boot=2000, random_state=1).set_index("actor_group").loc["un"]
    assert again["ci_low"] == s["ci_low"]  # same seed, same interval


def test_verb_profile_counts_and_classes():
    q, corpus = _toy_quotes()
    p = verb_profile(q, corpus, n_boot=0).set_index(["outlet", "verb"])
    assert p.loc[("X", "say"), "count"] == 1 and p.loc[("X", "claim"), "share"] == pytest.approx(0.5)
    assert p.loc[("Y", "say"), "share"] == pytest.approx(1.0)
    with pytest.warns(SmallGroupWarning):   # one document with attributions each: no interval
        c = verb_profile(q, corpus, category="verb_class", n_boot=200, random_state=0)
    c = c.set_index(["outlet", "verb_class"])
    assert c.loc[("X", "marked"), "share"] == pytest.approx(0.5)
    assert np.isnan(c.loc[("X", "marked"), "ci_low"])            # was the zero-width [0.5, 0.5]
    with pytest.raises(ValueError, match="category"):
        verb_profile(q, category="mood")


def test_small_outlets_get_no_share_interval_and_a_warning():
    """X has three documents but two with quotes (one with an attribution), Y one: too few."""
    q, corpus = _toy_quotes()
    with pytest.warns(SmallGroupWarning, match=r"quote_shares: .*documents with quotes: 'X' \(2\), 'Y' \(1\)"):
        s = quote_shares(q, corpus, n_boot=200, random_state=0)
    assert s["ci_low"].isna().all() and s["ci_high"].isna().all() and s["share"].notna().all()
    assert s.attrs["bootstrap"]["small_groups"] == ["X", "Y"]
    with pytest.warns(SmallGroupWarning, match=r"verb_profile: .*documents with attributions: 'X' \(1\), 'Y' \(1\)"):
        v = verb_profile(q, corpus, n_boot=200, random_state=0, min_docs=2)
    assert v["ci_low"].isna().all()
    with pytest.raises(ValueError, match="min_docs"):
        quote_shares(q, corpus, min_docs=0)
    # a big outlet beside a small one keeps the interval it had: the small one's draws still happen
    rng = np.random.default_rng(2)
    big = pd.DataFrame({"doc_id": [f"b{i}" for i in range(30)], "outlet": "B",
                        "quote": ["w " * int(k) for k in rng.integers(2, 20, 30)],
                        "actor_group": rng.choice(["un", "other"], 30), "verb": "say"})
    both = pd.concat([big, q], ignore_index=True)
    with pytest.warns(SmallGroupWarning):
        lo_small_rule = quote_shares(both, n_boot=300, random_state=5).set_index(["outlet", "actor_group"])
    lo_no_rule = quote_shares(both, n_boot=300, random_state=5, min_docs=2).set_index(["outlet", "actor_group"])
    assert lo_small_rule.loc[("B", "un"), "ci_low"] == lo_no_rule.loc[("B", "un"), "ci_low"]


# --------------------------------------------------------------------------- evaluation

def test_speaker_matches():
    assert speaker_matches("Texas Gov. Rick Perry", "Rick_Perry")
    assert speaker_matches("Mr. Perry", "Rick_Perry")
    assert not speaker_matches("Rick Santorum", "Rick_Perry")
    assert not speaker_matches(None, "Rick_Perry")


def test_evaluate_speakers_on_hand_labelled_mini_dataset():
    # Our own mini dataset: five annotated quote spans, hand-labelled speakers.
    texts = {
        "m1": '"Taxes will go down next year," Governor Jane Roe said. Critics disagreed.',
        "m2": 'Mayor Tom Poe spoke first. "The bridge opens in May," he said.',
        "m3": '"This is a disaster for farmers," said Senator Ann Lee.',
        "m4": 'The minister was asked about it. "We have no comment at this stage."',
        "m5": 'Flooding closed the road, which residents had warned about for years.',
    }
    corpus = pd.DataFrame({"doc_id": list(texts), "outlet": "X", "published": pd.Timestamp("2022-01-01"),
                           "text": list(texts.values())})

    def span(doc: str, phrase: str) -> tuple[int, int]:
        s = texts[doc].index(phrase)
        return s, s + len(phrase)

    gold = pd.DataFrame([
        ("m1", *span("m1", "go down next year"), "Jane_Roe"),            # found, right
        ("m2", *span("m2", "bridge opens"), "Tom_Poe"),                  # found via pronoun, right
        ("m3", *span("m3", "a disaster for farmers"), "Bob_Hill"),       # found, wrong speaker
        ("m4", *span("m4", "no comment at this stage"), "Karl_Dorn"),    # found, no speaker
        ("m5", *span("m5", "closed the road"), "Lisa_Marsh"),            # not found
        ("m1", *span("m1", "Taxes will"), "other_anti"),                 # unnamed category: excluded
    ], columns=["doc_id", "doc_start", "doc_end", "speaker"])
    q = extract_quotes(corpus)
    ev = evaluate_speakers(q, gold).set_index("metric")
    # 5 named spans; 4 overlap a quote (coverage 4/5); 3 of those have a speaker; 2 are right
    assert ev.loc["coverage", "value"] == pytest.approx(4 / 5)
    assert (ev.loc["precision", "numerator"], ev.loc["precision", "denominator"]) == (2, 3)
    assert ev.loc["precision", "value"] == pytest.approx(2 / 3)
    assert ev.loc["recall", "value"] == pytest.approx(2 / 5)
    assert ev.loc["f1", "value"] == pytest.approx(2 * (2 / 3) * (2 / 5) / (2 / 3 + 2 / 5))
    # Wilson interval, computed independently
    z = 1.959963984540054
    n, p = 5, 2 / 5
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert ev.loc["recall", "ci_low"] == pytest.approx(centre - half, abs=1e-6)
    assert ev.loc["recall", "ci_high"] == pytest.approx(centre + half, abs=1e-6)
    _, m = evaluate_speakers(q, gold, return_matches=True)
    assert m["pred_speaker"].tolist()[:3] == ["Governor Jane Roe", "Mayor Tom Poe", "Senator Ann Lee"]


def test_shares_group_by_another_column_or_mapping():
    q, corpus = _toy_quotes()
    corpus = corpus.assign(bloc=["west", "west", "west", "east"])
    by_outlet = quote_shares(q, corpus, n_boot=0)
    by_bloc = quote_shares(q, corpus, group="bloc", n_boot=0).set_index(["bloc", "actor_group"])
    assert by_bloc.loc[("west", "un"), "share"] == by_outlet.set_index(["outlet", "actor_group"]).loc[
        ("X", "un"), "share"]
    mapped = quote_shares(q, corpus, group={"X": "west"}, n_boot=0)
    assert set(mapped["group"]) == {"west"} and mapped["n_docs"].tolist() == [3, 3]
    pooled = verb_profile(q, corpus, group=None, n_boot=0).set_index("verb")
    assert pooled.loc["say", "count"] == 3 and set(pooled["group"]) == {"all"}


def test_retired_keywords_warn_and_give_the_same_result():
    q, corpus = _toy_quotes()
    new = quote_shares(q, corpus, n_boot=300, random_state=2, alpha=0.1, actor_groups=["other", "un", "x"],
                       min_docs=2)
    with pytest.warns(DeprecationWarning, match="ci=") as rec:
        old = quote_shares(q, corpus, n_boot=300, random_state=2, ci=0.9, groups=["other", "un", "x"], min_docs=2)
    assert any("actor_groups=" in str(w.message) for w in rec)
    assert all(w.filename == __file__ for w in rec)      # both warnings point at the caller
    pd.testing.assert_frame_equal(new, old, atol=1e-12)
    assert new["ci_low"].notna().any() and new["actor_group"].tolist().count("x") == 2
    rng = np.random.default_rng(0)
    many = pd.DataFrame({"doc_id": [f"d{i % 12}" for i in range(40)], "outlet": "X",
                         "quote": [" ".join(["w"] * int(k)) for k in rng.integers(1, 20, 40)],
                         "actor_group": rng.choice(["un", "other"], 40)})
    width = {a: quote_shares(many, n_boot=400, random_state=1, alpha=a).eval("ci_high - ci_low").to_numpy()
             for a in (0.05, 0.5)}
    assert (width[0.5] < width[0.05]).all()
    with pytest.warns(DeprecationWarning, match="category="):
        by_old = verb_profile(q, corpus, by="verb_class", n_boot=0)
    pd.testing.assert_frame_equal(by_old, verb_profile(q, corpus, category="verb_class", n_boot=0))
    many = many.assign(verb=rng.choice(["say", "claim", "warn"], 40))
    with pytest.warns(DeprecationWarning, match="ci="):
        v_old = verb_profile(many, n_boot=200, random_state=0, ci=0.8)
    v_new = verb_profile(many, n_boot=200, random_state=0, alpha=0.2)
    pd.testing.assert_frame_equal(v_old, v_new, atol=1e-12)
    assert v_new["ci_low"].notna().all()
    with pytest.raises(TypeError, match="both"):
        quote_shares(q, ci=0.9, alpha=0.1)
    with pytest.raises(TypeError):
        quote_shares(q, seed=1)
    gold = pd.DataFrame({"doc_id": ["a"], "doc_start": [0], "doc_end": [5], "speaker": ["Jane_Roe"]})
    spans = pd.DataFrame({"doc_id": ["a"], "quote_start": [0], "quote_end": [9], "speaker": ["Jane Roe"]})
    with pytest.warns(DeprecationWarning, match="ci="):
        e_old = evaluate_speakers(spans, gold, ci=0.9)
    pd.testing.assert_frame_equal(e_old, evaluate_speakers(spans, gold, alpha=0.1))
    assert e_old["ci_low"].notna().any()
    groups = ActorLexicon.default().actor_groups
    with pytest.warns(DeprecationWarning, match="actor_groups="):
        lex = ActorLexicon(groups=groups)
    assert lex == ActorLexicon(actor_groups=groups)
    with pytest.warns(DeprecationWarning):
        assert lex.groups is lex.actor_groups
    assert lex.to_frame()["id"].tolist() == [str(g["id"]) for g in groups]


@pytest.mark.integration
def test_basil_speaker_attribution():
    framing = pytest.importorskip("framing")
    try:
        from framing.corpora import basil_annotations

        corpus = framing.load_corpus("basil", progress=False)
        ann = basil_annotations(progress=False)
    except Exception as err:  # noqa: BLE001 - corpus not fetched / no mirror
        pytest.skip(f"BASIL corpus not available: {err}")
    # (outlet, triplet) identifies an article even where upstream uuids are missing
    corpus = corpus.assign(doc_id=corpus["outlet"] + "-" + corpus["triplet_uuid"])
    gold = ann[(ann["quote"] == "yes") & (ann["field"] == "body")]
    gold = gold.assign(doc_id=gold["outlet"] + "-" + gold["triplet_uuid"])
    ev = evaluate_speakers(extract_quotes(corpus), gold).set_index("metric")["value"]
    assert ev["coverage"] > 0.8
    assert ev["precision"] > 0.35 and ev["recall"] > 0.3


def test_short_attributed_quote_is_a_quote_and_a_scare_quote_is_not():
    """One quote detector (framing.quotes.quote_spans) for extract_quotes and the voice rules."""
    import framing

    c = pd.DataFrame({"doc_id": ["d"], "outlet": ["X"], "published": [pd.Timestamp("2022-09-24")],
                      "text": ["Biden on Friday condemned the referendums on joining Russia as “a sham.” "
                               "The so-called “referendums” ended."]})
    q = framing.extract_quotes(c)
    assert q[["quote", "speaker", "verb"]].values.tolist() == [["a sham.", "Biden", "condemn"]]
    v = framing.attribute_voice(framing.split_sentences(c))
    assert v["voice"].tolist() == ["reported", "own"] and v["scare_quote"].tolist() == [False, True]
