"""Cue verbs, word lists and patterns of the voice rules."""
from __future__ import annotations

import re

from framing.quotes import VERB_FORMS

__all__ = ["VOICES", "VOICE_OPTIONS", "BOILERPLATE_OPTIONS", "CUE_VERBS", "WEAK_CUES"]

#: The voices of :func:`attribute_voice`.
VOICES: tuple[str, ...] = ("own", "direct", "reported", "mixed")
#: Values of every measure's ``voice=`` option.
VOICE_OPTIONS: tuple[str, ...] = ("own", "attributed", "all")
#: Values of every measure's ``boilerplate=`` option.
BOILERPLATE_OPTIONS: tuple[str, ...] = ("drop", "keep")

# Cue verbs: the speech verbs of framing.quotes (one list for the package), less the forms
# that are mostly nouns here ("states", "notes", "reports") or participles ("saying"), plus
# the evaluation and stance verbs that report a claim ("condemned ... as", "regards it as").
_NOT_CUES = frozenset({"states", "notes", "reports", "concludes", "responds"})
_EXTRA_CUES: dict[str, tuple[str, ...]] = {
    "say": ("say",), "claim": ("claim",), "insist": ("insist",), "warn": ("warn",), "argue": ("argue",),
    "allege": ("allege",), "call": ("call",), "condemn": ("condemn",), "denounce": ("denounce",),
    "describe": ("describe",), "dismiss": ("dismiss",), "reject": ("reject",), "deny": ("deny",),
    "urge": ("urge",), "vow": ("vow",), "dub": ("dubs",), "label": ("labels",),
    "accuse": ("accused", "accuses", "accuse"), "blast": ("blasted", "blasts"),
    "criticize": ("criticized", "criticised", "criticizes", "criticises"), "hail": ("hailed", "hails"),
    "praise": ("praised", "praises"), "promise": ("promised", "promises"),
    "express": ("expressed", "expresses", "express"), "highlight": ("highlighted", "highlights"),
    "advise": ("advised", "advises"), "consider": ("considered", "considers", "consider"),
    "regard": ("regarded", "regards", "regard"), "address": ("addressed",), "react": ("reacted",),
    "cite": ("cited", "cites"), "believe": ("believed", "believes"), "speak": ("spoke", "speaks"),
    "point": ("pointed", "points"),
    "recognize": ("recognized", "recognised", "recognizes", "recognises"),
}
#: Lemmas that attribute only before "that", a colon, a quote or a pronoun, or when trailing.
WEAK_CUES: frozenset[str] = frozenset({"add", "note", "continue", "post", "announce", "explain", "recall", "reply",
                                       "respond", "conclude", "write", "recognize"})


def _cue_verbs() -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for source in (VERB_FORMS, _EXTRA_CUES):
        for lemma, forms in source.items():
            for f in forms:
                if f.endswith("ing") or f in _NOT_CUES:
                    continue
                out[f] = (lemma, "weak" if lemma in WEAK_CUES else "strong")
    return out


#: Cue verb form -> (lemma, strength): "strong" cues attribute their content wherever the
#: subject names a source; "weak" ones (:data:`WEAK_CUES`) only before "that", a colon, a
#: quote or a pronoun subject, or in a trailing attribution.
CUE_VERBS: dict[str, tuple[str, str]] = _cue_verbs()
_PASSIVE_VERBS = ("condemned", "denounced", "described", "branded", "dubbed", "labeled", "labelled", "called",
                  "slammed", "dismissed", "rejected", "criticized", "criticised", "decried", "hailed", "praised")

