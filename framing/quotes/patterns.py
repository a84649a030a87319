"""Speech verbs, word lists and the regular expressions of quote and speaker detection."""
from __future__ import annotations

import re

__all__ = ["QUOTE_COLUMNS", "VERB_FORMS", "SPEECH_VERBS", "NEUTRAL_VERBS"]

#: Columns of the table returned by :func:`extract_quotes`.
QUOTE_COLUMNS: tuple[str, ...] = (
    "doc_id", "outlet", "quote", "quote_start", "quote_end", "speaker", "speaker_mention",
    "verb", "kind", "attribution", "actor_group", "sent_id", "sentence", "n_words",
)

#: Speech verb lemma -> its forms (the one verb list of the package: framing.voice builds its
#: cue verbs from it).
VERB_FORMS: dict[str, tuple[str, ...]] = {
    "say": ("said", "says", "say", "saying"),
    "tell": ("told", "tells", "tell"),
    "add": ("added", "adds", "adding"),
    "note": ("noted", "notes", "noting"),
    "claim": ("claimed", "claims", "claiming"),
    "allege": ("alleged", "alleges", "alleging"),
    "insist": ("insisted", "insists", "insisting"),
    "threaten": ("threatened", "threatens"),
    "warn": ("warned", "warns", "warning"),
    "state": ("stated", "states"),
    "declare": ("declared", "declares"),
    "stress": ("stressed", "stresses", "stressing"),
    "argue": ("argued", "argues", "arguing"),
    "explain": ("explained", "explains", "explaining"),
    "write": ("wrote", "writes", "writing"),
    "tweet": ("tweeted", "tweets"),
    "post": ("posted",),
    "announce": ("announced", "announces"),
    "assert": ("asserted", "asserts"),
    "admit": ("admitted", "admits"),
    "acknowledge": ("acknowledged", "acknowledges"),
    "deny": ("denied", "denies"),
    "suggest": ("suggested", "suggests"),
    "emphasize": ("emphasized", "emphasised", "emphasizes", "emphasises"),
    "urge": ("urged", "urges"),
    "vow": ("vowed", "vows"),
    "pledge": ("pledged", "pledges"),
    "reply": ("replied", "replies"),
    "respond": ("responded", "responds"),
    "ask": ("asked", "asks"),
    "continue": ("continued",),
    "complain": ("complained", "complains"),
    "boast": ("boasted", "boasts"),
    "concede": ("conceded", "concedes"),
    "lament": ("lamented", "laments"),
    "recall": ("recalled", "recalls"),
    "maintain": ("maintained", "maintains"),
    "conclude": ("concluded", "concludes"),
    "predict": ("predicted", "predicts"),
    "report": ("reported", "reports"),
    # evaluative speech acts: "Biden condemned the referendums as “a sham”"
    "condemn": ("condemned", "condemns"),
    "denounce": ("denounced", "denounces"),
    "call": ("called", "calls"),
    "describe": ("described", "describes"),
    "brand": ("branded", "brands"),
    "dub": ("dubbed",),
    "label": ("labeled", "labelled"),
    "slam": ("slammed", "slams"),
    "dismiss": ("dismissed", "dismisses"),
    "reject": ("rejected", "rejects"),
    "decry": ("decried", "decries"),
}
#: Speech verb form -> lemma (``"according to"`` maps to itself).
SPEECH_VERBS: dict[str, str] = {f: lemma for lemma, forms in VERB_FORMS.items() for f in forms}
SPEECH_VERBS["according to"] = "according to"
#: Lemmas counted as neutral attribution in :func:`verb_profile` (``verb_class``).
NEUTRAL_VERBS: frozenset[str] = frozenset({
    "say", "tell", "add", "note", "state", "write", "explain", "ask", "announce", "report",
    "according to", "post", "tweet", "reply", "respond", "continue",
})

_PRONOUNS = frozenset({"he", "she", "they"})
_ROLE_WORDS = frozenset("""
president prime minister ministers foreign defense defence interior secretary spokesman
spokeswoman spokesperson press official officials ambassador envoy chief head leader
governor mayor deputy general commander senator representative lawmaker lawmakers chairman
chairwoman chair director adviser advisor aide analyst analysts expert experts resident
residents witness witnesses source sources ministry office department council military army
administration government agency member members authorities statement commission committee
mission embassy service services spokespeople diplomat diplomats correspondent reporter
officer officers soldier soldiers woman man people voter voters villager villagers local
locals pensioner teacher doctor volunteer refugee refugees civilian civilians mother father
wife husband son daughter owner worker workers citizen citizens observer observers
monitors monitor negotiator negotiators candidate prosecutor prosecutors investigators
police staff group report channel newspaper advertisement ad letter memo website campaign outlet agency's ministry's tv television
state-run state-owned top senior former acting regional local military's russian ukrainian
american british
""".split())
_HEAD_NOUNS = frozenset("""
official officials spokesman spokeswoman spokesperson ambassador envoy chief head leader
governor mayor deputy general commander senator representative lawmaker lawmakers chairman
chairwoman director adviser advisor aide analyst analysts expert experts resident residents
witness witnesses source sources ministry office department council military army
administration government agency authorities statement commission committee mission embassy
service spokespeople diplomat diplomats correspondent officer soldier soldiers woman man
people voter voters villager villagers locals pensioner teacher doctor volunteer refugee
refugees civilian civilians mother father wife husband son daughter owner worker workers
citizen citizens observers monitors negotiator candidate prosecutor prosecutors
investigators police report channel newspaper advertisement ad letter memo website campaign
""".split())
_LEADING_JUNK = frozenset("""
but and or so yet then also meanwhile however still now later earlier separately in on at
for with by from of during after before while when as though although because since last
this that these those there here it its yesterday today tonight monday tuesday wednesday
thursday friday saturday sunday january february march april may june july august september
october november december sept mr mrs ms
""".split())
_CUT_PREPS = frozenset({"in", "on", "at", "during", "via", "after", "before", "while", "from", "with",
                        "earlier", "later", "last", "this"})
