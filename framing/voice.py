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

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "VOICES",
    "CUE_VERBS",
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
    from framing.quotes import _VERB_FORMS

    out: dict[str, tuple[str, str]] = {}
    for source in (_VERB_FORMS, _EXTRA_CUES):
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


# ----------------------------------------------------------------------------- helpers

def _words(s: str, a: int = 0, b: int | None = None) -> list[tuple[int, int, str]]:
    """Word tokens (start, end, text) of s[a:b], offsets relative to s (inner dots kept: U.S)."""
    return [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(s, a, len(s) if b is None else b)]


def _first_person(w: str) -> bool:
    """I / we / my / our (not "US", the United States)."""
    return w == "I" or (w.lower() in _FIRST_PERSON and w != "I" and not w.isupper())


def _is_sourceword(w: str, first: bool) -> bool:
    lw = w.lower().rstrip(".")
    if lw in _ROLE or lw in _PRONOUN_SUBJ:
        return True
    if lw.endswith(("'s", "’s")) and lw[:-2] in _ROLE:
        return True
    if w[0].isupper() and (lw not in _STOP or w.isupper()) and lw not in _DETS and not _first_person(w):
        return not (first and lw in _AUX)
    return False


def _np_word(w: str) -> bool:
    lw = w.lower().rstrip(".")
    return (w[0].isupper() or w[0].isdigit() or lw in _ROLE or lw in _DETS or lw in _CONNECT or lw in _ADJ
            or lw in _PRONOUN_SUBJ or lw.endswith(("'s", "’s")))


def _subject(s: str, words: list[tuple[int, int, str]], k: int, floor: int) -> tuple[int, int] | None:
    """Span of the source noun phrase ending before word k (the cue), not before ``floor``."""
    j = k - 1
    # skip auxiliaries, adverbs and a time/venue phrase between subject and verb
    while j >= 0 and words[j][0] >= floor:
        lw = words[j][2].lower().rstrip(".")
        if lw in _AUX or lw.endswith("ly") and lw not in {"italy"} and not words[j][2][0].isupper():
            j -= 1
            continue
        # "... on Friday", "... in a statement on Tuesday", "... last week"
        m = j
        while m >= 0 and words[m][0] >= floor and m > j - 5 and words[m][2].lower() not in {
                "on", "in", "at", "during", "last", "this", "earlier", "late", "early"}:
            m -= 1
        if m >= 0 and m < j and words[m][0] >= floor and words[m][2].lower() in {
                "on", "in", "at", "during", "last", "this", "earlier", "late", "early"}:
            nxt = words[m + 1][2].lower().rstrip(".")
            if nxt in _TIME_HEAD or nxt[:1].isdigit():
                j = m - 1
                continue
        if lw in {"week", "weekend", "month", "year"} and j >= 1 and words[j - 1][2].lower() in {"last", "this"}:
            j -= 2
            continue
        if lw in _TIME_HEAD and lw not in {"a", "an", "the", "his", "her", "their", "its", "may"} and \
                words[j][2][0].isupper() and lw not in _DETS:
            j -= 1
            continue
        break
    if j < 0 or words[j][0] < floor:
        return None
    end = j
    i = j
    head = words[j][2].lower()
    if not _np_word(words[j][2]) and head.isalpha() and head not in _STOP and not head.endswith("ly"):
        i -= 1  # a lower-case head noun ("the Donetsk region", "the international community")
    while i >= 0 and words[i][0] >= floor and _np_word(words[i][2]) and end - i < 12:
        i -= 1
    i += 1
    if i > end:
        return None
    while i <= end and words[i][2].lower() in _CONNECT - {"the"}:
        i += 1
    if i > end:
        return None
    seg = words[i:end + 1]
    if any(_first_person(w[2]) for w in seg):
        return None  # "We condemn ...": the speaker's own voice (a UN speech)
    if seg[-1][2].lower() in _CONNECT or seg[-1][2].lower() in _DETS - {"both", "many", "most", "some", "several",
                                                                         "all", "others"}:
        return None
    if not any(_is_sourceword(w[2], first=(n == 0)) for n, w in enumerate(seg)):
        return None
    return seg[0][0], seg[-1][1]


def _clause_floor(s: str, pos: int) -> int:
    """Start of the clause holding pos: after the last , ; : ( — – before it (or 0)."""
    best = 0
    for ch in ",;:(—–":
        k = s.rfind(ch, 0, pos)
        if k >= 0 and k + 1 > best:
            best = k + 1
    return best


def _strip_span(s: str, a: int, b: int) -> tuple[int, int]:
    while a < b and (s[a].isspace() or s[a] in ",;:"):
        a += 1
    while b > a and (s[b - 1].isspace() or s[b - 1] in ",;:."):
        b -= 1
    return a, b


