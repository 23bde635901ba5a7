"""The two peer baselines the retriever must beat, run by `rag eval --retrieval-only --baseline
NAME` over the same articles as the assistant's index:

- `bm25-whitespace`: rank_bm25's BM25Okapi with its defaults, on whitespace tokens;
- `tutorial`: the tutorial RAG, RecursiveCharacterTextSplitter(1000, 200) with its default
  separators, e5 without its `query: ` / `passage: ` prefixes, exact inner-product search.

Both chunk the articles their own way; their chunks are judged like the assistant's.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from . import catalog
from .chunking import Chunk
from .embedding import embed_in_batches
from .retrieval import Filters, Hit

BASELINES = ("bm25-whitespace", "tutorial")


def baseline_chunks(index_dir: Path) -> list[Chunk]:
    """Every article of the index, split as a tutorial does (1000/200, default separators)."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    db = catalog.connect(index_dir)
    chunks: list[Chunk] = []
    try:
        for article_id, title, text in db.execute("SELECT article_id, title, text FROM articles ORDER BY article_id"):
            cursor = 0
            for n, piece in enumerate(splitter.split_text(text)):
                start = text.find(piece, max(0, cursor - 1000))
                start = start if start >= 0 else text.find(piece)
                chunks.append(Chunk(f"{article_id}#b{n}", article_id, title or "", start, start + len(piece), piece))
                cursor = start + 1
    finally:
        db.close()
    return chunks


class BaselineRetriever:
    """`search(query, k)` over the baseline's own chunks, as Hits (filters are not supported)."""

    filters = Filters()

    def __init__(self, name: str, chunks: list[Chunk], score):
        self.name = name
        self.index = SimpleNamespace(chunks=chunks)
        self._score = score

    def search(self, query: str, k: int, mode: str | None = None, filters: Filters | None = None) -> list[Hit]:
        scores = self._score(query)
        top = np.argsort(-scores, kind="stable")[:k]
        return [Hit(self.index.chunks[i], float(scores[i]), float(scores[i]), 0.0) for i in top]


def bm25_whitespace(chunks: list[Chunk]) -> BaselineRetriever:
    from rank_bm25 import BM25Okapi

    bm25 = BM25Okapi([c.text.split() for c in chunks])
    return BaselineRetriever("bm25-whitespace", chunks, lambda query: np.asarray(bm25.get_scores(query.split())))


def tutorial(chunks: list[Chunk], embedder, cache_dir: Path, progress=None) -> BaselineRetriever:
    """e5 vectors of the chunks without prefixes (kept in `cache_dir`, they take as long as an ingest)."""
    key = hashlib.sha256("\n".join(c.chunk_id + str(len(c.text)) for c in chunks).encode()).hexdigest()[:12]
    path = cache_dir / f"tutorial-{embedder.model_id.replace('/', '_')}-{key}.npy"
    if path.exists():
        vectors = np.load(path, allow_pickle=False)
    else:
        bar = progress(len(chunks)) if progress else None
        vectors = embed_in_batches(embedder, [c.text for c in chunks], "none", progress=bar.update if bar else None)
        cache_dir.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors, allow_pickle=False)
    return BaselineRetriever("tutorial", chunks, lambda query: vectors @ embedder.embed([query], "none")[0])
