"""Voice attribution: hand-written tricky sentences with their expected voice."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import framing
from framing.segment import split_sentences
from framing.voice import attribute_voice, filter_voice, keyword_voice_baseline, voice_corpus


def _voices(*texts: str, outlet: str = "X") -> pd.DataFrame:
    corpus = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "outlet": outlet,
                           "published": pd.NaT, "text": list(texts)})
    return attribute_voice(split_sentences(corpus))


def _one(text: str) -> pd.Series:
    v = _voices(text)
    assert len(v) == 1, v["text"].tolist()
    return v.iloc[0]


@pytest.mark.parametrize("text, voice, speaker", [
    # own narration, with and without scare quotes
    ("Russia began the referendums on Friday in four regions.", "own", None),
    ("The so-called “referendums” were held at gunpoint.", "own", None),
    # reported speech: verb + content, the short quote inside it
    ("Kiev and its Western backers have called the referendums a “sham”.", "reported", "Kiev and its Western backers"),
    ("Kyiv denounced the referendums as a «sham».", "reported", "Kyiv"),
    ('Biden on Friday condemned the referendums on joining Russia as "a sham."', "reported", "Biden"),
    ("Zelensky said the votes were a sham staged by Moscow.", "reported", "Zelensky"),
    ("According to election officials, turnout exceeded 80 percent in Kherson.", "reported", "election officials"),
    ("Turnout exceeded 80 percent in Kherson, according to election officials.", "reported", "election officials"),
    ("Turnout exceeded 80 percent in Kherson, officials said on Tuesday.", "reported", "officials"),
    ("Turnout exceeded 80 percent in Kherson, said Vladimir Saldo.", "reported", "Vladimir Saldo"),
    ("The votes were condemned by Western governments as illegitimate.", "reported", "Western governments"),
    # direct quotes, the three kinds of marks, speaker before and after
    ('"We will never recognize these results," Dmitry Kuleba said.', "direct", "Dmitry Kuleba"),
    ("“We will never recognize these results,” said Dmitry Kuleba.", "direct", "Dmitry Kuleba"),
    ("Peskov told reporters: «The residents have made their choice and we respect it.»", "direct", "Peskov"),
    # a transcript label
    ("LAVROV: The referendums reflect the will of the people of Donbass.", "direct", "LAVROV"),
    # first person in a speech is the speaker's own voice
    ("We condemn the illegal referendums held in the occupied regions of Ukraine.", "own", None),
    # not speech: a mobilisation, a noun, a so-called
    ("Putin called up 300,000 reservists last week.", "own", None),
    ("The claims of fraud could not be verified independently.", "own", None),
    # mixed: an own assertion and a reported claim
    ("Russia staged the votes at gunpoint in occupied towns, which Kyiv called a sham.", "mixed", "Kyiv"),
    # a passive whose claim comes before the agent; an agentless label
    ("Moscow staged votes in four regions that were slammed as sham and illegal by Kyiv and the West.", "mixed",
     "Kyiv and the West"),
    ("Putin mobilised 300,000 reservists and has undertaken what has been called a sham referendum to seize land.",
     "mixed", None),
    # a speech report by topic only
    ("The senator spoke about the referendums in Donetsk and Luhansk at length.", "reported", "The senator"),
])
def test_single_sentences(text, voice, speaker):
    row = _one(text)
    assert row["voice"] == voice, (text, row["voice"], row["speaker"], row["own_text"])
    assert row["speaker"] == speaker
    assert len(row["own_text"]) == len(row["text"])


def test_attributed_sham_is_blanked_and_own_sham_is_kept():
    rep = _one("Kiev and its Western backers have called the referendums a “sham”.")
    assert "sham" not in rep["own_text"] and rep["own_text"].startswith("Kiev and its Western backers have called")
    own = _one("The sham referendums ended on Tuesday.")
    assert own["own_text"] == own["text"]


def test_scare_quote_flag():
    row = _one("Moscow held the so-called ‘referendums’ in four regions.")
    assert row["voice"] == "own" and bool(row["scare_quote"])
    assert "referendums" in row["own_text"]
    plain = _one("Moscow held the referendums in four regions.")
    assert not plain["scare_quote"]


def test_quote_over_several_sentences_makes_each_direct():
    v = _voices("Voting ended on Tuesday. Kuleba said: “This is a farce. Nobody will recognize it. "
                "The world sees the truth.” Counting began at once.")
    assert v["voice"].tolist() == ["own", "direct", "direct", "direct", "own"]
    assert v["speaker"].tolist()[1] == "Kuleba"


def test_quote_running_over_paragraphs_without_closing_mark():
    text = ("Zelensky spoke late on Friday.\n\n“The occupiers are staging a show. Nobody believes it.\n\n"
            "“We will free every town,” he said.\n\nThe vote continued.")
    v = _voices(text)
    assert v["voice"].tolist() == ["own", "direct", "direct", "direct", "own"]


def test_nested_single_quotes_stay_inside_the_double_quote():
    row = _one("“They call it a ‘referendum’ but it is an occupation,” Kuleba said.")
    assert row["voice"] == "direct" and row["speaker"] == "Kuleba"
    assert "referendum" not in row["own_text"]
    assert not row["scare_quote"]


def test_apostrophes_are_not_quotes():
    row = _one("Kyiv’s forces advanced while Russia’s proxies counted the ballots.")
    assert row["voice"] == "own" and not row["scare_quote"] and row["own_text"] == row["text"]


def test_transcript_turns_run_on_and_letters_are_readers_words():
    v = _voices("The minister joined the show on Monday. HOST: Welcome to the program. Is the vote legal? "
                "It is not legal at all. Thank you.", "To the Editor: The vote is a farce. I urge readers to see it.")
    assert v["voice"].tolist() == ["own", "direct", "direct", "direct", "direct", "direct", "direct"]
    assert v["speaker"].tolist()[1] == "HOST" and v["cue"].tolist()[-1] == "letter"
    lost = _voices("Guests joined us on Monday. : It's a farce and nobody believes it. The end of the vote came fast.")
    assert lost["voice"].tolist() == ["own", "direct", "direct"]


def test_transcript_label_does_not_catch_headings():
    assert _one("UPDATE: Polls closed in all four regions.")["voice"] == "own"


def test_keeps_rows_columns_and_does_not_mutate():
    corpus = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "Y"], "published": pd.NaT,
                           "text": ["Kyiv said the vote was a sham. It rained.", "Nothing happened."]})
    sents = split_sentences(corpus)
    before = sents.copy()
    v = attribute_voice(sents)
    pd.testing.assert_frame_equal(sents, before)
    assert list(v.columns[: len(sents.columns)]) == list(sents.columns)
    assert v["sent_id"].tolist() == sents["sent_id"].tolist()
    assert v.attrs["voice"]["counts"] == {"own": 2, "direct": 0, "reported": 1, "mixed": 0}


def test_missing_columns_error_and_rows_read_alone():
    with pytest.raises(ValueError, match="'text'"):
        attribute_voice(pd.DataFrame({"doc_id": ["a"], "sent_id": ["a:0"]}))
    bare = attribute_voice(pd.DataFrame({"text": ["Officials said the vote was fair.", "It rained."]}))
    assert bare["voice"].tolist() == ["reported", "own"] and bare.attrs["voice"]["rows_alone"]


def test_voice_corpus_keeps_offsets_and_splits_words():
    text = 'Kyiv said the vote was a “sham.” Russia says the vote was fair. The vote ended.'
    c = pd.DataFrame({"doc_id": ["d"], "outlet": ["X"], "published": pd.NaT, "text": [text]})
    own = voice_corpus(c, boilerplate="keep")["text"].iloc[0]
    att = voice_corpus(c, voice="attributed", boilerplate="keep")["text"].iloc[0]
    assert len(own) == len(att) == len(text)
    assert framing.tokenize(own) == ["kyiv", "said", "russia", "says", "the", "vote", "ended"]
    assert "sham" in att and "Kyiv" not in att and "ended" not in att
    # every character is in exactly one of the two views (or is a space)
    for o, a, t in zip(own, att, text):
        assert (o == t) != (a == t) or t.isspace()


def test_marker_rates_own_voice_counts_only_the_outlets_words():
    c = pd.DataFrame({"doc_id": ["r1", "r2", "u1"], "outlet": ["RT", "RT", "US"], "published": pd.NaT, "text": [
        "Kiev and its Western backers have called the referendums a “sham”. Residents voted.",
        "Officials in Kiev said the vote was a sham. The count went on.",
        "The sham referendums ended on Tuesday. Moscow staged a sham vote."]})
    own = framing.marker_rates(c, n_boot=0, boilerplate="keep")
    allv = framing.marker_rates(c, n_boot=0, voice="all", boilerplate="keep")
    att = framing.marker_rates(c, n_boot=0, voice="attributed", boilerplate="keep")
    def count(t, g):
        return int(t.query("marker == 'sham' and group == @g")["count"].sum())
    assert (count(own, "RT"), count(allv, "RT"), count(att, "RT")) == (0, 2, 2)
    assert (count(own, "US"), count(allv, "US"), count(att, "US")) == (2, 2, 0)
    # the frame ("Kiev") is the outlet's own word choice and stays counted
    assert int(own.query("marker == 'Kiev' and group == 'RT'")["count"].sum()) == 2
    assert own.attrs["voice"] == "own" and allv.attrs["voice"] == "all"


def test_filter_voice_records_what_it_left_out():
    c = pd.DataFrame({"doc_id": ["d"], "outlet": ["X"], "published": pd.NaT,
                      "text": ["Voting ended. Officials said the vote was fair. “It is a farce,” Kuleba said."]})
    s = split_sentences(c)
    own = filter_voice(s, voice="own", boilerplate="keep")
    att = filter_voice(s, voice="attributed", boilerplate="keep")
    assert own["text"].tolist() == ["Voting ended."]
    assert len(att) == 2 and att.attrs["text_filter"]["n_kept"] == 2
    assert sorted(framing.excluded_rows(own)["reason"]) == ["voice=direct", "voice=reported"]
    with pytest.raises(ValueError, match="voice="):
        filter_voice(s, voice="journalist")


def test_keyword_baseline():
    s = pd.DataFrame({"text": ["He said so.", "It rained.", "A “sham” vote."]})
    assert keyword_voice_baseline(s).tolist() == ["attributed", "own", "attributed"]


SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "presstv-unsc-referendums-2022-09.txt"


@pytest.mark.integration
@pytest.mark.skipif(not SEED.exists(), reason="the Press TV seed article (../shared/seed) is not here")
def test_press_tv_article_as_a_users_corpus(tmp_path):
    """The seed article read as a user's own corpus: its one "sham" is Biden's, not Press TV's."""
    c = pd.DataFrame({"doc_id": ["presstv"], "outlet": ["Press TV"], "published": pd.Timestamp("2022-09-24"),
                      "text": [SEED.read_text(encoding="utf-8")]})
    s = attribute_voice(framing.find_boilerplate(split_sentences(c)))
    sham = s[s["text"].str.contains("sham")]
    assert len(sham) == 1
    assert sham["voice"].iloc[0] in {"reported", "direct"} and "Biden" in sham["speaker"].iloc[0]
    rates = framing.marker_rates(c, n_boot=0, sentences=s)
    assert int(rates.query("marker == 'sham'")["count"].sum()) == 0
    allv = framing.marker_rates(c, n_boot=0, voice="all", boilerplate="keep")
    assert int(allv.query("marker == 'sham'")["count"].sum()) == 1
    furn = s[s["boilerplate_reason"] == "furniture"]
    assert s["text"].iloc[0] in set(furn["text"])                    # the breadcrumb
    assert furn["text"].str.contains("AFP photo").any()             # the caption
    assert furn["text"].str.contains("alternate addresses").any()   # the footer
    assert not s.loc[s["is_lead"], "boilerplate"].any()


