"""BM25 over chunks, from the term counts the segments store: Lucene's variant with bm25s's
defaults (k1 1.5, b 0.75), fed by the Arabic-aware tokenizer of rag.text. The per-term score
lists are built once when the index opens; a query adds up the lists of its terms.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from .text import tokenize


def term_counts(text: str, vocabulary: dict[str, int]) -> dict[int, int]:
    """The chunk's BM25 terms as {term id: count}, adding unseen terms to `vocabulary`."""
    counts: dict[int, int] = {}
    for term, n in Counter(tokenize(text)).items():
        counts[vocabulary.setdefault(term, len(vocabulary))] = n
    return counts


class BM25Index:
    """Scores every chunk for a query."""

    def __init__(self, vocabulary: dict[str, int], indptr: np.ndarray, ids: np.ndarray, counts: np.ndarray,
                 k1: float = 1.5, b: float = 0.75):
        self.vocabulary = vocabulary
        self.indptr, self.ids = indptr, ids  # per chunk: its term ids, indptr[i]:indptr[i + 1]
        self.n_docs = len(indptr) - 1
        rows = np.repeat(np.arange(self.n_docs, dtype=np.int32), np.diff(indptr))
        doc_len = np.bincount(rows, weights=counts, minlength=self.n_docs).astype(np.float32)
        avgdl = float(doc_len.mean()) if self.n_docs else 1.0
        self.df = np.bincount(ids, minlength=len(vocabulary)).astype(np.int64)
        idf = np.log1p((self.n_docs - self.df + 0.5) / (self.df + 0.5)).astype(np.float32)
        tf = counts.astype(np.float32)
        # Term frequency saturated and length-normalised, aligned with `ids` (IDF apart: Qdrant applies its own).
        self.saturated = tf / (tf + k1 * ((1 - b) + b * doc_len[rows] / max(avgdl, 1e-9)))
        self.idf = idf
        scores = idf[ids] * self.saturated
        order = np.argsort(ids, kind="stable")
        self._starts = np.concatenate([[0], np.cumsum(self.df)]).astype(np.int64)
        self._rows = rows[order]
        self._scores = scores[order].astype(np.float32)

    @classmethod
    def from_texts(cls, texts: list[str]) -> BM25Index:
        vocabulary: dict[str, int] = {}
        rows = [term_counts(t, vocabulary) for t in texts]
        indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
        ids = np.array([t for r in rows for t in r], dtype=np.int32)
        counts = np.array([c for r in rows for c in r.values()], dtype=np.int32)
        return cls(vocabulary, indptr, ids, counts)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for `query` (a repeated query word counts again, as in bm25s)."""
        out = np.zeros(self.n_docs, dtype=np.float32)
        for term in tokenize(query):
            i = self.vocabulary.get(term)
            if i is not None:
                a, b = self._starts[i], self._starts[i + 1]
                out[self._rows[a:b]] += self._scores[a:b]
        return out

    def scores_of(self, query: str, rows: list[int]) -> np.ndarray:
        """BM25 score of the chunks `rows` only, read from their own terms: the same figures as
        `scores(query)[rows]` without touching every chunk, for a search done elsewhere (Qdrant).
        """
        weights = Counter(self.vocabulary[t] for t in tokenize(query) if t in self.vocabulary)
        if not weights:
            return np.zeros(len(rows), dtype=np.float32)
        query_ids = np.array(sorted(weights), dtype=self.ids.dtype)
        repeats = np.array([weights[i] for i in query_ids.tolist()], dtype=np.float32)
        out = np.zeros(len(rows), dtype=np.float32)
        for n, row in enumerate(rows):
            a, b = self.indptr[row], self.indptr[row + 1]
            terms = self.ids[a:b]
            hit = np.isin(terms, query_ids)
            if hit.any():
                times = repeats[np.searchsorted(query_ids, terms[hit])]
                out[n] = float((self.idf[terms[hit]] * self.saturated[a:b][hit] * times).sum())
        return out

    def document_frequencies(self) -> dict[str, int]:
        return {term: int(self.df[i]) for term, i in self.vocabulary.items() if i < len(self.df) and self.df[i]}
