"""Tests for framing.segment: hand-written tricky news prose with the expected split."""
from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from framing.segment import SENTENCE_COLUMNS, split_paragraphs, split_sentences, split_text


def _sents(text: str, **kw) -> list[str]:
    return [text[a:b] for a, b in split_text(text, **kw)]


# Each case: (text, expected sentences).  All texts written for this test.
CASES = [
    # dateline stays attached; "Sept. 23"; U.S. + sentence opener splits
    ("KYIV, Ukraine (AP) — Shelling hit the port on Sept. 23, officials said. "
     "The U.S. said it would respond.",
     ["KYIV, Ukraine (AP) — Shelling hit the port on Sept. 23, officials said.",
      "The U.S. said it would respond."]),
    ("UNITED NATIONS, Oct. 3 (Reuters) - A draft failed. Two members abstained.",
     ["UNITED NATIONS, Oct. 3 (Reuters) - A draft failed.", "Two members abstained."]),
    # decimals, Mr., U.S. + proper noun
    ("The U.S. Navy said 3.5 percent of sailors left. Mr. Brown agreed.",
     ["The U.S. Navy said 3.5 percent of sailors left.", "Mr. Brown agreed."]),
    # initials, ranks
    ("Former President George W. Bush spoke. Lt. Col. Ann Ford of the U.N. mission declined to comment.",
     ["Former President George W. Bush spoke.",
      "Lt. Col. Ann Ford of the U.N. mission declined to comment."]),
    ("Gen. Mark Field and Sgt. Maj. Joe Park met Rep. Ada Lin, Sen. Bo Ray and Gov. Kim Oda in St. Paul.",
     ["Gen. Mark Field and Sgt. Maj. Joe Park met Rep. Ada Lin, Sen. Bo Ray and Gov. Kim Oda in St. Paul."]),
    # quotations: ." ?" .” (curly) and attribution after a question
    ('"We will not stop," he said. "Never."', ['"We will not stop," he said.', '"Never."']),
    ('"Is this the end?" she asked. He said no.', ['"Is this the end?" she asked.', "He said no."]),
    ("“Is it over?” she asked. “No!” he shouted. Then came silence.",
     ["“Is it over?” she asked.", "“No!” he shouted.", "Then came silence."]),
    ("“We will win.” The crowd cheered.", ["“We will win.”", "The crowd cheered."]),
    # ellipses: split before a sentence opener, not before lower case
    ("He paused... Then he left. The column moved on ...and on.",
     ["He paused...", "Then he left.", "The column moved on ...and on."]),
    ("She waited … then spoke. He waited… The end came.",
     ["She waited … then spoke.", "He waited…", "The end came."]),
    # U.S./U.N. at the end of a sentence vs before a name
    ("The plan was backed by the U.S. The U.N. opposed it.",
     ["The plan was backed by the U.S.", "The U.N. opposed it."]),
    ("Staff took extra jobs. U.S. Ambassador Joan Bell left.",
     ["Staff took extra jobs.", "U.S. Ambassador Joan Bell left."]),
    # numeric-only abbreviation and month abbreviations
    ("It was adopted as Resolution No. 5 on Oct. 12. Voting began Sept. 23 and ended Sept. 27.",
     ["It was adopted as Resolution No. 5 on Oct. 12.", "Voting began Sept. 23 and ended Sept. 27."]),
    ("The vote closed at 5 p.m. Moscow time. Results came at 10 a.m. on Tuesday.",
     ["The vote closed at 5 p.m. Moscow time.", "Results came at 10 a.m. on Tuesday."]),
    ("The war (which began in Feb.) goes on. Kyiv said so.",
     ["The war (which began in Feb.) goes on.", "Kyiv said so."]),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_news_prose_split(text, expected):
    assert _sents(text) == expected


def test_offsets_round_trip_and_trimmed():
    text = "  First one.   Second one!\n\n  Third, with trailing space.   \n"
    spans = split_text(text)
    assert [text[a:b] for a, b in spans] == ["First one.", "Second one!", "Third, with trailing space."]
    for a, b in spans:
        assert text[a:b] == text[a:b].strip() and b > a
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))


