"""The pipeline on Dask: big corpora on a laptop's cores or on a cluster, same answers.

Read a corpus with :func:`framing.dask_io.read_corpus` (one partition per file), then:

- sentence stages, partition by partition (:mod:`~framing.scale.stages`):
  :func:`split_sentences`, :func:`attribute_voice`, and :func:`find_boilerplate`, whose
  repeated-line rule is a two-pass reduction over the whole corpus;
- measures reduced from per-partition sufficient statistics (:mod:`~framing.scale.reduce`):
  :func:`term_counts`, :func:`fightin_words`; the text never comes to the client, and
  documents are sorted by ``doc_id`` before the in-memory estimators run, so results
  (resampling included) do not depend on the partitioning. Fightin' Words without a
  permutation test (:mod:`~framing.scale.sums`) and :func:`marker_rates` with the profile
  interval (:mod:`~framing.scale.rates`) go further, to sums over documents: nothing per
  document reaches the client (for marker rates: nothing per document without a match);
- embeddings and vector measures (:mod:`~framing.scale.vectors`): :func:`embed` (one
  encoder per worker process, loaded once, the content-addressed cache on a shared path,
  vectors written as shards aligned with the sentence partitions), :func:`score_axes` from
  per-partition projections, :func:`fit_clusters`/:func:`assign_clusters` (fit on a
  seeded sample of documents, assign everywhere).

Everything runs on the current Dask scheduler: a ``distributed`` client when one exists
(:func:`client` returns it, or starts a :class:`distributed.LocalCluster`), else Dask's
local threads.
"""
from __future__ import annotations

from framing.scale.rates import marker_rates
from framing.scale.reduce import fightin_words, term_counts
from framing.scale.stages import (
    attribute_voice,
    client,
    corpus_lines,
    filtered_corpus,
    find_boilerplate,
    line_documents,
    split_sentences,
)
from framing.scale.vectors import (
    VectorShards,
    assign_clusters,
    embed,
    encoder_key,
    fit_clusters,
    sample_documents,
    score_axes,
    warm_up,
)

__all__ = ["VectorShards", "assign_clusters", "attribute_voice", "client", "corpus_lines", "embed",
           "encoder_key", "filtered_corpus", "find_boilerplate", "fightin_words", "fit_clusters",
           "line_documents", "marker_rates", "sample_documents", "score_axes", "split_sentences",
           "term_counts", "warm_up"]
