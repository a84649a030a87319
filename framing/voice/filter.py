"""Keep or blank text by voice and boilerplate: the ``voice=``/``boilerplate=`` options of every measure."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from framing.voice.attribute import attribute_voice
from framing.voice.cues import BOILERPLATE_OPTIONS, VOICE_OPTIONS
from framing.voice.rules import _blank

__all__ = ["filter_voice", "voice_corpus"]


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
    >>> from framing.voice import excluded_rows
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
    from framing.tokens import tokenize

    rec["words_total"] = int(sum(len(tokenize(t)) for t in corpus["text"]))
    rec["words_kept"] = int(sum(len(tokenize(t)) for t in new))
    out.attrs = dict(corpus.attrs)
    out.attrs["text_filter"] = rec
    out.attrs["excluded"] = excluded.to_dict("records")
    return out