def _reported(s: str, quote_marks: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """Reported-speech pieces of one sentence: content span, frame spans, speaker, cue."""
    out: list[dict[str, Any]] = []
    words = _words(s)
    if not words:
        return out
    starts = [w[0] for w in words]
    n_words = len(words)
    # a turn whose speaker label ended the previous sentence: ": It is ..."
    if s.lstrip().startswith(":"):
        out.append({"content": _strip_span(s, s.index(":") + 1, len(s)), "frames": [], "speaker": None,
                    "cue": "label", "kind": "direct"})
        return out
    # transcript label: "LAVROV: ..." / "Peskov (through a translator): ..."
    m = _LABEL.match(s)
    if m and m.group("label").strip().upper() not in _LABEL_STOP and len(m.group("label")) > 1:
        colon = s.index(":", m.end("label"))
        out.append({"content": _strip_span(s, colon + 1, len(s)), "frames": [(m.start("label"), m.end("label"))],
                    "speaker": m.group("label").strip(), "cue": "label", "kind": "direct"})
        return out
    # according to X
    for am in _ACCORDING_RE.finditer(s):
        a0, a1 = am.span()
        nxt = re.search(r"[,;.:]|\s[–—-]\s", s[a1:])
        spk_end = a1 + (nxt.start() if nxt else len(s) - a1)
        speaker = s[a1:spk_end].strip()
        if not speaker or len(speaker.split()) > 12:
            continue
        before = s[:a0].strip()
        if len(_words(before)) >= 3:
            content = _strip_span(s, 0, a0)
        else:
            content = _strip_span(s, spk_end, len(s))
        out.append({"content": content, "frames": [(a0, spk_end)], "speaker": speaker, "cue": "according to",
                    "kind": "reported"})
    # passive: "was condemned by X (as ...)"
    for pm in _PASSIVE_RE.finditer(s):
        rest = pm.end()
        nxt = re.search(r"\s+(?:as|for|over|after|because|in|on|at|during)\b|[,;.:]", s[rest:])
        spk_end = rest + (nxt.start() if nxt else len(s) - rest)
        speaker = s[rest:spk_end].strip()
        if not _words(speaker):
            continue  # any agent of a passive speech verb is a source
        content = _strip_span(s, spk_end, len(s))
        if pm.group("compl"):  # "were slammed as sham and illegal by Kyiv": the complement is the claim
            content = _strip_span(s, pm.start("compl"), pm.end("compl"))
        out.append({"content": content, "frames": [(pm.start("verb"), spk_end)], "speaker": speaker,
                    "cue": CUE_VERBS[pm.group("verb")][0], "kind": "reported"})
    # agentless: "what has been called a “sham”" -- the label is someone else's, unnamed
    for gm in _AGENTLESS_RE.finditer(s):
        nxt = re.search(r"[,;:]|\s[–—-]\s|\s(?:to|in|on|and|that|which)\s", s[gm.end():])
        end = gm.end() + (nxt.start() if nxt else len(s) - gm.end())
        content = _strip_span(s, gm.end(), end)
        if content[1] > content[0]:
            out.append({"content": content, "frames": [(gm.start(), gm.end())], "speaker": None,
                        "cue": CUE_VERBS.get(gm.group("verb"), (gm.group("verb"),))[0], "kind": "reported"})
    # cue verbs with a source subject
    for cm in _CUE_RE.finditer(s):
        verb = cm.group(1)
        lemma, strength = CUE_VERBS[verb]
        va, vb = cm.span(1)
        k = int(np.searchsorted(starts, va))
        if k >= n_words or words[k][0] != va:
            continue
        prev = words[k - 1][2].lower() if k > 0 else ""
        if prev in _DETS - {"many", "most", "some", "several", "all", "both", "others"} or prev in {
                "to", "of", "with", "by", "for", "so", "be", "being", "been", "not", "was", "were", "is", "are"} \
                and lemma not in {"say"}:
            continue  # a noun ("the claims"), an infinitive or a passive without agent
        nxt_word = words[k + 1][2].lower() if k + 1 < n_words else ""
        if nxt_word in _AFTER_CUE_BLOCK and lemma in {"call", "read", "post", "report", "write"}:
            continue
        if lemma == "speak" and nxt_word not in {"about", "on", "of", "to", "with", "at", "out"}:
            continue  # "spoke about the vote" is a speech report; "spoke" alone is not
        if lemma == "point" and nxt_word not in {"to", "out"}:
            continue
        if any(a <= va < b for a, b in quote_marks):
            continue  # a verb inside a direct quotation is the quoted speaker's
        after = s[vb:].lstrip()
        tail_words = words[k + 1:]
        # verb-first trailing attribution: "..., said Peskov."
        floor = _clause_floor(s, va)
        if s[floor:va].strip() == "" and floor > 0 and len(tail_words) <= 8:
            comma = floor - 1
            content = _strip_span(s, 0, comma)
            spk = _words(s, vb)
            if spk and _np_word(spk[0][2]) and any(_is_sourceword(w[2], first=False) for w in spk[:6]):
                out.append({"content": content, "frames": [(va, len(s.rstrip(" .")))],
                            "speaker": s[vb:].strip(" .,"), "cue": lemma, "kind": "reported"})
                continue
        subj = _subject(s, words, k, floor)
        if subj is None and floor > 0:
            # ", who said" / "Peskov, the Kremlin spokesman, said": look one clause further back
            subj = _subject(s, words, k, _clause_floor(s, floor - 1))
        if subj is None:
            continue
        trailing = (floor > 0 and s.rfind(",", 0, subj[0] + 1) >= 0
                    and all(w[2].lower() in _TRAIL_OK or w[2].lower() in _TIME_HEAD or w[2][:1].isdigit()
                            for w in tail_words[:8]) and len(tail_words) <= 8)
        if trailing:
            comma = s.rfind(",", 0, subj[0] + 1)
            content = _strip_span(s, 0, comma)
        else:
            if strength == "weak" and not _WEAK_OK.match(after):
                continue
            content = _strip_span(s, vb, len(s))
        if content[1] <= content[0]:
            continue
        spk_a = subj[0]
        lead = _RELATIVE_LEAD.match(s, spk_a, subj[1])
        if lead and subj[1] > lead.end():
            spk_a = lead.end()
        out.append({"content": content, "frames": [(subj[0], vb)], "speaker": s[spk_a:subj[1]],
                    "cue": lemma, "kind": "reported"})
    return out


_PUNCT = "\"'“”‘’«».,;:!?()[]—–-…*/"


def _is_turn(s: str) -> bool:
    """A transcript turn: a speaker label ("LAVROV:", "GMA 3:") or a label lost in scraping (": ...")."""
    if s.lstrip().startswith(":"):
        return True
    m = _LABEL.match(s)
    return bool(m) and m.group("label").strip().upper() not in _LABEL_STOP and len(m.group("label").strip()) > 1


def _content_words(text: str) -> int:
    n = 0
    for w in text.split():
        w = w.strip(_PUNCT).lower()
        if len(w) > 1 and w not in _STOP and not w[0].isdigit():
            n += 1
    return n


def _blank(chars: list[str], a: int, b: int) -> None:
    for i in range(max(a, 0), min(b, len(chars))):
        if chars[i] not in "\n\r":
            chars[i] = " "


# ----------------------------------------------------------------------------- public

def attribute_voice(sentences: pd.DataFrame, *, min_words: int = 4, mixed_min: int = 4) -> pd.DataFrame:
    """Label each sentence with its voice: own, direct, reported or mixed.

    See the module docstring for the rules. Quotations are found per document (the article
    text is rebuilt from the sentences at their offsets), so a quotation that opens in one
    sentence and closes several sentences later makes all of them direct.

    Parameters
    ----------
    sentences : DataFrame
        A sentence table (:func:`framing.split_sentences`): ``doc_id``, ``sent_id``,
        ``text``, ``start``, ``end``, optionally ``para_id``. Not modified. A table of texts
        without ``doc_id``/``sent_id``/``start``/``end`` is read row by row (quotations
        cannot then be followed across sentences; ``attrs["voice"]["rows_alone"]``).
    min_words : int
        A quotation without a speaker needs this many words to count as a quotation; shorter
        ones are scare quotes (own voice, ``scare_quote=True``).
    mixed_min : int
        Content words of own narration (outside attributed spans, speaker and cue) from
        which a sentence with attributed speech is ``"mixed"``.

    Returns
    -------
    DataFrame
        The same rows in the same order with all their columns, plus ``voice`` (one of
        :data:`VOICES`), ``speaker`` (as written, or None), ``cue`` (the attribution verb's
        lemma, ``"according to"``, ``"quote"`` or ``"label"``; None for own voice),
        ``own_text`` (the sentence with attributed spans -- quotation marks included --
        blanked to spaces: same length, so offsets hold), ``scare_quote`` (bool) and
        ``attributed_share`` (share of the sentence's non-space characters that are
        attributed). ``attrs["voice"]`` records the options and counts.

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.segment import split_sentences
    >>> corpus = pd.DataFrame({"doc_id": ["d"], "outlet": ["X"], "published": [pd.NaT], "text": [
    ...     'Voting ended on Tuesday. Kyiv denounced the referendums as a “sham.” '
    ...     '"We will never recognize them," Biden said. The so-called "referendums" were held '
    ...     'at gunpoint.']})
    >>> v = attribute_voice(split_sentences(corpus))
    >>> v[["voice", "speaker", "cue", "scare_quote"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['own', None, None, False], ['reported', 'Kyiv', 'denounce', False],
     ['direct', 'Biden', 'say', False], ['own', None, None, True]]
    >>> v["own_text"].iloc[1].rstrip(), len(v["own_text"].iloc[1]) == len(v["text"].iloc[1])
    ('Kyiv denounced', True)
    """
    from framing.quotes import _documents, quote_spans

    if not isinstance(sentences, pd.DataFrame):
        raise TypeError(f"attribute_voice() expects a sentence table DataFrame, got {type(sentences).__name__}")
    if "text" not in sentences.columns:
        raise ValueError("attribute_voice(): the sentence table lacks column 'text'; "
                         "pass the output of framing.split_sentences")
    missing = [c for c in ("doc_id", "sent_id", "start", "end") if c not in sentences.columns]
    if missing:
        # no offsets into articles: each row is read on its own (a quotation cannot be
        # followed across sentences)
        texts = sentences["text"].astype(str)
        alone = pd.DataFrame({"doc_id": [f"row{i}" for i in range(len(sentences))],
                              "sent_id": [f"row{i}" for i in range(len(sentences))],
                              "text": texts.to_numpy(), "start": 0, "end": texts.str.len().to_numpy()})
        res = attribute_voice(alone, min_words=min_words, mixed_min=mixed_min)
        out = sentences.copy()
        for c in ("voice", "speaker", "cue", "own_text", "scare_quote", "attributed_share"):
            out[c] = res[c].to_numpy()
        out.attrs["voice"] = {**res.attrs["voice"], "rows_alone": True, "missing_columns": missing}
        return out
    if min_words < 1 or mixed_min < 1:
        raise ValueError("min_words and mixed_min must be >= 1")
    out = sentences.copy()
    n = len(out)
    voice = np.full(n, "own", dtype=object)
    speaker = np.full(n, None, dtype=object)
    cue = np.full(n, None, dtype=object)
    own_text = out["text"].astype(str).to_numpy(dtype=object).copy()
    scare = np.zeros(n, dtype=bool)
    share = np.zeros(n, dtype=float)
    if n:
        cols = [c for c in ("doc_id", "sent_id", "text", "start", "end", "para_id") if c in out.columns]
        light = pd.DataFrame({c: out[c].to_numpy() for c in cols})  # no attrs: groupby copies them per group
        docs, _ = _documents(light)
        pos = {}
        for i, (d, sid) in enumerate(zip(out["doc_id"].astype(str), out["sent_id"].astype(str))):
            pos[(d, sid)] = i
        for doc in docs:
            text, paras, sents = doc["text"], doc["paras"], doc["sents"]
            spans = quote_spans(text, paras, min_words=min_words, sentence_starts=[x[0] for x in sents])
            letter = bool(_LETTER.match(text))
            turn_para: tuple[int, int] | None = None   # the paragraph of an open transcript turn
            for sa, sb, sid, stext in sents:
                row = pos[(doc["doc_id"], sid)]
                para = next(((a, b) for a, b in paras if a <= sa < b), None)
                if _is_turn(stext):
                    turn_para = para
                if letter or (turn_para is not None and para == turn_para):
                    # a reader's letter, or a transcript turn running on: all someone else's words
                    voice[row], cue[row] = "direct", ("letter" if letter else "label")
                    own_text[row] = _NOT_NEWLINE.sub(" ", stext)
                    share[row] = 1.0
                    m = _LABEL.match(stext)
                    speaker[row] = m.group("label").strip() if m and not letter else None
                    continue
                _voice_of_sentence(stext, sa, sb, spans, row, voice, speaker, cue, own_text, scare, share,
                                   mixed_min)
    out["voice"] = pd.Series(voice, index=out.index, dtype="object")
    out["speaker"] = pd.Series(speaker, index=out.index, dtype="object")
    out["cue"] = pd.Series(cue, index=out.index, dtype="object")
    out["own_text"] = pd.Series(own_text, index=out.index, dtype="object")
    out["scare_quote"] = scare
    out["attributed_share"] = share
    counts = out["voice"].value_counts().reindex(list(VOICES), fill_value=0)
    out.attrs["voice"] = {"method": "rules (framing.voice)", "min_words": min_words, "mixed_min": mixed_min,
                          "counts": {k: int(v) for k, v in counts.items()},
                          "scare_quotes": int(scare.sum())}
    return out


def _merge(iv: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of intervals, sorted and disjoint."""
    out: list[list[int]] = []
    for a, b in sorted(x for x in iv if x[1] > x[0]):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


_NOT_NEWLINE = re.compile(r"[^\n\r]")


def _blank_intervals(text: str, iv: list[tuple[int, int]]) -> str:
    if not iv:
        return text
    parts, k = [], 0
    for a, b in iv:
        parts.append(text[k:a])
        parts.append(_NOT_NEWLINE.sub(" ", text[a:b]))
        k = b
    parts.append(text[k:])
    return "".join(parts)


def _nonspace(text: str, iv: list[tuple[int, int]]) -> int:
    return sum(sum(map(len, text[a:b].split())) for a, b in iv)


def _voice_of_sentence(stext: str, sa: int, sb: int, spans: list[dict[str, Any]], row: int,
                       voice: np.ndarray, speaker: np.ndarray, cue: np.ndarray, own_text: np.ndarray,
                       scare: np.ndarray, share: np.ndarray, mixed_min: int) -> None:
    """Fill the voice columns of one sentence (offsets sa:sb in its document)."""
    L = len(stext)
    direct_pieces = []   # (a, b, speaker, cue) relative to the sentence, marks included
    scare_pieces = []
    for q in spans:
        if q["outer_end"] <= sa or q["outer_start"] >= sb:
            continue
        a, b = max(q["outer_start"], sa) - sa, min(q["outer_end"], sb) - sa
        if q["attributed"]:
            direct_pieces.append((a, b, q["speaker"], "quote" if q["verb"] is None else q["verb"]))
        else:
            scare_pieces.append((a, b))
    has_marks = any(c in stext for c in _QUOTE_CHARS)
    reported = _reported(stext, [(a, b) for a, b, *_ in direct_pieces]) if (
        _CUE_RE.search(stext) or "ccording" in stext or ":" in stext or has_marks) else []
    if not direct_pieces and not reported:
        if scare_pieces:
            scare[row] = True
        return
    quoted_iv = [(a, b) for a, b, _s, _c in direct_pieces] + [r["content"] for r in reported if r["kind"] == "direct"]
    attributed_iv = _merge(quoted_iv + [r["content"] for r in reported])
    quoted_iv = _merge(quoted_iv)
    frame_iv = [f for r in reported for f in r["frames"]]
    for a, b in scare_pieces:
        if not any(x <= a and b <= y for x, y in attributed_iv):
            scare[row] = True
    m = _LEAD_FRAME.match(stext)
    if m:
        frame_iv.append((0, m.end()))
    # pieces in order of size: the largest names the speaker and cue
    pieces = [(b - a, s, c) for a, b, s, c in direct_pieces] + [
        (r["content"][1] - r["content"][0], r["speaker"], r["cue"]) for r in reported]
    pieces.sort(key=lambda t: -t[0])
    _size, spk, cu = pieces[0]
    speaker[row] = spk if spk else None
    cue[row] = cu
    own = _blank_intervals(stext, attributed_iv)
    own_text[row] = own
    n_attr = _nonspace(stext, attributed_iv)
    share[row] = float(n_attr / max(_nonspace(stext, [(0, L)]), 1))
    rest = _blank_intervals(own, _merge(frame_iv))
    if _content_words(rest) >= mixed_min:
        voice[row] = "mixed"
    elif 2 * _nonspace(stext, quoted_iv) >= n_attr:
        voice[row] = "direct"
    else:
        voice[row] = "reported"


def keyword_voice_baseline(sentences: pd.DataFrame) -> pd.Series:
    """The keyword baseline: a sentence with any quotation mark or attribution verb is attributed.

    The comparison point for :func:`attribute_voice` in the README ("Whose words?").

    Examples
    --------
    >>> keyword_voice_baseline(pd.DataFrame({"text": ["He said so.", "It rained.", 'A "sham".']})).tolist()
    ['attributed', 'own', 'attributed']
    """
    rx = re.compile(r"[\"“”«»]|\b(?:said|says|told|according to|claimed|insisted|called|denounced|warned|stated|"
                    r"wrote|tweeted|condemned|added)\b", re.I)
    return sentences["text"].astype(str).map(lambda t: "attributed" if rx.search(t) else "own").rename("baseline")


# ----------------------------------------------------------------------------- filtering

def _check_option(value: str, allowed: Iterable[str], name: str) -> None:
    if value not in allowed:
        raise ValueError(f"{name}= must be one of {list(allowed)}, got {value!r}")


def filter_voice(sentences: pd.DataFrame, *, voice: str = "own", boilerplate: str = "drop",
                 mixed: str = "split") -> pd.DataFrame:
    """Keep the sentences a sentence-level measure should see; record what was left out.

    ``voice="own"`` keeps sentences in the outlet's own voice, ``"attributed"`` direct and
    reported speech, ``"all"`` everything. A *mixed* sentence holds both: with
    ``mixed="split"`` (default) it is kept with only its part in the requested voice as
    ``text`` (the other part blanked, whitespace collapsed; ``voice_part=True``), with
    ``mixed="drop"`` it is left out. ``boilerplate="drop"`` leaves out sentences flagged by
    :func:`framing.find_boilerplate`. Voice and boilerplate columns are computed when missing.

    Returns
    -------
    DataFrame
        The kept rows (index preserved, so ``embeddings[kept.index]`` style selection works
        with a default RangeIndex), with ``voice_part`` (True where ``text`` is the part of a
        mixed sentence). ``attrs["text_filter"]`` holds the options and counts and
        ``attrs["excluded"]`` the left-out rows (``doc_id``, ``sent_id``, ``reason``; as a
        table: :func:`excluded_rows`).

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.segment import split_sentences
    >>> c = pd.DataFrame({"doc_id": ["d"], "outlet": ["X"], "published": [pd.NaT],
    ...                   "text": ["Voting ended. Officials said the vote was fair. "
    ...                            "Russia staged the vote at gunpoint in occupied towns, which Kyiv called a sham."]})
    >>> kept = filter_voice(split_sentences(c), voice="own", boilerplate="keep")
    >>> kept["text"].tolist(), excluded_rows(kept)["reason"].tolist()
    (['Voting ended.', 'Russia staged the vote at gunpoint in occupied towns, which Kyiv called .'], ['voice=reported'])
    """
    _check_option(voice, VOICE_OPTIONS, "voice")
    _check_option(boilerplate, BOILERPLATE_OPTIONS, "boilerplate")
    _check_option(mixed, ("split", "drop"), "mixed")
    s = sentences
    if voice != "all" and "voice" not in s.columns:
        s = attribute_voice(s)
    if boilerplate == "drop" and "boilerplate" not in s.columns:
        from framing.boilerplate import find_boilerplate

        s = find_boilerplate(s)
    reason = pd.Series("", index=s.index, dtype="object")
    if boilerplate == "drop":
        bp = s["boilerplate"].fillna(False).astype(bool)
        why = s["boilerplate_reason"] if "boilerplate_reason" in s.columns else pd.Series("", index=s.index)
        reason[bp] = "boilerplate=" + why[bp].astype(str)
    is_mixed = (s["voice"] == "mixed") if "voice" in s.columns else pd.Series(False, index=s.index)
    if voice != "all":
        keep_voice = {"own"} if voice == "own" else {"direct", "reported"}
        if mixed == "split":
            keep_voice.add("mixed")
        bad = ~s["voice"].isin(keep_voice) & (reason == "")
        reason[bad] = "voice=" + s.loc[bad, "voice"].astype(str)
    kept = s[reason == ""].copy()
    part = (is_mixed[reason == ""] & (voice != "all")).to_numpy()
    if part.any():
        texts = kept["text"].astype(str).to_numpy(dtype=object)
        owns = kept["own_text"].astype(str).to_numpy(dtype=object)
        for i in np.flatnonzero(part):
            t, o = texts[i], owns[i]
            piece = o if voice == "own" else "".join(ch if o[k] == " " else " " for k, ch in enumerate(t))
            texts[i] = " ".join(piece.split())
        kept["text"] = texts
    kept["voice_part"] = part
    excluded = s.loc[reason != "", [c for c in ("doc_id", "sent_id", "outlet", "start", "end")
                                    if c in s.columns]].assign(reason=reason[reason != ""])
    kept.attrs = dict(sentences.attrs)
    kept.attrs["text_filter"] = {**_filter_record(voice, boilerplate, len(s), excluded), "mixed": mixed,
                                 "mixed_split": int(part.sum())}
    kept.attrs["excluded"] = excluded.to_dict("records")
    return kept


def _filter_record(voice: str, boilerplate: str, n: int, excluded: pd.DataFrame) -> dict[str, Any]:
    return {"voice": voice, "boilerplate": boilerplate, "n_sentences": int(n), "n_kept": int(n - len(excluded)),
            "excluded": {str(k): int(v) for k, v in excluded["reason"].value_counts().sort_index().items()}}


def voice_corpus(corpus: pd.DataFrame, *, voice: str = "own", boilerplate: str = "drop",
                 sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """The corpus with the text a measure should not count blanked to spaces.

    Character offsets still hold (blanked text keeps its length), so matches and
    concordance lines point into the original articles. ``voice="own"`` blanks attributed
    spans (quotations with their marks, reported content) and keeps the frames ("Kyiv
    denounced"); ``"attributed"`` keeps only the attributed spans; ``"all"`` keeps both.
    ``boilerplate="drop"`` blanks whole boilerplate sentences.

    Parameters
    ----------
    corpus : DataFrame
        Corpus with ``doc_id`` and ``text`` (``outlet``/``published`` used when present).
        Not modified.
    voice, boilerplate : str
        See above.
    sentences : DataFrame, optional
        The corpus's sentence table, with ``voice``/``own_text`` (:func:`attribute_voice`)
        and ``boilerplate`` (:func:`framing.find_boilerplate`) columns when they are to be
        reused; computed when missing.

    Returns
    -------
    DataFrame
        A copy of ``corpus`` with the filtered ``text``; ``attrs["text_filter"]`` records
        the options and the number of words kept, ``attrs["excluded"]`` the blanked
        boilerplate sentences. A corpus that already carries the same filter is returned as
        it is (so measures accept a pre-filtered corpus); a different filter is an error.

    Examples
    --------
    >>> c = pd.DataFrame({"doc_id": ["d"], "outlet": ["X"], "published": [pd.NaT],
    ...                   "text": ['Biden called it “a sham.” The vote was a sham.']})
    >>> " ".join(voice_corpus(c, boilerplate="keep")["text"].iloc[0].split())
    'Biden called The vote was a sham.'
    """
    _check_option(voice, VOICE_OPTIONS, "voice")
    _check_option(boilerplate, BOILERPLATE_OPTIONS, "boilerplate")
    if not isinstance(corpus, pd.DataFrame) or "text" not in corpus.columns:
        raise ValueError("voice_corpus() needs a corpus DataFrame with a 'text' column")
    if "doc_id" not in corpus.columns:  # a bare table of texts: rows are the documents
        if sentences is not None:
            raise ValueError("voice_corpus(): sentences= needs a corpus with a 'doc_id' column")
        ided = corpus.assign(doc_id=[f"row{i}" for i in range(len(corpus))])
        ided.attrs = dict(corpus.attrs)
        out = voice_corpus(ided, voice=voice, boilerplate=boilerplate)
        return out.drop(columns="doc_id")
    done = corpus.attrs.get("text_filter")
    if isinstance(done, dict) and "voice" in done:
        if (done["voice"], done["boilerplate"]) != (voice, boilerplate):
            raise ValueError(f"this corpus was already filtered with voice={done['voice']!r}, "
                             f"boilerplate={done['boilerplate']!r}; cannot apply voice={voice!r}, "
                             f"boilerplate={boilerplate!r} on top (start from the unfiltered corpus)")
        return corpus.copy()
    if voice == "all" and boilerplate == "keep":
        out = corpus.copy()
        out.attrs["text_filter"] = {"voice": "all", "boilerplate": "keep"}
        return out
    if sentences is None:
        from framing.segment import split_sentences

        base = corpus
        if "published" not in base.columns or "outlet" not in base.columns:
            base = base.assign(**{c: (pd.NaT if c == "published" else "") for c in ("published", "outlet")
                                  if c not in base.columns})
        sentences = split_sentences(base)
    else:
        unknown = set(sentences["doc_id"].astype(str)) - set(corpus["doc_id"].astype(str))
        if unknown:
            raise ValueError(f"voice_corpus(): sentences refer to doc_id(s) not in the corpus: {sorted(unknown)[:5]}")
    if voice != "all" and "own_text" not in sentences.columns:
        sentences = attribute_voice(sentences)
    if boilerplate == "drop" and "boilerplate" not in sentences.columns:
        from framing.boilerplate import find_boilerplate

        sentences = find_boilerplate(sentences)
    texts = {str(d): t for d, t in zip(corpus["doc_id"], corpus["text"])}
    bufs: dict[str, list[str]] = {}
    drop = (sentences["boilerplate"].fillna(False).astype(bool).to_numpy() if boilerplate == "drop"
            else np.zeros(len(sentences), dtype=bool))
    own = sentences["own_text"].to_numpy() if voice != "all" else None
    for i, (d, a, b, t) in enumerate(zip(sentences["doc_id"].astype(str), sentences["start"].to_numpy(),
                                         sentences["end"].to_numpy(), sentences["text"].astype(str))):
        buf = bufs.get(d)
        if buf is None:
            buf = bufs[d] = list(texts[d])
        a, b = int(a), int(b)
        if drop[i]:
            _blank(buf, a, b)
        elif voice == "own":
            buf[a:b] = list(own[i])
        elif voice == "attributed":
            o = own[i]
            buf[a:b] = [ch if (o[k] == " " and not ch.isspace()) else (ch if ch in "\n\r" else " ")
                        for k, ch in enumerate(t)]
    out = corpus.copy()
    new = [("".join(bufs[str(d)]) if str(d) in bufs else t) for d, t in zip(corpus["doc_id"], corpus["text"])]
    out["text"] = new
    excluded = sentences.loc[drop, [c for c in ("doc_id", "sent_id", "outlet", "start", "end")
                                    if c in sentences.columns]]
    excluded = excluded.assign(reason="boilerplate=" + (sentences.loc[drop, "boilerplate_reason"].astype(str)
                                                        if "boilerplate_reason" in sentences.columns else ""))
    rec = _filter_record(voice, boilerplate, len(sentences), excluded)
    from framing.lexical import tokenize

    rec["words_total"] = int(sum(len(tokenize(t)) for t in corpus["text"]))
    rec["words_kept"] = int(sum(len(tokenize(t)) for t in new))
    out.attrs = dict(corpus.attrs)
    out.attrs["text_filter"] = rec
    out.attrs["excluded"] = excluded.to_dict("records")
    return out


# ----------------------------------------------------------------------------- validation

def recover_coded(coded: pd.DataFrame | str, *, corpora: dict[str, pd.DataFrame] | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Join hand codes stored as ids and offsets to their sentences, recovering the text.

    Coded data is kept without corpus text (``corpus``, ``doc_id``, ``sent_id``, ``start``,
    ``end`` and the codes, e.g. ``tests/data/voice_dev.csv``); this reads the text back from
    the fetched corpora and checks that every coded span is still a sentence of
    :func:`framing.split_sentences` (a changed corpus or segmenter is an error naming the
    row, never a silent mismatch).

    Parameters
    ----------
    coded : DataFrame or path
        The coded table (a CSV path is read with ids as strings).
    corpora : dict, optional
        Corpus name -> corpus DataFrame (default: :func:`framing.load_corpus` of each name
        in the ``corpus`` column).

    Returns
    -------
    coded : DataFrame
        The coded rows in order, plus ``text``.
    sentences : DataFrame
        The full sentence table of the coded documents (with ``corpus``), for methods that
        read a sentence in its document (e.g. ``evaluate_voice(coded, sentences=sentences)``).
    """
    from framing.segment import split_sentences

    source = "coded table"
    if not isinstance(coded, pd.DataFrame):
        source = str(coded)
        coded = pd.read_csv(coded, dtype={"doc_id": str, "sent_id": str, "corpus": str})
    need = ["corpus", "doc_id", "sent_id", "start", "end"]
    missing = [c for c in need if c not in coded.columns]
    if missing:
        raise ValueError(f"{source}: missing column(s) {missing}")
    if "text" in coded.columns:
        raise ValueError(f"{source}: coded data must not carry corpus text (column 'text')")
    tables = []
    for name in pd.unique(coded["corpus"]):
        if corpora is not None and name in corpora:
            corpus = corpora[name]
        else:
            from framing.corpora import load_corpus

            corpus = load_corpus(name)
        ids = set(coded.loc[coded["corpus"] == name, "doc_id"])
        absent = ids - set(corpus["doc_id"].astype(str))
        if absent:
            row = int(np.flatnonzero(coded["doc_id"].isin(absent).to_numpy())[0])
            raise ValueError(f"{source}, row {row}, column 'doc_id': {coded['doc_id'].iloc[row]!r} is not in "
                             f"corpus {name!r}")
        s = split_sentences(corpus[corpus["doc_id"].astype(str).isin(ids)])
        tables.append(s.assign(corpus=name))
    sents = pd.concat(tables, ignore_index=True)
    merged = coded.merge(sents[["corpus", "doc_id", "sent_id", "start", "end", "text"]],
                         on=["corpus", "doc_id", "sent_id"], how="left", suffixes=("", "_now"))
    bad = merged["text"].isna() | (merged["start"] != merged["start_now"]) | (merged["end"] != merged["end_now"])
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"{source}, row {row}: sentence {merged['sent_id'].iloc[row]!r} at "
                         f"{merged['start'].iloc[row]}:{merged['end'].iloc[row]} is not a sentence of the current "
                         "segmentation (corpus or segmenter changed); re-code or re-align it")
    out = merged.drop(columns=["start_now", "end_now"])
    out.attrs["source"] = source
    return out, sents


def _attributed(v: pd.Series) -> np.ndarray:
    return np.where(v.astype(str).to_numpy() == "own", "own", "attributed")


def evaluate_voice(coded: pd.DataFrame, *, truth: str = "voice", sentences: pd.DataFrame | None = None,
                   group: str | None = "corpus", n_boot: int = 2000, alpha: float = 0.05,
                   random_state: int | np.random.Generator | None = None) -> pd.DataFrame:
    """Own-vs-attributed accuracy of :func:`attribute_voice` and the keyword baseline on hand codes.

    Both methods are scored on the same coded sentences (own versus any of direct,
    reported, mixed): accuracy, and the precision and recall of "own" (precision: the share
    of sentences a measure would count as own voice that are own voice; recall: the share of
    own-voice sentences it keeps). Intervals come from a document-level bootstrap (sentences
    of one article are not independent; percentile intervals, Efron & Tibshirani 1993), and
    the difference between the two methods from the same paired resamples.

    Parameters
    ----------
    coded : DataFrame
        Coded sentences with ``doc_id``, ``sent_id``, ``text`` and the ``truth`` column (e.g.
        from :func:`recover_coded`).
    truth : str
        Column of the hand-coded voice.
    sentences : DataFrame, optional
        Sentence table of the coded documents (from :func:`recover_coded`), so quotations
        are followed across sentences; without it each row is read alone.
    group : str or None
        Also report per value of this column (e.g. ``"corpus"`` or ``"outlet"``).
    n_boot, alpha, random_state
        Bootstrap replicates, 1 - coverage, seed.

    Returns
    -------
    DataFrame
        One row per (group, metric, method) with ``group`` ("all" first), ``metric``
        ("accuracy", "own precision", "own recall"), ``method`` ("attribute_voice",
        "keyword baseline", "difference"), ``estimate``, ``ci_low``, ``ci_high``, ``n``
        (sentences in the metric's denominator), ``n_docs``. ``attrs["confusion"]`` is the confusion
        table of the coded voice against :func:`attribute_voice` (``{coded: {predicted:
        count}}``, ``pd.DataFrame(...).T`` shows it); ``attrs["errors"]`` the misclassified
        rows (ids, codes and prediction) as records (``pd.DataFrame(ev.attrs["errors"])``).

    Examples
    --------
    >>> c = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "sent_id": ["a:0", "b:0", "c:0", "d:0"],
    ...                   "text": ["Officials said it was fair.", "It rained.", 'A "sham" vote.', "Kyiv fell."],
    ...                   "voice": ["reported", "own", "own", "own"]})
    >>> ev = evaluate_voice(c, group=None, n_boot=200, random_state=0)
    >>> ev.query("metric == 'accuracy'")[["method", "estimate"]].values.tolist()
    [['attribute_voice', 1.0], ['keyword baseline', 0.75], ['difference', 0.25]]
    """
    for c in ("doc_id", "sent_id", "text", truth):
        if c not in coded.columns:
            raise ValueError(f"evaluate_voice(): the coded table lacks column {c!r}")
    if sentences is not None:
        keys = ["doc_id", "sent_id"] + (["corpus"] if "corpus" in coded.columns and "corpus" in sentences.columns
                                        else [])
        voiced = attribute_voice(sentences)
        pred = coded[keys].merge(voiced[keys + ["voice", "speaker"]], on=keys, how="left")
        if pred["voice"].isna().any():
            row = int(np.flatnonzero(pred["voice"].isna().to_numpy())[0])
            raise ValueError(f"evaluate_voice(): coded row {row} ({coded['sent_id'].iloc[row]!r}) is not in sentences")
        pred_voice = pred["voice"]
        pred_speaker = pred["speaker"]
    else:
        voiced = attribute_voice(coded[["doc_id", "sent_id", "text"]].reset_index(drop=True))
        pred_voice, pred_speaker = voiced["voice"], voiced["speaker"]
    gold = _attributed(coded[truth])
    p_rules = _attributed(pred_voice) == "own"
    p_base = keyword_voice_baseline(coded).to_numpy() == "own"
    g_own = gold == "own"
    ok_rules = (p_rules == g_own)
    ok_base = (p_base == g_own)
    # per sentence: numerator and denominator of each metric, for rules (r) and baseline (b)
    parts = {  # metric -> (num_r, den_r, num_b, den_b)
        "accuracy": (ok_rules, np.ones(len(gold)), ok_base, np.ones(len(gold))),
        "own precision": (p_rules & g_own, p_rules, p_base & g_own, p_base),
        "own recall": (p_rules & g_own, g_own, p_base & g_own, g_own),
    }
    rng = np.random.default_rng(random_state) if not isinstance(random_state, np.random.Generator) else random_state
    groups: list[tuple[str, np.ndarray]] = [("all", np.ones(len(coded), dtype=bool))]
    if group is not None and group in coded.columns:
        groups += [(str(g), (coded[group] == g).to_numpy()) for g in pd.unique(coded[group])]
    rows = []
    for name, mask in groups:
        docs, inv = np.unique(coded["doc_id"].astype(str).to_numpy()[mask], return_inverse=True)
        D = len(docs)
        W = (rng.multinomial(D, np.full(D, 1.0 / D), size=n_boot).astype(float) if n_boot and D > 1 else None)
        for metric, cols in parts.items():
            sums = np.zeros((D, 4))
            np.add.at(sums, inv, np.column_stack([np.asarray(c, dtype=float)[mask] for c in cols]))
            tot = sums.sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                est = np.array([tot[0] / tot[1], tot[2] / tot[3]])
                if W is not None:
                    b = W @ sums
                    r, bb = b[:, 0] / b[:, 1], b[:, 2] / b[:, 3]
                    draws = np.column_stack([r, bb, r - bb])
                    lo, hi = np.nanquantile(draws, [alpha / 2, 1 - alpha / 2], axis=0)
                else:
                    lo = hi = np.full(3, np.nan)
            for k, method in enumerate(("attribute_voice", "keyword baseline", "difference")):
                e = est[0] - est[1] if k == 2 else est[k]
                rows.append({"group": name, "metric": metric, "method": method, "estimate": float(e),
                             "ci_low": float(lo[k]), "ci_high": float(hi[k]),
                             "n": int(tot[1] if k == 0 else tot[3] if k == 1 else mask.sum()), "n_docs": int(D)})
    out = pd.DataFrame(rows)
    conf = pd.crosstab(coded[truth].astype(str).to_numpy(), pred_voice.astype(str).to_numpy(),
                       rownames=["coded"], colnames=["attribute_voice"])
    out.attrs["confusion"] = {str(k): {str(c): int(v) for c, v in row.items()} for k, row in conf.iterrows()}
    err = ~ok_rules
    out.attrs["errors"] = coded.loc[err, [c for c in ("corpus", "doc_id", "sent_id", "outlet", truth)
                                          if c in coded.columns]].assign(
        predicted=pred_voice.to_numpy()[err], speaker=pred_speaker.to_numpy()[err]).to_dict("records")
    out.attrs["bootstrap"] = {"n_boot": int(n_boot), "alpha": alpha, "unit": "document", "method": "percentile"}
    return out


def text_label(info: dict[str, Any] | None) -> str:
    """A short label for plots: which words a result counted ("own voice, boilerplate dropped").

    ``info`` is a result's ``attrs`` (or ``params``) holding ``voice`` and ``boilerplate``;
    an empty string when it holds neither.

    Examples
    --------
    >>> text_label({"voice": "own", "boilerplate": "drop"})
    'own voice, boilerplate dropped'
    >>> text_label({"voice": "all", "boilerplate": "keep"})
    'all text (own and attributed), boilerplate kept'
    """
    if not info or "voice" not in info:
        return ""
    v = {"own": "own voice", "attributed": "attributed speech only", "all": "all text (own and attributed)"}.get(
        info["voice"], str(info["voice"]))
    b = {"drop": "boilerplate dropped", "keep": "boilerplate kept"}.get(info.get("boilerplate"), "")
    return ", ".join(x for x in (v, b) if x)


def excluded_rows(result: Any) -> pd.DataFrame:
    """The sentences a result left out (boilerplate, other voices), one row each, with the reason.

    Works on anything filtered by voice or boilerplate: the output of :func:`voice_corpus`,
    :func:`filter_voice`, :func:`framing.marker_rates`, :func:`framing.fightin_words` (their
    ``attrs["excluded"]``) or of :func:`framing.score_axes` (``.excluded``).

    Examples
    --------
    >>> c = pd.DataFrame({"doc_id": ["d"], "outlet": ["X"], "published": [pd.NaT],
    ...                   "text": ["Voting ended. Officials said the vote was fair."]})
    >>> from framing.segment import split_sentences
    >>> excluded_rows(filter_voice(split_sentences(c), boilerplate="keep"))[["sent_id", "reason"]].values.tolist()
    [['d:1', 'voice=reported']]
    """
    cols = ["doc_id", "sent_id", "outlet", "start", "end", "reason"]
    rec = getattr(result, "excluded", None) if not isinstance(result, pd.DataFrame) else None
    if rec is None:
        attrs = getattr(result, "attrs", None) or {}
        rec = attrs.get("excluded")
    if rec is None:
        return pd.DataFrame(columns=cols)
    out = rec.copy() if isinstance(rec, pd.DataFrame) else pd.DataFrame.from_records(list(rec))
    return out.reindex(columns=[c for c in cols if c in out.columns] or cols)
