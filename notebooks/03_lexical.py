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
# # 03 · Words: who says what, and how sure can we be
#
# Which words set RT apart from US outlets while the referendums in occupied Ukraine were held,
# and which words set apart the states that voted *no*, *abstain* or *yes* on UN General
# Assembly resolution ES-11/4?
#
# **Fightin' Words** (Monroe, Colaresi & Quinn 2008, *Political Analysis* 16(4)): for each
# term, the log-odds ratio δ of its use in one group against the other, shrunk toward the
# whole corpus's frequencies by an informative Dirichlet prior, and its z-score z = δ/σ.
# That z treats every *token* as an independent draw. Articles are not bags of independent
# tokens: a word repeated forty times in one article looks overwhelming to it. So every term
# also gets **document-level** uncertainty:
#
# - a **bootstrap** that resamples whole articles within each outlet: an interval for δ, and
#   `sign_stability`, the share of resamples in which the difference keeps its sign (a
#   description, not a test), and
# - a **permutation test** that shuffles the outlet labels of whole articles (`p_value`, 1,000
#   permutations by default), with Benjamini-Hochberg q-values over the terms tested: the only
#   source of `significant`.
#
# Then the **framing markers** of `framing/data/markers_ru_ua.yaml`: Kiev vs Kyiv and the other
# naming pairs, "sham"/"so-called"/"annexation"/"reunification", "special military operation"
# vs "invasion"/"war", scare-quoted "referendum", hedges. Every count can be opened as a
# concordance.
#
# **Whose words?** A news text speaks in several voices: the journalist's own narration, and
# the words of the people it quotes or reports. RT writes that "Kiev and its Western backers
# have called the referendums a sham"; counting that "sham" as RT's would measure whom RT
# quotes, not how RT frames. `framing.attribute_voice` labels every sentence own / direct /
# reported / mixed and blanks the attributed spans (README, "Whose words?"; its accuracy on
# hand-coded sentences is reported there). Marker rates count the outlet's **own voice** by
# default; Fightin' Words counts all the text (which words an outlet prints, quotes included,
# is a topical question). Boilerplate (page furniture, stock lines repeated across an outlet's
# articles) is left out everywhere, and what was left out is listed below.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import framing
from framing.lexical import fightin_words, term_counts
from framing.markers import concordance, load_lexicon, marker_rates, match_markers
from framing.plot.lexical import (plot_fightin_words, plot_marker_heatmap, plot_marker_rates, plot_marker_voice,
                                  plot_prior_sensitivity, plot_term_intervals)
from _figures import save
from config import EVENT_WINDOW, N_BOOT, N_PERM, QUICK, RANDOM_STATE, RT, US_OUTLETS

pd.set_option("display.max_colwidth", 120)
pd.set_option("display.width", 200)
MIN_COUNT = 10
COLS = ["term", "count_group", "count_other", "docs_group", "docs_other", "delta", "z", "ci_low", "ci_high",
        "p_value", "q", "significant"]

# %% [markdown]
# ## RT against the US outlets, 16 September to 7 October 2022
#
# Articles flagged as near-duplicates of another article (`near_dup_of`, see notebook 01) are
# left out, so that a syndicated text is not counted twice. The six US outlets are pooled into
# one group, "US": the bootstrap resamples articles within RT and within the pooled US group,
# the permutation test shuffles the two labels across all articles of the window.

# %%
news = framing.load_corpus("ukraine-media")
news = news[news["near_dup_of"] == ""]
event = framing.select(news, start=EVENT_WINDOW[0], end=EVENT_WINDOW[1])
sides = {RT: RT, **{o: "US" for o in US_OUTLETS}}   # outlet -> label
event.groupby("outlet").size().rename("articles").to_frame().T

# %% [markdown]
# One sentence table for the window, with each sentence's voice and boilerplate flag, reused
# by every measure below (so the rules run once).

# %%
sents = framing.attribute_voice(framing.find_boilerplate(framing.split_sentences(event), titles=event))
pd.crosstab(sents["outlet"], sents["voice"], normalize="index", margins=True).round(3)

# %% [markdown]
# Boilerplate left out of every count below (stock lines repeated in at least five articles
# of one outlet, page furniture), per outlet, with the most frequent lines' rule:

