"""Group voice embeddings by speaker, the number of speakers estimated or given.

Average-linkage agglomerative clustering on cosine distance (scipy's ``linkage``): every piece
starts alone and the two closest groups merge until the closest pair is further apart than the
threshold. Single 1.5-s windows are noisy (on telephone audio a voice's windows agree only ~0.3 on
average), so the groups left are then merged by their centres, which average the noise away, while
two centres are more alike than ``centre_similarity``: this is how the number of speakers is
estimated. A count given by the user (exact, or a minimum and maximum) bounds both stages instead.
Groups are then refined by assigning every piece to the nearest group centre (a few k-means steps on
the unit sphere), and groups that hold too little speech to be a speaker of their own are folded into
the nearest one. Thresholds were set on the clips of benchmarks/bench_diarization.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SpeakerCount:
    """How many speakers: ``exact``, or between ``minimum`` and ``maximum`` (estimated inside that range)."""

    exact: int | None = None
    minimum: int = 1
    maximum: int | None = None

    def __post_init__(self) -> None:
        if self.exact is not None and self.exact < 1:
            raise ValueError("the number of speakers must be at least 1")
        if self.minimum < 1:
            raise ValueError("the minimum number of speakers must be at least 1")
        if self.maximum is not None and self.maximum < self.minimum:
            raise ValueError(f"the maximum number of speakers ({self.maximum}) is below the minimum ({self.minimum})")

    def bounds(self, pieces: int) -> tuple[int, int]:
        """(least, most) groups possible for ``pieces`` pieces."""
        if self.exact is not None:
            return min(self.exact, pieces), min(self.exact, pieces)
        most = pieces if self.maximum is None else min(self.maximum, pieces)
        return min(self.minimum, most), most


@dataclass(frozen=True)
class ClusterOptions:
    """``threshold``: cosine distance (1 - similarity) above which two groups are different speakers.

    ``min_seconds``: with an estimated count, a group whose windows hold less speech than this is
    folded into its nearest neighbour (one or two windows are more likely an odd stretch of a known
    voice, a laugh or a cough than a new speaker).
    """

    threshold: float = 0.7
    centre_similarity: float = 0.4
    refine_steps: int = 5
    min_seconds: float = 3.0


def cluster(embeddings: np.ndarray, durations: np.ndarray, count: SpeakerCount = SpeakerCount(),
            options: ClusterOptions = ClusterOptions()) -> np.ndarray:
    """A group label (0, 1, ... in order of first appearance) for each unit-length embedding row."""
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, int)
    least, most = count.bounds(n)
    if n == 1 or most == 1:
        return np.zeros(n, int)
    labels = _agglomerate(embeddings, least, most, options.threshold)
    labels = _merge_close_centres(embeddings, labels, least, most, options.centre_similarity)
    labels = _refine(embeddings, labels, options.refine_steps)
    if count.exact is None:
        labels = _fold_small(embeddings, labels, durations, least, options)
    return _first_appearance_order(labels)


def _agglomerate(embeddings: np.ndarray, least: int, most: int, threshold: float) -> np.ndarray:
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    distances = np.clip(pdist(embeddings, metric="cosine"), 0.0, 2.0)
    tree = linkage(distances, method="average")
    # Merges above the threshold are separate speakers; how many groups that leaves, within the bounds.
    groups = len(embeddings) - int(np.sum(tree[:, 2] <= threshold))
    groups = max(least, groups)
    return _compact(fcluster(tree, t=groups, criterion="maxclust") - 1)


def _merge_close_centres(embeddings: np.ndarray, labels: np.ndarray, least: int, most: int, similarity: float) -> np.ndarray:
    """Merge the two groups with the most alike centres while they are alike enough, or while there are too many."""
    while labels.max() + 1 > least:
        centres = _centres(embeddings, labels)
        alike = centres @ centres.T
        np.fill_diagonal(alike, -np.inf)
        a, b = np.unravel_index(int(np.argmax(alike)), alike.shape)
        if alike[a, b] < similarity and labels.max() + 1 <= most:
            break
        labels = _compact(np.where(labels == b, a, labels))
    return labels


def _centres(embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:
    centres = np.stack([embeddings[labels == k].mean(axis=0) for k in range(labels.max() + 1)])
    return centres / np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-8)


def _refine(embeddings: np.ndarray, labels: np.ndarray, steps: int) -> np.ndarray:
    """Spherical k-means from the tree's groups; a group that empties is dropped."""
    labels = _compact(labels)
    for _ in range(steps):
        new = _compact(np.argmax(embeddings @ _centres(embeddings, labels).T, axis=1))
        if np.array_equal(new, labels):
            break
        labels = new
    return labels


def _fold_small(embeddings: np.ndarray, labels: np.ndarray, durations: np.ndarray, least: int,
                options: ClusterOptions) -> np.ndarray:
    """Fold the smallest group into its nearest while it is too small to be a speaker and the count allows."""
    while labels.max() + 1 > max(1, least):
        sizes = np.array([durations[labels == k].sum() for k in range(labels.max() + 1)])
        smallest = int(np.argmin(sizes))
        if sizes[smallest] >= options.min_seconds:
            break
        centres = _centres(embeddings, labels)
        similarity = centres @ centres[smallest]
        similarity[smallest] = -np.inf
        labels = _compact(np.where(labels == smallest, int(np.argmax(similarity)), labels))
    return labels


def _compact(labels: np.ndarray) -> np.ndarray:
    """Labels renumbered 0..k-1 without gaps."""
    _, inverse = np.unique(labels, return_inverse=True)
    return inverse.reshape(-1)


def _first_appearance_order(labels: np.ndarray) -> np.ndarray:
    order = {old: new for new, old in enumerate(dict.fromkeys(labels.tolist()))}
    return np.array([order[v] for v in labels.tolist()], int)
