"""Smoke and content tests for framing.plot.sentences (drawing only; no files written)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from framing.plot.sentences import plot_nearest_similarity, plot_sentence_counts, plot_sentence_lengths  # noqa: E402


def test_plot_sentence_counts_bars_match_counts():
    counts = pd.DataFrame({"outlet": ["RT", "NYT"], "documents": [3, 2], "sentences": [30, 12],
                           "per_doc_median": [10.0, 6.0], "per_doc_mean": [10.0, 6.0]})
    fig, ax = plt.subplots()
    out = plot_sentence_counts(counts, ax=ax, highlight=["RT"])
    assert out is ax
    assert [p.get_width() for p in ax.patches] == [30, 12]
    assert ax.patches[0].get_facecolor() != ax.patches[1].get_facecolor()
    plt.close(fig)


def test_plot_sentence_lengths_orders_by_median():
    lengths = pd.DataFrame({"outlet": ["A"] * 4 + ["B"] * 4, "words": [30, 31, 32, 33, 5, 6, 7, 8]})
    ax = plot_sentence_lengths(lengths, clip=None)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["B", "A"]
    plt.close(ax.figure)


def test_plot_nearest_similarity_cells():
    nearest = pd.DataFrame({"anchor": [5, 5, 2, 2], "anchor_group": ["RT"] * 4,
                            "anchor_text": ["late", "late", "early", "early"], "group": ["X", "Y", "X", "Y"],
                            "rank": [0] * 4, "row": [1, 2, 3, 4], "text": list("abcd"),
                            "similarity": [0.9, 0.1, 0.4, 0.6]})
    ax = plot_nearest_similarity(nearest)
    img = ax.get_images()[0].get_array()
    np.testing.assert_allclose(np.asarray(img), [[0.9, 0.1], [0.4, 0.6]])  # anchors in given order
    assert [t.get_text() for t in ax.get_yticklabels()] == ["[RT] late", "[RT] early"]
    plt.close(ax.figure)


def test_group_is_the_column_of_the_table_and_by_is_deprecated():
    counts = pd.DataFrame({"group": ["US", "RT"], "documents": [3, 2], "sentences": [30, 12],
                           "per_doc_median": [10.0, 6.0], "per_doc_mean": [10.0, 6.0]})
    ax = plot_sentence_counts(counts, group="group")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["US", "RT"]
    with pytest.warns(DeprecationWarning, match="group="):
        old = plot_sentence_counts(counts, by="group")
    assert [t.get_text() for t in old.get_yticklabels()] == ["US", "RT"]
    lengths = pd.DataFrame({"group": ["A"] * 4 + ["B"] * 4, "words": [30, 31, 32, 33, 5, 6, 7, 8]})
    with pytest.warns(DeprecationWarning, match="group="):
        old = plot_sentence_lengths(lengths, by="group", clip=None)
    new = plot_sentence_lengths(lengths, group="group", clip=None)
    assert [t.get_text() for t in old.get_xticklabels()] == [t.get_text() for t in new.get_xticklabels()] == ["B", "A"]
    with pytest.raises(TypeError):
        plot_sentence_lengths(lengths, groups="group")
    plt.close("all")


def test_plot_nearest_similarity_order_selects_columns_and_groups_is_deprecated():
    nearest = pd.DataFrame({"anchor": [5, 5, 5], "anchor_group": ["RT"] * 3, "anchor_text": ["t"] * 3,
                            "group": ["X", "Y", "Z"], "rank": [0] * 3, "row": [1, 2, 3], "text": list("abc"),
                            "similarity": [0.9, 0.1, 0.4]})
    ax = plot_nearest_similarity(nearest, order=["Z", "X"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Z", "X"]
    np.testing.assert_allclose(np.asarray(ax.get_images()[0].get_array()), [[0.4, 0.9]])
    with pytest.warns(DeprecationWarning, match="order="):
        old = plot_nearest_similarity(nearest, groups=["Z", "X"])
    np.testing.assert_allclose(np.asarray(old.get_images()[0].get_array()), [[0.4, 0.9]])
    plt.close("all")


def test_corpus_plots_take_group_and_warn_on_by():
    from framing.plot.corpus import plot_coverage, plot_group_sizes, plot_lengths

    cov = pd.DataFrame({"vote": ["yes", "yes", "no", "no"], "documents": [1, 2, 0, 3],
                        "period": pd.to_datetime(["2022-09-01", "2022-09-02"] * 2)})
    ax = plot_coverage(cov, group="vote")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["no", "yes"] and ax.get_ylabel() == "vote"
    with pytest.warns(DeprecationWarning, match="group="):
        old = plot_coverage(cov, by="vote")
    np.testing.assert_array_equal(old.get_images()[0].get_array(), ax.get_images()[0].get_array())
    lengths = pd.DataFrame({"year": ["2021", "2021", "2022"], "words": [100, 300, 50]})
    with pytest.warns(DeprecationWarning, match="group="):
        old = plot_lengths(lengths, by="year")
    new = plot_lengths(lengths, group="year")
    assert [t.get_text() for t in old.get_yticklabels()] == [t.get_text() for t in new.get_yticklabels()] == [
        "2021 (n=2)", "2022 (n=1)"]
    sizes = pd.DataFrame({"year": [2021, 2021, 2022], "vote": ["yes", "no", "yes"], "documents": [3, 1, 2]})
    new = plot_group_sizes(sizes, "vote", group="year")
    with pytest.warns(DeprecationWarning, match="group="):
        old = plot_group_sizes(sizes, "vote", by="year")
    assert [p.get_height() for p in old.patches] == [p.get_height() for p in new.patches] == [3, 1, 2, 0]
    assert new.get_legend().get_title().get_text() == "year"
    plt.close("all")
