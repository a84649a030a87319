"""Label the sentences of a sentence table with their voice."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from framing._checks import dask_options, defaults_of as _defaults, is_dask
from framing.quotes import document_layouts, quote_spans
from framing.voice.cues import _LABEL, _LETTER, VOICES
from framing.voice.rules import _NOT_NEWLINE, _is_turn, _voice_of_sentence

__all__ = ["attribute_voice", "keyword_voice_baseline"]


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
    if is_dask(sentences):   # the Dask path: same answers from per-partition statistics
        options = {k: v for k, v in locals().items() if k != "sentences"}
        from framing import scale

        return scale.attribute_voice(sentences, **dask_options("attribute_voice", options, _defaults(attribute_voice),
                                                          ()))
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
        docs, _ = document_layouts(light)
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

