# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 · Clusters in embedding space: which are real, and who writes them
#
# Sentences about the same thing land close together in embedding space. Clustering them
# gives candidate *themes*; comparing how much of each outlet's text falls into each theme
# gives a first, coarse picture of framing. Two dangers:
#
# 1. **Clusters that are artefacts.** k-means always returns k clusters, whether or not the
#    data have k groups. So every clustering here is refitted on 20 random 80 % subsamples,
#    and each cluster gets a stability score: the mean Jaccard similarity with its best match
#    in the resamples (Hennig 2007, *CSDA* 52(1)). Clusters below 0.75 are flagged
#    **unstable** and not read as findings; sentences without a consistent cluster across
#    resamples are **unclustered** and counted, never hidden. The number of clusters is chosen
#    the same way, with a margin for noise: the largest k whose least stable cluster is
#    reproduced across pairs of half-sample clusterings (mean Jaccard, Lange et al. 2004;
#    Hennig 2007) by more than one standard error above 0.75 -- a one-standard-error rule
#    (Breiman et al. 1984), so that a k which only just reaches the threshold, and which
#    another random seed could miss, gives way to a smaller one.
# 2. **Sentences are not independent.** One article contributes dozens of sentences on one
#    theme. Shares therefore get intervals from a bootstrap over whole *articles* within each
#    outlet, and the test whether outlets differ permutes outlet labels across whole articles.
#
# Part A: the news sentences of the referendum window (RT against the US outlets). Part B: the
# sentences of the 2022 UN General Debate that mention Ukraine or the referendums, grouped by
# the state's vote on resolution ES-11/4.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown, display

import framing
from framing.cluster import Clusterer, StableClusters, describe_clusters, outlet_shares, share_test
from framing.embed import Encoder
from framing.geometry import interactive_map, outlet_similarity, project_2d
from framing.plot.cluster import plot_map, plot_outlet_dendrogram, plot_shares, plot_stability
from framing.segment import split_sentences
from _figures import save
from config import EVENT_WINDOW, MODEL, RANDOM_STATE, RT, US_OUTLETS

pd.set_option("display.max_colwidth", 140)
pd.set_option("display.width", 200)
N_RESAMPLES = 20
N_BOOT = N_PERM = 2000
encoder = Encoder(model=MODEL)


def stability_statement(sc: StableClusters, desc) -> str:
    """A sentence per cluster, written from the computed stability table (nothing by hand)."""
    tab = sc.clusters_.merge(desc.to_frame()[["cluster", "top_terms"]], on="cluster", how="left")
    lines = []
    for r in tab[tab["cluster"] >= 0].itertuples():
        terms = ", ".join(str(r.top_terms).split(", ")[:5])
        flag = "**stable**" if r.stable else "**unstable — not a finding**"
        lines.append(f"- cluster {r.cluster} ({terms}): {r.share:.1%} of sentences, mean Jaccard "
                     f"{r.jaccard_mean:.2f} → {flag} ({r.verdict})")
    u = sc.unclustered_
    lines.append(f"- unclustered (no majority across resamples): {u['share']:.1%} of sentences; a further "
                 f"{u['share_in_unstable']:.1%} sit in unstable clusters")
    return "\n".join(lines)


# %% [markdown]
# ## A. News sentences, 16 September to 7 October 2022
#
# Articles flagged as near-duplicates of another article (notebook 01) are left out. Every
# sentence keeps its outlet and article id; "US" pools the six US outlets.

# %%
news = framing.load_corpus("ukraine-media")
if "near_dup_of" in news.columns:
    news = news[news["near_dup_of"] == ""]
event = framing.select(news, start=EVENT_WINDOW[0], end=EVENT_WINDOW[1])
sents = split_sentences(event)
sents["side"] = np.where(sents["outlet"] == RT, RT, "US")
X = encoder.encode(sents["text"].tolist())
(sents.groupby("outlet").agg(articles=("doc_id", "nunique"), sentences=("sent_id", "size"))
 .sort_values("sentences", ascending=False).T)

