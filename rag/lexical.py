"""BM25 over chunks with bm25s, fed by the Arabic-aware tokenizer of rag.text."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .text import tokenize


class BM25Index:
    """A BM25 index of chunk texts; scores every chunk for a query."""

    def __init__(self, retriever, n_docs: int):
        self._retriever = retriever
        self.n_docs = n_docs

    @classmethod
    def build(cls, texts: list[str]) -> BM25Index:
        import bm25s

        retriever = bm25s.BM25()
        if texts:
            tokens = [tokenize(t) or [""] for t in texts]
            retriever.index(tokens, show_progress=False)
        return cls(retriever, len(texts))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for `query` (zeros when no query word is known)."""
        if not self.n_docs:
            return np.zeros(0, dtype=np.float32)
        ids = self._retriever.get_tokens_ids(tokenize(query))
        if not ids:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self._retriever.get_scores_from_ids(ids), dtype=np.float32)

    def save(self, folder: Path) -> None:
        if self.n_docs:
            self._retriever.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, n_docs: int) -> BM25Index:
        import bm25s

        if not n_docs:
            return cls(bm25s.BM25(), 0)
        return cls(bm25s.BM25.load(str(folder), allow_pickle=False, show_progress=False), n_docs)
