"""Benchmark of story linking and claim alignment (``align`` section of ``make bench``)."""
from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

from framing.align import align_claims, link_stories

__all__ = ["run"]


def _synthetic_corpus(n_stories: int, outlets: Sequence[str], rng: np.random.Generator) -> pd.DataFrame:
    vocab = [f"w{i}" for i in range(3000)]
    names = [f"Name{i}" for i in range(500)]
    rows = []
    for s in range(n_stories):
        topic = rng.choice(vocab, 40, replace=False)
        ents = rng.choice(names, 4, replace=False)
        day = pd.Timestamp("2022-09-01") + pd.Timedelta(days=int(rng.integers(0, 40)))
        for o in outlets:
            words = list(rng.choice(topic, 60)) + list(rng.choice(vocab, 60)) + list(rng.choice(ents, 6))
            rng.shuffle(words)
            rows.append({"doc_id": f"{o}-{s}", "outlet": o, "published": day,
                         "title": " ".join(words[:8]), "text": ". ".join(" ".join(words[i:i + 12])
                                                                    for i in range(0, len(words), 12)),
                         "url": "", "lang": "en", "gold": s})
    return pd.DataFrame(rows)


def run(*, n_stories: int = 100, n_outlets: int = 3, sentences_per_doc: int = 30,
              random_state: int = 0) -> dict[str, float]:
    """Time story linking and claim alignment on synthetic data (HashEncoder, no model).

    Returns a dict of wall-clock seconds and sizes: ``link_stories_s`` for
    ``n_stories * n_outlets`` articles, ``align_claims_s`` for one story of ``n_outlets``
    articles with ``sentences_per_doc`` sentences each, plus ``link_ari`` as a sanity check.

    Examples
    --------
    >>> r = run(n_stories=5, sentences_per_doc=5)
    >>> sorted(r)
    ['align_claims', 'align_claims_s', 'align_sentences', 'link_ari', 'link_articles', 'link_stories_s']
    """
    from sklearn.metrics import adjusted_rand_score

    from framing.testing import HashEncoder

    rng = np.random.default_rng(random_state)
    outlets = [f"O{i}" for i in range(n_outlets)]
    corpus = _synthetic_corpus(n_stories, outlets, rng)
    enc = HashEncoder(dim=128)
    X = enc.encode([f"{t}\n{x}" for t, x in zip(corpus["title"], corpus["text"])])
    t0 = time.perf_counter()
    linked = link_stories(corpus, embeddings=X, one_per_outlet=True)
    t_link = time.perf_counter() - t0
    ari = adjusted_rand_score(corpus["gold"], linked["story_id"])

    sent_rows = []
    base = [" ".join(rng.choice([f"v{i}" for i in range(2000)], 10)) for _ in range(sentences_per_doc)]
    for o in outlets:
        perm = rng.permutation(sentences_per_doc)
        for p, i in enumerate(perm):
            sent_rows.append({"doc_id": o, "sent_id": f"{o}:{p}", "outlet": o, "text": base[i], "position": p})
    sents = pd.DataFrame(sent_rows)
    E = enc.encode(sents["text"].tolist())
    t0 = time.perf_counter()
    al = align_claims(sents, embeddings=E)
    t_align = time.perf_counter() - t0
    return {"link_stories_s": t_link, "link_articles": float(len(corpus)), "link_ari": float(ari),
            "align_claims_s": t_align, "align_sentences": float(len(sents)),
            "align_claims": float(al.n_claims)}