# %% [markdown]
# ### Clustering and its stability
#
# k-means on the L2-normalised sentence vectors (cosine geometry) after PCA to 50 dimensions;
# k chosen over 2-30 by the stability criterion. The table has one row per k scanned:
# `score`, the Jaccard of the least stable cluster averaged over pairs of half-sample
# clusterings; `se`, its standard error (jackknife over clusterings: how much `score` would
# move with another seed); `lower` = `score` − `se`; `accepted` when `lower` ≥ 0.75; and
# `n_fits`, the clusterings used (more where the decision was close). The chosen k is the
# largest accepted one; the scan stops after 3 failing k.

# %%
news_sc = StableClusters(Clusterer(method="kmeans", k_range=(2, 30)), n_boot=N_RESAMPLES,
                         random_state=RANDOM_STATE).fit(X)
print(news_sc.reading())
news_sc.reference_.selection_.round(3)

# %% [markdown]
# Stability fades gradually with k here, so a rule that only compares the estimate with 0.75
# picks neighbouring k from one seed to the next. Requiring one standard error of margin is
# meant to make the choice independent of the seed. Check: the same choice with three other
# seeds.

# %%
other_k = {seed: Clusterer(method="kmeans", k_range=(2, 30), random_state=seed).fit(X).n_clusters_
           for seed in (RANDOM_STATE + 1, RANDOM_STATE + 2, RANDOM_STATE + 3)}
same_k = all(k == news_sc.n_clusters_ for k in other_k.values())
print(f"k chosen with seed {RANDOM_STATE}: {news_sc.n_clusters_}; with other seeds: {other_k} -> "
      + ("the same k with every seed" if same_k else "k DEPENDS ON THE SEED: read the clusters as uncertain"))

# %%
news_desc = describe_clusters(sents, news_sc.labels_, embeddings=X, top_terms=10, exemplars=3)
display(Markdown("**Stability of the news clusters (computed):**\n\n" + stability_statement(news_sc, news_desc)))
news_desc.to_frame()

# %% [markdown]
# The most central sentences of each cluster (closest to its centroid), with outlet and article:

# %%
news_desc.exemplars[["cluster", "rank", "outlet", "doc_id", "text"]]

# %%
fig, ax = plt.subplots(figsize=(8, 4))
plot_stability(news_sc, ax=ax)
save(fig, "04_news_cluster_stability", corpora=("ukraine-media",), window=list(EVENT_WINDOW),
     n_boot=N_RESAMPLES, k=news_sc.n_clusters_, random_state=RANDOM_STATE)

# %% [markdown]
# ### Is a finer clustering better? A deliberate counter-example
#
# Forcing k = 12 gives more specific themes, but resampling shows how many of them are real:

# %%
fine_sc = StableClusters(Clusterer(method="kmeans", n_clusters=12), n_boot=N_RESAMPLES,
                         random_state=RANDOM_STATE).fit(X)
fine_desc = describe_clusters(sents, fine_sc.labels_, embeddings=X, top_terms=8, exemplars=1)
display(Markdown("**k = 12, stability (computed):**\n\n" + stability_statement(fine_sc, fine_desc)))

# %% [markdown]
# ### Outlet shares per cluster
#
# Shares of each outlet's sentences in each cluster; the points of unstable clusters are
# counted as unclustered here (`stable_labels_`), so only stable clusters are compared.
# Intervals: 95 % cluster bootstrap over articles within each outlet. An outlet with fewer
# than 5 articles in the window cannot get a meaningful article bootstrap; it is left out of
# the per-outlet figure (and of the outlet similarity below), but stays in the RT/US pool.

# %%
n_art = sents.groupby("outlet")["doc_id"].nunique()
keep_outlets = n_art[n_art >= 5].index
print("outlets with fewer than 5 articles:", {k: int(v) for k, v in n_art[n_art < 5].items()})
side_shares = outlet_shares(sents, news_sc.stable_labels_, group="side", n_boot=N_BOOT, random_state=RANDOM_STATE)
outlet_sh = outlet_shares(sents, news_sc.stable_labels_, group="outlet", n_boot=N_BOOT, random_state=RANDOM_STATE)
side_shares.round(3)

# %%
fig, ax = plt.subplots(figsize=(9, 4))
plot_shares(outlet_sh[outlet_sh["outlet"].isin(keep_outlets)], ax=ax)
save(fig, "04_news_cluster_shares", corpora=("ukraine-media",), window=list(EVENT_WINDOW), n_boot=N_BOOT,
     random_state=RANDOM_STATE)

