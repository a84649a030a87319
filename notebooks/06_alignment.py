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
# # 06 · Same story, different telling
#
# Three steps, each checked on data with known answers before it is used on the flagship
# event:
#
# 1. **Story linking**: which articles of different outlets report the same event?
#    (`framing.align.link_stories`, checked on BASIL's Fox/NYT/HuffPost triplets of
#    2010-2014 against what the publication dates alone achieve.)
# 2. **Claim alignment**: inside one story, which sentences of one outlet say what a
#    sentence of another says, which claims only one outlet carries and which an outlet
#    leaves out? (`framing.align.align_claims`, margin-based matching after Artetxe &
#    Schwenk 2019.)
# 3. **Who speaks**: direct quotes and attributed statements, their speakers and the
#    verbs of attribution (`framing.quotes`, checked against BASIL's quote annotations).
#
# Then the referendum window: RT and the US outlets on the votes, the results, the accession
# speech and the Security Council veto, aligned claim by claim.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import framing
from framing.align import (align_claims, evaluate_linking, link_stories, linking_baselines, linking_curve,
                           story_similarity)
from framing.corpora import basil_annotations
from framing.embed import Encoder
from framing.plot.align import plot_actor_shares, plot_claim_coverage, plot_linking_curve, plot_verb_profile
from framing.quotes import ActorLexicon, evaluate_speakers, extract_quotes, quote_shares, verb_profile
from framing.segment import split_sentences
import _figures
from _figures import save
from config import EVENT_WINDOW, MODEL, N_BOOT, RANDOM_STATE, RT, US_OUTLETS

pd.set_option("display.max_colwidth", 120)
pd.set_option("display.width", 200)
encoder = Encoder(model=MODEL)

# %% [markdown]
# ## 1 · Story linking on BASIL
#
# BASIL (Fan et al. 2019) holds events each reported by Fox News, the New York Times and
# HuffPost. Our mirror of it (`corpora/basil/manifest.json`; `../shared/corpora`) holds the
# years **2010-2014 only**: 50 events, 150 articles whose grouping we know. These are also
# the years the linker was developed on, so every number below is a *development* figure.
# The later BASIL years (upstream has them to 2019) are not in the mirror: nothing here
# measures how the method does on BASIL data it has not seen, and we make no claim that it
# carries over.
#
# The linker combines four signals -- article embeddings, word TF-IDF, overlap of named
# entities (capitalised token sequences, TF-IDF weighted) and titles -- and clusters with
# average linkage under constraints: articles more than `window_days` = 3 days apart are
# never one story, and with `one_per_outlet` neither are two articles of one outlet.
# "Content only" drops the date window: any two articles may link, whatever their dates.
#
# **The merge threshold is calibrated without BASIL's labels.** `threshold="auto"` is the
# 99.9th percentile of the similarity of article pairs that *cannot* be one story, so a link
# must beat all but one in a thousand of them. The null pairs are BASIL's pairs more than
# three days apart (about 11,000; with `one_per_outlet` also pairs of one outlet). Content-only
# linking uses the same threshold: the dates only pick out the non-story pairs, they do not
# constrain the links. A second calibration uses no BASIL dates at all: every pair of a BASIL
# article and an article of another corpus (the ukraine-media event window, 2022; about
# 64,000 pairs).
#
# **Baselines** (`linking_baselines`): the same linker with each article's content replaced
# by its date. "Dates only" makes a story of whatever the date window allows; "dates + one
# per outlet" adds the one-article-per-outlet rule, which on BASIL -- built as exactly one
# article per outlet per event -- knows the stories' shape in advance. Equal date gaps are
# ties, broken by random row order (100 draws, mean reported).
#
# Intervals: 95% percentile intervals over stories resampled with replacement (the linking
# held fixed; `evaluate_linking(n_boot=...)`).

# %%
basil = framing.load_corpus("basil")
print("BASIL years in the mirror:", sorted(basil["published"].dt.year.unique()))
X_basil = encoder.encode((basil["title"] + "\n" + basil["text"]).tolist())
S_basil = story_similarity(basil, embeddings=X_basil)

news = framing.load_corpus("ukraine-media")
event = framing.select(news, start=EVENT_WINDOW[0], end=EVENT_WINDOW[1])
X_event = encoder.encode((event["title"] + "\n" + event["text"]).tolist())

SETTINGS = {"dated": {}, "dated, one per outlet": {"one_per_outlet": True},
            "content only": {"use_dates": False},
            "content only, one per outlet": {"use_dates": False, "one_per_outlet": True}}
NULLS = {"BASIL pairs > 3 days apart": {},
         "another corpus (ukraine-media)": {"reference": event, "reference_embeddings": X_event}}


