"""Speaker phrases: cleaning a matched phrase, finding a speaker before a quote, the last person named."""
from __future__ import annotations

import re

from framing.quotes.patterns import (_BEFORE_ACCORDING, _CUT_PREPS, _DETS, _HEAD_NOUNS, _LEADING_JUNK, _PERSON,
                                     _PRONOUNS, _ROLE_WORDS, _VERB_ALT)


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