DEV = Path(__file__).resolve().parent / "data" / "voice_dev.csv"


def test_evaluate_voice_interval_matches_an_independent_calculation():
    """One sentence per document: the document bootstrap is the plain binomial bootstrap."""
    from statsmodels.stats.proportion import proportion_confint

    n = 400
    texts = ["Officials said the vote was fair."] * 300 + ["It rained in Kherson."] * 100
    coded = pd.DataFrame({"doc_id": [f"d{i}" for i in range(n)], "sent_id": [f"d{i}:0" for i in range(n)],
                          "text": texts, "voice": ["reported"] * 240 + ["own"] * 60 + ["own"] * 100})
    ev = framing.evaluate_voice(coded, group=None, n_boot=4000, random_state=1)
    prec = ev[ev["metric"] == "own precision"].set_index("method")
    ev = ev[ev["metric"] == "accuracy"].set_index("method")
    acc = ev.loc["attribute_voice"]
    assert acc["estimate"] == pytest.approx(340 / 400)
    lo, hi = proportion_confint(340, 400, alpha=0.05, method="wilson")
    assert acc["ci_low"] == pytest.approx(lo, abs=0.01) and acc["ci_high"] == pytest.approx(hi, abs=0.01)
    assert ev.loc["difference", "estimate"] == pytest.approx(0.0)   # same errors as the baseline here
    assert len(ev.attrs["errors"]) == 60
    # predicted own: the 100 "rained" sentences (all own); precision 1.0, recall 100/160
    assert prec.loc["attribute_voice", "estimate"] == pytest.approx(1.0)
    assert prec.loc["attribute_voice", "n"] == 100


