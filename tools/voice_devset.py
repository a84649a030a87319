"""Draw the sentence samples behind the hand-coded "whose voice" development and test sets.

The development sample (``--set dev``, the default) feeds ``tests/data/voice_dev.csv``:
sentences about the September 2022 referendums in Russian-occupied Ukraine, each coded by
a human reader for voice (own / direct / reported / mixed), speaker span and own-voice
stance (see ``docs/codebook_voice.md``).  The held-out test sample (``--set test``, see
"Held-out test set" below) feeds ``tests/data/voice_test.csv``, coded the same way; it is
for final evaluation only and must not be used to tune a method.  The test set has since
been used for error analysis, so a second held-out sample (``--set test2``, see "Second
held-out test set" below) feeds ``tests/data/voice_test2.csv``.  This script only
reproduces *which* sentences were coded; the codes themselves were assigned by reading,
never by rules.

Sources
-------
* ``ukraine-media``: articles published 2022-09-16 .. 2022-10-07 (inclusive, via
  ``framing.select``), split into sentences with ``framing.split_sentences`` (default
  options).  Documents flagged as near duplicates of another document
  (``near_dup_of`` non-empty) are left out, so the same sentence is not coded twice.
* ``ungdc``: the 2022 General Debate speeches (``year == 2022``, session 77), split the
  same way.

Relevance filter
----------------
A sentence is relevant when its text matches, case-insensitively, ::

    referend|plebiscit|annex|sham vote|accession|join(?:ing)? russia|so-called vote|
    mock vote|the vote[sd]?\\b|voting\\b|ballot

For UN speeches a sentence is also relevant when it mentions ``Ukrain`` *and* one of
``territor|sovereign|integrity|recogni`` (states often speak of the annexation in terms of
Ukraine's territorial integrity without naming the votes).

Strata
------
* News: 50 sentences from RT, and 100 spread as evenly as possible over the US/UK outlets
  that have relevant sentences in the window (ABC, CBS, Fox, HuffPost, NYT, Reuters).  An
  outlet whose capacity (relevant sentences, counting at most 3 per document) is below its
  equal share gives everything it has; the remainder is re-split evenly among the others
  (leftover units go to outlets in alphabetical order).
* At most 3 sentences per news document, at most 2 per UN speech; 40 UN sentences.

Sampling
--------
Within a stratum the candidate sentences (in sentence-table order) are visited in the
order of a random permutation and taken while their document has room.  News strata are
drawn in the order RT, then the US/UK outlets alphabetically, all from one
``numpy.random.default_rng(20221012)``; the UN sample uses a fresh generator with the same
seed.  The result is deterministic for a given corpus manifest and framing version.

Output
------
``tests/data/voice_dev_sample.csv`` with columns ``corpus``, ``doc_id``, ``sent_id``,
``start``, ``end``, ``outlet`` (outlet name, or the speaking state's ISO3 code).  ``start``
and ``end`` are character offsets into the document's ``text``.  No corpus text is written.

Held-out test set (``--set test``)
----------------------------------
Drawn from the same sources, near-duplicate rule and sentence splitting, with these
differences:

* **Relevance filter with a left word boundary.**  Each alternative of the news filter is
  preceded by ``\\b``, i.e. ::

    \\b(?:referend|plebiscit|annex|sham vote|accession|join(?:ing)? russia|so-called vote|
    mock vote|the vote[sd]?\\b|voting\\b|ballot)

  so a word that merely *contains* an alternative (``devoting``, ``outvoting``,
  ``reannex``) no longer matches.  The dev filter is left as it was, so the two sets are
  drawn with slightly different filters.  The UN extension (``Ukrain`` and one of
  ``territor|sovereign|integrity|recogni``) is unchanged.
* **Dev documents left out.**  Every document (news article or UN speech) that has a
  sentence in the development sample is excluded, so no test sentence shares a document
  with a dev sentence.
* **Wider news window: 2022-08-16 .. 2022-11-07** (inclusive; the dev window widened by
  31 days on each side).  Inside the dev window the dev sample already holds 45 of the 48
  US/UK documents with a relevant sentence, so after leaving dev documents out the dev
  window has room for only 4 US/UK sentences (3 ABC documents; none from the other five
  outlets).  The wider window reaches into the run-up (referendum plans in Kherson and
  Zaporizhzhia) and the aftermath (UN General Assembly vote, Kherson) of the votes, and
  also into the US midterm campaign, so it holds more off-topic matches than the dev
  window; those are coded as in dev (stance ``none``, note "off-topic ...").
* **Sizes and caps.**  30 RT sentences and 60 spread over the same US/UK outlets by the
  same water filling (capacities counted at most 2 per document); at most 2 sentences per
  news document; 30 UN sentences, at most 2 per speech.  (Only 26 of the 2022 speeches
  that pass the filter are not in the dev sample, so 30 sentences at 1 per speech are not
  available.)
* **Seed.**  ``numpy.random.default_rng(20221130)`` (same draw order as dev: RT, then the
  US/UK outlets alphabetically from one generator; the UN draw from a fresh generator with
  the same seed).

Output: ``tests/data/voice_test_sample.csv`` (same columns as the dev sample).

Second held-out test set (``--set test2``)
------------------------------------------
Drawn after the voice rules were frozen and the first test set had been used for error
analysis, and coded by reading; the sentences were looked at for coding only, never for
tuning or error analysis.  Differences from the first test set:

* **Relevance filter**: the test filter (left word boundary), with the same UN extension.
* **Dev and test documents left out.**  Every document with a sentence in the dev *or*
  the test sample is excluded, so test2 shares no document with either.
* **News: the whole ``ukraine-media`` corpus** (all dates, no ``framing.select`` window;
  near-duplicate documents left out as in dev).  Most of the referendum coverage of the
  US/UK outlets is already in the dev and test samples (no Reuters document is left), so
  the sample reaches far outside the referendum period (8 of its 90 news sentences fall
  in the dev window, 33 in the test window) and holds many off-topic matches
  (US elections and Congress, NATO/EU/WTO *accession*, Crimea 2014); they are coded as
  in dev (stance ``none``, note "off-topic ..." or "Crimea 2014 ...").
* **UN: the 2023 General Debate speeches** (``year == 2023``, session 78), where the
  annexation is discussed too; of the 61 2022 speeches that pass the test filter, only
  one has no sentence in the dev or test sample.
* **Sizes and caps.**  30 RT sentences and 60 spread over the US/UK outlets by the same
  water filling (capacities counted at most 2 per document; with Reuters empty this gives
  ABC 13, CBS 10, Fox 13, HuffPost 12, NYT 12); at most 2 sentences per news document;
  30 UN sentences, at most 1 per speech (63 of the 2023 speeches pass the filter, so the
  cap of 1 has room and was not raised).
* **Seed.**  ``numpy.random.default_rng(20261130)``, same draw order as dev and test.

Output: ``tests/data/voice_test2_sample.csv`` (same columns as the dev sample).

Run (offline, with the corpus mirror)::

    HF_HUB_OFFLINE=1 FRAMING_MIRROR=/path/to/mirror .venv/bin/python tools/voice_devset.py
    HF_HUB_OFFLINE=1 FRAMING_MIRROR=/path/to/mirror .venv/bin/python tools/voice_devset.py --check
    HF_HUB_OFFLINE=1 FRAMING_MIRROR=/path/to/mirror .venv/bin/python tools/voice_devset.py --set test
    HF_HUB_OFFLINE=1 FRAMING_MIRROR=/path/to/mirror .venv/bin/python tools/voice_devset.py --set test --check
    HF_HUB_OFFLINE=1 FRAMING_MIRROR=/path/to/mirror .venv/bin/python tools/voice_devset.py --set test2
    HF_HUB_OFFLINE=1 FRAMING_MIRROR=/path/to/mirror .venv/bin/python tools/voice_devset.py --set test2 --check

``--check`` writes nothing: it redraws the sample, compares it with
``tests/data/voice_dev_sample.csv``, and checks the coded file ``tests/data/voice_dev.csv``
(same rows; every ``start:end`` is a sentence of the sentence table that passes the
filter; speaker spans lie inside their sentence; codes from the codebook's sets).
``--set test --check`` does the same for ``tests/data/voice_test_sample.csv`` and
``tests/data/voice_test.csv`` (using the test filter), and also checks that no test
document appears in ``tests/data/voice_dev_sample.csv``.  ``--set test2 --check`` checks
``tests/data/voice_test2_sample.csv`` and ``tests/data/voice_test2.csv`` the same way, and
that no test2 document appears in the dev or the test sample.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import framing

SEED = 20221012
WINDOW = ("2022-09-16", "2022-10-07")
_ALTERNATIVES = (
    r"referend|plebiscit|annex|sham vote|accession|join(?:ing)? russia|so-called vote|"
    r"mock vote|the vote[sd]?\b|voting\b|ballot"
)
RELEVANT = re.compile(_ALTERNATIVES, re.IGNORECASE)
# Test-set filter: the same alternatives, each with a left word boundary.
RELEVANT_TEST = re.compile(r"\b(?:" + _ALTERNATIVES + ")", re.IGNORECASE)
UKRAINE = re.compile(r"Ukrain", re.IGNORECASE)
TERRITORY = re.compile(r"territor|sovereign|integrity|recogni", re.IGNORECASE)
N_RT = 50
N_US = 100
US_OUTLETS = ("ABC", "CBS", "Fox", "HuffPost", "NYT", "Reuters")
MAX_PER_DOC_NEWS = 3
N_UN = 40
MAX_PER_DOC_UN = 2
COLUMNS = ["corpus", "doc_id", "sent_id", "start", "end", "outlet"]
OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "voice_dev_sample.csv"
CODED = OUT.with_name("voice_dev.csv")
VOICES = {"own", "direct", "reported", "mixed"}
STANCES = {"legitimizing", "delegitimizing", "none"}
CODE_COLUMNS = ["voice", "speaker_start", "speaker_end", "speaker_in_context", "stance", "note"]


@dataclass(frozen=True)
class SetSpec:
    """Parameters of one hand-coded set (development or held-out test)."""

    name: str
    seed: int
    relevant: re.Pattern[str]
    n_rt: int
    n_us: int
    max_per_doc_news: int
    n_un: int
    max_per_doc_un: int
    out: Path
    coded: Path
    exclude: tuple[str, ...] = ()  # sets whose sample documents are left out
    window: tuple[str, str] | None = WINDOW  # None: the whole news corpus
    un_year: int = 2022


DEV = SetSpec("dev", SEED, RELEVANT, N_RT, N_US, MAX_PER_DOC_NEWS, N_UN, MAX_PER_DOC_UN,
              OUT, CODED)
TEST_OUT = OUT.with_name("voice_test_sample.csv")
# The dev window widened by 31 days on each side: inside the dev window the dev sample
# already uses all but 3 US/UK documents (see the module docstring).
TEST_WINDOW = ("2022-08-16", "2022-11-07")
TEST = SetSpec("test", 20221130, RELEVANT_TEST, 30, 60, 2, 30, 2,
               TEST_OUT, TEST_OUT.with_name("voice_test.csv"), exclude=("dev",),
               window=TEST_WINDOW)
# Second held-out set, drawn after the rules were frozen (see the module docstring).
TEST2_OUT = OUT.with_name("voice_test2_sample.csv")
TEST2 = SetSpec("test2", 20261130, RELEVANT_TEST, 30, 60, 2, 30, 1,
                TEST2_OUT, TEST2_OUT.with_name("voice_test2.csv"), exclude=("dev", "test"),
                window=None, un_year=2023)
SETS = {"dev": DEV, "test": TEST, "test2": TEST2}


def is_relevant(text: str, pattern: re.Pattern[str] = RELEVANT) -> bool:
    """The news relevance filter (``pattern``: the dev filter unless given)."""
    return pattern.search(text) is not None


def is_relevant_un(text: str, pattern: re.Pattern[str] = RELEVANT) -> bool:
    """The UN relevance filter: the news filter, or Ukraine + territory/sovereignty."""
    return is_relevant(text, pattern) or (UKRAINE.search(text) is not None
                                          and TERRITORY.search(text) is not None)


def news_sentences(pattern: re.Pattern[str] = RELEVANT,
                   window: tuple[str, str] | None = WINDOW) -> pd.DataFrame:
    """Relevant sentences of the news window (``None``: all dates; near duplicates left out)."""
    news = framing.load_corpus("ukraine-media", progress=False)
    event = news if window is None else framing.select(news, start=window[0], end=window[1])
    event = event[event["near_dup_of"].fillna("") == ""]
    sents = framing.split_sentences(event)
    return sents[sents["text"].map(lambda t: is_relevant(t, pattern))].reset_index(drop=True)


def un_sentences(pattern: re.Pattern[str] = RELEVANT, year: int = 2022) -> pd.DataFrame:
    """Relevant sentences of one year's General Debate speeches (2022 unless given)."""
    un = framing.load_corpus("ungdc", progress=False)
    speeches = un[un["year"] == year]
    sents = framing.split_sentences(speeches)
    return sents[sents["text"].map(lambda t: is_relevant_un(t, pattern))].reset_index(drop=True)


