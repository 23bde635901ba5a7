"""Dense vector index over FAISS (the only module importing faiss): exact or approximate,
inner product on L2-normalised vectors (= cosine).
"""

from __future__ import annotations

import numpy as np


def _faiss():
    try:
        import faiss
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("FAISS is not available: pip install faiss-cpu") from exc
    return faiss


def choose_index_type(index_type: str, n_vectors: int, approximate_above: int) -> str:
    """'auto' is exact (flat) for small collections and HNSW above `approximate_above` vectors."""
    if index_type != "auto":
        return index_type
    return "hnsw" if n_vectors > approximate_above else "flat"


def build_index(vectors: np.ndarray, index_type: str = "flat", hnsw_m: int = 32, ef_search: int = 128):
    """Build a FAISS index of the given type ("flat", "hnsw", "ivf", "ivfpq") over `vectors`."""
    faiss = _faiss()
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = vectors.shape if vectors.ndim == 2 else (0, vectors.shape[-1])
    if index_type == "flat":
        index = faiss.IndexFlatIP(dim)
    elif index_type == "hnsw":
        index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = ef_search
    elif index_type in ("ivf", "ivfpq"):
        nlist = max(1, min(4096, int(4 * np.sqrt(max(n, 1))), n // 39))
        quantizer = faiss.IndexFlatIP(dim)
        if index_type == "ivf":
            index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        else:  # 8-bit codes of dim/8 sub-vectors: 48 bytes per 384-d vector
            index = faiss.IndexIVFPQ(quantizer, dim, nlist, dim // 8, 8, faiss.METRIC_INNER_PRODUCT)
        sample = vectors[np.random.default_rng(0).choice(n, size=min(n, 40 * nlist), replace=False)]
        index.train(sample)
        index.nprobe = min(nlist, max(8, nlist // 64))
    else:
        raise ValueError(f"unknown index type: {index_type}")
    if n:
        index.add(vectors)
    return index


def search(index, query_vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k (scores, ids) per query; ids of -1 mean "no more results"."""
    k = max(1, min(k, index.ntotal)) if index.ntotal else 1
    if index.ntotal == 0:
        q = len(query_vectors)
        return np.zeros((q, 0), dtype=np.float32), np.zeros((q, 0), dtype=np.int64)
    return index.search(np.ascontiguousarray(query_vectors, dtype=np.float32), k)