@pytest.mark.integration
def test_coded_development_set_voice_accuracy():
    """attribute_voice against the hand-coded development set, next to the keyword baseline."""
    coded, sentences = framing.recover_coded(DEV)
    assert len(coded) == 190 and "text" in coded.columns
    ev = framing.evaluate_voice(coded, sentences=sentences, n_boot=1000, random_state=0)
    ev = ev[ev["metric"] == "accuracy"].set_index(["group", "method"])
    rules = ev.loc[("all", "attribute_voice")]
    base = ev.loc[("all", "keyword baseline")]
    diff = ev.loc[("all", "difference")]
    # measured 2026-11-30: 0.89 [0.85, 0.94] against 0.82; a regression below 0.85 fails
    assert rules["estimate"] >= 0.85 and rules["estimate"] > base["estimate"]
    assert diff["ci_low"] > 0


def test_mixed_sentences_are_split_for_sentence_measures():
    from framing.testing import HashEncoder

    c = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "Y"], "published": pd.NaT, "text": [
        "Russia staged the vote at gunpoint in occupied towns, which Kyiv called a sham. Voting ended.",
        "Officials said the vote was fair. The count went on in Donetsk."]})
    s = split_sentences(c)
    own = filter_voice(s, boilerplate="keep")
    row = own[own["voice_part"]].iloc[0]
    assert "sham" not in row["text"] and row["text"].startswith("Russia staged the vote at gunpoint")
    att = filter_voice(s, voice="attributed", boilerplate="keep")
    assert att.loc[att["voice_part"], "text"].tolist() == ["a sham"]
    dropped = filter_voice(s, boilerplate="keep", mixed="drop")
    assert not dropped["voice_part"].any() and "voice=mixed" in set(framing.excluded_rows(dropped)["reason"])
    # score_axes: the embedding of a mixed sentence's own part replaces the whole sentence's
    enc = HashEncoder(dim=64)
    axis = framing.Axis("calm", ["calm quiet day", "quiet peaceful night"], ["violent loud riot", "angry clash"]).fit(enc)
    X = enc.encode(s["text"].tolist())
    sc = framing.score_axes(s, [axis], embeddings=X, encoder=enc, n_boot=10, n_null=10, random_state=0,
                            boilerplate="keep")
    assert sc.params["text_filter"]["mixed_split"] == 1
    mixed_row = sc.sentences[sc.sentences["text"].str.startswith("Russia staged")]
    expected = float(np.asarray(enc.encode([row["text"]]))[0] @ axis.vector_ / np.linalg.norm(enc.encode([row["text"]])[0]))
    assert mixed_row["projection"].iloc[0] == pytest.approx(expected, abs=1e-6)
    no_enc = framing.score_axes(s, [axis], embeddings=X, n_boot=10, n_null=10, random_state=0, boilerplate="keep")
    assert no_enc.params["text_filter"]["mixed_dropped_no_encoder"] == 1