def capacity(cands: pd.DataFrame, max_per_doc: int) -> int:
    """How many sentences a stratum can give under the per-document cap."""
    return int(cands.groupby("doc_id").size().clip(upper=max_per_doc).sum())


def allocate(total: int, caps: dict[str, int]) -> dict[str, int]:
    """Spread ``total`` evenly over strata with capacities ``caps`` (water filling)."""
    quota = {k: 0 for k in caps}
    open_ = sorted(k for k, c in caps.items() if c > 0)
    left = min(total, sum(caps.values()))
    while left > 0 and open_:
        share, extra = divmod(left, len(open_))
        full = [k for k in open_ if caps[k] - quota[k] <= share]
        if full:  # strata that cannot take an equal share give all they have
            for k in full:
                left -= caps[k] - quota[k]
                quota[k] = caps[k]
            open_ = [k for k in open_ if k not in full]
            continue
        for i, k in enumerate(open_):
            quota[k] += share + (1 if i < extra else 0)
        left = 0
    return quota


def draw(cands: pd.DataFrame, n: int, max_per_doc: int, rng: np.random.Generator) -> pd.DataFrame:
    """Visit ``cands`` in random order, taking sentences while their document has room."""
    order = rng.permutation(len(cands))
    taken: list[int] = []
    per_doc: dict[str, int] = {}
    for i in order:
        if len(taken) == n:
            break
        doc = cands["doc_id"].iat[i]
        if per_doc.get(doc, 0) < max_per_doc:
            per_doc[doc] = per_doc.get(doc, 0) + 1
            taken.append(int(i))
    if len(taken) < n:
        raise RuntimeError(f"stratum has room for {len(taken)} sentences, {n} asked")
    return cands.iloc[sorted(taken)]


