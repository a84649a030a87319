import pandas as pd
import pytest

from framing.describe import coverage, doc_lengths, group_sizes, length_summary
from framing.plot.corpus import plot_coverage, plot_group_sizes, plot_lengths


@pytest.fixture
def corpus():
    return pd.DataFrame({
        "doc_id": ["a", "b", "c", "d"],
        "outlet": ["RT", "RT", "NYT", "NYT"],
        "published": pd.to_datetime(["2022-09-23", "2022-09-23", "2022-09-25", "2022-10-01"]),
        "text": ["one two three", "Kyiv's so-called vote", "a b", "x"],
        "vote": ["yes", None, "no", "yes"],
    })


def test_coverage_counts_and_fills_empty_days(corpus):
    cov = coverage(corpus, start="2022-09-22", end="2022-09-26")
    wide = cov.pivot(index="outlet", columns="period", values="documents")
    assert list(wide.columns) == list(pd.date_range("2022-09-22", "2022-09-26"))
    assert wide.loc["RT"].tolist() == [0, 2, 0, 0, 0]
    assert wide.loc["NYT"].tolist() == [0, 0, 0, 1, 0]
    # the document of 1 Oct is outside the window and not counted
    assert cov["documents"].sum() == 3


def test_coverage_weekly(corpus):
    cov = coverage(corpus, freq="W")
    assert cov.groupby("outlet")["documents"].sum().to_dict() == {"NYT": 2, "RT": 2}


def test_coverage_does_not_mutate(corpus):
    before = corpus.copy()
    coverage(corpus)
    pd.testing.assert_frame_equal(corpus, before)


def test_doc_lengths_counts_words(corpus):
    lengths = doc_lengths(corpus)
    assert lengths["words"].tolist() == [3, 3, 2, 1]  # "Kyiv's", "so-called", "vote"
    assert lengths["chars"].tolist() == [13, 21, 3, 1]
    summary = length_summary(lengths).set_index("outlet")
    assert summary.loc["RT", "median_words"] == 3.0
    assert summary.loc["NYT", "total_words"] == 3


def test_group_sizes_keeps_missing(corpus):
    sizes = group_sizes(corpus, "vote", order=["yes", "abstain", "no"])
    assert sizes["vote"].tolist() == ["yes", "no", "(missing)"]
    assert sizes["documents"].tolist() == [2, 1, 1]
    by = group_sizes(corpus, "vote", group="outlet")
    assert by["documents"].sum() == len(corpus)


def test_plots_return_axes(corpus):
    ax = plot_coverage(coverage(corpus), key_dates={"vote": (pd.Timestamp("2022-09-23"), pd.Timestamp("2022-09-27"))})
    assert ax.get_yticklabels()[0].get_text() in {"NYT", "RT"}
    assert plot_lengths(doc_lengths(corpus)).get_xscale() == "log"
    ax = plot_group_sizes(group_sizes(corpus, "vote"), "vote")
    assert len(ax.patches) == 3


def test_doc_lengths_use_the_one_tokenizer():
    from framing.tokens import tokenize

    c = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["RT", "NYT"],
                      "text": ["The US and the EU's plan.", "The U.S. and the E.U.'s plan."]})
    lengths = doc_lengths(c)
    assert lengths["words"].tolist() == [6, 6] == [len(tokenize(t)) for t in c["text"]]


def test_old_by_keyword_warns_and_gives_the_same(corpus):
    with pytest.warns(DeprecationWarning, match="group"):
        old = coverage(corpus, by="vote")
    pd.testing.assert_frame_equal(old, coverage(corpus, group="vote"))
    with pytest.warns(DeprecationWarning, match="group"):
        old = group_sizes(corpus, "vote", by="outlet")
    pd.testing.assert_frame_equal(old, group_sizes(corpus, "vote", group="outlet"))
    with pytest.warns(DeprecationWarning, match="group"):
        old = length_summary(doc_lengths(corpus), by="outlet")
    pd.testing.assert_frame_equal(old, length_summary(doc_lengths(corpus, group="outlet"), group="outlet"))