def test_records_read_as_the_list_of_dicts_they_hold():
    """The compact record of left-out sentences (Dask results): same dicts, same table, no copy on
    deepcopy (pandas copies attrs on every operation), pickles, sorts in document order."""
    import copy
    import pickle

    from framing.voice.records import Records

    rows = [{"doc_id": f"d{i % 7}", "sent_id": f"d{i % 7}:{i}", "outlet": "RT", "start": 100 - i, "end": 120 - i,
             "reason": "boilerplate=repeated" if i % 2 else "voice=direct"} for i in range(25)]
    r = Records.of(rows)
    assert r == rows and list(r) == rows and len(r) == 25 and r[3] == rows[3] and r[-1] == rows[-1]
    assert r != rows[:-1] and r != rows[::-1] and isinstance(r[2:5], Records) and r[2:5] == rows[2:5]
    assert copy.deepcopy(r) is r and pickle.loads(pickle.dumps(r)) == rows
    want = sorted(rows, key=lambda x: (x["doc_id"], x["start"]))
    assert Records.concat([Records.of(rows[:10]), rows[10:], None]).sorted() == want
    assert (r + rows)[25:] == rows
    pd.testing.assert_frame_equal(framing.excluded_rows(pd.DataFrame().pipe(lambda f: f.__setattr__("attrs", {
        "excluded": r}) or f)), pd.DataFrame.from_records(rows))
    assert Records.of(None) == [] and Records.concat([]) == []
