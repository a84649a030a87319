"""Small deterministic stand-ins for tests and examples (no model download, no torch).

:class:`HashEncoder` implements the encoder protocol used throughout ``framing``:
an object with ``encode(texts) -> np.ndarray`` returning one L2-normalised float32 row per
text, in input order, and a ``name`` attribute identifying the model. It embeds a text as
the normalised sum of hashed word vectors, so texts that share words are close and texts
that share none are (nearly) orthogonal -- enough to test plumbing with known answers.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from framing._checks import l2_normalize

_TOKEN = re.compile(r"[A-Za-z0-9]+")


class HashEncoder:
    """Deterministic bag-of-words hashing encoder (test stand-in for a sentence model).

    Parameters
    ----------
    dim : int
        Dimension of the vectors.
    lowercase : bool
        Lower-case tokens before hashing.

    Examples
    --------
    >>> enc = HashEncoder(dim=32)
    >>> X = enc.encode(["the cat sat", "the cat sat", "stock markets fell"])
    >>> X.shape, X.dtype.name
    ((3, 32), 'float32')
    >>> bool(abs(X[0] @ X[1] - 1) < 1e-6)
    True
    """

    def __init__(self, dim: int = 64, *, lowercase: bool = True) -> None:
        self.dim = dim
        self.lowercase = lowercase
        self.name = f"hash-encoder-{dim}"

    def _word_vector(self, word: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(word.encode("utf-8")).digest()[:8], "little")
        return np.random.default_rng(seed).standard_normal(self.dim)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``; returns an array of shape ``(len(texts), dim)``.

        It takes no options (a keyword such as ``batch_size=`` is a ``TypeError``): the
        vectors do not depend on batching, and there is no progress to show.
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not a single string")
        out = np.zeros((len(texts), self.dim), dtype=np.float64)
        for i, text in enumerate(texts):
            words = _TOKEN.findall(text.lower() if self.lowercase else text)
            for w in words:
                out[i] += self._word_vector(w)
        return l2_normalize(out, zero="keep", name="hash vectors")