# %% [markdown]
# **Do RT and the US outlets differ in their cluster mix?** Pearson's chi-square on the
# side × cluster table, referred to 2,000 permutations of the side label across whole
# articles. Per cell: adjusted standardised residual, permutation p-value, BH-adjusted, and the
# share relative to the pooled share with a bootstrap interval.

# %%
news_test = share_test(sents, news_sc.stable_labels_, group="side", n_perm=N_PERM, n_boot=N_BOOT,
                       random_state=RANDOM_STATE)
print(news_test)
news_test.cells.round(3)

# %% [markdown]
# ### A map of the sentences
#
# t-SNE (cosine, PCA initialisation) of a random sample of 4,000 sentences, coloured by outlet,
# cluster numbers at the cluster medians. t-SNE keeps neighbourhoods, not distances: gaps and
# blob sizes on the map are not evidence. Below it, the same map as an interactive page (hover a
# point to read the sentence).

# %%
rng = np.random.default_rng(RANDOM_STATE)
sample = np.sort(rng.choice(len(sents), size=min(4000, len(sents)), replace=False))
news_map = project_2d(X[sample], method="tsne", random_state=RANDOM_STATE).assign(
    outlet=sents["outlet"].to_numpy()[sample])
fig, ax = plt.subplots(figsize=(9, 7))
plot_map(news_map, ax=ax, labels=news_sc.stable_labels_[sample], size=4, unclustered_grey=True,
         title="News sentences, referendum window (t-SNE); numbers: stable clusters")
save(fig, "04_news_map", corpora=("ukraine-media",), window=list(EVENT_WINDOW), method="tsne",
     n_points=len(sample), random_state=RANDOM_STATE)

# %%
sub = np.sort(rng.choice(sample.size, size=min(1500, sample.size), replace=False))
interactive_map(news_map.iloc[sub], sents["text"].to_numpy()[sample][sub], color="outlet",
                labels=news_sc.stable_labels_[sample][sub], title="Hover a point to read the sentence")

# %% [markdown]
# ### How similar are the outlets?
#
# Cosine similarity of the outlets' centroid sentence vectors, within- vs between-outlet
# dispersion, and a PERMANOVA (Anderson 2001) with outlet labels permuted across whole articles.
# Outlets with fewer than 5 articles in the window are left out of this comparison.
#
# PERMANOVA rejects when the groups differ in *location* or in *spread*: on unit vectors a
# group that is simply more varied (it covers more topics) looks "different" even with the same
# centre. PERMDISP (Anderson 2006), run on the same permutations, tests the spread alone; a
# PERMANOVA rejection reads as a difference in where the outlets stand only when PERMDISP does
# not reject.

# %%
mask = sents["outlet"].isin(keep_outlets).to_numpy()
news_sim = outlet_similarity(X[mask], sents[mask], n_perm=N_PERM, random_state=RANDOM_STATE)
print(news_sim.test)
print(news_sim.reading())
display(news_sim.dispersion.round(3))
news_sim.matrix.round(3)

# %%
fig, ax = plt.subplots(figsize=(6, 4))
plot_outlet_dendrogram(news_sim, ax=ax)
save(fig, "04_news_outlet_dendrogram", corpora=("ukraine-media",), window=list(EVENT_WINDOW),
     n_perm=N_PERM, random_state=RANDOM_STATE, min_articles=5)

# %% [markdown]
# ## B. The 2022 UN General Debate: sentences on Ukraine and the referendums, by ES-11/4 vote
#
# Sentences of the 2022 speeches that mention Ukraine, Russia, the occupied regions, the
# referendums or annexation (a transparent keyword filter; see notebook 05 for its limits),
# grouped by the speaking state's vote on ES-11/4 (12 October 2022). States without a vote
# (non-members, observers) are left out of the vote comparison and counted below. The
# resampling unit is the speech.

# %%
WAR = (r"\bUkrain|\bRussia|\bKyiv|\bKiev|\bMoscow|\bKremlin|\bDonbas|\bDonbass|\bDonetsk|\bLuhansk|"
       r"\bLugansk|\bZaporiz|\bKherson|\bCrimea|\breferend|\bannex")
