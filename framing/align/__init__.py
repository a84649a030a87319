"""Same story, different telling: link articles into stories and align their claims.

Two steps, both working across outlets:

1. :func:`link_stories` groups the articles of a corpus into *stories*: articles from
   different outlets that report the same event. The similarity of two articles combines
   their embedding cosine, a TF-IDF cosine of their words, a TF-IDF weighted overlap of
   their named entities (cheaply found as capitalised token sequences) and a title
   similarity; articles further apart in time than ``window_days`` can never share a
   story, and optionally neither can two articles of one outlet. Stories are then formed
   by average-linkage agglomerative clustering under these cannot-link constraints
   (constrained clustering in the sense of Wagstaff et al. 2001). The merge threshold is
   calibrated without gold stories (:func:`calibrate_threshold`): by default it is the
   99.9th percentile of the similarity among pairs that *cannot* be one story (more than
   ``window_days`` apart, or from the same outlet when ``one_per_outlet``; or pairs with an
   unrelated reference corpus), so a link must beat all but one in a thousand known
   non-story pairs. :func:`evaluate_linking` scores a linking against gold stories with
   story-bootstrap intervals, :func:`linking_baselines` gives what publication dates alone
   achieve, and :func:`linking_curve` traces the score over the threshold.

2. :func:`align_claims` matches the sentences of one story's articles across outlets,
   without assuming they come in the same order: cosine similarity of sentence
   embeddings, kept only for mutual best matches whose ratio margin over the
   neighbourhood (Artetxe & Schwenk 2019) is high enough. Accepted links are grouped into
   *claims* (at most one sentence per outlet each); unmatched sentences become singleton
   claims. The result, :class:`ClaimAlignment`, holds the claims, an outlet x claim
   coverage matrix and the omissions (claims an outlet does not carry);
   :func:`framing.render_story_view` draws it as a side-by-side HTML story view.

Modules: :mod:`~framing.align.entities` (entity candidates, TF-IDF cosines),
:mod:`~framing.align.linking` (similarity, calibration, linking),
:mod:`~framing.align.evaluation` (scores against gold stories, date baselines, threshold
curve), :mod:`~framing.align.claims` (claim alignment).

References
----------
Artetxe, M. & Schwenk, H. (2019). Margin-based parallel corpus mining with multilingual
sentence embeddings. *ACL 2019*, 3197-3203.

Wagstaff, K., Cardie, C., Rogers, S. & Schroedl, S. (2001). Constrained k-means clustering
with background knowledge. *ICML 2001*, 577-584.

Hubert, L. & Arabie, P. (1985). Comparing partitions. *Journal of Classification* 2,
193-218 (adjusted Rand index).
"""
from __future__ import annotations
from __future__ import annotations

from framing.align.claims import ARTICLE_COLUMNS, ClaimAlignment, align_claims
from framing.align.entities import extract_entities
from framing.align.evaluation import BASELINES, CURVE_SETTINGS, evaluate_linking, linking_baselines, linking_curve
from framing.align.linking import MIN_NULL_PAIRS, NULL_QUANTILE, calibrate_threshold, link_stories, story_similarity

__all__ = [
    "link_stories",
    "story_similarity",
    "calibrate_threshold",
    "evaluate_linking",
    "linking_baselines",
    "linking_curve",
    "align_claims",
    "ClaimAlignment",
    "extract_entities",
    "NULL_QUANTILE",
    "MIN_NULL_PAIRS",
    "BASELINES",
    "CURVE_SETTINGS",
    "ARTICLE_COLUMNS",
]
