"""Tests for framing.boilerplate: furniture rules and repeated lines, on hand-written text."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from framing.boilerplate import (
    FURNITURE_RULES, find_boilerplate, is_furniture, normalise_text, same_text,
)
from framing.segment import split_sentences

# Each case: (text, expected rule or None). All texts written for this test; every rule has
# negatives that look like it but are ordinary news sentences.
RULE_CASES = [
    # breadcrumbs
    ("Home / World / Europe", "breadcrumb"),
    ("News \u00a0/\u00a0 Foreign Policy \u00a0/\u00a0 Asia", "breadcrumb"),
    ("Home › Business › Energy", "breadcrumb"),
    ("Sport | Football", "breadcrumb"),
    ("Europe / Eastern grain war", None),                      # lower-case words: a headline
    ("The 24/7 coverage and/or the ratings fell.", None),      # slashes without spaces
    ("Ships / trucks moved grain.", None),                     # ends like a sentence
    ("Home / World / Europe / Asia / Africa / Oceania / Arctic", None),  # 7 segments
    # captions and credits
    ("The envoy speaks to reporters in Geneva on May 3, 2022. (AFP photo)", "caption"),
    ("Soldiers rest near a river. (Photo by Jane Roe/Getty Images)", "caption"),
    ("A tractor pulls a tank in a field (AP Photo/Jane Roe)", "caption"),
    ("Smoke rises over the port (Defence Ministry Press Service via AP)", "caption"),
    ("A man walks past a damaged school in Odesa, Ukraine, May 3, 2022. REUTERS/Jane Roe", "caption"),
    ("Delegates vote in the hall. Jane Roe/Getty Images", "caption"),
    ("(AFP photo)", "credit"),
    ("REUTERS/Jane Roe/File Photo", "credit"),
    ("Photo: Agency Pool", "credit"),
    ("Photographer: Jane Roe/Bloomberg via Getty Images", "credit"),
    ("Getty Images", "credit"),
    ("© Agency / Jane Roe", "credit"),
    ("Photographs showed damaged buildings near the port.", None),
    ("The photo was taken by Getty Images staff on Monday.", None),
    ("He posted a statement (with a photo).", None),
    ("Photo agencies said the images were real.", None),
    ("The picture became clearer on Tuesday (officials said).", None),
    # reporting credits
    ("Jane Roe contributed to this report.", "contributors"),
    ("Gazette News' Jane Roe and John Doe contributed reporting from Kyiv.", "contributors"),
    ("Reporting by Jane Roe; Editing by John Doe", "contributors"),
    ('"Everyone contributed to this report," the minister said.', None),
    ("The rebels contributed troops to the offensive.", None),
    # bylines
    ("By Jane Roe", "byline"),
    ("By JANE ROE and John Doe, Gazette", "byline"),
    ("By Jane Roe | Reuters", "byline"),
    ("By Reuters", "byline"),
    ("By Tuesday, Russia had withdrawn its ships.", None),
    ("By Sept. 30", None),
    ("By Christmas", None),
    ("By then, the troops had left.", None),
    ("By contrast, Kyiv refused.", None),
    ("By March the front had moved.", None),
    # datelines standing alone
    ("KYIV, Ukraine —", "dateline"),
    ("MOSCOW (Reuters) -", "dateline"),
    ("WASHINGTON —", "dateline"),
    ("KYIV, Ukraine — Shelling resumed on Monday.", None),
    ("Ukraine —", None),
    # footers
    ("Gazette TV’s website can also be accessed at the following alternate addresses:", "footer"),
    ("© 2022 Example Media. All rights reserved.", "footer"),
    ("All rights reserved.", "footer"),
    ("Follow us on Twitter", "footer"),
    ("Follow The Daily Gazette Opinion section on Facebook, Twitter (@Gaz) and Instagram.", "footer"),
    ("Advertisement", "footer"),
    ("The ministry said it would follow the talks on Facebook and elsewhere.", None),
    ("The copyright dispute reached the court on Monday.", None),
    ("Officials said access to the site was blocked at several addresses.", None),
    # promotion
    ("Sign up for our daily newsletter.", "promo"),
    ("Subscribe", "promo"),
    ("Download the Gazette News app and select alerts.", "promo"),
    ("CLICK HERE TO GET THE GAZETTE NEWS APP", "promo"),
    ("Listen and subscribe for free on your podcast app.", "promo"),
    ("Millions subscribe to his newsletter, which he writes daily.", None),
    ("Voters had to sign up in person, officials said.", None),
    # links to other pages
    ("Read more: Ships leave the port", "read_more"),
    ("READ MORE", "read_more"),
    ("Related:", "read_more"),
    ("MORE: Ships leave the port", "read_more"),
    ("WATCH: The minister speaks to reporters", "read_more"),
    ("Click here to read the report.", "read_more"),
    ("Watch the full interview here:", "read_more"),
    ("Read the full statement below.", "read_more"),
    ("Related to this, the ministry said no.", None),
    ("More than 300 people were evacuated.", None),
    ("Read the room, he told the minister, before the vote.", None),
    ("Watch this space, the minister told reporters on Monday in the capital.", None),
    ("Watch the minister's full interview:", "read_more"),
    ("See what he told reporters:", None),                     # introduces a quote
    # a follow-up is not "follow us"; numbers are not a breadcrumb
    ("Follow-up talks on Facebook's moderation were held.", None),
    ("5 > 3", None),
    # ordinary sentences
    ("The Security Council is likely to vote on Friday.", None),
    ("Gazette TV News Roku", None),                            # a short line alone is no furniture
    ("", None),
    ("   ", None),
]


@pytest.mark.parametrize("text, expected", RULE_CASES)
def test_furniture_rules(text, expected):
    assert is_furniture(text) == expected


def test_rule_names_are_documented():
    found = {r for _, r in RULE_CASES if r is not None}
    assert found <= set(FURNITURE_RULES)
    assert set(FURNITURE_RULES) - found == {"headline"}  # context rule, tested below
    assert is_furniture(None) is None


def test_normalisation():
    assert normalise_text("  It’s  a “sham” —\u00a0vote ") == 'it\'s a "sham" - vote'
    assert normalise_text("Killed 5") != normalise_text("Killed 6")  # digits are kept
    assert same_text("Ships leave “the” port", '  SHIPS leave "the" port. ')
    assert not same_text("Ships leave the port", "Ships left the port")
    assert not same_text("", "") and not same_text(None, "x")


# --------------------------------------------------------------------------------------
# find_boilerplate on planted sentence tables
# --------------------------------------------------------------------------------------

STOCK = "The agency was founded by the state in 1950 and employs 300 people."
OTHER = "The port has been closed to grain ships since the spring."


def _table(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """(outlet, doc_id, text) rows -> a sentence table with positions."""
    df = pd.DataFrame(rows, columns=["outlet", "doc_id", "text"])
    df["position"] = df.groupby("doc_id").cumcount()
    return df[["doc_id", "outlet", "text", "position"]]


def _planted() -> pd.DataFrame:
    rows = []
    for i in range(5):  # STOCK in 5 A documents, with quote/space/case variants
        variant = STOCK if i % 2 else STOCK.upper().replace(" ", "  ")
        rows += [("A", f"a{i}", f"Unique story number {i} opened with a new fact."), ("A", f"a{i}", variant)]
    for i in range(4):  # OTHER in 4 A documents only
        rows.append(("A", f"a{i}", OTHER))
    for i in range(3):  # the same line in 3 B and 3 C documents: never 5 in one outlet
        rows += [("B", f"b{i}", "Talks resumed in the capital on Monday morning."),
                 ("C", f"c{i}", "Talks resumed in the capital on Monday morning.")]
    for i in range(6):  # short and common
        rows.append(("B", f"b{i % 3}{i}", "He said so."))
    rows += [("C", "c9", "The same line five times in one document only.")] * 5
    return _table(rows)


def test_repeated_lines_planted():
    s = _planted()
    out = find_boilerplate(s)
    flagged = out.loc[out["boilerplate"], "text"]
    assert set(flagged.map(normalise_text)) == {normalise_text(STOCK)}
    assert len(flagged) == 5
    assert (out.loc[out["boilerplate"], "boilerplate_reason"] == "repeated").all()
    assert (out.loc[out["boilerplate"], "boilerplate_rule"] == "repeated").all()
    assert out.loc[out["text"] == OTHER, "boilerplate_docs"].tolist() == [4, 4, 4, 4]
    assert out.loc[out["text"] == "He said so.", "boilerplate_docs"].tolist() == [6] * 6
    # 4 documents suffice at min_docs=4
    out4 = find_boilerplate(s, min_docs=4)
    assert set(out4.loc[out4["boilerplate"], "text"].map(normalise_text)) == {
        normalise_text(STOCK), normalise_text(OTHER)}
    # one group for the whole table: the B+C line is in 6 documents
    whole = find_boilerplate(s, group=None)
    assert whole.loc[whole["text"].str.startswith("Talks resumed"), "boilerplate"].all()
    # short sentences count once min_words allows them
    short = find_boilerplate(s, min_words=3)
    assert short.loc[short["text"] == "He said so.", "boilerplate"].all()
    # off switch
    assert not find_boilerplate(s, min_docs=None)["boilerplate"].any()


def test_output_contract_and_attrs():
    s = _planted().set_axis(np.arange(100, 100 + len(_planted())))  # a non-default index
    s.attrs["segmentation"] = {"method": "punkt"}
    before = s.copy()
    out = find_boilerplate(s)
    pd.testing.assert_frame_equal(s, before)  # input untouched
    assert "boilerplate" not in s.columns
    assert list(out.columns) == list(s.columns) + [
        "boilerplate", "boilerplate_reason", "boilerplate_rule", "boilerplate_docs"]
    assert out.index.equals(s.index)
    pd.testing.assert_frame_equal(out[list(s.columns)], s)
    assert out["boilerplate"].dtype == bool and out["boilerplate_docs"].dtype == "int64"
    assert out.loc[~out["boilerplate"], "boilerplate_reason"].isna().all()
    assert out.attrs["segmentation"] == {"method": "punkt"}
    rec = out.attrs["boilerplate"]
    assert rec["min_docs"] == 5 and rec["group"] == "outlet" and rec["furniture"] is True
    assert rec["sentences"] == len(s) and rec["flagged"] == 5
    assert rec["reasons"] == {"furniture": 0, "repeated": 5}
    assert rec["rules"] == {"repeated": 5}
    assert rec["by_group"] == {"A": 5, "B": 0, "C": 0}
    # running it twice replaces the columns instead of adding new ones
    again = find_boilerplate(out)
    assert list(again.columns) == list(out.columns)
    pd.testing.assert_frame_equal(again, out)


def test_furniture_in_a_table_and_precedence():
    rows = [("A", f"d{i}", "Read more: the port reopened after the storm") for i in range(5)]
    rows += [("A", "d0", "Home / World / Europe"), ("A", "d0", "By Jane Roe"),
             ("A", "d0", "Ships left the port on Monday."), ("A", "d0", "Jane Roe contributed to this report.")]
    out = find_boilerplate(_table(rows))
    assert out["boilerplate_reason"].tolist() == ["furniture"] * 7 + [None, "furniture"]
    assert out["boilerplate_rule"].tolist() == ["read_more"] * 5 + ["breadcrumb", "byline", None, "contributors"]
    assert out.attrs["boilerplate"]["reasons"] == {"furniture": 8, "repeated": 0}
    assert out.attrs["boilerplate"]["rules"] == {"read_more": 5, "breadcrumb": 1, "byline": 1, "contributors": 1}
    off = find_boilerplate(_table(rows), furniture=False)
    assert off["boilerplate_rule"].tolist() == ["repeated"] * 5 + [None] * 4


def test_headline_rule_from_column_or_titles():
    s = _table([("A", "d0", "Ships Leave the “Port”"), ("A", "d0", "Ships left the port on Monday."),
                ("A", "d1", "Grain prices fall"), ("A", "d1", "Ships leave the port.")])
    titles = {"d0": 'Ships leave the "port"', "d1": "Grain prices fall"}
    out = find_boilerplate(s, titles=titles)
    assert out["boilerplate_rule"].tolist() == ["headline", None, "headline", None]
    assert out.attrs["boilerplate"]["titles"] == "given"
    # the title of another document does not count
    assert find_boilerplate(s, titles={"d1": 'Ships leave the "port"'})["boilerplate_rule"].tolist() == [None] * 4
    corpus = pd.DataFrame({"doc_id": ["d0", "d1"], "title": list(titles.values())})
    assert find_boilerplate(s, titles=corpus)["boilerplate_rule"].tolist() == ["headline", None, "headline", None]
    col = find_boilerplate(s.assign(title=s["doc_id"].map(titles)))
    assert col["boilerplate_rule"].tolist() == ["headline", None, "headline", None]
    assert col.attrs["boilerplate"]["titles"] == "column"
    assert not find_boilerplate(s)["boilerplate"].any()  # no titles, no headline rule
    assert not find_boilerplate(s, titles={"d0": "", "d1": None})["boilerplate"].any()
    with pytest.raises(TypeError, match="titles"):
        find_boilerplate(s, titles=["x"])
    with pytest.raises(ValueError, match="title"):
        find_boilerplate(s, titles=pd.DataFrame({"doc_id": ["d0"]}))


FOOTER = "Gazette TV’s website can also be accessed at the following alternate addresses:"


def test_short_lines_after_the_last_footer():
    body = "The minister said the talks would resume next week in the capital."
    s = _table([
        ("A", "d0", body), ("A", "d0", FOOTER), ("A", "d0", "Gazette TV News Roku"), ("A", "d0", "gazette.example"),
        # a long real sentence after the footer: the short line before it stays
        ("A", "d1", body), ("A", "d1", FOOTER), ("A", "d1", "Gazette TV News Roku"), ("A", "d1", body),
        # short lines with no footer before them stay
        ("A", "d2", body), ("A", "d2", "Gazette TV News Roku"),
    ])
    out = find_boilerplate(s)
    assert out["boilerplate_rule"].tolist() == [None, "footer", "footer", "footer",
                                                None, "footer", None, None, None, None]
    # order comes from position, not from row order
    shuffled = s.iloc[[3, 2, 1, 0]]
    assert find_boilerplate(shuffled)["boilerplate_rule"].tolist() == ["footer", "footer", "footer", None]


def test_caption_paragraph_closed_by_a_credit():
    corpus = pd.DataFrame({
        "doc_id": ["p", "q"], "outlet": ["A", "A"], "published": pd.to_datetime(["2022-09-20"] * 2),
        "text": [
            "Home / World\n\nThe envoy speaks in Geneva on May 3, 2022. (Agency photo)\n\n"
            "Ships left the port on Monday. Grain prices fell.\n\nTalks resume next week.",
            # one paragraph only: the credit sentence is flagged, the text before it is not
            "Ships left the port on Monday. Grain prices fell. (Agency photo)",
        ]})
    out = find_boilerplate(split_sentences(corpus))
    p = out[out["doc_id"] == "p"]
    assert p["boilerplate_rule"].tolist() == ["breadcrumb", "caption", "credit", None, None, None]
    q = out[out["doc_id"] == "q"]
    assert q["boilerplate_rule"].tolist() == [None, None, "credit"]
    # the lead is the first paragraph that is not furniture
    assert p.loc[p["is_lead"], "text"].tolist() == ["Ships left the port on Monday.", "Grain prices fell."]
    assert not out.loc[out["is_lead"], "boilerplate"].any()


def test_arguments_and_empty_table():
    s = _planted()
    with pytest.raises(ValueError, match="min_docs"):
        find_boilerplate(s, min_docs=1)
    with pytest.raises(ValueError, match="min_docs"):
        find_boilerplate(s, min_docs=2.5)
    with pytest.raises(ValueError, match="min_words"):
        find_boilerplate(s, min_words=-1)
    with pytest.raises(ValueError, match="source"):
        find_boilerplate(s, group="source")
    assert find_boilerplate(s.drop(columns="outlet"), group=None)["boilerplate"].sum() == 5 + 6
    no_outlet = find_boilerplate(s.drop(columns="outlet"))  # the default group, absent: one group
    assert no_outlet["boilerplate"].sum() == 5 + 6 and no_outlet.attrs["boilerplate"]["group"] is None
    assert find_boilerplate(s.rename(columns={"outlet": "source"}), group="source")["boilerplate"].sum() == 5
    with pytest.raises(ValueError, match="doc_id"):
        find_boilerplate(s.drop(columns="doc_id"))
    with pytest.raises(TypeError):
        find_boilerplate(["not a table"])
    empty = find_boilerplate(s.iloc[:0])
    assert len(empty) == 0 and list(empty.columns)[-4:] == [
        "boilerplate", "boilerplate_reason", "boilerplate_rule", "boilerplate_docs"]
    assert empty.attrs["boilerplate"]["flagged"] == 0


SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "presstv-unsc-referendums-2022-09.txt"


@pytest.mark.integration
@pytest.mark.skipif(not SEED.exists(), reason="the Press TV seed article (../shared/seed) is not here")
def test_seed_article_read_as_a_users_folder(tmp_path):
    """A saved article: breadcrumb, headline, captioned photo, body, site footer."""
    import framing

    folder = tmp_path / "mine"
    folder.mkdir()
    text = SEED.read_text(encoding="utf-8")
    (folder / "article.txt").write_text(text, encoding="utf-8")
    paras = [p.strip() for p in text.split("\n\n") if p.strip()]
    pd.DataFrame({"file": ["article.txt"], "outlet": ["Mine"], "published": ["2022-09-24"],
                  "title": [paras[1]]}).to_csv(folder / "metadata.csv", index=False)
    corpus = framing.read_corpus(folder)
    removed = corpus.attrs["provenance"]["title_lines_removed"]
    assert [r["file"] for r in removed] == ["article.txt"] and removed[0]["line"] == paras[1]
    assert paras[1] not in corpus["text"].iloc[0] and corpus["text"].iloc[0].startswith(paras[0])
    s = find_boilerplate(split_sentences(corpus))
    rules = s["boilerplate_rule"].tolist()
    assert rules[:3] == ["breadcrumb", "caption", "credit"]
    assert rules[-2:] == ["footer", "footer"]
    assert all(r is None for r in rules[3:-2])  # the news sentences are not flagged
    assert s["is_lead"].tolist().index(True) == 3 and not s.loc[s["is_lead"], "boilerplate"].any()