_PERSON = re.compile(
    r"\b(?:(?:Mr|Mrs|Ms|Dr)\.?\s+[A-Z][\w'’-]+"
    r"|[A-Z][a-z][\w'’-]*\s+(?:[A-Z]\.\s+)?[A-Z][a-z][\w'’-]+(?:\s+[A-Z][a-z][\w'’-]+)?)")
_DETS = frozenset({"the", "a", "an", "one", "another", "some", "several", "many", "two",
                   "three", "his", "her", "their"})

_VERB_ALT = "|".join(sorted((re.escape(v) for v in SPEECH_VERBS if v != "according to"),
                            key=len, reverse=True))
# a speaker word: starts with a letter, is not a speech verb
_W = rf"(?!(?:{_VERB_ALT}|according)\b)[A-Za-z\u00C0-\u024F][\w'’.\-]*"
_SPEAKER = rf"(?:{_W})(?:\s+{_W}){{0,8}}"
_AUX = r"(?:\s+(?:has|have|had|also|later|earlier|previously|repeatedly|reportedly|again|then|once|further|had\s+earlier|has\s+repeatedly|has\s+also))*"
# an appositive between commas: ", the Kremlin spokesman," / ", 31," / ", who ...,"
_APPOS = r"(?:\s*,\s*(?:the|a|an|who|whose|its|his|her|[A-Z0-9])[^,“”\"«»]{0,120}?,)?"

# after the closing mark
_AFTER_SPK_VERB = re.compile(rf"^\s*[,.]?\s*(?P<speaker>{_SPEAKER}){_APPOS}{_AUX}\s+(?P<verb>{_VERB_ALT})\b")
_AFTER_VERB_SPK = re.compile(rf"^\s*[,.]?\s*(?P<verb>{_VERB_ALT})\s+(?P<speaker>{_SPEAKER})")
_AFTER_ACCORDING = re.compile(rf"^\s*[,.]?\s*(?P<verb>according to)\s+(?P<speaker>{_SPEAKER})", re.I)
# before the opening mark (matched against the text before it, anchored at its end)
_BEFORE_SPK_VERB = re.compile(
    rf"(?P<speaker>{_SPEAKER}){_APPOS}{_AUX}\s+(?P<verb>{_VERB_ALT})\b[^:“”\"«».;!?]{{0,160}}?[:,]?\s*$")
_BEFORE_ACCORDING = re.compile(rf"(?P<verb>[Aa]ccording to)\s+(?P<speaker>{_SPEAKER})\s*,?\s*$")
# indirect statements (whole sentence)
_IND_START = re.compile(
    rf"^(?:[^,]{{1,40}},\s+)?(?P<speaker>{_SPEAKER}){_APPOS}{_AUX}\s+(?P<verb>{_VERB_ALT})\b"
    rf"(?:\s+(?!that\b)[^,.;]{{1,50}}?)??\s+(?:that\s+)?(?P<content>\S.*)$")
_IND_END_SPK_VERB = re.compile(
    rf"^(?P<content>.+?),\s+(?P<speaker>{_SPEAKER}){_APPOS}{_AUX}\s+(?P<verb>{_VERB_ALT})\b[^,]*[.!?]?\s*$")
_IND_END_VERB_SPK = re.compile(
    rf"^(?P<content>.+?),\s+(?P<verb>{_VERB_ALT})\s+(?P<speaker>{_SPEAKER})[^.]*[.!?]?\s*$")
_IND_ACC_START = re.compile(rf"^(?P<verb>According to)\s+(?P<speaker>{_SPEAKER}),\s+(?P<content>\S.*)$")
_IND_ACC_END = re.compile(rf"^(?P<content>.+?),?\s+(?P<verb>according to)\s+(?P<speaker>{_SPEAKER})[^,]*[.!?]?\s*$")

_OPEN_MARKS = "“«"
_CLOSE_MARKS = "”»"
_WORD_RE = re.compile(r"[\w'’-]+")
