"""The voice rules on one sentence: source subjects, reported speech, and the voice of the sentence."""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from framing.voice.cues import (_ACCORDING_RE, _ADJ, _AFTER_CUE_BLOCK, _AGENTLESS_RE, _AUX, _CONNECT, _CUE_RE,
                                _DETS, _FIRST_PERSON, _LABEL, _LABEL_STOP, _LEAD_FRAME, _PASSIVE_RE, _PRONOUN_SUBJ,
                                _QUOTE_CHARS, _RELATIVE_LEAD, _ROLE, _STOP, _TIME_HEAD, _TRAIL_OK, _WEAK_OK, _WORD,
                                CUE_VERBS)

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
    """Reported-speech pieces of one sentence: content span, frame spans, speaker, cue.

    A transcript turn is one piece; otherwise the pieces of "according to X", passives ("was
    condemned by X"), agentless labels ("what has been called ...") and cue verbs with a
    source subject, in that order.
    """
    words = _words(s)
    if not words:
        return []
    turn = _turn_piece(s)
    if turn is not None:
        return [turn]
    return (_according_pieces(s) + _passive_pieces(s) + _agentless_pieces(s)
            + [p for cm in _CUE_RE.finditer(s) if (p := _cue_piece(s, words, cm, quote_marks)) is not None])


def _turn_piece(s: str) -> dict[str, Any] | None:
    """A transcript turn: a speaker label that ended the previous sentence (": It is ...") or
    "LAVROV: ..." / "Peskov (through a translator): ..."."""
    if s.lstrip().startswith(":"):
        return {"content": _strip_span(s, s.index(":") + 1, len(s)), "frames": [], "speaker": None,
                "cue": "label", "kind": "direct"}
    m = _LABEL.match(s)
    if m and m.group("label").strip().upper() not in _LABEL_STOP and len(m.group("label")) > 1:
        colon = s.index(":", m.end("label"))
        return {"content": _strip_span(s, colon + 1, len(s)), "frames": [(m.start("label"), m.end("label"))],
                "speaker": m.group("label").strip(), "cue": "label", "kind": "direct"}
    return None


def _according_pieces(s: str) -> list[dict[str, Any]]:
    """According to X: the content before it (when there is one) or after X."""
    out = []
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
    return out


def _passive_pieces(s: str) -> list[dict[str, Any]]:
    """Passive: "was condemned by X (as ...)"; any agent of a passive speech verb is a source."""
    out = []
    for pm in _PASSIVE_RE.finditer(s):
        rest = pm.end()
        nxt = re.search(r"\s+(?:as|for|over|after|because|in|on|at|during)\b|[,;.:]", s[rest:])
        spk_end = rest + (nxt.start() if nxt else len(s) - rest)
        speaker = s[rest:spk_end].strip()
        if not _words(speaker):
            continue
        content = _strip_span(s, spk_end, len(s))
        if pm.group("compl"):  # "were slammed as sham and illegal by Kyiv": the complement is the claim
            content = _strip_span(s, pm.start("compl"), pm.end("compl"))
        out.append({"content": content, "frames": [(pm.start("verb"), spk_end)], "speaker": speaker,
                    "cue": CUE_VERBS[pm.group("verb")][0], "kind": "reported"})
    return out


def _agentless_pieces(s: str) -> list[dict[str, Any]]:
    """Agentless: "what has been called a “sham”" -- the label is someone else's, unnamed."""
    out = []
    for gm in _AGENTLESS_RE.finditer(s):
        nxt = re.search(r"[,;:]|\s[–—-]\s|\s(?:to|in|on|and|that|which)\s", s[gm.end():])
        end = gm.end() + (nxt.start() if nxt else len(s) - gm.end())
        content = _strip_span(s, gm.end(), end)
        if content[1] > content[0]:
            out.append({"content": content, "frames": [(gm.start(), gm.end())], "speaker": None,
                        "cue": CUE_VERBS.get(gm.group("verb"), (gm.group("verb"),))[0], "kind": "reported"})
    return out


def _is_cue_use(words: list[tuple[int, int, str]], k: int, lemma: str) -> bool:
    """Is the cue verb at word k used as a verb of speech (not a noun, infinitive, agentless
    passive, phrasal verb, or "spoke"/"pointed" without their particle)?"""
    prev = words[k - 1][2].lower() if k > 0 else ""
    if prev in _DETS - {"many", "most", "some", "several", "all", "both", "others"} or prev in {
            "to", "of", "with", "by", "for", "so", "be", "being", "been", "not", "was", "were", "is", "are"} \
            and lemma not in {"say"}:
        return False  # a noun ("the claims"), an infinitive or a passive without agent
    nxt_word = words[k + 1][2].lower() if k + 1 < len(words) else ""
    if nxt_word in _AFTER_CUE_BLOCK and lemma in {"call", "read", "post", "report", "write"}:
        return False
    if lemma == "speak" and nxt_word not in {"about", "on", "of", "to", "with", "at", "out"}:
        return False  # "spoke about the vote" is a speech report; "spoke" alone is not
    if lemma == "point" and nxt_word not in {"to", "out"}:
        return False
    return True


def _cue_piece(s: str, words: list[tuple[int, int, str]], cm: re.Match[str],
               quote_marks: list[tuple[int, int]]) -> dict[str, Any] | None:
    """The reported-speech piece of one cue verb with a source subject, or None."""
    verb = cm.group(1)
    lemma, strength = CUE_VERBS[verb]
    va, vb = cm.span(1)
    k = int(np.searchsorted([w[0] for w in words], va))
    if k >= len(words) or words[k][0] != va or not _is_cue_use(words, k, lemma):
        return None
    if any(a <= va < b for a, b in quote_marks):
        return None  # a verb inside a direct quotation is the quoted speaker's
    tail_words = words[k + 1:]
    # verb-first trailing attribution: "..., said Peskov."
    floor = _clause_floor(s, va)
    if s[floor:va].strip() == "" and floor > 0 and len(tail_words) <= 8:
        spk = _words(s, vb)
        if spk and _np_word(spk[0][2]) and any(_is_sourceword(w[2], first=False) for w in spk[:6]):
            return {"content": _strip_span(s, 0, floor - 1), "frames": [(va, len(s.rstrip(" .")))],
                    "speaker": s[vb:].strip(" .,"), "cue": lemma, "kind": "reported"}
    subj = _subject(s, words, k, floor)
    if subj is None and floor > 0:
        # ", who said" / "Peskov, the Kremlin spokesman, said": look one clause further back
        subj = _subject(s, words, k, _clause_floor(s, floor - 1))
    if subj is None:
        return None
    trailing = (floor > 0 and s.rfind(",", 0, subj[0] + 1) >= 0
                and all(w[2].lower() in _TRAIL_OK or w[2].lower() in _TIME_HEAD or w[2][:1].isdigit()
                        for w in tail_words[:8]) and len(tail_words) <= 8)
    if trailing:
        content = _strip_span(s, 0, s.rfind(",", 0, subj[0] + 1))
    else:
        if strength == "weak" and not _WEAK_OK.match(s[vb:].lstrip()):
            return None
        content = _strip_span(s, vb, len(s))
    if content[1] <= content[0]:
        return None
    spk_a = subj[0]
    lead = _RELATIVE_LEAD.match(s, spk_a, subj[1])
    if lead and subj[1] > lead.end():
        spk_a = lead.end()
    return {"content": content, "frames": [(subj[0], vb)], "speaker": s[spk_a:subj[1]], "cue": lemma,
            "kind": "reported"}


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