def _scores(ev: pd.DataFrame) -> dict:
    ev = ev.set_index("metric")
    return {"ari": ev.loc["ari", "estimate"], "ci_low": ev.loc["ari", "ci_low"],
            "ci_high": ev.loc["ari", "ci_high"], "precision": ev.loc["pairwise_precision", "estimate"],
            "recall": ev.loc["pairwise_recall", "estimate"]}


rows = []
for label, kw in SETTINGS.items():
    for null_label, ref in NULLS.items():
        linked = link_stories(basil, embeddings=X_basil, similarity=S_basil, **kw, **ref)
        ev = evaluate_linking(linked, "triplet_uuid", n_boot=N_BOOT, random_state=RANDOM_STATE)
        rows.append({"method": label, "threshold from": null_label,
                     "threshold": linked.attrs["story_linking"]["threshold"],
                     "stories": linked["story_id"].nunique(), **_scores(ev)})
base = linking_baselines(basil, "triplet_uuid", n_boot=N_BOOT, random_state=RANDOM_STATE)
for name, g in base.groupby("baseline", sort=False):
    g = g.set_index("metric")
    rows.append({"method": f"baseline: {name}", "threshold from": "", "threshold": np.nan, "stories": np.nan,
                 "ari": g.loc["ari", "estimate"], "ci_low": g.loc["ari", "ci_low"],
                 "ci_high": g.loc["ari", "ci_high"], "precision": g.loc["pairwise_precision", "estimate"],
                 "recall": g.loc["pairwise_recall", "estimate"]})
linking_scores = pd.DataFrame(rows).set_index(["method", "threshold from"])
linking_scores.round(3)

# %% [markdown]
# How much does the result depend on the threshold? The adjusted Rand index over a grid of
# thresholds, with the calibrated thresholds marked and the date baselines as horizontal
# lines.

# %%
curve = linking_curve(basil, "triplet_uuid", embeddings=X_basil, similarity=S_basil,
                      reference=event, reference_embeddings=X_event,
                      n_boot=N_BOOT, random_state=RANDOM_STATE)
ax = plot_linking_curve(curve, title="BASIL 2010-2014: story linking vs merge threshold")
save(ax.figure, "06_basil_linking_threshold", corpora=("basil", "ukraine-media"), model=MODEL,
     n_boot=N_BOOT, random_state=RANDOM_STATE)
points = curve[curve["kind"] == "curve"]
good = points[points["estimate"] >= 0.95].groupby("setting")["threshold"].agg(["min", "max", "size"])
print("thresholds with ARI >= 0.95 (grid step 0.0125):")
print(good.rename(columns={"size": "grid points"}))
points.pivot(index="threshold", columns="setting", values="estimate").round(3)

# %% [markdown]
# Reading (all-MiniLM-L6-v2 article vectors, measured 2026-11-30 with 2,000 story
# resamples; quick runs use fewer, so their intervals differ a little):
#
# - The calibrated threshold is 0.320 (with or without one per outlet). With dates the
#   linking reaches ARI 0.993 (95% interval 0.979-1.000); content only, 0.983
#   (0.929-1.000). The date baselines reach 0.894 (0.735-0.993, dates only) and 0.97
#   (0.89-1.00, dates + one article per outlet). On BASIL the dates do most of the work:
#   with the one-per-outlet rule, content adds about 0.02 (0.993 against 0.97).
# - **The plateau is wide only with dates.** With dates, ARI is 0.993 from 0.175 to 0.3125
#   and at least 0.95 from 0.1125 to 0.3375. Content only, it is at least 0.95 only from
#   0.2875 to 0.3375 and falls fast on either side (0.67 at 0.20, 0.85 at 0.25, 0.94 at
#   0.35, 0.84 at 0.40). The calibrated 0.320 lands near the content-only peak, but a
#   calibration 0.05 too low would cost 0.1-0.3 in ARI.
# - With the other corpus as the null the threshold is 0.214: pairs from another year and
#   topic are easier to tell apart than BASIL's own far-apart pairs, so that threshold is too
#   permissive for content-only linking, whose ARI falls to 0.75 (0.58-0.92; 40 stories for
#   50). With dates, or with one article per outlet, the constraints absorb it (0.99-1.00).
# - Content only with one article per outlet scores 1.000 at every threshold from 0.10 to 0.3125:
#   that rule encodes BASIL's triplet design, so it says little about corpora built otherwise.
# - All of this is 2010-2014, the years the linker was developed on; other BASIL years were
#   not available to test on.

# %% [markdown]
# ## 2 · Claim alignment on BASIL triplets
#
# Sentences are matched across outlets by cosine similarity, kept only for *mutual* best
# matches whose ratio margin over the next candidates is high enough, then grouped into
# claims with at most one sentence per outlet. Sentences nobody else matches are claims one
# outlet carries alone. Three triplets:

