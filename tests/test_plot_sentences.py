"""Smoke and content tests for framing.plot.sentences (drawing only; no files written)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

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
