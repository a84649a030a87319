"""framing: compare how news sources frame the same event.

Embeds articles and sentences with sentence-transformers, clusters them, contrasts the
outlets' vocabulary and places outlets on framing dimensions, with honest uncertainty.

Public names are imported lazily, so ``import framing`` stays fast (torch is loaded only
when an encoder is built).
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_API: dict[str, str] = {
    # corpus model
    "SCHEMA": "corpus",
    "CorpusError": "corpus",
    "read_corpus": "corpus",
    "validate_corpus": "corpus",
    "dropped_rows": "corpus",
    "drop_summary": "corpus",
    "CorpusWarning": "corpus",
    "find_duplicates": "corpus",
    "drop_duplicates": "corpus",
    "select": "corpus",
    "concat_corpora": "corpus",
    # named corpora and fetching
    "load_corpus": "corpora",
    "list_corpora": "corpora",
    "corpus_info": "corpora",
    "manifest_hash": "corpora",
    "export_corpus": "corpora",
    "basil_annotations": "corpora",
    "un_members": "corpora",
    "es11_4_votes": "corpora",
    "build_manifest": "fetch",
    "fetch_corpus": "fetch",
    "FetchError": "fetch",
    # sentences and embeddings
    "split_sentences": "segment",
    "split_text": "segment",
    "sentence_counts": "segment",
    "sentence_lengths": "segment",
    "Encoder": "embed",
    "EmbeddingCache": "embed",
    "EmbeddingError": "embed",
    "EmbeddingCacheWarning": "embed",
    "embed_articles": "embed",
    "embed_sentences": "embed",
    "find_sentences": "embed",
    "nearest_by_outlet": "embed",
    # whose words: voice and boilerplate
    "attribute_voice": "voice",
    "filter_voice": "voice",
    "voice_corpus": "voice",
    "keyword_voice_baseline": "voice",
    "recover_coded": "voice",
    "evaluate_voice": "voice",
    "excluded_rows": "voice",
    "find_boilerplate": "boilerplate",
    # checking against human coding
    "agreement": "validate",
    "estimate_shares": "validate",
    "validate_axis": "validate",
    "axis_reliability": "validate",
    "coding_sample": "validate",
    "write_coding_sheet": "validate",
    "read_codes": "validate",
    "Coder": "coder",
    "train_coder": "coder",
    # lexical contrasts and framing markers
    "tokenize": "tokens",
    "phrase_regex": "tokens",
    "build_vectorizer": "lexical",
    "term_counts": "lexical",
    "log_odds_dirichlet": "lexical",
    "fightin_words": "lexical",
    "prior_sensitivity": "lexical",
    "concordance": "markers",
    "LexicalError": "lexical",
    "load_lexicon": "markers",
    "match_markers": "markers",
    "marker_rates": "markers",
    "marker_rates_by_voice": "markers",
    "Lexicon": "markers",
    "LexiconError": "markers",
    # same story, different telling
    "link_stories": "align",
    "story_similarity": "align",
    "evaluate_linking": "align",
    "calibrate_threshold": "align",
    "linking_baselines": "align",
    "linking_curve": "align",
    "align_claims": "align",
    "ClaimAlignment": "align",
    "extract_entities": "align",
    "extract_quotes": "quotes",
    "quote_spans": "quotes",
    "quote_shares": "quotes",
    "verb_profile": "quotes",
    "evaluate_speakers": "quotes",
    "ActorLexicon": "quotes",
    "speaker_matches": "quotes",
    "render_story_view": "plot.storyview",
    "story_order": "plot.storyview",
    "explore_contrast": "explore",
    "ContrastExplorer": "explore",
    # framing axes
    "Axis": "axes",
    "AxisReliability": "axes",
    "AxisReliabilityWarning": "axes",
    "AxisSpecError": "axes",
    "AxisScores": "axes",
    "AxisExplanation": "axes",
    "TextPlacement": "axes",
    "load_axes": "axes",
    "score_axes": "axes",
    "compare_groups": "axes",
    "explain_axis": "axes",
    "place_text": "axes",
    "reliability_table": "axes",
    "fdr_bh": "stats",
    "holm": "stats",
    "as_rng": "stats",
    # embedding geometry
    "Clusterer": "cluster",
    "StableClusters": "cluster",
    "cluster_stability": "cluster",
    "describe_clusters": "cluster",
    "outlet_shares": "cluster",
    "share_test": "cluster",
    "ClusterError": "cluster",
    "ClusterDescription": "cluster",
    "ShareTest": "cluster",
    "OutletSimilarity": "geometry",
    "Permdisp": "geometry",
    "InteractiveMap": "geometry",
    "fit_themes": "themes",
    "ThemeTree": "themes",
    "project_2d": "geometry",
    "interactive_map": "geometry",
    "outlet_similarity": "geometry",
    "permdisp": "geometry",
    "SmallGroupWarning": "stats",
    "MIN_DOCS": "stats",
    # over time, events, all groups at once
    "over_time": "timeline",
    "document_values": "timeline",
    "DocumentValues": "timeline",
    "load_events": "timeline",
    "EventsError": "timeline",
    "change_points": "timeline",
    "lead_lag": "timeline",
    "LeadLag": "timeline",
    "omnibus": "compare",
    "compare_measure": "compare",
    "compare_markers": "compare",
    "compare_stance": "compare",
    "compare_axes": "compare",
    "compare_themes": "compare",
    # test stand-in
    "HashEncoder": "testing",
}

__all__ = sorted(_API) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'framing' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"framing.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