def sample(spec: SetSpec = DEV) -> pd.DataFrame:
    """The sample of ``spec`` (no text), sorted by corpus, outlet, document, offset."""
    parts = []
    news = news_sentences(spec.relevant, spec.window)
    un = un_sentences(spec.relevant, spec.un_year)
    if spec.exclude:
        used = set().union(*(set(sample(SETS[name])["doc_id"]) for name in spec.exclude))
        news = news[~news["doc_id"].isin(used)].reset_index(drop=True)
        un = un[~un["doc_id"].isin(used)].reset_index(drop=True)
    rng = np.random.default_rng(spec.seed)
    parts.append(draw(news[news["outlet"] == "RT"], spec.n_rt, spec.max_per_doc_news, rng)
                 .assign(corpus="ukraine-media"))
    caps = {o: capacity(news[news["outlet"] == o], spec.max_per_doc_news) for o in US_OUTLETS}
    quota = allocate(spec.n_us, caps)
    for outlet in US_OUTLETS:
        if quota[outlet]:
            cands = news[news["outlet"] == outlet]
            parts.append(draw(cands, quota[outlet], spec.max_per_doc_news, rng).assign(corpus="ukraine-media"))
    rng = np.random.default_rng(spec.seed)
    parts.append(draw(un, spec.n_un, spec.max_per_doc_un, rng).assign(corpus="ungdc"))
    out = pd.concat(parts, ignore_index=True)[COLUMNS]
    out[["start", "end"]] = out[["start", "end"]].astype(int)
    return out.sort_values(["corpus", "outlet", "doc_id", "start"], kind="stable").reset_index(drop=True)