def test_no_empty_or_whitespace_sentences():
    for text in ["", "   ", "\n\n\n", " . ", "Hi.\n\n\n\nThere."]:
        for a, b in split_text(text):
            assert text[a:b].strip() == text[a:b] and b > a


def test_paragraphs_blank_lines_vs_line_breaks():
    # blank lines present: single newline is wrapping, sentence may cross it
    text = "A first sentence\nwrapped here. Next.\n\nSecond para."
    assert [text[a:b] for a, b in split_paragraphs(text)] == [
        "A first sentence\nwrapped here. Next.", "Second para."]
    assert _sents(text) == ["A first sentence\nwrapped here.", "Next.", "Second para."]
    # no blank lines: every line is a paragraph, a sentence never crosses one
    text = "Heading without period\nBody sentence one. Body two."
    assert _sents(text) == ["Heading without period", "Body sentence one.", "Body two."]
    # paragraphs=False: line breaks are just whitespace
    assert _sents(text, paragraphs=False) == ["Heading without period\nBody sentence one.", "Body two."]


def test_dateline_on_its_own_line_joins_first_sentence():
    text = "KYIV, Ukraine —\nShelling resumed. Officials confirmed it.\nA second paragraph."
    assert _sents(text) == ["KYIV, Ukraine —\nShelling resumed.", "Officials confirmed it.",
                            "A second paragraph."]


def _corpus() -> pd.DataFrame:
    return pd.DataFrame({
        "doc_id": ["d1", "d2", "d3"],
        "outlet": ["RT", "NYT", "NYT"],
        "published": pd.to_datetime(["2022-09-23", "2022-09-24", "2022-09-25"]),
        "title": ["", "", ""],
        "text": [
            "Lead one. Lead two. Body three.",
            "Para one, sentence one. Para one, sentence two.\nPara two.\nPara three. End.",
            "Only one.",
        ],
        "url": ["", "", ""],
        "lang": ["en", "en", "en"],
    })


def test_split_sentences_table():
    corpus = _corpus()
    before = corpus.copy()
    s = split_sentences(corpus)
    pd.testing.assert_frame_equal(corpus, before)  # caller's frame untouched
    assert tuple(s.columns) == SENTENCE_COLUMNS
    assert s["sent_id"].tolist() == ["d1:0", "d1:1", "d1:2", "d2:0", "d2:1", "d2:2", "d2:3", "d2:4", "d3:0"]
    assert s["position"].tolist() == [0, 1, 2, 0, 1, 2, 3, 4, 0]
    assert s["para_id"].tolist() == [0, 0, 0, 0, 0, 1, 2, 2, 0]
    # d1 has no paragraph breaks: lead = first sentence; d2: whole first paragraph
    assert s["is_lead"].tolist() == [True, False, False, True, True, False, False, False, True]
    assert s["is_lead"].dtype == bool
    assert s["published"].dtype == corpus["published"].dtype
    assert s.loc[s.doc_id == "d2", "outlet"].unique().tolist() == ["NYT"]
    texts = dict(zip(corpus.doc_id, corpus.text))
    for row in s.itertuples():
        assert texts[row.doc_id][row.start:row.end] == row.text


def test_split_sentences_lead_options():
    s = split_sentences(_corpus(), lead_paragraphs=2, lead_sentences=0)
    assert s["is_lead"].tolist() == [False, False, False, True, True, True, False, False, False]
    s = split_sentences(_corpus(), paragraphs=False)
    assert set(s["para_id"]) == {0}
    assert s["is_lead"].tolist() == [True, False, False, True, False, False, False, False, True]


def test_min_chars_drops_short():
    corpus = _corpus().iloc[:1].assign(text="Ok. This one is long enough.")
    s = split_sentences(corpus, min_chars=5)
    assert s["text"].tolist() == ["This one is long enough."]
    assert s["position"].tolist() == [0]


