"""Tests of framing.tokens: the one tokenizer (abbreviation rule included) and the one phrase rule."""
from __future__ import annotations

import re

import pandas as pd
import pytest

import framing
from framing import lexical, markers, tokens
from framing.tokens import (ABBREVIATIONS, LexicalError, count_tokens, literal_regex, phrase_regex, text_column,
                            tokenize)


def test_tokenize_possessives_hyphens_apostrophes():
    text = "Russia’s so-called ‘referendums’ in Kyiv's suburbs: don't call KIEV-BASED states' vote fake."
    assert tokenize(text) == ["russia", "so-called", "referendums", "in", "kyiv", "suburbs", "don't", "call",
                              "kiev-based", "states", "vote", "fake"]
    assert tokenize("Kiev‐based", lowercase=False) == ["Kiev-based"]  # Unicode hyphen folded
    assert tokenize("RUSSIA'S", lowercase=False) == ["RUSSIA"]
    assert tokenize("The U.S. and the U.N.'s plan B. Kyiv.") == ["the", "u.s.", "and", "the", "u.n.", "plan", "b",
                                                                 "kyiv"]
    assert tokenize("  ...  ") == []
    with pytest.raises(TypeError):
        tokenize(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("rt, us, canonical", [
    ("US", "U.S.", "u.s."), ("UK", "U.K.", "u.k."), ("UN", "U.N.", "u.n."), ("EU", "E.U.", "e.u."),
    ("USA", "U.S.A.", "u.s.a."),
])
def test_dotted_and_undotted_abbreviations_are_one_token(rt, us, canonical):
    # RT writes "US", AP-style US outlets "U.S.": the same token, in every position
    for template in ("the {} said", "{}'s plan", "a {}-led plan", "anti-{} protests", "told the {}."):
        a, b = tokenize(template.format(rt)), tokenize(template.format(us))
        assert a == b and canonical in a, (template, a, b)
    assert tokenize(rt, lowercase=False) == [ABBREVIATIONS[rt]]


def test_the_pronoun_us_stays_distinct_from_the_country():
    toks = tokenize("The US told us. Us? The U.S. joined us, un, eu.")
    assert toks.count("u.s.") == 2 and toks.count("us") == 3
    assert "un" in toks and "eu" in toks and "u.n." not in toks
    # not inside longer capitals, nor inside a word
    assert tokenize("USAID BUSH FOCUS") == ["usaid", "bush", "focus"]


def test_counts_and_stop_words_follow_the_rule():
    c = pd.DataFrame({"text": ["The US told us.", "The U.S. told us."]})
    X, vocab = lexical.term_counts(c)
    assert list(vocab) == ["the", "told", "u.s.", "us"] and X.toarray().tolist() == [[1, 1, 1, 1], [1, 1, 1, 1]]
    # "us" is an English stop word; the country is not dropped with it
    X, vocab = lexical.term_counts(c, stop_words="english")
    assert list(vocab) == ["told", "u.s."]
    assert count_tokens("The US told us.") == count_tokens("The U.S. told us.") == 4


def test_phrase_regex_wildcards_boundaries_and_errors():
    p = re.compile(phrase_regex(["veto*", "so-called"]), re.IGNORECASE)
    found = [m.group() for m in p.finditer("Vetoed; so‑called; avetoes; vetoes")]
    assert found == ["Vetoed", "so‑called", "vetoes"]
    assert re.fullmatch(literal_regex("Kyiv’s  mayor"), "Kyiv's\nmayor")
    assert re.search(phrase_regex([r"ref\w+"], regex=True), "a referendum")
    for bad in (["*"], ["*veto"], ["ve*to"], [""], []):
        with pytest.raises(LexicalError):
            phrase_regex(bad)
    with pytest.raises(ValueError):  # LexicalError is a ValueError: callers catching that keep working
        phrase_regex(["*"])


def test_old_import_paths_and_one_error_class():
    assert lexical.tokenize is tokens.tokenize and framing.tokenize is tokens.tokenize
    assert markers.phrase_regex is tokens.phrase_regex
    assert lexical.LexicalError is tokens.LexicalError and issubclass(markers.LexiconError, lexical.LexicalError)
    with pytest.raises(lexical.LexicalError):  # an old `except LexicalError` still catches phrase errors
        markers.phrase_regex(["a*b"])


def test_text_column_names_the_bad_document():
    with pytest.raises(LexicalError, match="doc_id 'b'"):
        text_column(pd.DataFrame({"doc_id": ["a", "b"], "text": ["x", None]}), caller="t")
    with pytest.raises(LexicalError, match="no column 'body'"):
        text_column(pd.DataFrame({"text": ["x"]}), "body", caller="t")


@pytest.mark.integration
def test_real_corpus_rt_us_is_the_country_not_the_pronoun():
    from framing.fetch import FetchError

    try:
        news = framing.load_corpus("ukraine-media", progress=False)
    except FetchError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"ukraine-media not available: {exc}")
    event = framing.select(news[news["near_dup_of"] == ""], start="2022-09-16", end="2022-10-07")
    rt = event[event["outlet"] == "RT"]
    X, vocab = lexical.term_counts(rt)
    counts = dict(zip(vocab, X.sum(axis=0).A1))
    # RT writes "US" (the country) far more often than the pronoun "us"
    assert counts["u.s."] > 200 and counts["u.s."] > 3 * counts.get("us", 0)
