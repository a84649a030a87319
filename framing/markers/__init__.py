"""Framing markers: naming variants, status and legitimacy terms, scare quotes, hedges.

A *lexicon* is a user-editable YAML file of marker families (the default,
``framing/data/markers_ru_ua.yaml``, covers the Russia-Ukraine war: Kiev/Kyiv-style naming
pairs, "sham"/"so-called"/"annexation"/"reunification", "special military operation" vs
"invasion"/"war", scare-quoted "referendum", "self-proclaimed"). :func:`match_markers` finds
every occurrence (one row per match, with character offsets, so every count can be opened as a
concordance with :func:`framing.concordance`); :func:`marker_rates` turns them into rates per
1,000 words per outlet with intervals that respect how bursty markers are (negative binomial
profile likelihood over documents; document bootstrap on request).

Lexicon format
--------------
.. code-block:: yaml

    name: my-lexicon
    families:
      naming:                       # family name
        description: free text
        case: proper                # default case rule for the family's markers (optional)
        markers:
          - marker: Kiev            # marker name, unique within the family
            concept: Kyiv           # optional: markers naming the same thing share a concept
            variants: [Kiev]        # literal phrases (default: [marker])
            case: proper            # insensitive (default) | sensitive | proper
          - marker: so-called
            variants: [so-called, so called]
      scare_quotes:
        quoted: true                # match only directly inside quotes
        markers:
          - marker: referendum
            variants: [referendum, referendums]

Matching rules
--------------
- **Token boundaries.** A variant matches only where it is not preceded or followed by a
  letter/digit: "war" does not match "toward", "award" or "warship"; "Kyiv" does not match
  "Kyivan". Possessives and hyphenated compounds *do* count for their parts: "Kyiv's",
  "Kiev-based" and "pro-Kiev" count as Kiev, "post-war" as war.
- **Phrases.** A space in a variant matches any run of whitespace; a hyphen matches ``-``,
  ``‐`` or ``‑``; an apostrophe matches ``'``, ``’`` or ``ʼ``. "so-called" and "so called" are
  different variants and must both be listed to both count.
- **Case.** ``insensitive`` (default); ``sensitive`` (exactly as written); ``proper`` (as
  written or in capitals, so "Kiev" and the dateline "KIEV" count but "kiev" does not).
- **Regex variants.** With ``regex: true`` the variants are Python regular expressions
  (the token-boundary rule is still added around them).
- **Scare quotes.** With ``quoted: true`` a variant counts only when a quote mark directly
  opens and closes it: straight ``"…"``/``'…'``, curly ``“…”``/``‘…’``, guillemets ``«…»``,
  low ``„…“`` (any opening with any closing mark); a comma or full stop just inside the
  closing mark is allowed (``“referendum,”``). The match span includes the quote marks.
- **No double counting within a family.** Matches of one family never overlap: scanning left
  to right, the earliest match wins, and at the same start the longest variant wins (so if a
  family lists both "special military operation" and "military operation", the phrase counts
  once, as the longer one). **Families are counted independently**: a scare-quoted
  “referendum” counts once in ``scare_quotes`` *and* once as referendum in ``status``.
"""
from __future__ import annotations

from framing.markers.concordance import concordance
from framing.markers.lexicon import (CASE_RULES, DEFAULT_LEXICON, QUOTE_MARKS, Lexicon, LexiconError, Marker,
                                     load_lexicon)
from framing.markers.matching import match_markers
from framing.markers.rates import marker_rates, marker_rates_by_voice
from framing.tokens import phrase_regex

__all__ = ["Lexicon", "Marker", "LexiconError", "DEFAULT_LEXICON", "load_lexicon", "phrase_regex",
           "match_markers", "marker_rates", "marker_rates_by_voice", "concordance"]