def check(spec: SetSpec = DEV) -> list[str]:
    """Problems found in the sample and coded files (empty list: all good)."""
    problems: list[str] = []
    drawn = sample(spec)
    stored = pd.read_csv(spec.out, dtype={"doc_id": str, "sent_id": str, "outlet": str})
    if not drawn.equals(stored[COLUMNS]):
        problems.append(f"{spec.out.name} differs from a fresh draw")
    coded = pd.read_csv(spec.coded, dtype={"doc_id": str, "sent_id": str, "outlet": str, "note": str},
                        keep_default_na=False)
    if list(coded.columns) != COLUMNS + CODE_COLUMNS:
        problems.append(f"{spec.coded.name} columns {list(coded.columns)}")
    for name in spec.exclude:
        other = SETS[name].out
        other_docs = set(pd.read_csv(other, dtype={"doc_id": str})["doc_id"])
        shared = sorted(set(stored["doc_id"]) & other_docs)
        if shared:
            problems.append(f"{spec.out.name} shares documents with {other.name}: {shared}")
    if not coded[COLUMNS].astype({"start": int, "end": int}).equals(stored[COLUMNS]):
        problems.append(f"{spec.coded.name} rows differ from {spec.out.name}")
    news = framing.load_corpus("ukraine-media", progress=False)
    un = framing.load_corpus("ungdc", progress=False)
    docs = pd.concat([news, un], ignore_index=True)
    docs = docs[docs["doc_id"].isin(coded["doc_id"])]
    texts = dict(zip(docs["doc_id"], docs["text"]))
    sents = framing.split_sentences(docs).set_index("sent_id")
    for r in coded.itertuples(index=False):
        where = f"{r.sent_id}"
        start, end = int(r.start), int(r.end)
        if r.sent_id not in sents.index:
            problems.append(f"{where}: not a sentence of the sentence table")
            continue
        s = sents.loc[r.sent_id]
        if (int(s["start"]), int(s["end"]), s["doc_id"]) != (start, end, r.doc_id):
            problems.append(f"{where}: offsets differ from the sentence table")
        text = texts[r.doc_id][start:end]
        ok = (is_relevant(text, spec.relevant) if r.corpus == "ukraine-media"
              else is_relevant_un(text, spec.relevant))
        if not ok:
            problems.append(f"{where}: sentence does not pass the relevance filter")
        if r.voice not in VOICES:
            problems.append(f"{where}: voice {r.voice!r}")
        if r.stance not in STANCES:
            problems.append(f"{where}: stance {r.stance!r}")
        if str(r.speaker_in_context) not in {"0", "1"}:
            problems.append(f"{where}: speaker_in_context {r.speaker_in_context!r}")
        has_start, has_end = str(r.speaker_start) != "", str(r.speaker_end) != ""
        if has_start != has_end:
            problems.append(f"{where}: speaker span half given")
        elif has_start:
            a, b = int(r.speaker_start), int(r.speaker_end)
            if not start <= a < b <= end:
                problems.append(f"{where}: speaker span {a}:{b} outside {start}:{end}")
            if r.voice == "own":
                problems.append(f"{where}: own voice with a speaker")
    return problems


def parse_args(argv: list[str]) -> tuple[SetSpec, bool] | None:
    """``[--set dev|test|test2] [--check]`` in any order; None on a usage error."""
    spec, do_check, args = DEV, False, list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--check" and not do_check:
            do_check = True
        elif arg == "--set" and args and args[0] in SETS:
            spec = SETS[args.pop(0)]
        elif arg.startswith("--set=") and arg[len("--set="):] in SETS:
            spec = SETS[arg[len("--set="):]]
        else:
            return None
    return spec, do_check


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parsed = parse_args(argv)
    if parsed is None:
        print("usage: voice_devset.py [--set dev|test|test2] [--check]", file=sys.stderr)
        return 2
    spec, do_check = parsed
    if do_check:
        problems = check(spec)
        for p in problems:
            print(p, file=sys.stderr)
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1 if problems else 0
    out = sample(spec)
    spec.out.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(spec.out, index=False)
    counts = out.groupby(["corpus", "outlet"]).size()
    print(f"wrote {len(out)} rows to {spec.out}", file=sys.stderr)
    print(counts.to_string(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