# %%
basil_sents = split_sentences(basil)
E_basil_sents = encoder.encode(basil_sents["text"].tolist())
triplets = basil["triplet_uuid"].drop_duplicates().iloc[[0, 10, 20]].tolist()
alignments = {}
for t in triplets:
    docs = set(basil.loc[basil["triplet_uuid"] == t, "doc_id"])
    m = basil_sents["doc_id"].isin(docs).to_numpy()
    alignments[t] = align_claims(basil_sents[m], embeddings=E_basil_sents[m],
                                 story=basil.loc[basil["triplet_uuid"] == t, "main_event"].iloc[0])
pd.concat({a.story: a.summary().set_index("outlet") for a in alignments.values()})

# %%
first = alignments[triplets[0]]
ax = plot_claim_coverage(first)
save(ax.figure, "06_basil_claim_coverage", corpora=("basil",), model=MODEL, story=first.story)
first.shared()[["claim_id", "outlet", "text", "similarity"]].head(12)

# %% [markdown]
# ## 3 · Who speaks: quotes and speakers, checked on BASIL
#
# BASIL annotators marked biased spans inside quotes and named their speaker. We count a
# span as attributed correctly when the extracted quote that overlaps it names the same
# person (surname match). Speakers annotated only as a category ("other_anti") are left
# out; the second table keeps only speakers annotated with a person's name, as group labels
# ("Democratic_Lawmakers") cannot be matched by name at all. Intervals: Wilson 95%.
#
# (Some BASIL articles lack an upstream uuid, so we key articles by outlet and triplet.)

# %%
basil_q = basil.assign(doc_id=basil["outlet"] + "-" + basil["triplet_uuid"])
ann = basil_annotations()
gold = ann[(ann["quote"] == "yes") & (ann["field"] == "body")]
gold = gold.assign(doc_id=gold["outlet"] + "-" + gold["triplet_uuid"])
basil_quotes = extract_quotes(basil_q)
person = gold["speaker"].str.fullmatch(r"[A-Z][a-z]+(?:_[A-Z][a-z]+)+") & ~gold["speaker"].str.contains(
    "Party|campaign|Lawmakers|Republicans|Democrats|officials|America|Department", case=False)
pd.concat({"all named speakers": evaluate_speakers(basil_quotes, gold).set_index("metric"),
           "person names only": evaluate_speakers(basil_quotes, gold[person]).set_index("metric")}).round(3)

# %%
basil_quotes.groupby(["outlet", "kind"]).size().unstack(fill_value=0)

# %% [markdown]
# ## 4 · The referendum window: RT and the US outlets
#
# All articles of the event window, linked into stories. RT publishes many pieces on one
# event, so we do not force one article per outlet here; we keep the stories that RT *and*
# at least one US outlet report.
#
# The calibrated threshold is strict in a one-topic corpus: the "impossible" pairs (more
# than three days apart) are themselves about the war, so it asks for same-*event* evidence
# well beyond "same war" and links few cross-outlet stories. For this exploratory step we use
# 0.3 instead. That value is *not* calibrated: it was read off the BASIL content-only curve
# above, i.e. chosen with BASIL's labels, and the stories below are a starting point for
# reading, not a measured linking.

# %%
calibrated = link_stories(event, embeddings=X_event, window_days=3)
linked = link_stories(event, embeddings=X_event, window_days=3, threshold=0.3)
for name, lk in (("calibrated", calibrated), ("exploratory 0.3", linked)):
    n_cross = lk.groupby("story_id")["outlet"].agg(lambda o: RT in set(o) and bool(set(o) & set(US_OUTLETS))).sum()
    print(f"{name}: threshold {lk.attrs['story_linking']['threshold']:.3f} "
          f"({lk.attrs['story_linking']['threshold_from']}), {int(n_cross)} stories with RT and a US outlet")
per_story = linked.groupby("story_id").agg(
    n=("doc_id", "size"), outlets=("outlet", lambda o: ", ".join(sorted(set(o)))),
    has_rt=("outlet", lambda o: RT in set(o)), n_us=("outlet", lambda o: len(set(o) & set(US_OUTLETS))),
    first=("published", "min"), title=("title", "first"))
cross = per_story[per_story["has_rt"] & (per_story["n_us"] >= 1)].sort_values("n", ascending=False)
print(f"{len(per_story)} stories, {len(cross)} reported by RT and a US outlet")
cross.head(15)

# %% [markdown]
# The four moments of the event, found by keywords in the stories' titles:

# %%
topics = {
    "votes": r"referend|vote|voting|ballot",
    "results": r"result|percent|%|landslide",
    "accession speech": r"annex|accession|join Russia|speech",
    "UNSC veto": r"veto|Security Council|UNSC",
}
titles_by_story = linked.groupby("story_id")["title"].apply(lambda t: " | ".join(t))
chosen = {}
for topic, pattern in topics.items():
    hits = [s for s in cross.index if pd.Series([titles_by_story[s]]).str.contains(pattern, case=False).iloc[0]
            and s not in chosen.values()]
    if hits:
        chosen[topic] = hits[0]
pd.DataFrame({"story_id": chosen}).join(cross, on="story_id")

# %% [markdown]
# Inside each chosen story we keep, per outlet, the article most typical of the story
# (highest `story_confidence`) and align their sentences.

# %%
event_sents = split_sentences(linked)
event_alignments = {}
for topic, sid in chosen.items():
    members = linked[linked["story_id"] == sid].sort_values("story_confidence", ascending=False)
    docs = members.drop_duplicates("outlet")["doc_id"]
    sents = event_sents[event_sents["doc_id"].isin(set(docs))]
    outlets = [RT] + [o for o in US_OUTLETS if o in set(sents["outlet"])]
    event_alignments[topic] = align_claims(sents, encoder=encoder, story=f"{topic} ({sid})", outlets=outlets)
(pd.concat({t: a.summary().set_index("outlet") for t, a in event_alignments.items()})
 if event_alignments else "no cross-outlet story matched the topics")

# %%
fig, axes = plt.subplots(1, max(len(event_alignments), 1), figsize=(4 * max(len(event_alignments), 1), 6))
for ax, (topic, al) in zip(np.atleast_1d(axes), event_alignments.items()):
    plot_claim_coverage(al, ax=ax, title=topic)
fig.tight_layout()
save(fig, "06_event_claim_coverage", corpora=("ukraine-media",), model=MODEL, stories=list(chosen.values()))

# %% [markdown]
# The side-by-side view: outlets as columns (each headed by the article's title, date and
# link), claims as rows in the order the articles tell them, omissions as hatched gaps. It is written as a standalone HTML page next to the figures.

# %%
_figures.FIGURES.mkdir(parents=True, exist_ok=True)
for i, (topic, al) in enumerate(event_alignments.items()):
    name = "06_story_view.html" if i == 0 else f"06_story_view_{topic.replace(' ', '_')}.html"
    framing.render_story_view(al, corpus=event, path=_figures.FIGURES / name,
                              title=f"{topic}: RT and US outlets, {al.story}")
if not event_alignments:  # keep the page: show a BASIL story instead
    framing.render_story_view(first, corpus=basil, path=_figures.FIGURES / "06_story_view.html",
                              title=f"BASIL: {first.story}")
main = next(iter(event_alignments.values()), None)
main

# %% [markdown]
# What RT alone carries in the main story, and what it leaves out that two or more US
# outlets report:

# %%
if main is not None:
    display(main.unique(RT)[["claim_id", "text"]].head(10))
    om = main.omissions[(main.omissions["outlet"] == RT) & (main.omissions["n_carriers"] >= 2)]
    display(om.merge(main.claims, on="claim_id", suffixes=("", "_carrier"))[
        ["claim_id", "carried_by", "outlet_carrier", "text"]].head(12))

# %% [markdown]
# ## 5 · Who gets quoted in the event window
#
# Share of quoted words by actor group (actor lexicon `framing/data/actors_ru_ua.yaml`,
# editable) and the verbs of attribution, per outlet. Intervals are 95% percentile
# bootstrap intervals over articles.

# %%
event_quotes = extract_quotes(event_sents)
labels = ActorLexicon.default().labels
shares = quote_shares(event_quotes, event, n_boot=N_BOOT, random_state=RANDOM_STATE)
ax = plot_actor_shares(shares, labels=labels)
save(ax.figure, "06_event_actor_shares", corpora=("ukraine-media",), n_boot=N_BOOT,
     random_state=RANDOM_STATE)
shares.pivot(index="actor_group", columns="outlet", values="share").round(2)

# %%
profile = verb_profile(event_quotes, event, category="verb_class", n_boot=N_BOOT, random_state=RANDOM_STATE)
ax = plot_verb_profile(profile)
save(ax.figure, "06_event_verb_profile", corpora=("ukraine-media",), n_boot=N_BOOT, random_state=RANDOM_STATE)
verbs = verb_profile(event_quotes, event, n_boot=0, min_count=10)
verbs.pivot(index="verb", columns="outlet", values="share").round(2)

# %% [markdown]
# Reading: the speaker attribution is rule-based and misses speakers in complex sentences
# (see the BASIL check above: roughly four in five named attributions are right, and about
# two thirds of annotated quotes get the right person); shares by actor group inherit these
# errors, equally for all outlets only if their writing styles are alike -- a caveat for
# comparisons between RT and US outlets.
