"""Benchmark section ``markers``: matching a whole corpus against the default lexicon, and
the marker rates by outlet."""
from __future__ import annotations

import time

import pandas as pd

from framing._compat import renamed_kwargs
from framing.bench.lexical import _bench_corpus
from framing.markers import load_lexicon, marker_rates, match_markers
from framing.tokens import text_column

__all__ = ["run"]


@renamed_kwargs(bootstrap="n_boot")
def run(corpus: pd.DataFrame | None = None, *, name: str = "ukraine-media", n_boot: int = 1000,
        random_state: int = 0) -> dict:
    """Time :func:`framing.match_markers` and :func:`framing.marker_rates` (by outlet) on a whole corpus.

    Parameters
    ----------
    corpus : DataFrame, optional
        Defaults to ``framing.load_corpus(name)`` (``name``: default ``"ukraine-media"``).
    n_boot, random_state
        Passed to :func:`framing.marker_rates`.

    Returns
    -------
    dict
        ``n_docs``, ``n_chars``, ``n_markers``, ``n_matches``, ``match_s`` (all markers of the
        default lexicon), ``chars_per_s``, ``rates_s`` (word counts and the bootstrap, given
        the matches).
    """
    corpus, source = _bench_corpus(corpus, name)
    lex = load_lexicon()
    n_chars = int(sum(len(t) for t in text_column(corpus, "text", caller="benchmark")))
    t = time.perf_counter()
    m = match_markers(corpus, lexicon=lex)
    match_s = time.perf_counter() - t
    t = time.perf_counter()
    marker_rates(corpus, lexicon=lex, matches=m, n_boot=n_boot, random_state=random_state, voice="all",
                 boilerplate="keep")
    rates_s = time.perf_counter() - t
    return {"benchmark": "framing.bench.markers:run", "corpus": source, "n_docs": len(corpus), "n_chars": n_chars,
            "n_markers": len(lex.markers), "n_matches": len(m), "match_s": round(match_s, 3),
            "chars_per_s": round(n_chars / match_s) if match_s > 0 else None, "n_boot": int(n_boot),
            "rates_s": round(rates_s, 3)}