# %%
print(pd.crosstab(sents["outlet"], sents["boilerplate_reason"].fillna("kept"), margins=True))
(sents[sents["boilerplate"]].groupby(["outlet", "boilerplate_rule"]).size().rename("sentences")
 .sort_values(ascending=False).head(10).to_frame())

# %%
event_text = framing.voice_corpus(event, voice="all", boilerplate="drop", sentences=sents)
counts = term_counts(event_text)  # tokenise once, reuse for every contrast below
rt_us = fightin_words(event_text, group=sides, mode="two", counts=counts, min_count=MIN_COUNT, n_boot=N_BOOT,
                      n_perm=N_PERM, random_state=RANDOM_STATE)
print(rt_us.attrs["n_docs"], rt_us.attrs["n_tokens"], f"{len(rt_us):,} terms tested,",
      f"{int(rt_us['significant'].sum())} significant ({rt_us.attrs['significance']})")

# %% [markdown]
# The words most characteristic of RT (top) and of the US outlets (bottom). `docs_group` and
# `docs_other` count the articles that use the word; `ci_low`/`ci_high` is the document
# bootstrap interval of δ.

# %%
pd.concat([rt_us.head(20), rt_us.tail(20)])[COLS].round(3)

# %% [markdown]
# **The same intervals and the same test from draws any machine can make.**
# `resampling="poisson"` gives each article a Poisson(1) weight in each replicate, keyed by
# `random_state` and its `doc_id`, instead of drawing each side's articles together;
# `permutation="keyed"` shuffles the labels by ranking a key of (`random_state`, `doc_id`,
# permutation) instead of drawing from the generator's stream. On a Dask corpus
# (`framing.read_corpus(path, engine="dask")`) the workers then reduce both the bootstrap and
# the permutation test to sums, and no per-article counts reach the client (README, "Big
# corpora"). Here, in memory, the two side by side: same estimates, intervals of about the
# same width, and the same test up to Monte Carlo error (both estimate one exact permutation
# p-value with `N_PERM` draws).

# %%
rt_us_keyed = fightin_words(event_text, group=sides, mode="two", counts=counts, min_count=MIN_COUNT,
                            n_boot=N_BOOT, resampling="poisson", n_perm=N_PERM, permutation="keyed",
                            random_state=RANDOM_STATE)
both = rt_us.merge(rt_us_keyed, on="term", suffixes=("", "_keyed"))
width = (both["ci_high_keyed"] - both["ci_low_keyed"]) / (both["ci_high"] - both["ci_low"])
excludes_zero = (both["ci_low"] > 0) | (both["ci_high"] < 0)
excludes_zero_keyed = (both["ci_low_keyed"] > 0) | (both["ci_high_keyed"] < 0)
print(f"{len(both):,} terms, same delta: {bool((both['delta'] == both['delta_keyed']).all())}; "
      f"interval width, Poisson / stratified: median {width.median():.2f} "
      f"(5th-95th percentile {width.quantile(0.05):.2f}-{width.quantile(0.95):.2f}); "
      f"interval excludes 0 in both or neither: {(excludes_zero == excludes_zero_keyed).mean():.1%}")
p_diff = (both["p_value_keyed"] - both["p_value"]).abs()
print(f"permutation p, keyed vs shuffled: median |difference| {p_diff.median():.4f}, 95th percentile "
      f"{p_diff.quantile(0.95):.4f}; significant: {int(both['significant'].sum())} shuffled, "
      f"{int(both['significant_keyed'].sum())} keyed, {int((both['significant'] & both['significant_keyed']).sum())} both")

# %%
fig, ax = plt.subplots(figsize=(10, 8))
plot_fightin_words(rt_us, ax=ax, top=20)
ax.set_title(f"RT vs US outlets, {EVENT_WINDOW[0]} to {EVENT_WINDOW[1]} (colour: permutation q < 0.05)")
save(fig, "03_fightin_words_rt_us", corpora=("ukraine-media",), window=list(EVENT_WINDOW), min_count=MIN_COUNT,
     n_boot=N_BOOT, n_perm=N_PERM, prior=rt_us.attrs["prior"], prior_scale=rt_us.attrs["prior_scale"])

# %% [markdown]
# The same contrast as an **offline explorer**: one HTML file (no network, no server) with every
# tested term placed as above, a search box, counts, delta and q on hover, and on click the
# term's lines in context, by outlet, each with its voice and speaker. It holds corpus text:
# your own output, not for publication (the figures folder is not committed).

