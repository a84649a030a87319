"""Quote detection: direct quotes, curly single quotes and indirect statements, with speakers."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from framing.quotes.documents import document_layouts
from framing.quotes.lexicon import ActorLexicon, _lexicon
from framing.quotes.patterns import (_AFTER_ACCORDING, _AFTER_SPK_VERB, _AFTER_VERB_SPK, _BEFORE_ACCORDING,
                                     _BEFORE_SPK_VERB, _CLOSE_MARKS, _IND_ACC_END, _IND_ACC_START, _IND_END_SPK_VERB,
                                     _IND_END_VERB_SPK, _IND_START, _OPEN_MARKS, _PRONOUNS, _WORD_RE, QUOTE_COLUMNS,
                                     SPEECH_VERBS)
from framing.quotes.speakers import _clean_speaker, _recent_person, _speaker_before

__all__ = ["quote_spans", "extract_quotes"]


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
    docs, _ = document_layouts(sentences_or_corpus)
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