def test_bad_input_errors():
    with pytest.raises(ValueError, match="missing column"):
        split_sentences(pd.DataFrame({"doc_id": ["a"], "text": ["x"]}))
    bad = _corpus()
    bad["text"] = pd.Series(["ok.", None, "fine."], dtype=object)
    with pytest.raises(TypeError, match="d2"):
        split_sentences(bad)
    with pytest.raises(TypeError):
        split_sentences(["not a frame"])
    with pytest.raises(ValueError, match="language"):
        split_text("Hi.", language="klingon")


def test_empty_corpus():
    s = split_sentences(_corpus().iloc[:0])
    assert len(s) == 0 and tuple(s.columns) == SENTENCE_COLUMNS


def test_other_language_uses_its_model():
    text = "Das ist z.B. ein Satz. Und noch einer."
    assert _sents(text, language="german") == ["Das ist z.B. ein Satz.", "Und noch einer."]




@pytest.mark.integration
@pytest.mark.parametrize("name", ["ukraine-media", "ungdc", "basil"])
def test_offsets_round_trip_real_corpora(name):
    framing = pytest.importorskip("framing")
    try:
        corpus = framing.load_corpus(name)
    except (ImportError, AttributeError, FileNotFoundError) as err:  # loader not there yet
        pytest.skip(f"corpus {name!r} unavailable: {err}")
    s = split_sentences(corpus)
    texts = corpus.set_index("doc_id")["text"]
    art = texts.loc[s["doc_id"]].to_numpy()
    starts, ends, sents = s["start"].to_numpy(), s["end"].to_numpy(), s["text"].to_numpy()
    assert all(a[b:e] == t for a, b, e, t in zip(art, starts, ends, sents))
    assert (s["text"].str.strip() == s["text"]).all() and (s["text"].str.len() > 0).all()
    # every document with text yields at least one sentence; ids unique
    assert s["sent_id"].is_unique
    assert set(s["doc_id"]) == set(corpus.loc[corpus["text"].str.strip() != "", "doc_id"])
    # sentences are ordered and non-overlapping within a document
    same = s["doc_id"].to_numpy()[1:] == s["doc_id"].to_numpy()[:-1]
    assert np.all(starts[1:][same] >= ends[:-1][same])


def test_sentence_counts_and_lengths():
    from framing.segment import sentence_counts, sentence_lengths
    s = split_sentences(_corpus())
    c = sentence_counts(s)
    # written out: NYT has d2 (5 sentences) and d3 (1), RT has d1 (3)
    assert c.to_dict("list") == {"outlet": ["NYT", "RT"], "documents": [2, 1], "sentences": [6, 3],
                                 "per_doc_median": [3.0, 3.0], "per_doc_mean": [3.0, 3.0]}
    lengths = sentence_lengths(s)
    assert lengths["sent_id"].tolist() == s["sent_id"].tolist()
    assert lengths["chars"].tolist() == s["text"].str.len().tolist()
    assert lengths.loc[0, "words"] == 2  # "Lead one."
    assert sentence_lengths(pd.DataFrame({"outlet": ["X"], "text": ["Don’t stop — it's 5 km."]}))["words"][0] == 5
    with pytest.raises(ValueError, match="column"):
        sentence_counts(s.drop(columns="doc_id"))


def test_sentence_counts_and_lengths_group_forms():
    from framing.segment import sentence_counts, sentence_lengths
    s = split_sentences(_corpus())
    # a mapping {outlet: label}: outlets left out are in no group; the column is "group"
    c = sentence_counts(s, group={"NYT": "US"})
    assert c.to_dict("list") == {"group": ["US"], "documents": [2], "sentences": [6],
                                 "per_doc_median": [3.0], "per_doc_mean": [3.0]}
    c = sentence_counts(s, group=None)
    assert c[["group", "documents", "sentences"]].values.tolist() == [["all", 3, 9]]
    lengths = sentence_lengths(s, group=("outlet", {"RT": "Russian state"}))
    assert list(lengths.columns) == ["sent_id", "doc_id", "group", "chars", "words"]
    assert lengths["group"].tolist()[:3] == ["Russian state"] * 3 and lengths["group"][3:].isna().all()
    with pytest.raises(ValueError, match="no column 'vote'"):
        sentence_counts(s, group="vote")
    with pytest.raises(TypeError):
        sentence_counts(s, bye="outlet")