# %%
from _figures import FIGURES

explorer = framing.explore_contrast(rt_us, event, sentences=sents, path=FIGURES / "03_explorer_rt_us.html",
                                    title=f"RT vs US outlets, {EVENT_WINDOW[0]} to {EVENT_WINDOW[1]}")
print(f"{explorer} ({explorer.stat().st_size / 1e6:.1f} MB)")

# %% [markdown]
# **The prior is a choice.** The informative Dirichlet prior shrinks rare terms towards the
# pooled frequencies; how hard is set by its total count α0 (500 here). Published
# implementations differ (0.01 per term, raw background counts, rescaled counts), so: do the
# top terms survive other priors? z under several priors, and the overlap of each side's top
# terms with the default's:

# %%
ps = framing.prior_sensitivity(event_text, group=sides, mode="two", counts=counts, min_count=MIN_COUNT)
display(pd.DataFrame(ps.attrs["agreement"]).round(3))
fig, ax = plt.subplots(figsize=(9, 6))
plot_prior_sensitivity(ps, ax=ax, top=10)
save(fig, "03_prior_sensitivity_rt_us", corpora=("ukraine-media",), window=list(EVENT_WINDOW), min_count=MIN_COUNT)

# %% [markdown]
# ### Where token-level and document-level answers disagree
#
# Terms with |z| > 1.96, "significant" to the token-level test, that the document-level
# permutation test does not confirm. Most of them are concentrated in a handful of articles
# (small `docs_group` / `docs_other` against their counts).

# %%
token_only = rt_us[(rt_us["z"].abs() > 1.96) & ~rt_us["significant"]].copy()
token_only["tokens_per_doc"] = ((token_only["count_group"] + token_only["count_other"])
                                / (token_only["docs_group"] + token_only["docs_other"]))
print(f"{len(token_only)} of {int((rt_us['z'].abs() > 1.96).sum())} token-level 'significant' terms are not "
      "confirmed at the document level")
token_only.sort_values("tokens_per_doc", ascending=False)[COLS + ["tokens_per_doc"]].head(15).round(3)

# %%
concentrated = token_only.sort_values("tokens_per_doc", ascending=False)["term"].head(10).tolist()
confirmed = rt_us[rt_us["significant"]].reindex(rt_us["z"].abs().sort_values(ascending=False).index)
show = concentrated + [t for t in confirmed["term"] if t not in concentrated][:12]
fig, ax = plt.subplots(figsize=(8, 9))
plot_term_intervals(rt_us, ax=ax, terms=show)
save(fig, "03_term_intervals_rt_us", corpora=("ukraine-media",), window=list(EVENT_WINDOW), terms=show,
     n_boot=N_BOOT, n_perm=N_PERM)

# %% [markdown]
# The most concentrated of them, in context (keyword in context, sorted by outlet and date):

# %%
concordance(event, concentrated[0], width=70, sentences=sents).head(12)[
    ["outlet", "published", "doc_id", "voice", "left", "match", "right"]]

# %% [markdown]
# ### Phrases
#
# The same contrast on two- and three-word phrases (stop words kept, so that "so-called
# referendums" and "special military operation" survive as phrases).

# %%
phrases = fightin_words(event_text, group=sides, mode="two", ngram_range=(2, 3), min_count=MIN_COUNT,
                        n_perm=N_PERM, random_state=RANDOM_STATE)
pd.concat([phrases.head(15), phrases.tail(15)])[["term", "count_group", "count_other", "docs_group", "docs_other",
                                                   "z", "p_value", "q", "significant"]].round(3)

# %% [markdown]
# ## Framing markers in the event window
#
# Rates per 1,000 **own-voice** words per outlet (quotations and reported speech blanked,
# boilerplate left out), with 95% intervals over whole articles: a negative-binomial profile
# interval (each article's count is overdispersed; `marker_rates(interval="profile")`), which
# keeps its coverage with ten articles where a bootstrap does not. A marker that all sits in
# one article gets an open upper limit (an arrow in the plots), a zero count a one-sided bound.
# Reuters has a single article in the window: below five articles a group gets no interval at
# all (`min_docs`), and a warning names it.

# %%
lexicon = load_lexicon()
lexicon.to_frame()

