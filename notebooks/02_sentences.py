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
# # 02 · Sentences: the unit of comparison
#
# Most of the comparisons in the following notebooks are made sentence by sentence: a
# sentence is short enough to say one thing, and long enough for a sentence model to place
# it meaningfully. This notebook splits the articles of the referendum window
# (16 September - 7 October 2022) into sentences, looks at how many sentences each outlet
# contributes and how long they are, and takes a first look at the embedding space: for a
# few sentences picked by a *query* (not by hand), which sentences of the other outlets lie
# closest?
#
# **Segmentation.** `framing.split_sentences` uses Punkt (Kiss & Strunk 2006) with its
# pretrained English parameters, plus a small documented news layer: titles and month
# abbreviations ("Lt. Col.", "Sept. 23") never end a sentence, "U.S."/"U.N." before a
# capitalised word continue the sentence unless that word is a typical sentence opener
# ("The", "It", ...), a quotation closed by `?"` followed by "she asked" stays one sentence,
# and an ellipsis followed by a sentence opener ends one. Every sentence keeps its exact
# character offsets in the article, so any result can be traced back to its context.
#
# **Embeddings.** `framing.Encoder` with the model from `config.py` (all-MiniLM-L6-v2 by
# default). Vectors are cached on disk, keyed by the model's files and options and the exact
# text, so a re-run (and the other notebooks, which embed the same sentences) costs almost
# nothing.

# %%
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

import framing
from framing.embed import Encoder, embed_sentences, find_sentences, nearest_by_outlet
from framing.plot.sentences import plot_nearest_similarity, plot_sentence_counts, plot_sentence_lengths
from framing.segment import sentence_counts, sentence_lengths, split_sentences
from _figures import save
from config import EVENT_WINDOW, MODEL, RT, US_OUTLETS

pd.set_option("display.max_colwidth", 160)
pd.set_option("display.width", 200)

# %%
news = framing.load_corpus("ukraine-media")
event = framing.select(news, start=EVENT_WINDOW[0], end=EVENT_WINDOW[1])
sents = split_sentences(event)
print(f"{len(event):,} articles -> {len(sents):,} sentences ({EVENT_WINDOW[0]} to {EVENT_WINDOW[1]})")

# %% [markdown]
# ## How many sentences each outlet contributes
#
# RT publishes many more articles in the window than any single US outlet, so pooled
# analyses are dominated by RT unless they weight or resample by outlet. The scraped texts
# carry no paragraph breaks, so `is_lead` marks the first sentence of each article (the
# lede); `para_id` is 0 throughout.

# %%
counts = sentence_counts(sents)
display(counts)
fig, ax = plt.subplots(figsize=(8, 3.6))
plot_sentence_counts(counts, ax=ax, highlight=(RT,))
ax.set_title("Sentences per outlet, referendum window")
save(fig, "02_sentence_counts", corpora=("ukraine-media",), window=list(EVENT_WINDOW))

# %% [markdown]
# ## How long the sentences are
#
# Sentence length in words (runs of letters or digits). Very long "sentences" are usually
# lists or tables that the scraper flattened into one line without end punctuation; the
# plot's y axis stops at the 99.5th percentile, the table below counts what lies beyond.

# %%
lengths = sentence_lengths(sents)
summary = lengths.groupby("outlet")["words"].describe(percentiles=[0.1, 0.5, 0.9]).round(1)
summary["over 80 words"] = lengths.assign(long=lengths["words"] > 80).groupby("outlet")["long"].sum()
display(summary)
fig, ax = plt.subplots(figsize=(9, 4))
plot_sentence_lengths(lengths, ax=ax)
ax.set_title("Sentence length per outlet (words), referendum window")
save(fig, "02_sentence_lengths", corpora=("ukraine-media",), window=list(EVENT_WINDOW), column="words")

# %% [markdown]
# ## A first look at the geometry
#
# Each query below describes an event of the window in our own words. For each, the closest
# RT sentence is taken as the *anchor*, and for every other outlet the sentence closest to
# that anchor is shown. High similarity with different wording is the interesting case:
# the same event, told differently. Cosine similarity of MiniLM vectors is a rough guide,
# not a measure of agreement: two sentences reporting opposite claims about the same event
# are also close.

# %%
encoder = Encoder(model=MODEL)
X = embed_sentences(sents, encoder)
print(f"{X.shape[0]:,} vectors of dimension {X.shape[1]} ({encoder.stats['unique']:,} distinct texts); "
      f"from the cache: {encoder.stats['cached']:,}, "
      f"computed now: {encoder.stats['computed']:,}")

QUERIES = [
    "official results of the referendums show a large majority voted to join Russia",
    "the votes in occupied regions were a sham held at gunpoint",
    "Russia vetoed the Security Council resolution condemning the referendums",
    "Putin signed treaties to annex four regions of Ukraine",
]
anchors = pd.concat([find_sentences(sents, q, k=1, within=RT, embeddings=X, encoder=encoder).assign(query=q)
                     for q in QUERIES], ignore_index=True)
display(anchors[["query", "sent_id", "text", "similarity"]])

# %%
nearest = nearest_by_outlet(sents, anchors["row"].tolist(), k=1, embeddings=X)
display(nearest[["anchor_id", "group", "sent_id", "text", "similarity"]].round({"similarity": 3}))

# %%
fig, ax = plt.subplots(figsize=(11, 3.6))
plot_nearest_similarity(nearest, ax=ax, order=[o for o in US_OUTLETS if o in set(sents["outlet"])])
ax.set_title("Closest sentence of each other outlet to RT sentences found by four queries")
save(fig, "02_nearest_sentences", corpora=("ukraine-media",), window=list(EVENT_WINDOW), model=MODEL,
     queries=QUERIES)

# %% [markdown]
# The same in the other direction: anchors from the pooled US outlets, nearest RT sentence.

# %%
us_anchors = pd.concat([find_sentences(sents, q, k=1, within=list(US_OUTLETS), embeddings=X,
                                       encoder=encoder).assign(query=q) for q in QUERIES], ignore_index=True)
back = nearest_by_outlet(sents, us_anchors["row"].tolist(), k=1, embeddings=X)
display(back[back["group"] == RT][["anchor_id", "anchor_text", "sent_id", "text", "similarity"]]
        .round({"similarity": 3}))
