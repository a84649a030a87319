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
# # 01 · The corpora
#
# What each named corpus holds, how well the flagship event is covered, and who voted how on
# UN General Assembly resolution ES-11/4.
#
# The flagship event: the referendums held 23-27 September 2022 in the Russian-occupied parts
# of Ukraine, Putin's accession speech and the Russian veto of the UN Security Council
# resolution condemning them (30 September), and the General Assembly's answer, resolution
# ES-11/4 (12 October 2022).
#
# Every corpus is fetched from its upstream repository at a pinned commit and checked against
# the sha256 in `corpora/<name>/manifest.json` (or copied from a local mirror, see README).

# %%
import matplotlib.pyplot as plt
import pandas as pd

import framing
from framing.describe import coverage, doc_lengths, group_sizes, length_summary
from framing.plot.corpus import plot_coverage, plot_group_sizes, plot_lengths
from _figures import save
from config import EVENT_WINDOW, KEY_DATES

framing.list_corpora()

# %% [markdown]
# ## ukraine-media: RT against US/UK outlets
#
# The union of the scraped files, outlet names normalised, duplicates by URL and by text
# removed (recorded, never silent). Every dropped row is kept, with its file, row and reason
# (`framing.dropped_rows(news)`); in short:

# %%
news = framing.load_corpus("ukraine-media")
print(f"{len(news):,} articles, {news['published'].min():%d %b %Y} to {news['published'].max():%d %b %Y}")
framing.drop_summary(news)

# %%
news.groupby("outlet").agg(articles=("doc_id", "size"), first=("published", "min"), last=("published", "max"))

# %% [markdown]
# ### Coverage of the event window, per outlet and day

# %%
event = framing.select(news, start=EVENT_WINDOW[0], end=EVENT_WINDOW[1])
event.groupby("outlet").size().rename("articles in the event window").to_frame()

# %%
window_dates = {k: v for k, v in KEY_DATES.items() if v[0] <= pd.Timestamp(EVENT_WINDOW[1])}
fig, ax = plt.subplots(figsize=(11, 3.8))
plot_coverage(coverage(event, start=EVENT_WINDOW[0], end=EVENT_WINDOW[1]), ax=ax, key_dates=window_dates)
ax.set_title("ukraine-media: articles per outlet and day, 16 Sep - 7 Oct 2022", pad=18)
save(fig, "01_event_coverage", corpora=("ukraine-media",), window=list(EVENT_WINDOW))

# %% [markdown]
# The whole of 2022, per week, for context (the ES-11/4 vote of 12 October is marked too).
# The outlets were scraped over different periods (see the corpus card): compare outlets
# within the weeks they all cover, not across the year.

# %%
fig, ax = plt.subplots(figsize=(11, 3.8))
plot_coverage(coverage(news, freq="W", start="2022-01-01", end="2022-12-31"), ax=ax, key_dates=KEY_DATES,
              annotate=False)
ax.set_title("ukraine-media: articles per outlet and week, 2022", pad=34)
save(fig, "01_year_coverage", corpora=("ukraine-media",), freq="W")

# %% [markdown]
# ### Document lengths
#
# Very short texts are often teasers, live-blog stubs or paywalled pages; the corpus card
# (`corpora/ukraine-media/card.md`) documents what we found per outlet.

# %%
lengths = doc_lengths(news)
display(length_summary(lengths))
fig, ax = plt.subplots(figsize=(8, 4))
plot_lengths(lengths, ax=ax)
ax.set_title("ukraine-media: words per article")
save(fig, "01_news_lengths", corpora=("ukraine-media",))

# %% [markdown]
# ## ungdc: UN General Debate speeches, 2021-2024
#
# One speech per state and year; `outlet` is the state's ISO3 code. Each state carries its
# vote on ES-11/4 (the "not voting" list comes from a secondary source and is marked so).

# %%
un = framing.load_corpus("ungdc")
# the Holy See and Palestine speak as observers and had no vote on ES-11/4
un = un.assign(es11_4_vote=un["es11_4_vote"].fillna("observer"))
un.groupby("year").agg(speeches=("doc_id", "size"), members=("un_member", "sum"))

# %%
votes = group_sizes(un[un["year"] == 2022], "es11_4_vote", order=["yes", "abstain", "no", "not voting", "observer"])
votes

# %%
fig, ax = plt.subplots(figsize=(7, 3.5))
plot_group_sizes(group_sizes(un, "es11_4_vote", group="year", order=["yes", "abstain", "no", "not voting", "observer"]),
                 "es11_4_vote", group="year", ax=ax)
ax.set_title("UN General Debate speeches by the speaker state's ES-11/4 vote")
save(fig, "01_ungdc_vote_groups", corpora=("ungdc",))

# %%
fig, ax = plt.subplots(figsize=(8, 3))
plot_lengths(doc_lengths(un, group="year").assign(year=lambda d: d["year"].astype(str)), group="year", ax=ax)
ax.set_title("ungdc: words per speech")
save(fig, "01_ungdc_lengths", corpora=("ungdc",))

# %% [markdown]
# ## basil: same-event triplets (Fox News, New York Times, HuffPost)
#
# Used to evaluate story linking and claim alignment: each event is covered by one article
# from each of the three outlets.

# %%
basil = framing.load_corpus("basil")
per_event = basil.groupby("triplet_uuid")["outlet"].nunique()
print(f"{len(basil)} articles, {per_event.size} events, complete triplets: {(per_event == 3).sum()}")
basil.groupby(["year", "outlet"]).size().unstack()
