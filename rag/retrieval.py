"""Retrieval over an Index: dense (FAISS), BM25, or both fused with reciprocal-rank fusion,
with near-duplicate chunks kept out of the top k.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from . import vectors as vector_index
from .chunking import Chunk
from .embedding import Embedder
from .store import Index
from .text import tokenize


def is_iso_date(value: str) -> bool:
    """YYYY-MM-DD, a real date: how filters are written."""
    try:
        return len(value) == 10 and bool(date.fromisoformat(value))
    except ValueError:
        return False


@dataclass(frozen=True)
class Filters:
    """Which articles a search may return: published within [since, until] (ISO dates; an
    article without a date is left out once either is set) and from these outlets.
    """

    since: str = ""
    until: str = ""
    outlets: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.since or self.until or self.outlets)

    def describe(self) -> str:
        parts = ([f"since {self.since}"] if self.since else []) + ([f"until {self.until}"] if self.until else [])
        return ", ".join(parts + ([f"from {', '.join(self.outlets)}"] if self.outlets else []))

    def mask(self, dates: np.ndarray, outlets: np.ndarray) -> np.ndarray | None:
        """Which chunks pass (None: all of them); `outlets` are lower case."""
        if not self.active:
            return None
        keep = np.ones(len(dates), dtype=bool)
        if self.since or self.until:
            keep &= dates != ""
        if self.since:
            keep &= dates >= self.since
        if self.until:
            keep &= dates <= self.until
        if self.outlets:
            keep &= np.isin(outlets, [o.strip().lower() for o in self.outlets])
        return keep


@dataclass
class Hit:
    """A retrieved chunk with its fused score and the scores of each retriever."""

    chunk: Chunk
    score: float
    dense_score: float
    bm25_score: float
    also: tuple[Chunk, ...] = ()  # the same text in other articles: a wire story other outlets ran too


class Retriever:
    def __init__(self, index: Index, embedder: Embedder, mode: str = "hybrid", candidates: int = 30,
                 rrf_k: int = 60, dense_weight: float = 1.0, bm25_weight: float = 1.0,
                 dedupe_threshold: float = 0.9, filters: Filters = Filters()):
        self.index = index
        self.embedder = embedder
        self.mode = mode
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.dense_weight = dense_weight
        self.bm25_weight = bm25_weight
        self.dedupe_threshold = dedupe_threshold
        self.filters = filters

    def matching(self, filters: Filters | None = None) -> int:
        """How many chunks the filters let through."""
        mask = (filters or self.filters).mask(self.index.dates, self.index.outlets)
        return len(self.index.chunks) if mask is None else int(mask.sum())

    def search(self, query: str, k: int, mode: str | None = None, filters: Filters | None = None) -> list[Hit]:
        """The top-k chunks for `query` among those the filters let through, best first."""
        mode = mode or self.mode
        n = len(self.index.chunks)
        mask = (filters or self.filters).mask(self.index.dates, self.index.outlets)
        if n == 0 or not query.strip() or (mask is not None and not mask.any()):
            return []
        pool = min(n, max(self.candidates, 3 * k))
        # The query vector is needed in every mode: its cosine is the absolute relevance used to abstain.
        query_vector = self.embedder.embed([query], "query")[0]
        dense_ranked: list[int] = []
        if mode in ("dense", "hybrid"):
            dense_ranked = self._dense(query_vector, pool, mask)
        bm25_scores = self.index.bm25.scores(query)
        if mask is not None:
            bm25_scores[~mask] = 0.0
        bm25_ranked: list[int] = []
        if mode in ("bm25", "hybrid"):
            top = np.argsort(-bm25_scores, kind="stable")[:pool]
            bm25_ranked = [int(i) for i in top if bm25_scores[i] > 0]
        if mode == "dense":
            fused = {i: 1.0 / (self.rrf_k + r) for r, i in enumerate(dense_ranked, 1)}
        elif mode == "bm25":
            fused = {i: 1.0 / (self.rrf_k + r) for r, i in enumerate(bm25_ranked, 1)}
        else:
            fused = {}
            for weight, ranked in ((self.dense_weight, dense_ranked), (self.bm25_weight, bm25_ranked)):
                for r, i in enumerate(ranked, 1):
                    fused[i] = fused.get(i, 0.0) + weight / (self.rrf_k + r)
        order = sorted(fused, key=lambda i: -fused[i])
        dense_scores = self.index.vectors[order] @ query_vector if order else np.zeros(0)
        hits = [
            Hit(self.index.chunks[i], float(fused[i]), float(d), float(bm25_scores[i]))
            for i, d in zip(order, dense_scores)
        ]
        return remove_near_duplicates(hits, self.dedupe_threshold)[:k]

    def _dense(self, query_vector: np.ndarray, pool: int, mask: np.ndarray | None) -> list[int]:
        if mask is None:
            _, ids = vector_index.search(self.index.dense, query_vector[None, :], pool)
            return [int(i) for i in ids[0] if i >= 0]
        scores = self.index.vectors @ query_vector  # exact search over what the filters let through
        scores[~mask] = -np.inf
        pool = min(pool, int(mask.sum()))
        top = np.argpartition(-scores, pool - 1)[:pool] if pool < len(scores) else np.arange(len(scores))
        return [int(i) for i in top[np.argsort(-scores[top], kind="stable")]]


def remove_near_duplicates(hits: list[Hit], threshold: float) -> list[Hit]:
    """Drop a hit whose words are mostly (≥ threshold) contained in a better hit's, or vice versa;
    the better hit lists the dropped chunk in `also` when it comes from another article.
    """
    kept: list[Hit] = []
    kept_tokens: list[set[str]] = []
    for hit in hits:
        tokens = set(tokenize(hit.chunk.text))
        twin = next((i for i, other in enumerate(kept_tokens)
                     if len(tokens & other) / max(1, min(len(tokens), len(other))) >= threshold), None)
        if twin is None:
            kept.append(hit)
            kept_tokens.append(tokens)
        elif hit.chunk.source not in {c.source for c in (kept[twin].chunk, *kept[twin].also)}:
            kept[twin] = replace(kept[twin], also=(*kept[twin].also, hit.chunk))
    return kept
