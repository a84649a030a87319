"""Whose words? The outlet's own voice versus quoted and reported speech.

A marker count or an axis position that mixes the journalist's words with the words the
journalist *reports* measures whom an outlet quotes, not how it frames. Framing research
separates the two (the "voices" of a news text: Bell 1991, ch. 4; Pareti 2015; for
attribution as a framing device, Tuchman 1972). :func:`attribute_voice` labels every
sentence of a sentence table with the voice it speaks in and blanks the attributed spans,
so that every measure can count the outlet's own words only (``voice="own"``), the words it
attributes to others (``voice="attributed"``), or everything (``voice="all"``).

**Voices.**

- ``"own"``: the outlet's narration (in a UN speech, the speaking state's own voice: first
  person subjects -- "We condemn ..." -- are own voice). A quoted word or short phrase with
  no speaker (the so-called "referendums") is a *scare quote*: own voice, flagged
  ``scare_quote``.
- ``"direct"``: mainly a direct quotation ("We will never accept it," Kuleba said), including
  the sentences inside a quotation that runs over several sentences, and broadcast transcript
  lines with a speaker label ("LAVROV: ...").
- ``"reported"``: indirect speech: "Zelensky said the votes were a sham", "According to
  officials, ...", "Kyiv denounced the referendums as a “sham”" (a short quotation inside
  reported speech is part of it), "the vote was condemned by the West as ...".
- ``"mixed"``: an own-voice assertion and a quoted or reported claim in one sentence ("Russia
  began the votes on Friday, which Kyiv called a sham").

**Rules** (transparent and documented, in the tradition of rule-based attribution: Pouliquen,
Steinberger & Best 2007; Pareti 2015):

1. *Direct quotes* are found at document level by :func:`framing.quotes.quote_spans` -- the
   one quotation detector of the package, shared with :func:`framing.extract_quotes` --
   straight, curly and angle double quotes, curly single quotes, quotes running over several
   sentences; the speaker is looked for right after the closing mark or right before the
   opening one, else inherited from the previous attributed quote nearby. A quote with a
   speaker, or one of at least ``min_words`` words, is attributed; a shorter one without a
   speaker is a scare quote.
2. *Reported speech* is a cue -- a speech or evaluation verb (:data:`CUE_VERBS`: said,
   told, called, denounced, condemned, claimed, insisted, warned, ... in finite forms) with a
   subject noun phrase that names a source (a capitalised name, a role noun such as
   "officials" or "backers", or he/she/they/it/who) -- or "according to X", or a passive
   "was condemned by X". The reported content (after the cue; before it for a trailing
   ", officials said.") is attributed. First-person subjects (I, we, my delegation) are own
   voice. Weak verbs (add, note, announce, recognize, ...) count only before "that", a
   colon, a quote or a pronoun subject ("announced they would"), or in a trailing
   attribution: announcing *referendums* is an event, announcing *that* is speech.
3. *Frame words* (the speaker and the cue, a leading "Asked about ...," or "In a
   statement,") belong to the outlet -- it chose "claimed" over "said" -- and stay in
   ``own_text``. A sentence whose own words outside attributed spans and frames hold at least
   ``mixed_min`` content words is ``"mixed"``.

The rules were developed on hand-written examples and checked on the coded development set
(``tests/data/voice_dev.csv``; codebook in ``docs/codebook_voice.md``); the README section
"Whose words?" reports their accuracy there next to a keyword baseline, and where they fail.

References
----------
Bell, A. (1991). *The Language of News Media*. Blackwell.

Pareti, S. (2015). *Attribution: a computational approach*. PhD thesis, University of
Edinburgh.

Pouliquen, B., Steinberger, R. & Best, C. (2007). Automatic detection of quotations in
multilingual news. *RANLP 2007*.

Tuchman, G. (1972). Objectivity as strategic ritual. *American Journal of Sociology* 77(4).
"""
from __future__ import annotations
from framing.voice.attribute import attribute_voice, keyword_voice_baseline
from framing.voice.cues import BOILERPLATE_OPTIONS, CUE_VERBS, VOICE_OPTIONS, VOICES, WEAK_CUES
from framing.voice.filter import filter_voice, voice_corpus
from framing.voice.validation import evaluate_voice, excluded_rows, recover_coded, text_label

__all__ = [
    "VOICES",
    "CUE_VERBS",
    "WEAK_CUES",
    "VOICE_OPTIONS",
    "BOILERPLATE_OPTIONS",
    "attribute_voice",
    "filter_voice",
    "voice_corpus",
    "keyword_voice_baseline",
    "recover_coded",
    "evaluate_voice",
    "text_label",
    "excluded_rows",
]