_ROLE = frozenset("""
official officials spokesman spokeswoman spokesperson spokespeople ambassador ambassadors envoy envoys
chief head leader leaders governor mayor deputy general commander senator senators representative
lawmaker lawmakers chairman chairwoman director adviser advisor advisers advisors aide aides analyst
analysts expert experts resident residents witness witnesses source sources ministry ministries office
department council military army administration government governments agency authorities authority
statement commission committee mission embassy service diplomat diplomats correspondent officer
officers soldier soldiers woman man men women people voter voters villager villagers locals pensioner
teacher doctor volunteer refugee refugees civilian civilians mother father owner worker workers citizen
citizens observer observers monitors negotiator candidate prosecutor prosecutors investigators police
critics critic backers allies ally partners nations countries states members member opponents
supporters proponents activists groups organizations organisations politicians journalists media
report reports newspaper outlet outlets channel agency's press kremlin president minister ministers
secretary premier chancellor king queen prime pope protesters demonstrators organizers organisers
officials' west western leadership regime cabinet parliament lawmakers' deputies delegation
delegations representatives everyone nobody many most some others both several
resolution resolutions charter declaration community world officialdom
""".split())
_PRONOUN_SUBJ = frozenset({"he", "she", "they", "it"})
_FIRST_PERSON = frozenset({"i", "we", "my", "our", "us"})
_DETS = frozenset("""the a an its their his her this that these those some many several most other such one
two three all both each every any no russia's ukraine's kyiv's kiev's moscow's""".split())
_CONNECT = frozenset({"of", "and", "for", "the", "in", "to", "at", "on", "from", "'s", "’s", "&"})
_ADJ = frozenset("""top senior former local foreign western eastern european international world global
regional state-run state-owned pro-russian pro-kremlin pro-moscow pro-ukrainian russian-installed
moscow-installed russian-backed kremlin-backed separatist occupation new acting other some""".split())
_AUX = frozenset("""has have had also later earlier previously repeatedly reportedly again then once further
long already recently openly publicly strongly widely quickly immediately swiftly will would could
may might must is are was were been being be not never jointly separately subsequently initially first
shall should can did do does just""".split())
_TIME_HEAD = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february march april
may june july august september october november december sept jan feb aug oct nov dec a an his her their
its the this last week weekend month year morning evening night day days""".split())
_STOP = frozenset("""the a an of to in on at for from by with and or but as that this these those it its is are
was were be been being has have had will would could should may might must can do does did not no so
than then there here also just very more most some any all each every both either neither such only own
same other into onto over under about after before during while when where which who whom whose what why
how if because although though until since yet still even too again further once i me my we our you your
he him his she her they them their said says say told tell according monday tuesday wednesday thursday
friday saturday sunday week weekend earlier later last day days today yesterday one two three mr mrs ms
""".split())
_LEAD_FRAME = re.compile(
    r"^\s*(?:(?:Asked|Speaking|Writing|Commenting|Responding|Reacting|Addressing|Talking|Answering|Referring|"
    r"Briefing|Testifying)\b[^,;]{0,160},|In\s+(?:a|an|his|her|their|its|the)\s+[^,;]{0,80},|"
    r"(?:On|Earlier|Later|Last|This|Separately|Meanwhile|However|But|And|Also|At|During)\b[^,;]{0,60},)")
_LABEL = re.compile(
    r"^\s*(?P<label>(?:[A-Z][A-Z.'’\-]+(?:\s+[A-Z0-9][A-Z0-9.'’\-]*){0,3})|(?:[A-Z][a-z]+(?:\s+[A-Z][a-z'’\-]+){0,2}"
    r"\s*\((?:through|via|in)\s+(?:a\s+)?translat\w*\)))\s*(?:\([^)]{0,40}\))?\s*:\s+\S")
_LABEL_STOP = frozenset({"UPDATE", "NOTE", "EDITOR'S NOTE", "WATCH", "READ MORE", "PHOTO", "VIDEO", "BREAKING",
                         "RELATED", "MORE", "CORRECTION", "LIVE", "UPDATED", "SOURCE", "SOURCES", "ALSO", "Q", "A",
                         "FILE", "NEW", "SEE", "LISTEN", "OPINION", "ANALYSIS", "EXCLUSIVE"})
_WORD = re.compile(r"[^\W_](?:[\w'’\-]|\.(?=\w))*", re.UNICODE)
_CUE_RE = re.compile(r"(?<![\w\-’'])(" + "|".join(sorted(CUE_VERBS, key=len, reverse=True)) + r")(?![\w\-])")
_ACCORDING_RE = re.compile(r"\b[Aa]ccording\s+to\b")
_PASSIVE_RE = re.compile(
    r"\b(?:was|were|is|are|been|being)\s+(?:\w+ly\s+)?(?P<verb>" + "|".join(_PASSIVE_VERBS) + r")"
    r"(?P<compl>\s+as\s+[^,;:.]{1,80}?)?\s+by\s+")
_AGENTLESS_RE = re.compile(
    r"\b(?:what|which)\s+(?:(?:has|have|had)\s+been|is|are|was|were|some|many|critics|officials)\s+"
    r"(?P<verb>called|described|dubbed|branded|termed|labell?ed|call|describe|dub|brand|term)\b")
_LETTER = re.compile(r"^\s*(?:To the Editor|Dear Editor|To the editor)\s*[:,]")
# words a trailing attribution may end with: ", officials said on Tuesday in a statement."
_TRAIL_OK = frozenset("""reporters journalists the a an in on at during to told said says press conference
statement interview briefing speech address video tweet post telegram channel message news agency tv
television radio broadcaster state-run state media of last this late early earlier later week weekend
month year morning evening night day afternoon when asked by cnn bbc tass ria novosti reuters ap afp abc
cbs nbc fox interfax rt ria-novosti also then after before""".split())
_QUOTE_CHARS = "\"“”«»‘’"
_RELATIVE_LEAD = re.compile(r"(?:which|who|whom|that|and|but|as)\s+", re.I)
_WEAK_OK = re.compile(r"(?:that\b|:|[\"“«‘]|(?:he|she|they|it|we)\s)")
_AFTER_CUE_BLOCK = frozenset({"up", "off", "by", "out", "back", "in"})