def test_by_is_deprecated_for_group():
    from framing.segment import sentence_counts, sentence_lengths
    s = split_sentences(_corpus()).assign(region=["east"] * 3 + ["west"] * 6)
    with pytest.warns(DeprecationWarning, match="group="):
        old = sentence_counts(s, by="region")
    pd.testing.assert_frame_equal(old, sentence_counts(s, group="region"))
    assert old["region"].tolist() == ["west", "east"]
    with pytest.warns(DeprecationWarning, match="group="):
        old = sentence_lengths(s, by="region")
    pd.testing.assert_frame_equal(old, sentence_lengths(s, group="region"))
    with pytest.raises(TypeError, match="both"):
        sentence_counts(s, by="region", group="outlet")


def test_keep_carries_corpus_columns_onto_sentences():
    corpus = _corpus().assign(title=["T1", "T2", "T3"], url=["u1", "u2", "u3"],
                              vote=pd.array([1, 2, None], dtype="Int64"))
    s = split_sentences(corpus, keep=["title", "published", "url", "vote"])
    assert list(s.columns) == [*SENTENCE_COLUMNS, "title", "url", "vote"]
    per_doc = s.groupby("doc_id", sort=False)[["title", "url"]].first()
    assert per_doc.to_dict("list") == {"title": ["T1", "T2", "T3"], "url": ["u1", "u2", "u3"]}
    assert s["title"].tolist() == ["T1"] * 3 + ["T2"] * 5 + ["T3"]
    assert str(s["vote"].dtype) == "Int64" and s["vote"].isna().tolist() == [False] * 8 + [True]
    assert s.attrs["segmentation"]["keep"] == ["title", "url", "vote"]
    # the default is exactly today's table, and a single name works too
    base = split_sentences(corpus)
    assert list(base.columns) == list(SENTENCE_COLUMNS) and "keep" not in base.attrs["segmentation"]
    pd.testing.assert_frame_equal(split_sentences(corpus, keep="url").drop(columns="url"), base)
    with pytest.raises(ValueError, match=r"\['section'\]"):
        split_sentences(corpus, keep=["title", "section"])
    with pytest.raises(ValueError, match="sentence table itself"):
        split_sentences(corpus, keep=["text"])
    # an empty corpus keeps the columns
    assert list(split_sentences(corpus.iloc[:0], keep=["title"]).columns) == [*SENTENCE_COLUMNS, "title"]


def test_lead_skips_page_furniture():
    text = ("Home / World / Europe\n\n"
            "The envoy speaks to reporters in Geneva on May 3. (Agency photo)\n\n"
            "Ships left the port on Monday. Grain prices fell.\n\n"
            "Talks resume next week.\n\n"
            "Follow us on Twitter")
    corpus = _corpus().iloc[:1].assign(text=text)
    s = split_sentences(corpus)
    assert s["para_id"].tolist() == [0, 1, 1, 2, 2, 3, 4]
    assert s.loc[s["is_lead"], "text"].tolist() == ["Ships left the port on Monday.", "Grain prices fell."]
    s2 = split_sentences(corpus, lead_paragraphs=2)
    assert s2.loc[s2["is_lead"], "para_id"].tolist() == [2, 2, 3]
    assert "furniture" in s.attrs["segmentation"]["lead_skips"]
    # a byline paragraph and the headline (the corpus' title) are not the lead either
    c2 = corpus.assign(title="Ships Leave the Port",
                       text="Ships leave the port\n\nBy Jane Roe\n\nShips left the port on Monday.\n\nMore.")
    assert split_sentences(c2)["is_lead"].tolist() == [False, False, True, False]
    assert split_sentences(c2.assign(title=""))["is_lead"].tolist() == [True, False, False, False]
    # single-paragraph documents: the first sentence that is not furniture
    c3 = corpus.assign(text="Read more: Ships leave the port. The port reopened on Monday. Trade resumed.")
    assert split_sentences(c3)["is_lead"].tolist() == [False, True, False]
    # only furniture: no lead at all
    c4 = corpus.assign(text="Home / World\n\nFollow us on Twitter")
    assert not split_sentences(c4)["is_lead"].any()
