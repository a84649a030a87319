"""framing.themes: stable themes at two levels, their labels, shares, and the theme map."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from framing.cluster import Clusterer
from framing.plot.themes import plot_theme_map, plot_theme_shares
from framing.themes import UNCLUSTERED_THEME, ThemeTree, fit_themes

COARSE_WORDS = ["referendum", "missile", "sanctions"]
SUB_WORDS = [["ballot", "turnout"], ["drone", "artillery", "bridge"], ["oil", "gas", "grain", "banks"]]
FILLER = ["today", "officials", "said", "report", "week", "region", "city", "statement"]


def _planted(subs=(2, 3, 4), n: int = 30, d: int = 32, seed: int = 0, flat: tuple[int, ...] = ()):
    """Coarse blobs, each holding ``subs[c]`` well separated sub-blobs (``flat``: coarse blobs with
    no sub-structure), and texts that plant one word per coarse blob and one per sub-blob."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((len(subs), d)) * 5
    X, coarse, fine, texts, outlets, docs = [], [], [], [], [], []
    for c, k in enumerate(subs):
        for f in range(k):
            centre = centres[c] + (0 if c in flat else rng.standard_normal(d) * 1.5)
            size = n * k if c in flat and f == 0 else (0 if c in flat else n)
            X.append(centre + rng.standard_normal((size, d)) * (0.6 if c in flat else 0.3))
            for i in range(size):
                word = SUB_WORDS[c][f] if c not in flat else SUB_WORDS[c][i % k]
                texts.append(f"{COARSE_WORDS[c]} {word} {' '.join(rng.choice(FILLER, 2))}")
            coarse += [c] * size
            fine += [f] * size
    m = len(texts)
    outlets = np.array(["RT", "NYT", "CBS", "Fox"])[(np.arange(m) // 3) % 4]   # articles of three sentences
    docs = [f"d{i // 3}" for i in range(m)]
    table = pd.DataFrame({"doc_id": docs, "sent_id": [f"s{i}" for i in range(m)], "outlet": outlets,
                          "published": pd.Timestamp("2022-09-20") + pd.to_timedelta((np.arange(m) // 3) % 5, "D"),
                          "text": texts})
    return table, np.vstack(X), np.array(coarse), np.array(fine)


@pytest.fixture(scope="module")
def planted():
    table, X, coarse, fine = _planted()
    tree = fit_themes(table, embeddings=X, coarse=Clusterer(n_clusters=3), n_boot=10, min_count=3, random_state=0)
    return table, X, coarse, fine, tree


def test_the_planted_tree_is_recovered(planted):
    table, X, coarse, fine, tree = planted
    assert adjusted_rand_score(coarse, tree.coarse_labels_) == 1.0
    s = tree.summary()
    for c in range(3):
        found = int(tree.coarse_labels_[coarse == c][0])
        rows = coarse == c
        assert adjusted_rand_score(fine[rows], tree.fine_labels_[rows]) == 1.0
        assert (s["parent"] == f"{found + 1}").sum() == len(SUB_WORDS[c])
    assert tree.n_themes_ == 9 and tree.n_stable_ == 9
    assert s.query("level == 'coarse'")["leaf"].tolist() == [False] * 3
    assert tree.unclustered_ == {"coarse": 0.0, "fine": 0.0, "not_stable": 0.0}


def test_labels_find_the_planted_words(planted):
    table, X, coarse, fine, tree = planted
    s = tree.summary().set_index("theme")
    frame = tree.to_frame()
    for c in range(3):
        found = int(tree.coarse_labels_[coarse == c][0])
        assert s.loc[f"{found + 1}", "label"].split(", ")[0] == COARSE_WORDS[c]
        for f, word in enumerate(SUB_WORDS[c]):
            theme = frame.loc[(coarse == c) & (fine == f), "theme"].iloc[0]
            assert s.loc[theme, "label"].split(", ")[0] == word
            assert COARSE_WORDS[c] not in s.loc[theme, "top_terms"].split(", ")  # shared with the parent's rest


def test_typical_sentences_come_from_several_outlets(planted):
    tree = planted[-1]
    ex = tree.exemplars_
    assert set(ex["theme"]) == set(tree.summary()["theme"])
    assert ex.groupby(["theme", "group"]).size().max() == 1          # per_group=1
    assert (ex.groupby("theme")["group"].nunique() == 4).all()      # five asked, four outlets
    assert (ex.groupby("theme")["similarity"].apply(lambda v: v.is_monotonic_decreasing)).all()


def test_result_protocol(planted):
    table, X, coarse, fine, tree = planted
    frame = tree.to_frame()
    assert len(frame) == len(table)
    assert list(frame.columns) == ["doc_id", "sent_id", "outlet", "coarse", "fine", "theme", "label", "stable"]
    assert frame["stable"].all() and (frame["theme"] != UNCLUSTERED_THEME).all()
    s = tree.summary()
    assert list(s.columns) == ["theme", "level", "parent", "size", "share", "agreement", "replication", "stable",
                               "leaf", "label", "top_terms", "outlets"]
    assert s.query("leaf")["share"].sum() == pytest.approx(1.0)
    html = tree._repr_html_()
    assert "ThemeTree" in html and "themes=9" in html and len(html) < 20_000
    assert "9 themes (9 stable)" in tree.reading()


def test_same_random_state_same_tree():
    table, X, _, _ = _planted(subs=(2, 3), seed=3)
    a = fit_themes(table, embeddings=X, coarse=Clusterer(n_clusters=2), n_boot=8, min_count=3, random_state=7)
    b = fit_themes(table, embeddings=X, coarse=Clusterer(n_clusters=2), n_boot=8, min_count=3, random_state=7)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    pd.testing.assert_frame_equal(a.summary(), b.summary())
    pd.testing.assert_frame_equal(a.exemplars_, b.exemplars_)


def test_an_unstable_split_is_flagged_not_hidden():
    # coarse blob 0 holds two sub-blobs; coarse blob 1 has no sub-structure
    table, X, coarse, _ = _planted(subs=(2, 2), flat=(1,), seed=1)
    forced = fit_themes(table, embeddings=X, coarse=Clusterer(n_clusters=2), fine=Clusterer(n_clusters=2),
                        n_boot=10, min_count=3, random_state=0)
    s = forced.summary()
    flat = f"{int(forced.coarse_labels_[coarse == 1][0]) + 1}"
    sub = s[s["parent"] == flat]
    assert len(sub) == 2 and not sub["stable"].any()                 # kept, flagged
    assert (sub["agreement"] < 0.75).all()
    assert s[s["parent"] != flat].query("level == 'fine'")["stable"].all()
    assert forced.n_themes_ == 4 and forced.n_stable_ == 2
    assert forced.unclustered_["not_stable"] >= 0.4                   # the flat blob's sentences
    assert not forced.to_frame().loc[coarse == 1, "stable"].any()
    # with the stability criterion choosing k, the flat blob is not split at all
    chosen = fit_themes(table, embeddings=X, coarse=Clusterer(n_clusters=2), n_boot=10, min_count=3, random_state=0)
    row = chosen.summary().set_index("theme").loc[flat]
    assert row["leaf"] and row["stable"]
    assert chosen.themes_.set_index("theme").loc[flat, "split"] == "no k passes the stability criterion"
    assert chosen.n_themes_ == 3


def test_an_unstable_parent_flags_its_sub_themes():
    table, X, coarse, _ = _planted(subs=(2, 2), flat=(0, 1), seed=2)
    X[:, :] = X[0] + np.random.default_rng(0).standard_normal(X.shape) * 0.5   # one blob: no coarse split
    tree = fit_themes(table, embeddings=X, coarse=Clusterer(n_clusters=2), fine=Clusterer(n_clusters=2),
                      n_boot=10, min_count=3, random_state=0)
    s = tree.summary()
    assert not s.query("level == 'coarse'")["stable"].any()
    assert not s.query("level == 'fine'")["stable"].any()
    assert tree.n_stable_ == 0


def test_shares_and_over_time(planted):
    table, X, coarse, fine, tree = planted
    sh = tree.shares(n_boot=50, random_state=0)
    assert {"outlet", "theme", "label", "share", "ci_low", "ci_high"} <= set(sh.columns)
    assert "cluster" not in sh.columns
    assert sh.groupby("outlet")["share"].sum().to_numpy() == pytest.approx(1.0)
    coarse_sh = tree.shares(level="coarse", n_boot=20, random_state=0)
    assert set(coarse_sh["theme"]) == {"1", "2", "3"}
    tr = tree.over_time(freq="D", group=None, n_boot=20, random_state=0)
    assert {"date", "group", "theme", "label", "estimate", "ci_low", "ci_high", "n_docs"} <= set(tr.columns)
    assert tr["date"].nunique() == 5
    day = tr[tr["date"] == tr["date"].min()]
    assert day["estimate"].sum() == pytest.approx(1.0)


def test_theme_map_shows_labels_and_marks_unstable_themes():
    table, X, coarse, _ = _planted(subs=(2, 2), flat=(1,), seed=1)
    tree = fit_themes(table, embeddings=X, coarse=Clusterer(n_clusters=2), fine=Clusterer(n_clusters=2),
                      n_boot=10, min_count=3, random_state=0)
    ax = plot_theme_map(tree, sample=None)
    texts = [t.get_text() for t in ax.texts]
    labels = tree.summary().query("leaf")
    assert len(texts) == 4
    assert sum(t.endswith("(unstable)") for t in texts) == 2
    for r in labels.itertuples():
        assert (r.label if r.stable else f"{r.label} (unstable)") in texts
    assert not any(t.strip().isdigit() for t in texts)
    ax2 = plot_theme_map(tree, method="pca", sample=50, random_state=1)
    assert len(ax2.collections) == 3  # unclustered + two coarse themes


def test_theme_shares_plot(planted):
    tree = planted[-1]
    ax = plot_theme_shares(tree.shares(n_boot=20, random_state=0))
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ticks) == 9 and all(" " in t for t in ticks)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["CBS", "Fox", "NYT", "RT"]


def test_contractions_are_not_listed_as_terms():
    table, X, coarse, fine = _planted(subs=(2, 2), seed=4)
    table = table.assign(text=np.where((coarse == 0) & (fine == 0), table["text"] + " they're i'm", table["text"]))
    tree = fit_themes(table, embeddings=X, coarse=Clusterer(n_clusters=2), n_boot=5, min_count=3, random_state=0)
    assert not tree.terms_["term"].isin(["they're", "i'm"]).any()
    kept = fit_themes(table, embeddings=X, coarse=Clusterer(n_clusters=2), n_boot=5, min_count=3, random_state=0,
                      stop_words=None)
    assert kept.terms_["term"].isin(["they're", "i'm"]).any()


def test_bad_input():
    table, X, _, _ = _planted(subs=(2, 2), n=15)
    with pytest.raises(ValueError, match="text"):
        fit_themes(table.drop(columns="text"), embeddings=X)
    with pytest.raises(ValueError, match="rows"):
        fit_themes(table, embeddings=X[:-1])
    with pytest.raises(ValueError, match="n_boot"):
        fit_themes(table, embeddings=X, n_boot=1)
    with pytest.raises(TypeError):
        fit_themes(table, embeddings=X, n_resamples=10)
    with pytest.raises(TypeError, match="Clusterer"):
        fit_themes(table, embeddings=X, fine="kmeans")
    with pytest.raises(TypeError):
        ThemeTree()
    with pytest.raises(TypeError, match="ThemeTree"):
        plot_theme_map(table)


def test_replication_is_the_worst_best_match_jaccard_over_the_refits():
    from framing.themes import _best_jaccard, _replication

    U = UNCLUSTERED_THEME
    main = np.array(["1.1"] * 4 + ["1.2"] * 4 + ["2"] * 4, dtype=object)
    coarse = np.array([0] * 8 + [1] * 4)
    # refit A: 1.1 found exactly; 1.2 split 3 + 1; theme 2 loses a sentence to "unclustered"
    a_leaf = np.array(["1.1"] * 4 + ["1.2"] * 3 + ["1.3"] + ["2"] * 3 + [U], dtype=object)
    # refit B: 1.1 and 1.2 merged into one leaf
    b_leaf = np.array(["1"] * 8 + ["2"] * 4, dtype=object)
    assert _best_jaccard(main, a_leaf, U) == {"1.1": 1.0, "1.2": 0.75, "2": 0.75}
    assert _best_jaccard(main, b_leaf, U) == {"1.1": 0.5, "1.2": 0.5, "2": 1.0}
    themes = pd.DataFrame({"theme": ["1", "1.1", "1.2", "2"], "level": ["coarse", "fine", "fine", "coarse"],
                           "coarse": [0, 0, 0, 1], "leaf": [False, True, True, True]})
    refits = [(coarse, a_leaf), (coarse, b_leaf)]
    rep = _replication(themes, coarse, main, refits)
    assert rep.to_dict() == {"1": 1.0, "1.1": 0.5, "1.2": 0.5, "2": 1.0}


def test_planted_themes_replicate_and_n_refits_zero_skips_the_check():
    table, X, _, _ = _planted(subs=(2, 2), n=15)
    opts = {"coarse": Clusterer(n_clusters=2), "n_boot": 5, "min_count": 2, "random_state": 0}
    tree = fit_themes(table, embeddings=X, **opts)
    s = tree.summary()
    assert tree.params["n_refits"] == 2
    assert (s["replication"] >= 0.9).all() and s["stable"].all()
    plain = fit_themes(table, embeddings=X, n_refits=0, **opts)
    assert plain.summary()["replication"].isna().all()
    assert plain.summary()["stable"].tolist() == s["stable"].tolist()
    with pytest.raises(ValueError, match="n_refits"):
        fit_themes(table, embeddings=X, n_refits=-1, **opts)


def test_input_table_is_not_modified():
    table, X, _, _ = _planted(subs=(2, 2), n=15)
    before = table.copy()
    fit_themes(table, embeddings=X, coarse=Clusterer(n_clusters=2), n_boot=5, min_count=2, random_state=0)
    pd.testing.assert_frame_equal(table, before)


def test_to_frame_keeps_the_input_index():
    table, X, _, _ = _planted(subs=(2, 2), n=15)
    table.index = [f"r{i}" for i in range(len(table))]
    tree = fit_themes(table, embeddings=X, coarse=Clusterer(n_clusters=2), n_boot=5, min_count=2, random_state=0)
    assert tree.to_frame().index.tolist() == table.index.tolist()


# --------------------------------------------------------------------------- integration
@pytest.mark.integration
def test_referendum_window_themes():
    framing = pytest.importorskip("framing")
    from framing.bench.cluster import window_sentences

    try:
        _, sents = window_sentences()
        X = framing.embed_sentences(sents, framing.Encoder())
    except Exception as err:  # noqa: BLE001 - corpus or model not available
        pytest.skip(f"referendum window not available: {err}")
    tree = fit_themes(sents, embeddings=X, random_state=0)
    s = tree.summary()
    stable = s.query("leaf and stable")
    labelled = stable[~stable["label"].str.startswith("theme ")]   # "theme <id>": no term reaches z >= 1.96
    # The choice of k at the sub-level sits near the stability bar, so which sub-themes exist
    # moves with the seed and with float-level differences in the embeddings; a theme counts as
    # stable only when it also replicates in two refits from independent seeds. Measured
    # 2026-12-01 (torch encoder), five fits (random_state 0, 1, 2; random_state 0 with the
    # embeddings perturbed by N(0, 1e-6) and N(0, 1e-5) noise, as another CPU would): always 4
    # coarse themes; 5-10 stable labelled themes; 1-50 % of sentences outside stable themes; ARI
    # 0.94-0.99 between any two fits on the sentences in a stable theme in both. CI's machine
    # gave 9 stable themes before the replication check (9-12 here). The issue hoped for >= 15.
    # The bands are the measured ranges widened by one theme / a few points.
    assert tree.coarse_.n_clusters_ == 4
    assert 4 <= len(labelled) <= 11
    assert (stable["replication"] >= 0.75).all() and (s.query("leaf and not stable")["replication"].notna()).all()
    assert 0 <= tree.unclustered_["coarse"] <= tree.unclustered_["fine"] < 0.05
    assert tree.unclustered_["fine"] <= tree.unclustered_["not_stable"] < 0.6
    ex = tree.exemplars_[tree.exemplars_["theme"].isin(stable["theme"])]
    assert (ex.groupby("theme")["group"].nunique() >= 2).all()