# %%
event_matches = match_markers(event, lexicon=lexicon)
event_rates = marker_rates(event, lexicon=lexicon, matches=event_matches, n_boot=N_BOOT,
                           random_state=RANDOM_STATE, voice="own", sentences=sents)
print(event_rates.attrs["text_filter"])
event_rates.pivot_table(index=["family", "marker"], columns="group", values="rate", sort=False).round(2)

# %%
fig, ax = plt.subplots(figsize=(9, 11))
plot_marker_heatmap(event_rates, ax=ax)
save(fig, "03_marker_heatmap_event", corpora=("ukraine-media",), window=list(EVENT_WINDOW), n_boot=N_BOOT,
     lexicon=lexicon.name, interval=event_rates.attrs["interval"])

# %%
fig, axs = plt.subplots(1, 2, figsize=(14, 8), constrained_layout=True)
plot_marker_rates(event_rates, ax=axs[0], family="naming")
plot_marker_rates(event_rates, ax=axs[1], family=["status", "war_label"])
axs[0].set_title("place names")
axs[1].set_title("status of the regions, name of the war")
save(fig, "03_marker_rates_event", corpora=("ukraine-media",), window=list(EVENT_WINDOW), n_boot=N_BOOT,
     lexicon=lexicon.name, interval=event_rates.attrs["interval"])

# %% [markdown]
# ## Own voice against attributed speech
#
# Who says "sham", "illegal", "liberation", "reunification" **in their own voice**, and who
# only reports others saying it? The same markers counted twice per outlet: once in the
# outlet's own words, once inside the quotations and reported speech it prints (rates per
# 1,000 words of each kind, 95% intervals over articles). US outlets pooled as "US".

# %%
KEY = ["sham", "illegal", "illegitimate", "annexation", "accession", "reunification", "liberation",
       "occupation", "referendum"]
event_sides = event.assign(side=event["outlet"].where(event["outlet"] == RT, "US"))
sents_sides = sents.assign(side=sents["outlet"].where(sents["outlet"] == RT, "US"))
by_voice = framing.marker_rates_by_voice(event_sides, lexicon=lexicon, group="side", n_boot=N_BOOT,
                                         random_state=RANDOM_STATE, sentences=sents_sides)
(by_voice[by_voice["marker"].isin(KEY) & (by_voice["family"] == "status")]
 .pivot_table(index="marker", columns=["group", "voice"], values=["count", "rate"], sort=False).round(2))

# %%
fig, ax = plt.subplots(figsize=(9, 7))
plot_marker_voice(by_voice, ax=ax, markers=KEY, family="status")
save(fig, "03_markers_own_vs_attributed", corpora=("ukraine-media",), window=list(EVENT_WINDOW), n_boot=N_BOOT,
     lexicon=lexicon.name, markers=KEY)

# %% [markdown]
# Every "sham" in the window, with its voice and speaker: the reported ones keep their frame
# (who called it a sham), the own-voice ones are the outlet's words.

# %%
sham = concordance(event, "sham", width=60, sentences=sents)
print(sham.groupby(["outlet", "voice"]).size().unstack(fill_value=0))
sham[["outlet", "published", "voice", "speaker", "left", "match", "right"]].head(30)

# %% [markdown]
# Who puts "referendum" (and the other key terms) in scare quotes? Every match, in context, in
# the outlet's own voice (a quoted word with no speaker):

# %%
concordance(event, family="scare_quotes", lexicon=lexicon, width=60, sentences=sents, voice="own")[
    ["outlet", "published", "marker", "left", "match", "right"]]

# %% [markdown]
# ## UN General Debate 2022, by vote on ES-11/4
#
# One speech per state. The groups are the states' votes on resolution ES-11/4 (12 October
# 2022), which declared the referendums and the attempted annexation invalid. Each vote group
# is contrasted with the other two pooled; the permutation test shuffles the vote labels of
# whole speeches. Only terms used in at least 20 speeches are tested (a filter blind to the
# labels, so it does not bias the test), and with about 1,700 terms the Benjamini-Hochberg step
# needs many permutations to resolve small p-values, hence 20,000.
#
# The *no* group has five speeches (Russia, Belarus, North Korea, Nicaragua, Syria). With five
# documents a bootstrap understates the variability (it can only recombine those five); the
# permutation test, the only source of `significant`, is the one to read.

