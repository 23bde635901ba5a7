"""Embedders: one seam (`embed`), the sentence-transformers implementation (lazy import), and a
small cache for repeated queries.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; `kind` is "query" or "passage"."""

    model_id: str
    dimension: int

    def embed(self, texts: list[str], kind: str) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model, using its own query/passage prompts when it has them."""

    def __init__(self, path_or_id: str, model_id: str, threads: int, batch_size: int = 16):
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        self.model = SentenceTransformer(path_or_id, device="cpu")
        self.model_id = model_id
        self.dimension = int(self.model.get_embedding_dimension())
        self.batch_size = batch_size
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed(self, texts: list[str], kind: str, progress: bool = False) -> np.ndarray:
        if kind == "query" and len(texts) == 1 and texts[0] in self._query_cache:
            self._query_cache.move_to_end(texts[0])
            return self._query_cache[texts[0]][None, :]
        prompt_name = kind if kind in (self.model.prompts or {}) else None
        vectors = self.model.encode(
            texts,
            prompt_name=prompt_name,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        ).astype(np.float32)
        if kind == "query" and len(texts) == 1:
            self._query_cache[texts[0]] = vectors[0]
            if len(self._query_cache) > 512:
                self._query_cache.popitem(last=False)
        return vectors


def embed_in_batches(embedder: Embedder, texts: list[str], kind: str, batch_size: int, progress=None) -> np.ndarray:
    """Embed many texts in batches, calling `progress(n)` after each batch."""
    if not texts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    out = []
    for start in range(0, len(texts), batch_size):
        batch = texts[start : start + batch_size]
        out.append(embedder.embed(batch, kind))
        if progress:
            progress(len(batch))
    return np.vstack(out).astype(np.float32)


