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

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from framing._display import html_summary
from framing.stats import MIN_DOCS, check_min_docs, small_groups

__all__ = [
    "SPEECH_VERBS",
    "NEUTRAL_VERBS",
    "QUOTE_COLUMNS",
    "ActorLexicon",
    "extract_quotes",
    "quote_shares",
    "verb_profile",
    "evaluate_speakers",
    "speaker_matches",
    "quote_spans",
]

#: Columns of the table returned by :func:`extract_quotes`.
QUOTE_COLUMNS: tuple[str, ...] = (
    "doc_id", "outlet", "quote", "quote_start", "quote_end", "speaker", "speaker_mention",
    "verb", "kind", "attribution", "actor_group", "sent_id", "sentence", "n_words",
)

_VERB_FORMS: dict[str, tuple[str, ...]] = {
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
SPEECH_VERBS: dict[str, str] = {f: lemma for lemma, forms in _VERB_FORMS.items() for f in forms}
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


# ----------------------------------------------------------------------------- lexicon

@dataclass
class ActorLexicon:
    """Groups speakers into actor groups with name and title patterns (YAML-editable).

    Parameters
    ----------
    groups : list of dict
        Each with ``id``, ``label``, ``names`` and ``titles`` (lists of case-insensitive
        regular expressions matched as whole words in the speaker phrase). Names are tried
        first across all groups, in order; then titles.
    default_group : str
        Group of a speaker that matches nothing.

    Examples
    --------
    >>> lex = ActorLexicon.default()
    >>> lex.classify("Kremlin spokesman Dmitry Peskov"), lex.classify("a resident of Kherson")
    ('russian_officials', 'residents_others')
    >>> lex.classify("Russia's UN envoy Vassily Nebenzia"), lex.classify(None)
    ('russian_officials', 'unattributed')
    """

    groups: list[dict[str, Any]]
    default_group: str = "other"

    def __post_init__(self) -> None:
        self._names: list[tuple[str, re.Pattern[str]]] = []
        self._titles: list[tuple[str, re.Pattern[str]]] = []
        seen = set()
        for i, g in enumerate(self.groups):
            if not isinstance(g, Mapping) or "id" not in g:
                raise ValueError(f"actor lexicon group {i} needs an 'id' (got {g!r})")
            gid = str(g["id"])
            if gid in seen:
                raise ValueError(f"actor lexicon: group id {gid!r} appears twice")
            seen.add(gid)
            for key, target in (("names", self._names), ("titles", self._titles)):
                pats = g.get(key) or []
                if isinstance(pats, str):
                    raise ValueError(f"actor lexicon group {gid!r}: {key!r} must be a list of patterns")
                for p in pats:
                    try:
                        rx = re.compile(rf"(?<![\w-])(?:{p})(?![\w-])", re.I)
                    except re.error as err:
                        raise ValueError(f"actor lexicon group {gid!r}, {key}: bad pattern {p!r} ({err})") from None
                    target.append((gid, rx))

    @property
    def labels(self) -> dict[str, str]:
        """Group id -> label (plus the default and ``unattributed``)."""
        out = {str(g["id"]): str(g.get("label", g["id"])) for g in self.groups}
        out.setdefault(self.default_group, self.default_group.replace("_", " ").capitalize())
        out["unattributed"] = "Unattributed"
        return out

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: one row per actor group with its name and title patterns."""
        table = pd.DataFrame([{"id": str(g["id"]), "label": str(g.get("label", g["id"])),
                               "names": ", ".join(map(str, g.get("names") or [])),
                               "titles": ", ".join(map(str, g.get("titles") or []))} for g in self.groups])
        return html_summary("ActorLexicon", {"groups": len(self.groups), "default_group": self.default_group},
                            table)

    @classmethod
    def from_yaml(cls, path: str | Path) -> "ActorLexicon":
        """Read a lexicon file (see ``framing/data/actors_ru_ua.yaml`` for the format)."""
        import yaml

        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as err:
            raise ValueError(f"{path}: not valid YAML ({err})") from None
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "actor lexicon") -> "ActorLexicon":
        """Build from the parsed YAML structure (``groups`` list, ``default_group``)."""
        if not isinstance(data, Mapping) or not isinstance(data.get("groups"), list):
            raise ValueError(f"{source}: expected a mapping with a 'groups' list")
        return cls(groups=list(data["groups"]), default_group=str(data.get("default_group", "other")))

    @classmethod
    def default(cls) -> "ActorLexicon":
        """The shipped lexicon for the war in Ukraine (``actors_ru_ua.yaml``)."""
        ref = resources.files("framing") / "data" / "actors_ru_ua.yaml"
        with resources.as_file(ref) as p:
            return cls.from_yaml(p)

    def classify(self, speaker: str | None) -> str:
        """Actor group of a speaker phrase (``"unattributed"`` for None/empty)."""
        if speaker is None or (isinstance(speaker, float) and np.isnan(speaker)) or not str(speaker).strip():
            return "unattributed"
        s = str(speaker)
        for gid, rx in self._names:
            if rx.search(s):
                return gid
        for gid, rx in self._titles:
            if rx.search(s):
                return gid
        return self.default_group


def _lexicon(actors: Any) -> ActorLexicon:
    if actors is None:
        return ActorLexicon.default()
    if isinstance(actors, ActorLexicon):
        return actors
    if isinstance(actors, (str, Path)):
        return ActorLexicon.from_yaml(actors)
    if isinstance(actors, Mapping):
        return ActorLexicon.from_dict(actors)
    raise TypeError(f"actors must be None, a YAML path, a dict or an ActorLexicon, got {type(actors).__name__}")


# ----------------------------------------------------------------------------- speakers

_CONNECTORS = frozenset({"of", "the", "to", "for", "in", "and", "on", "from", "at"})


def _clean_speaker(raw: str | None, *, loose: bool = False) -> str | None:
    """Trim a matched speaker phrase; None if it is not a plausible speaker.

    ``loose`` (after "according to") also admits lower-case words inside the phrase.
    """
    if raw is None:
        return None
    toks = raw.strip().strip(",;:").split()
    while toks and toks[0].lower().strip(".,") in _LEADING_JUNK:
        toks = toks[1:]
    while toks and toks[-1].lower() in {"of", "the", "to", "for", "in", "and", "on", "at"}:
        toks = toks[:-1]
    for k in range(1, len(toks) - 1):  # "Romney in a statement" -> "Romney"
        if toks[k].lower() in _CUT_PREPS and (toks[k + 1][0].islower() or toks[k + 1].lower() in _LEADING_JUNK):
            toks = toks[:k]
            break
    if not toks:
        return None
    low = [t.lower().strip(".,") for t in toks]
    if len(toks) == 1 and low[0] in _PRONOUNS:
        return low[0]
    # a speaker is a noun phrase of determiners, capitalised words and role words only
    for t, lw in zip(toks, low):
        if not (loose or t[0].isupper() or lw in _ROLE_WORDS or lw in _DETS or lw in _CONNECTORS
                or t[0].isdigit() or re.fullmatch(r"\d+-year-old", lw)):
            return None
    # drop a leading determiner-less junk like "The" only when something follows
    content = [lw for lw in low if lw not in _DETS and lw not in _CONNECTORS]
    if not content:
        return None
    caps = [t for t, lw in zip(toks, low) if t[0].isupper() and lw not in _DETS]
    if not caps and low[-1] not in _HEAD_NOUNS and not re.fullmatch(r"\d+-year-old", low[-1]):
        return None
    if len(content) == 1 and content[0] in _LEADING_JUNK:
        return None
    return " ".join(toks).rstrip(".,") if not toks[-1].endswith(".") or len(toks[-1]) > 3 else " ".join(toks)


_ANY_VERB = re.compile(rf"\b(?:{_VERB_ALT}|[Aa]ccording)\b")


def _speaker_before(rx: re.Pattern[str], text: str) -> tuple[str, str] | None:
    """(clean speaker, verb) of the leftmost-starting valid match of an end-anchored pattern."""
    if not _ANY_VERB.search(text):
        return None  # no speech verb: no match can start anywhere
    for m in re.finditer(r"(?:^|(?<=[\s(—–-]))\S", text):
        mm = rx.match(text, m.start())
        if mm:
            spk = _clean_speaker(mm.group("speaker"), loose=rx is _BEFORE_ACCORDING)
            if spk:
                return spk, mm.group("verb")
    return None


def _recent_person(text: str, pos: int, window: int = 1500) -> str | None:
    """Last person-like name (honorific + name, or two or three capitalised words) before pos."""
    best = None
    for m in _PERSON.finditer(text, max(0, pos - window), pos):
        if m.group(0).endswith(("'s", "’s")):  # "Mr. Obama's agenda": not a speaker
            continue
        toks = m.group(0).split()
        while toks and toks[0].lower().strip(".") in _LEADING_JUNK and toks[0].lower().strip(".") not in {
                "mr", "mrs", "ms"}:
            toks = toks[1:]
        if len(toks) >= 2 or (toks and toks[0].lower().strip(".") in {"mr", "mrs", "ms", "dr"}):
            best = " ".join(toks)
    return best


# ----------------------------------------------------------------------------- documents

def _documents(data: pd.DataFrame) -> tuple[list[dict[str, Any]], bool]:
    """Per document: text, outlet, paragraphs (start, end) and sentences (start, end, id, text)."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"extract_quotes() expects a corpus or sentence table DataFrame, got {type(data).__name__}")
    for c in ("doc_id", "text"):
        if c not in data.columns:
            raise ValueError(f"input lacks column {c!r}; pass a corpus (doc_id, outlet, text) or a "
                             "sentence table (doc_id, sent_id, outlet, text, start, end)")
    is_sent = "sent_id" in data.columns
    docs: list[dict[str, Any]] = []
    if is_sent:
        for c in ("start", "end"):
            if c not in data.columns:
                raise ValueError(f"sentence table lacks column {c!r} (character offsets into the article)")
        codes, uniques = pd.factorize(data["doc_id"], sort=False)
        order = np.argsort(codes, kind="stable")
        bounds = np.flatnonzero(np.diff(codes[order])) + 1
        all_starts = data["start"].to_numpy(dtype=np.int64)
        all_ends = data["end"].to_numpy(dtype=np.int64)
        all_texts = data["text"].astype(str).tolist()
        all_sids = data["sent_id"].astype(str).tolist()
        all_paras = data["para_id"].to_numpy() if "para_id" in data.columns else np.zeros(len(data), dtype=np.int64)
        all_outlets = data["outlet"].astype(str).tolist() if "outlet" in data.columns else [""] * len(data)
        for idx in np.split(order, bounds) if len(order) else []:
            starts, ends, para = all_starts[idx], all_ends[idx], all_paras[idx]
            texts = [all_texts[i] for i in idx]
            n = int(ends.max()) if len(idx) else 0
            buf = [" "] * n
            for k, (s_, e, t) in enumerate(zip(starts, ends, texts)):
                if len(t) != e - s_:
                    raise ValueError(f"sentence table, sent_id {all_sids[idx[k]]!r}: text length "
                                     f"{len(t)} does not match end - start = {e - s_}")
                buf[s_:e] = t
            paras = []
            for p_ in pd.unique(para):
                m = para == p_
                paras.append((int(starts[m].min()), int(ends[m].max())))
            docs.append({"doc_id": str(uniques[codes[idx[0]]]), "outlet": all_outlets[idx[0]], "text": "".join(buf),
                         "paras": sorted(paras),
                         "sents": list(zip(starts.tolist(), ends.tolist(), [all_sids[i] for i in idx], texts))})
    else:
        from framing.segment import split_sentences

        corpus = data
        dup = corpus["doc_id"].duplicated()
        if dup.any():
            row = int(np.flatnonzero(dup.to_numpy())[0])
            raise ValueError(f"corpus column 'doc_id' is not unique: {corpus['doc_id'].iloc[row]!r} "
                             f"repeats at row {row}")
        if "published" not in corpus.columns:
            corpus = corpus.assign(published=pd.NaT)
        if "outlet" not in corpus.columns:
            corpus = corpus.assign(outlet="")
        sents = split_sentences(corpus)
        by_doc = {d: g for d, g in sents.groupby("doc_id", sort=False)}
        for row in corpus.itertuples(index=False):
            doc_id = str(row.doc_id)
            text = row.text if isinstance(row.text, str) else ""
            g = by_doc.get(doc_id)
            if g is None:
                sl, paras = [], [(0, len(text))]
            else:
                sl = list(zip(g["start"].tolist(), g["end"].tolist(), g["sent_id"].astype(str).tolist(),
                              g["text"].astype(str).tolist()))
                paras = [(int(pg["start"].min()), int(pg["end"].max())) for _, pg in g.groupby("para_id")]
            docs.append({"doc_id": doc_id, "outlet": str(row.outlet), "text": text, "paras": sorted(paras),
                         "sents": sl})
    return docs, is_sent


_QUOTE_CHAR_RE = re.compile(r'["“”«»]')


def _find_direct(text: str, paras: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans (inside the marks) of double-quoted text; see the module docstring."""
    spans = []
    for pa, pb in paras:
        open_at = None
        for mq in _QUOTE_CHAR_RE.finditer(text, pa, pb):  # only the quote marks matter
            i = mq.start()
            ch = text[i]
            if ch in _OPEN_MARKS or ch == '"':
                prev = text[i - 1] if i > pa else " "
                nxt = text[i + 1] if i + 1 < pb else " "
                if ch == '"':
                    opening = (prev.isspace() or prev in "([{—–-/" or i == pa) and not nxt.isspace()
                    closing = not opening
                else:
                    opening, closing = True, False
                if opening:
                    if open_at is not None:  # unclosed quote: a continuation convention
                        spans.append((open_at, i))
                    open_at = i + 1
                elif closing and open_at is not None:
                    spans.append((open_at, i))
                    open_at = None
            elif ch in _CLOSE_MARKS and open_at is not None:
                spans.append((open_at, i))
                open_at = None
        if open_at is not None:
            spans.append((open_at, pb))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and (text[b - 1].isspace() or text[b - 1] == ","):
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def _attribution_after(text: str, end: int, limit: int) -> tuple[str | None, str | None]:
    """Speaker and verb right after a closing mark at ``end`` (exclusive of the mark)."""
    tail = text[end + 1: min(limit, end + 1 + 160)]
    for rx in (_AFTER_ACCORDING, _AFTER_SPK_VERB, _AFTER_VERB_SPK):
        m = rx.match(tail)
        if m:
            spk = _clean_speaker(m.group("speaker"), loose=rx is _AFTER_ACCORDING)
            if spk:
                return spk, SPEECH_VERBS.get(m.group("verb").lower(), m.group("verb").lower())
    return None, None


def _attribution_before(text: str, start: int, floor: int) -> tuple[str | None, str | None]:
    """Speaker and verb right before an opening mark at ``start - 1``."""
    head = text[max(floor, start - 1 - 200): start - 1]
    for rx in (_BEFORE_ACCORDING, _BEFORE_SPK_VERB):
        hit = _speaker_before(rx, head)
        if hit:
            return hit[0], SPEECH_VERBS.get(hit[1].lower(), hit[1].lower())
    return None, None


def _indirect(sentence: str) -> tuple[str, str, str, int, int] | None:
    """(speaker, verb, content, content_start, content_end) of an attributed sentence."""
    for rx in (_IND_ACC_START, _IND_ACC_END, _IND_END_VERB_SPK, _IND_END_SPK_VERB, _IND_START):
        m = rx.match(sentence)
        if not m:
            continue
        spk = _clean_speaker(m.group("speaker"), loose=rx in (_IND_ACC_START, _IND_ACC_END))
        if not spk:
            continue
        a, b = m.span("content")
        while b > a and sentence[b - 1] in " .,;:!?":
            b -= 1
        content = sentence[a:b]
        if len(_WORD_RE.findall(content)) < 4:
            continue
        return spk, SPEECH_VERBS.get(m.group("verb").lower(), m.group("verb").lower()), content, a, b
    return None


_SINGLE_OPEN = re.compile(r"(?:(?<=^)|(?<=[\s(\[—–-]))‘(?=\S)")


def _find_single(text: str, paras: list[tuple[int, int]], taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans inside curly single quotes (‘...’) that are not inside a double-quoted span.

    An opening ‘ follows a space, a bracket or a dash; the closing ’ is the first ’ not
    followed by a letter (so apostrophes such as Kyiv’s never close a quote) in the same
    paragraph. Straight single quotes are not treated as quotes: they are too often
    apostrophes.
    """
    out = []
    for pa, pb in paras:
        for m in _SINGLE_OPEN.finditer(text, pa, pb):
            a = m.end()
            if any(x - 1 <= m.start() < y + 1 for x, y in taken):
                continue
            k = a
            while True:
                k = text.find("’", k, pb)
                if k < 0 or k - a > 400:
                    k = -1
                    break
                if k + 1 >= pb or not text[k + 1].isalpha():
                    break
                k += 1
            if k > a:
                out.append((a, k))
    return out


def quote_spans(text: str, paras: list[tuple[int, int]] | None = None, *,
                min_words: int = 4, sentence_starts: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Every quoted span of one document with its speaker: the package's one quote detector.

    Used by :func:`extract_quotes` and :func:`framing.attribute_voice` (and so by every
    measure with ``voice=``). Straight and curly double quotes and guillemets
    (:func:`_find_direct`, quotes may run over several sentences within a paragraph) and
    curly single quotes (‘...’, outside double quotes). The speaker is looked for right
    after the closing mark and right before the opening mark (see the module docstring).

    Parameters
    ----------
    text : str
        The article text.
    paras : list of (start, end), optional
        Paragraph spans (default: the whole text is one paragraph).
    min_words : int
        A quote without a speaker needs this many words to be ``attributed``; shorter ones
        are scare quotes.
    sentence_starts : sequence of int, optional
        Sentence start offsets: a speaker before a quote is looked for in the quote's
        sentence only (default: from the last ``.``/``!``/``?`` before the quote).

    Returns
    -------
    list of dict
        In text order: ``start``, ``end`` (inside the marks), ``outer_start``, ``outer_end``
        (marks included), ``speaker`` (as written, or None), ``verb`` (lemma or None),
        ``how`` ("after", "before", "none"), ``n_words``, ``attributed`` (bool).

    Examples
    --------
    >>> [(q["speaker"], q["attributed"]) for q in quote_spans(
    ...     'Biden condemned the votes as “a sham.” The so-called "referendums" ended.')]
    [('Biden', True), (None, False)]
    """
    if paras is None:
        paras = [(0, len(text))]
    doubles = _find_direct(text, paras)
    spans = sorted(doubles + _find_single(text, paras, doubles))
    out = []
    for qa, qb in spans:
        pa, pb = next(((a, b) for a, b in paras if a <= qa <= b), (0, len(text)))
        # the sentence floor for a speaker before the quote: the last sentence end before it
        if sentence_starts is not None and len(sentence_starts):
            k = int(np.searchsorted(np.asarray(sentence_starts), qa, side="right")) - 1
            floor = max(pa, int(sentence_starts[max(k, 0)]))
        else:
            floor = max(pa, max((m.end() for m in re.finditer(r"[.!?][”\"’»)]?\s+", text[pa:qa])), default=0) + pa
                        if qa > pa else pa)
        spk, verb, how = None, None, "none"
        close = qb
        while close < pb and text[close] in ",. ":
            close += 1
        if close < pb and (text[close] in _CLOSE_MARKS or text[close] in "\"’"):
            spk, verb = _attribution_after(text, close, pb)
            how = "after" if spk else how
        if spk is None and qa >= 1:
            spk, verb = _attribution_before(text, qa, floor)
            how = "before" if spk else how
        closed = bool(re.match(r"[,.!?]{0,2}\s*[”»\"’]", text[qb:qb + 4]))
        if not closed and sentence_starts is not None and len(sentence_starts):
            # an unclosed quote runs on to the paragraph's end only by the news convention
            # (the next paragraph opens with a quote mark); otherwise -- a stray or missing
            # mark in scraped text -- it ends with its sentence
            nxt_para = next((a for a, _b in paras if a >= pb), None)
            follows = nxt_para is not None and text[nxt_para:nxt_para + 1] in _OPEN_MARKS + "\""
            if not follows:
                k = int(np.searchsorted(np.asarray(sentence_starts), qa, side="right"))
                if k < len(sentence_starts) and sentence_starts[k] < qb:
                    qb = int(sentence_starts[k])
                    while qb > qa and text[qb - 1].isspace():
                        qb -= 1
        n_words = len(_WORD_RE.findall(text[qa:qb]))
        oa = qa - 1 if qa >= 1 and (text[qa - 1] in _OPEN_MARKS or text[qa - 1] in "\"‘") else qa
        ob = qb
        while ob < pb and text[ob] in ",.!?" and ob - qb < 2:
            ob += 1
        ob = ob + 1 if ob < pb and (text[ob] in _CLOSE_MARKS or text[ob] in "\"’") else qb
        out.append({"start": qa, "end": qb, "outer_start": oa, "outer_end": ob, "speaker": spk, "verb": verb,
                    "how": how, "n_words": n_words, "attributed": spk is not None or n_words >= min_words})
    return out


def extract_quotes(
    sentences_or_corpus: pd.DataFrame,
    *,
    actors: ActorLexicon | str | Path | Mapping[str, Any] | None = None,
    min_words: int = 4,
    indirect: bool = True,
) -> pd.DataFrame:
    """Direct quotations and attributed statements with their speakers.

    See the module docstring for the rules. Works at document level, so quotes may span
    sentence boundaries; offsets refer to the article text.

    Parameters
    ----------
    sentences_or_corpus : DataFrame
        A sentence table (``doc_id``, ``sent_id``, ``outlet``, ``text``, ``start``, ``end``,
        optionally ``para_id``; the article text is rebuilt from the sentences at their
        offsets) or a corpus (``doc_id``, ``outlet``, ``text``; split with
        :func:`framing.segment.split_sentences`).
    actors : ActorLexicon, YAML path or dict, optional
        Actor lexicon for ``actor_group`` (default: the shipped ``actors_ru_ua.yaml``).
    min_words : int
        Unattributed quoted spans with fewer words are scare quotes and skipped.
    indirect : bool
        Also extract indirect attributed statements.

    Returns
    -------
    DataFrame
        Columns :data:`QUOTE_COLUMNS`: ``doc_id``, ``outlet``, ``quote``, ``quote_start``,
        ``quote_end`` (``text[quote_start:quote_end] == quote``), ``speaker`` (pronouns
        resolved; None if unknown), ``speaker_mention`` (as written), ``verb`` (lemma, or
        ``"according to"``; None if none), ``kind`` ("direct"/"indirect"), ``attribution``
        ("after", "before", "inherited", "sentence", "none"), ``actor_group``, ``sent_id``
        and ``sentence`` (the sentence where the quote starts), ``n_words``.

    Examples
    --------
    >>> import pandas as pd
    >>> corpus = pd.DataFrame({"doc_id": ["d1"], "outlet": ["X"],
    ...     "published": pd.to_datetime(["2022-09-30"]),
    ...     "text": ['"We will never accept the results," Dmitry Kuleba said. '
    ...              'He added that the vote was a sham staged by Moscow.']})
    >>> q = extract_quotes(corpus)
    >>> q[["quote", "speaker", "verb", "kind", "actor_group"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['We will never accept the results', 'Dmitry Kuleba', 'say', 'direct', 'ukrainian_officials'],
     ['the vote was a sham staged by Moscow', 'Dmitry Kuleba', 'add', 'indirect', 'ukrainian_officials']]
    """
    if min_words < 1:
        raise ValueError(f"min_words must be >= 1, got {min_words}")
    lex = _lexicon(actors)
    docs, _ = _documents(sentences_or_corpus)
    rows: list[dict[str, Any]] = []
    for d in docs:
        text, paras, sents = d["text"], d["paras"], d["sents"]
        sent_starts = np.array([s[0] for s in sents], dtype=np.int64)

        def sent_of(pos: int) -> int:
            k = int(np.searchsorted(sent_starts, pos, side="right")) - 1
            return max(k, 0)

        def para_of(pos: int) -> tuple[int, tuple[int, int]]:
            for k, (a, b) in enumerate(paras):
                if a <= pos <= b:
                    return k, (a, b)
            return len(paras) - 1, paras[-1] if paras else (0, len(text))

        found = []
        for q in quote_spans(text, paras, min_words=min_words, sentence_starts=sent_starts):
            if not q["attributed"]:
                continue  # a scare quote
            qa, qb = q["start"], q["end"]
            found.append({"a": qa, "b": qb, "para": para_of(qa)[0], "sent": sent_of(qa), "mention": q["speaker"],
                          "verb": q["verb"], "how": q["how"], "kind": "direct", "n_words": q["n_words"],
                          "quote_end_sent": sent_of(max(qb - 1, qa))})
        if indirect and sents:
            quoted = [(f["a"] - 1, f["b"] + 1) for f in found]
            for si, (sa, sb, _sid, stext) in enumerate(sents):
                if any(a < sb and b > sa for a, b in quoted):
                    continue
                if '"' in stext or any(c in stext for c in _OPEN_MARKS):
                    continue
                hit = _indirect(stext)
                if hit is None:
                    continue
                spk, verb, content, ca, cb = hit
                found.append({"a": sa + ca, "b": sa + cb, "para": para_of(sa)[0], "sent": si, "mention": spk,
                              "verb": verb, "how": "sentence", "kind": "indirect",
                              "n_words": len(_WORD_RE.findall(content)), "quote_end_sent": si})
        found.sort(key=lambda f: (f["a"], f["b"]))
        last_named: str | None = None
        prev_attr: dict[str, Any] | None = None
        for f in found:
            mention = f["mention"]
            if mention is None and f["kind"] == "direct" and prev_attr is not None and (
                    f["para"] - prev_attr["para"] <= 1 or f["sent"] - prev_attr["quote_end_sent"] <= 2):
                mention, f["verb"], f["how"] = prev_attr["speaker"], None, "inherited"
                speaker = prev_attr["speaker"]
            elif mention is not None and mention.lower() in _PRONOUNS:
                speaker = last_named if last_named is not None else _recent_person(text, f["a"])
            else:
                speaker = mention
            if mention is not None and mention.lower() not in _PRONOUNS and f["how"] != "inherited":
                last_named = mention
            if speaker is not None and f["how"] != "inherited":
                prev_attr = {"speaker": speaker, "para": f["para"], "quote_end_sent": f["quote_end_sent"]}
            sid, stext = (sents[f["sent"]][2], sents[f["sent"]][3]) if sents else (None, None)
            rows.append({
                "doc_id": d["doc_id"], "outlet": d["outlet"], "quote": text[f["a"]:f["b"]],
                "quote_start": f["a"], "quote_end": f["b"], "speaker": speaker,
                "speaker_mention": f["mention"] if f["how"] != "inherited" else None,
                "verb": f["verb"], "kind": f["kind"], "attribution": f["how"],
                "actor_group": lex.classify(speaker), "sent_id": sid, "sentence": stext,
                "n_words": f["n_words"],
            })
    out = pd.DataFrame(rows, columns=list(QUOTE_COLUMNS))
    out = out.astype({"doc_id": "str", "outlet": "str", "quote": "str", "kind": "str", "attribution": "str",
                      "actor_group": "str", "quote_start": "int64", "quote_end": "int64", "n_words": "int64"})
    for c in ("speaker", "speaker_mention", "verb", "sent_id", "sentence"):
        out[c] = out[c].astype("str")
    out.attrs["quotes"] = {"min_words": min_words, "indirect": indirect,
                           "actor_groups": lex.labels}
    return out


# ----------------------------------------------------------------------------- summaries

def _doc_frame(quotes: pd.DataFrame, corpus: pd.DataFrame | None) -> pd.DataFrame:
    """One row per document (doc_id, outlet): all corpus documents, else those quoted."""
    if corpus is not None:
        for c in ("doc_id", "outlet"):
            if c not in corpus.columns:
                raise ValueError(f"corpus lacks column {c!r}")
        docs = corpus[["doc_id", "outlet"]].astype(str).drop_duplicates("doc_id")
        unknown = set(quotes["doc_id"].astype(str)) - set(docs["doc_id"])
        if unknown:
            raise ValueError(f"quotes have doc_id(s) not in the corpus: {sorted(unknown)[:5]}")
        return docs.reset_index(drop=True)
    return quotes[["doc_id", "outlet"]].astype(str).drop_duplicates("doc_id").reset_index(drop=True)


def _bootstrap_shares(W: np.ndarray, n_boot: int, ci: float, rng: np.random.Generator
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Point share and percentile CI of column sums / total, resampling rows (documents)."""
    tot = W.sum()
    point = W.sum(axis=0) / tot if tot > 0 else np.full(W.shape[1], np.nan)
    if n_boot <= 0 or len(W) == 0:
        nan = np.full(W.shape[1], np.nan)
        return point, nan, nan
    counts = rng.multinomial(len(W), np.full(len(W), 1.0 / len(W)), size=n_boot)
    num = counts @ W
    den = num.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    alpha = (1 - ci) / 2
    lo = np.nanquantile(share, alpha, axis=0) if np.isfinite(share).any() else np.full(W.shape[1], np.nan)
    hi = np.nanquantile(share, 1 - alpha, axis=0) if np.isfinite(share).any() else np.full(W.shape[1], np.nan)
    return point, lo, hi


def _shares_table(quotes: pd.DataFrame, docs: pd.DataFrame, *, by: str, weight: np.ndarray,
                  categories: Sequence[str], n_boot: int, ci: float,
                  random_state: int | np.random.Generator | None, value_name: str,
                  min_docs: int, caller: str, counted: str) -> pd.DataFrame:
    if not (0 < ci < 1):
        raise ValueError(f"ci must be in (0, 1), got {ci}")
    min_docs = check_min_docs(min_docs, caller=caller)
    rng = np.random.default_rng(random_state)
    cat_index = {c: i for i, c in enumerate(categories)}
    per_outlet = []
    for outlet, dg in docs.groupby("outlet", sort=True):
        doc_index = {d: i for i, d in enumerate(dg["doc_id"])}
        W = np.zeros((len(dg), len(categories)))
        m = quotes["doc_id"].astype(str).isin(doc_index).to_numpy()
        qd = quotes["doc_id"].astype(str).to_numpy()[m]
        qc = quotes[by].astype(str).to_numpy()[m]
        np.add.at(W, ([doc_index[x] for x in qd], [cat_index[x] for x in qc]), weight[m])
        per_outlet.append((outlet, dg, W, qc))
    # the share is a ratio over the documents that have something counted: those are the units
    small: set = set()
    if n_boot > 0:
        small = set(small_groups({o: int((W.sum(axis=1) > 0).sum()) for o, _, W, _ in per_outlet}, min_docs,
                                 caller=caller, unit=f"documents with {counted}", stacklevel=4))
    rows = []
    for outlet, dg, W, qc in per_outlet:
        point, lo, hi = _bootstrap_shares(W, n_boot, ci, rng)     # drawn for every outlet: same stream
        if outlet in small:
            lo, hi = np.full_like(lo, np.nan), np.full_like(hi, np.nan)
        n_quotes = np.zeros(len(categories), dtype=np.int64)
        np.add.at(n_quotes, [cat_index[x] for x in qc], 1)
        for c, i in cat_index.items():
            rows.append({"outlet": outlet, by: c, value_name: float(W[:, i].sum()), "share": point[i],
                         "ci_low": lo[i], "ci_high": hi[i], "n_quotes": int(n_quotes[i]),
                         "n_docs": len(dg)})
    out = pd.DataFrame(rows, columns=["outlet", by, value_name, "share", "ci_low", "ci_high", "n_quotes",
                                      "n_docs"])
    out.attrs["bootstrap"] = {"n_boot": n_boot, "ci": ci, "unit": "document", "method": "percentile",
                              "min_docs": min_docs, "small_groups": sorted(small)}
    return out


def quote_shares(
    quotes: pd.DataFrame,
    corpus: pd.DataFrame | None = None,
    *,
    n_boot: int = 1000,
    ci: float = 0.95,
    random_state: int | np.random.Generator | None = None,
    groups: Sequence[str] | None = None,
    min_docs: int = MIN_DOCS,
) -> pd.DataFrame:
    """Per outlet, the share of quoted words spoken by each actor group, with bootstrap CIs.

    share(outlet, group) = words quoted from the group / all quoted words of the outlet.
    The confidence interval resamples the outlet's *documents* with replacement (all corpus
    documents of the outlet, quotes or not: the unit of sampling is the article, since quotes
    within an article are not independent) and takes percentiles of the resampled shares
    (Efron & Tibshirani 1993). Only documents with quotes move the share, so an outlet with
    fewer than ``min_docs`` of them gets no interval (NaN) and a
    :class:`framing.stats.SmallGroupWarning` naming it; its share is still reported.

    Parameters
    ----------
    quotes : DataFrame
        Output of :func:`extract_quotes`.
    corpus : DataFrame, optional
        The corpus the quotes come from (``doc_id``, ``outlet``), so that documents without
        quotes take part in the resampling. Without it, only quoted documents are used.
    n_boot : int
        Bootstrap replicates (0: no CIs).
    ci : float
        Confidence level.
    random_state : int or Generator, optional
        Seed of the bootstrap.
    groups : sequence of str, optional
        Groups to report (default: the groups present in ``quotes``, sorted).
    min_docs : int
        Minimum number of documents with quotes for an interval (default
        :data:`framing.stats.MIN_DOCS`, 5).

    Returns
    -------
    DataFrame
        ``outlet``, ``actor_group``, ``words``, ``share``, ``ci_low``, ``ci_high``,
        ``n_quotes``, ``n_docs`` (documents of the outlet). ``attrs["bootstrap"]`` records
        the method, ``min_docs`` and ``small_groups`` (outlets left without an interval).

    Examples
    --------
    >>> import pandas as pd
    >>> q = pd.DataFrame({"doc_id": ["a", "a", "b"], "outlet": ["X", "X", "X"],
    ...                   "quote": ["one two three", "four", "five six"],
    ...                   "actor_group": ["un", "other", "un"]})
    >>> s = quote_shares(q, n_boot=0)
    >>> s.set_index("actor_group")["share"].round(3).to_dict()
    {'other': 0.167, 'un': 0.833}
    """
    for c in ("doc_id", "outlet", "quote", "actor_group"):
        if c not in quotes.columns:
            raise ValueError(f"quotes lack column {c!r} (use the output of extract_quotes)")
    words = np.array([len(_WORD_RE.findall(str(t))) for t in quotes["quote"]], dtype=float)
    cats = list(groups) if groups is not None else sorted(quotes["actor_group"].astype(str).unique())
    extra = set(quotes["actor_group"].astype(str)) - set(cats)
    if extra:
        raise ValueError(f"quotes have actor group(s) {sorted(extra)} not in groups={cats}")
    return _shares_table(quotes, _doc_frame(quotes, corpus), by="actor_group", weight=words, categories=cats,
                         n_boot=n_boot, ci=ci, random_state=random_state, value_name="words", min_docs=min_docs,
                         caller="quote_shares", counted="quotes")


def verb_profile(
    quotes: pd.DataFrame,
    corpus: pd.DataFrame | None = None,
    *,
    by: str = "verb",
    n_boot: int = 1000,
    ci: float = 0.95,
    random_state: int | np.random.Generator | None = None,
    min_count: int = 1,
    min_docs: int = MIN_DOCS,
) -> pd.DataFrame:
    """Per outlet, the share of attributions made with each speech verb, with bootstrap CIs.

    Counts attributed quotes (those with a verb) by verb lemma (``by="verb"``) or by
    ``by="verb_class"``: "neutral" (:data:`NEUTRAL_VERBS`: say, tell, add, note, ...) vs
    "marked" (claim, allege, insist, threaten, warn, ...). Confidence intervals resample
    documents as in :func:`quote_shares`; an outlet with fewer than ``min_docs`` documents
    with attributions gets no interval (NaN) and a :class:`framing.stats.SmallGroupWarning`.

    Parameters
    ----------
    quotes : DataFrame
        Output of :func:`extract_quotes`.
    corpus : DataFrame, optional
        Corpus, so documents without attributions take part in the resampling.
    by : {"verb", "verb_class"}
        Category.
    n_boot, ci, random_state
        Bootstrap settings.
    min_count : int
        Verbs used fewer times than this over all outlets are pooled as "other".
    min_docs : int
        Minimum number of documents with attributions for an interval (default 5).

    Returns
    -------
    DataFrame
        ``outlet``, ``verb`` (or ``verb_class``), ``count``, ``share``, ``ci_low``,
        ``ci_high``, ``n_quotes``, ``n_docs``.

    Examples
    --------
    >>> import pandas as pd
    >>> q = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "outlet": "X",
    ...                   "verb": ["say", "claim", "say", None]})
    >>> verb_profile(q, n_boot=0).set_index("verb")["share"].round(3).to_dict()
    {'claim': 0.333, 'say': 0.667}
    >>> verb_profile(q, by="verb_class", n_boot=0).set_index("verb_class")["share"].to_dict()
    {'marked': 0.3333333333333333, 'neutral': 0.6666666666666666}
    """
    for c in ("doc_id", "outlet", "verb"):
        if c not in quotes.columns:
            raise ValueError(f"quotes lack column {c!r} (use the output of extract_quotes)")
    if by not in ("verb", "verb_class"):
        raise ValueError(f"by must be 'verb' or 'verb_class', got {by!r}")
    q = quotes[quotes["verb"].notna()].copy()
    q["verb"] = q["verb"].astype(str)
    if by == "verb_class":
        q["verb_class"] = np.where(q["verb"].isin(NEUTRAL_VERBS), "neutral", "marked")
    elif min_count > 1:
        counts = q["verb"].value_counts()
        rare = set(counts.index[counts < min_count])
        q["verb"] = q["verb"].where(~q["verb"].isin(rare), "other")
    cats = sorted(q[by].unique())
    out = _shares_table(q, _doc_frame(quotes, corpus), by=by, weight=np.ones(len(q)), categories=cats,
                        n_boot=n_boot, ci=ci, random_state=random_state, value_name="count", min_docs=min_docs,
                        caller="verb_profile", counted="attributions")
    out["count"] = out["count"].astype("int64")
    return out


# ----------------------------------------------------------------------------- evaluation

def _name_tokens(name: str) -> list[str]:
    toks = re.split(r"[\s_]+", str(name).strip())
    toks = [re.sub(r"(?:'s|’s)$", "", t).strip(".,").lower() for t in toks]
    return [t for t in toks if t and t not in _DETS and t not in {"of", "the"}]


def speaker_matches(predicted: str | None, gold: str | None) -> bool:
    """Does a predicted speaker phrase name the gold speaker?

    True when every token of the gold name (underscores as spaces, ``Rick_Perry``) occurs in
    the prediction ("Texas Gov. Rick Perry"), or when the prediction ends with the gold
    name's last token (a surname reference: "Perry", "Gov. Perry").

    Examples
    --------
    >>> speaker_matches("Texas Gov. Rick Perry", "Rick_Perry"), speaker_matches("Perry", "Rick_Perry")
    (True, True)
    >>> speaker_matches("Mitt Romney", "Rick_Perry"), speaker_matches(None, "Rick_Perry")
    (False, False)
    """
    if predicted is None or gold is None or (isinstance(predicted, float) and np.isnan(predicted)):
        return False
    p, g = _name_tokens(predicted), _name_tokens(gold)
    if not p or not g:
        return False
    return set(g) <= set(p) or p[-1] == g[-1]


def evaluate_speakers(
    quotes: pd.DataFrame,
    gold: pd.DataFrame,
    *,
    start_col: str = "doc_start",
    end_col: str = "doc_end",
    speaker_col: str = "speaker",
    exclude: Sequence[str] = ("other_anti", "other_pro", "other_neutral", "other", ""),
    ci: float = 0.95,
    return_matches: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Precision and recall of speaker attribution on annotated quote spans.

    Each gold span (``doc_id``, ``start_col``, ``end_col``, ``speaker_col``; e.g. the
    ``quote == "yes"`` rows of :func:`framing.corpora.basil_annotations`) is matched to the
    extracted quote of the same document that overlaps it most (in characters). It is
    *attributed* if that quote has a speaker, and *correct* if :func:`speaker_matches`.
    precision = correct / attributed, recall = correct / gold spans, coverage = spans with
    any overlapping quote / gold spans. Gold spans whose speaker is an unnamed category
    (``exclude``, e.g. BASIL's ``other_anti``) are left out. Intervals are Wilson score
    intervals for the proportions (scipy).

    Parameters
    ----------
    quotes : DataFrame
        Output of :func:`extract_quotes`.
    gold : DataFrame
        Annotated spans with doc-level character offsets.
    start_col, end_col, speaker_col : str
        Gold columns.
    exclude : sequence of str
        Gold speaker labels that name no one.
    ci : float
        Confidence level of the intervals.
    return_matches : bool
        Also return the per-span table (``doc_id``, ``start``, ``end``, ``gold_speaker``,
        ``found``, ``pred_speaker``, ``correct``).

    Returns
    -------
    DataFrame or (DataFrame, DataFrame)
        ``metric`` (precision, recall, f1, coverage), ``value``, ``ci_low``, ``ci_high``,
        ``numerator``, ``denominator``; with ``return_matches`` also the per-span table.

    Examples
    --------
    >>> import pandas as pd
    >>> q = pd.DataFrame({"doc_id": ["d", "d"], "quote_start": [0, 50], "quote_end": [20, 70],
    ...                   "speaker": ["Jane Roe", None]})
    >>> g = pd.DataFrame({"doc_id": ["d", "d"], "doc_start": [2, 55], "doc_end": [9, 60],
    ...                   "speaker": ["Jane_Roe", "John_Doe"]})
    >>> evaluate_speakers(q, g).set_index("metric")["value"].round(3).to_dict()
    {'precision': 1.0, 'recall': 0.5, 'f1': 0.667, 'coverage': 1.0}
    """
    from scipy.stats import binomtest

    for c in ("doc_id", "quote_start", "quote_end", "speaker"):
        if c not in quotes.columns:
            raise ValueError(f"quotes lack column {c!r}")
    for c in ("doc_id", start_col, end_col, speaker_col):
        if c not in gold.columns:
            raise ValueError(f"gold lacks column {c!r}")
    g = gold[~gold[speaker_col].fillna("").astype(str).isin(set(exclude))]
    g = g[g[start_col].notna() & g[end_col].notna()]
    by_doc = {d: grp for d, grp in quotes.groupby(quotes["doc_id"].astype(str))}
    rows = []
    for r in g.itertuples(index=False):
        d = str(getattr(r, "doc_id"))
        s, e = int(getattr(r, start_col)), int(getattr(r, end_col))
        gs = getattr(r, speaker_col)
        pred, best = None, 0
        grp = by_doc.get(d)
        if grp is not None:
            ov = (np.minimum(grp["quote_end"].to_numpy(), e) - np.maximum(grp["quote_start"].to_numpy(), s))
            k = int(np.argmax(ov))
            if ov[k] > 0:
                best = int(ov[k])
                sp = grp["speaker"].iloc[k]
                pred = None if (sp is None or (isinstance(sp, float) and np.isnan(sp)) or pd.isna(sp)) else str(sp)
        rows.append({"doc_id": d, "start": s, "end": e, "gold_speaker": gs, "found": best > 0,
                     "pred_speaker": pred, "correct": speaker_matches(pred, gs)})
    m = pd.DataFrame(rows, columns=["doc_id", "start", "end", "gold_speaker", "found", "pred_speaker", "correct"])
    n = len(m)
    n_found = int(m["found"].sum()) if n else 0
    n_attr = int(m["pred_speaker"].notna().sum()) if n else 0
    n_ok = int(m["correct"].sum()) if n else 0

    def prop(k: int, nn: int) -> tuple[float, float, float]:
        if nn == 0:
            return float("nan"), float("nan"), float("nan")
        iv = binomtest(k, nn).proportion_ci(confidence_level=ci, method="wilson")
        return k / nn, float(iv.low), float(iv.high)

    p, r_ = prop(n_ok, n_attr), prop(n_ok, n)
    f1 = 2 * p[0] * r_[0] / (p[0] + r_[0]) if n_attr and n and (p[0] + r_[0]) > 0 else float("nan")
    cov = prop(n_found, n)
    out = pd.DataFrame([
        ("precision", *p, n_ok, n_attr), ("recall", *r_, n_ok, n),
        ("f1", f1, float("nan"), float("nan"), n_ok, n), ("coverage", *cov, n_found, n),
    ], columns=["metric", "value", "ci_low", "ci_high", "numerator", "denominator"])
    return (out, m) if return_matches else out