# %%
VOTES = ["yes", "abstain", "no"]
N_PERM_UNGA = N_PERM if QUICK else 20000
unga = framing.load_corpus("ungdc")
unga22 = unga[(unga["year"] == 2022) & unga["es11_4_vote"].isin(VOTES)]
unga22.groupby("es11_4_vote").size().rename("speeches").to_frame().T

# %%
by_vote = fightin_words(unga22, group=("es11_4_vote", {v: v for v in VOTES}), mode="one-vs-rest", min_count=MIN_COUNT,
                        min_docs=20, n_boot=N_BOOT, n_perm=N_PERM_UNGA, random_state=RANDOM_STATE)
by_vote.groupby("group")["significant"].sum().rename("terms with q < 0.05").to_frame().T

# %% [markdown]
# The terms with the smallest permutation p-values for each vote group. Note the terms a group
# never uses ("invasion" is absent from every abstaining state's speech): their token-level z
# is small, because the prior dominates a zero count, while the permutation test, which asks
# how often 35 random speeches would all avoid a word that 32 of the others use, finds them.

# %%
(by_vote.sort_values(["group", "p_value", "z"], ascending=[True, True, False]).groupby("group").head(10)
 [["group"] + COLS])

# %%
fig, axs = plt.subplots(1, 2, figsize=(16, 7), constrained_layout=True)
for ax, vote in zip(axs, ["no", "abstain"]):
    plot_fightin_words(by_vote, ax=ax, group=vote, top=15)
    ax.set_title(f"UNGA 2022: states voting {vote!r} on ES-11/4 vs the rest")
save(fig, "03_fightin_words_unga_votes", corpora=("ungdc",), year=2022, min_count=MIN_COUNT, min_docs=20,
     n_boot=N_BOOT, n_perm=N_PERM_UNGA)

# %% [markdown]
# ## The markers in the General Debate, 2021-2024, by ES-11/4 vote
#
# The same lexicon, speeches grouped by the state's vote in October 2022, year by year: 2021
# (before the invasion), 2022 (the referendums), 2023 and 2024. In a speech the speaking
# state's own voice is everything but what it quotes or reports ("the Secretary-General
# said ..."); "we condemn" is the state's own voice.

# %%
unga_votes = unga[unga["es11_4_vote"].isin(VOTES)].copy()
unga_votes["vote_year"] = unga_votes["year"].astype(str) + " " + unga_votes["es11_4_vote"].astype(str)
unga_rates = marker_rates(unga_votes, lexicon=lexicon, group="vote_year", n_boot=N_BOOT,
                          random_state=RANDOM_STATE)
order = [f"{y} {v}" for y in (2021, 2022, 2023, 2024) for v in VOTES]
(unga_rates[unga_rates["family"].isin(["status", "war_label", "naming"])]
 .pivot_table(index=["family", "marker"], columns="group", values="rate", sort=False)[order].round(3))

# %%
fig, axs = plt.subplots(1, 2, figsize=(15, 9), constrained_layout=True)
plot_marker_rates(unga_rates, ax=axs[0], family="war_label", group=order)
plot_marker_rates(unga_rates, ax=axs[1], family="status", group=order)
axs[0].set_title("name of the war")
axs[1].set_title("status and legitimacy")
save(fig, "03_marker_rates_unga_years", corpora=("ungdc",), years=[2021, 2024], n_boot=N_BOOT,
     lexicon=lexicon.name, interval=event_rates.attrs["interval"])

# %% [markdown]
# The naming pairs do not separate states here: the English texts of the General Debate never
# use the Russian-derived forms (no match for Kiev, Lugansk, Zaporozhye, Donbass, Kharkov or
# Nikolaev in 2021-2024), presumably because the UN's English versions follow UN terminology
# whoever speaks. A property of the source, not of the speakers. How the five states voting
# *no* name Kyiv and the Donbas in 2022, in context:

# %%
naming_by_vote = (match_markers(unga_votes, lexicon=lexicon.select(family="naming"))
                  .merge(unga_votes[["doc_id", "es11_4_vote"]], on="doc_id")
                  .pivot_table(index="marker", columns="es11_4_vote", values="start", aggfunc="size", fill_value=0))
naming_by_vote.reindex(columns=VOTES, fill_value=0)

# %%
no_2022 = unga22[unga22["es11_4_vote"] == "no"]
concordance(no_2022, family="naming", lexicon=lexicon, width=60)[["outlet", "marker", "left", "match", "right"]]
