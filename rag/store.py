"""The index on disk, opened for search: the catalogue (rag.catalog) names the live chunks, the
segments (rag.segments) hold their vectors and term counts. Opening reads them into the search
structures: FAISS over the vectors, BM25 over the term counts, and per-chunk metadata for filters.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import catalog
from . import vectors as vector_index
from .chunking import Chunk
from .lexical import BM25Index
from .segments import read_terms, read_vectors, segment_folder, sha256
from .terms import TermWeights

REBUILD = "Rebuild it with `rag ingest --rebuild`."


class IndexUnavailable(RuntimeError):
    """The index is missing, corrupt or built with other settings; the message names the fix."""


def index_signature(embedder_id: str, dimension: int, chunk_size: int, chunk_overlap: int) -> dict:
    """The settings an index depends on; a mismatch means it must be rebuilt."""
    return {"format_version": catalog.FORMAT_VERSION, "embedder": embedder_id, "dimension": dimension,
            "chunk_size": chunk_size, "chunk_overlap": chunk_overlap}


def check_signature(found: dict, expected: dict, index_dir: Path) -> None:
    """Refuse an index built with other settings, saying how to rebuild it."""
    found = {key: found.get(key) for key in expected}
    if found != expected:
        diffs = ", ".join(f"{k}: index has {found[k]!r}, settings ask {expected[k]!r}" for k in expected if found[k] != expected[k])
        raise IndexUnavailable(f"The index in {index_dir} was built with other settings ({diffs}). {REBUILD}")


def has_index(index_dir: Path) -> bool:
    return (index_dir / catalog.CATALOG).exists()


@dataclass
class Index:
    """An opened index: chunks with their vectors, the two search structures, and the catalogue
    for whole articles.
    """

    index_dir: Path
    manifest: dict
    chunks: list[Chunk]
    vectors: np.ndarray
    dense: object
    bm25: BM25Index
    n_articles: int
    by_id: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self.term_weights = TermWeights(self.bm25.document_frequencies(), len(self.chunks))
        self.dates = np.array([c.date for c in self.chunks], dtype="U10")
        self.outlets = np.array([c.outlet.lower() for c in self.chunks])  # for filters, compared lowered

    def chunk(self, chunk_id: str) -> Chunk | None:
        i = self.by_id.get(chunk_id)
        return None if i is None else self.chunks[i]

    def article(self, article_id: str) -> catalog.ArticleRecord | None:
        """The whole article (its text slices with every citation's offsets)."""
        db = catalog.connect(self.index_dir)
        try:
            return catalog.article(db, article_id) if db else None
        finally:
            if db:
                db.close()


def load_index(index_dir: Path, expected: dict | None = None, verify: bool = True) -> Index:
    """Open the index, checking its settings (if given) and its segment files' checksums."""
    db = catalog.connect(index_dir)
    if db is None:
        raise IndexUnavailable(f"No index in {index_dir}. Build it with `rag ingest` (it reads the corpus folder, seeds/ by default).")
    try:
        meta = catalog.read_meta(db)
        signature = meta.get("signature", {})
        if expected is not None:
            check_signature(signature, expected, index_dir)
        rows = list(catalog.live_chunks(db))
        vocabulary = catalog.vocabulary(db)
        recorded = {seg: (folder, v_sha, t_sha) for seg, folder, _, v_sha, t_sha in catalog.segments(db)}
        n_articles = catalog.count_articles(db)
    except sqlite3.DatabaseError as exc:
        raise IndexUnavailable(f"The index catalogue in {index_dir} cannot be read ({exc}). {REBUILD}") from exc
    finally:
        db.close()
    chunks, vectors, term_arrays = _read_live(index_dir, rows, recorded, signature.get("dimension", 0), verify)
    bm25 = BM25Index(vocabulary, *term_arrays)
    index_type = vector_index.choose_index_type(meta.get("index_type", "auto"), len(chunks),
                                                meta.get("approximate_above", 200_000))
    dense = vector_index.build_index(vectors, index_type)
    manifest = {**signature, "index_type": index_type, "n_chunks": len(chunks), "n_articles": n_articles,
                "built_at": meta.get("updated_at", "?")}
    return Index(index_dir, manifest, chunks, vectors, dense, bm25, n_articles)


def _read_live(index_dir: Path, rows: list, recorded: dict, dimension: int, verify: bool):
    """The live chunks, their vectors and term counts, segment by segment."""
    chunks: list[Chunk] = []
    vector_parts, indptr_parts, id_parts, count_parts = [], [], [], []
    offset = 0
    for segment, group in _by_segment(rows):
        if segment not in recorded:
            raise IndexUnavailable(f"The index in {index_dir} names a segment it does not record ({segment}). {REBUILD}")
        folder = segment_folder(index_dir, segment)
        vectors, (indptr, ids, counts) = _read_segment(folder, recorded[segment], verify)
        picked = np.array([r[1] for r in group], dtype=np.int64)
        if picked.max() >= len(vectors) or len(indptr) != len(vectors) + 1:
            raise IndexUnavailable(f"Segment {folder} is inconsistent with the catalogue. {REBUILD}")
        vector_parts.append(vectors[picked])
        starts, ends = indptr[picked], indptr[picked + 1]
        take = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends)]) if len(picked) else np.zeros(0, np.int64)
        id_parts.append(ids[take])
        count_parts.append(counts[take])
        indptr_parts.append(np.cumsum(ends - starts) + offset)
        offset += int((ends - starts).sum())
        chunks += [Chunk(r[2], r[3], r[7] or "", r[4], r[5], r[6], r[8] or "", r[9] or "", r[10] or "") for r in group]
    vectors = np.vstack(vector_parts) if vector_parts else np.zeros((0, dimension), np.float32)
    indptr = np.concatenate([[0]] + indptr_parts).astype(np.int64)
    ids = np.concatenate(id_parts) if id_parts else np.zeros(0, np.int32)
    counts = np.concatenate(count_parts) if count_parts else np.zeros(0, np.int32)
    return chunks, vectors.astype(np.float32), (indptr, ids, counts)


def _by_segment(rows: list):
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][0] != rows[start][0]:
            yield rows[start][0], rows[start:i]
            start = i


def _read_segment(folder: Path, recorded: tuple, verify: bool):
    _, vectors_sha, terms_sha = recorded
    try:
        if verify and (sha256(folder / "vectors.npy") != vectors_sha or sha256(folder / "terms.npz") != terms_sha):
            raise IndexUnavailable(f"Index files in {folder} are corrupt (checksum mismatch). {REBUILD}")
        return read_vectors(folder), read_terms(folder)
    except (OSError, ValueError, KeyError) as exc:
        raise IndexUnavailable(f"Index files in {folder} are missing or unreadable ({exc}). {REBUILD}") from exc
