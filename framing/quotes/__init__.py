"""Who speaks: direct quotations, attributed statements, speakers and actor groups.

:func:`extract_quotes` finds, per document and with character offsets into the article
text, two kinds of reported speech with documented rules (a transparent, rule-based
attribution in the spirit of Pouliquen et al. 2007 and Pareti 2015):

**Direct quotes** (``kind="direct"``): text between double quotation marks -- straight
``"..."``, curly ``“...”`` or guillemets ``«...»``. Single quotes (``‘...’``, ``'...'``)
inside a double-quoted span are *nested* quotes and stay part of it. A quote may run
over several sentences. A quote still open at the end of a paragraph ends there, and an
opening mark met while a quote is open closes the open one first (the news convention
for a quote continuing into the next paragraph, which has no closing mark). Quoted spans
shorter than ``min_words`` words without an attribution are scare quotes
(so-called "referendums") and are skipped. The speaker is looked for

- right after the closing mark: ``"...," Putin said`` / ``"...," said Peskov`` /
  ``"...," Dmitry Peskov, the Kremlin spokesman, told reporters`` /
  ``"...," according to the ministry`` (``attribution="after"``);
- right before the opening mark in the same sentence: ``Putin said: "..."`` /
  ``Zelensky told CNN that "..."`` / ``according to Kuleba, "..."``
  (``attribution="before"``);
- otherwise the quote inherits the speaker of the previous attributed quote of the
  document when that one is in the same or the previous paragraph or ended at most two
  sentences earlier (``attribution="inherited"``, e.g. the second paragraph of a long
  quote); else it has no speaker (``attribution="none"``).

**Indirect (attributed) statements** (``kind="indirect"``), one per sentence without a
direct quote: ``X said (that) ...`` / ``X told Y (that) ...`` / ``..., X said.`` /
``..., said X.`` / ``According to X, ...`` / ``..., according to X.``; ``quote`` is the
reported content (the sentence without the attribution).

Speech verbs (:data:`SPEECH_VERBS`): say, tell, add, note, claim, allege, insist,
threaten, warn, state, declare, stress, argue, ... (all inflections), and ``according
to``. The speaker is a phrase of capitalised words and role words ("Kremlin spokesman
Dmitry Peskov", "a resident", "the ministry"); an appositive between commas is skipped
("Peskov, the Kremlin spokesman, said"). **Pronouns** (he, she, they) are resolved to the
most recent named speaker earlier in the same document -- deliberately simple: no gender
or number agreement (``speaker_mention`` keeps the pronoun).

Speakers are grouped with a user-editable YAML actor lexicon (:class:`ActorLexicon`;
default ``framing/data/actors_ru_ua.yaml``: Russian officials, Ukrainian officials, US/EU
officials, UN, residents and others).

:func:`quote_shares` (share of quoted words by actor group) and :func:`verb_profile`
(share of attributions by verb) summarise per outlet with document-level bootstrap
confidence intervals (Efron & Tibshirani 1993). :func:`evaluate_speakers` scores speaker
attribution against annotated quote spans (e.g. BASIL's, Fan et al. 2019).

References
----------
Pouliquen, B., Steinberger, R. & Best, C. (2007). Automatic detection of quotations in
multilingual news. *RANLP 2007*.

Pareti, S. (2015). *Attribution: a computational approach*. PhD thesis, University of
Edinburgh.

Efron, B. & Tibshirani, R. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.

Fan, L. et al. (2019). In Plain Sight: Media Bias Through the Lens of Factual Reporting.
*EMNLP-IJCNLP 2019*.
"""
from __future__ import annotations

from framing.quotes.detect import extract_quotes, quote_spans
from framing.quotes.documents import document_layouts
from framing.quotes.evaluation import evaluate_speakers, speaker_matches
from framing.quotes.lexicon import ActorLexicon
from framing.quotes.patterns import NEUTRAL_VERBS, QUOTE_COLUMNS, SPEECH_VERBS, VERB_FORMS
from framing.quotes.summaries import quote_shares, verb_profile

__all__ = [
    "SPEECH_VERBS",
    "NEUTRAL_VERBS",
    "VERB_FORMS",
    "QUOTE_COLUMNS",
    "ActorLexicon",
    "extract_quotes",
    "quote_shares",
    "verb_profile",
    "evaluate_speakers",
    "speaker_matches",
    "quote_spans",
    "document_layouts",
]