ungdc = framing.load_corpus("ungdc")
un22 = ungdc[ungdc["year"] == 2022]
un_sents = split_sentences(un22, keep=["es11_4_vote"]).rename(columns={"es11_4_vote": "vote"})
un_war = un_sents[un_sents["text"].str.contains(WAR, case=False, regex=True)]
print(f"{un_war['vote'].isna().sum()} war sentences from {un_war.loc[un_war['vote'].isna(), 'doc_id'].nunique()} "
      "speeches without an ES-11/4 vote are left out")
un_war = un_war[un_war["vote"].notna()].reset_index(drop=True)
un_war.groupby("vote").agg(speeches=("doc_id", "nunique"), sentences=("sent_id", "size")).T

# %%
XU = encoder.encode(un_war["text"].tolist())
un_sc = StableClusters(Clusterer(method="kmeans", k_range=(2, 15)), n_boot=N_RESAMPLES,
                       random_state=RANDOM_STATE).fit(XU)
print(un_sc.reading())
un_desc = describe_clusters(un_war, un_sc.labels_, embeddings=XU, group="vote", top_terms=10, exemplars=3)
display(Markdown("**Stability of the General Debate clusters (computed):**\n\n"
                 + stability_statement(un_sc, un_desc)))
un_desc.to_frame()

# %%
un_desc.exemplars[["cluster", "rank", "vote", "doc_id", "text"]]

# %%
fig, ax = plt.subplots(figsize=(8, 4))
plot_stability(un_sc, ax=ax)
save(fig, "04_ungdc_cluster_stability", corpora=("ungdc",), year=2022, n_boot=N_RESAMPLES,
     k=un_sc.n_clusters_, random_state=RANDOM_STATE)

# %%
un_shares = outlet_shares(un_war, un_sc.stable_labels_, group="vote", n_boot=N_BOOT, random_state=RANDOM_STATE)
fig, ax = plt.subplots(figsize=(9, 4))
plot_shares(un_shares, ax=ax)
save(fig, "04_ungdc_cluster_shares", corpora=("ungdc",), year=2022, n_boot=N_BOOT, random_state=RANDOM_STATE)
un_test = share_test(un_war, un_sc.stable_labels_, group="vote", n_perm=N_PERM, n_boot=N_BOOT,
                     random_state=RANDOM_STATE)
print(un_test)
un_test.cells.round(3)

# %% [markdown]
# ### Vote groups in embedding space
#
# Centroid similarity of the vote groups' war sentences and a PERMANOVA permuting the vote
# label across whole speeches, with PERMDISP beside it.

# %%
un_sim = outlet_similarity(XU, un_war, group="vote", n_perm=N_PERM, random_state=RANDOM_STATE)
print(un_sim.test)
print(un_sim.reading())
display(un_sim.dispersion.round(3))
fig, ax = plt.subplots(figsize=(5, 3.5))
plot_outlet_dendrogram(un_sim, ax=ax)
save(fig, "04_ungdc_vote_dendrogram", corpora=("ungdc",), year=2022, n_perm=N_PERM,
     random_state=RANDOM_STATE)

# %%
un_map = project_2d(XU, method="tsne", random_state=RANDOM_STATE).assign(vote=un_war["vote"].to_numpy())
fig, ax = plt.subplots(figsize=(8, 6))
plot_map(un_map, ax=ax, color="vote", labels=un_sc.stable_labels_, size=8, unclustered_grey=True,
         title="2022 General Debate sentences on the war (t-SNE), by ES-11/4 vote")
save(fig, "04_ungdc_map", corpora=("ungdc",), year=2022, method="tsne", random_state=RANDOM_STATE)

# %% [markdown]
# ## What to take from this
#
# Only clusters flagged stable above are candidate themes; their outlet shares and the
# permutation tests say whether RT and the US outlets (or the vote groups) give them different
# weight, with article-level uncertainty. Clusters are a coarse, exploratory lens: a stable
# cluster is a region of embedding space, not a frame, until its exemplars and terms have been
# read (notebook 03 for words, 05 for framing axes).
