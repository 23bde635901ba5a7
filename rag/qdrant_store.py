"""Qdrant as the search engine of the index (`store.backend = qdrant`), the only module importing
qdrant_client. The catalogue stays the record of articles and chunks; each chunk is mirrored into
a Qdrant point holding its dense vector, its Arabic-normalised BM25 terms as a sparse vector (the
server applies IDF), and a payload (source, offsets, headline, outlet, date) that filters match.
A query fuses the dense and the sparse search with RRF in one Query API call.

With `store.url` it talks to a Qdrant server or cluster; without one it runs Qdrant's local mode
on a folder under the index (brute-force search, one process per folder): the same code, for
tests and a single machine.
"""

from __future__ import annotations

import atexit
import hashlib
import uuid
from dataclasses import dataclass

import numpy as np

from .retrieval import Filters, Hit, Retriever, remove_near_duplicates
from .store import Index

DENSE, SPARSE = "dense", "bm25"
UPSERT_BATCH = 256


@dataclass
class QdrantTarget:
    """Where the points live: a server URL, or a local folder."""

    url: str = ""
    path: str = ""
    collection: str = "articles"
    api_key: str = ""

    def client(self):
        return _client(self.url, self.path, self.api_key)


_CLIENTS: dict[tuple[str, str, str], object] = {}


def _client(url: str, path: str, api_key: str):
    """One client per place: local mode locks its folder, so ingest and search share it."""
    from qdrant_client import QdrantClient

    key = (url, path, api_key)
    if key not in _CLIENTS:
        if not _CLIENTS:
            atexit.register(_close_all)
        _CLIENTS[key] = QdrantClient(url=url, api_key=api_key or None, timeout=60) if url else QdrantClient(path=path)
    return _CLIENTS[key]


def _close_all() -> None:
    """Close while the interpreter still runs (the client's own __del__ comes too late)."""
    while _CLIENTS:
        _CLIENTS.popitem()[1].close()


def collection_name(target: QdrantTarget, index: Index) -> str:
    """One collection per index signature (embedder, chunking, analyzer): a change starts a new one."""
    signature = {k: index.manifest.get(k) for k in ("format_version", "analyzer", "embedder", "dimension",
                                                     "chunk_size", "chunk_overlap")}
    return f"{target.collection}-{hashlib.sha256(repr(sorted(signature.items())).encode()).hexdigest()[:10]}"


def point_id(chunk_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, chunk_id))


def sync(client, name: str, index: Index, quick: bool = False) -> tuple[int, int]:
    """Make the collection hold exactly the index's live chunks: upsert the missing, delete the
    gone. Returns (added, removed). `quick`: trust a collection holding as many points as chunks
    (opening the chat; every ingest syncs in full).
    """
    from qdrant_client import models

    if quick and client.collection_exists(name) and client.count(name, exact=True).count == len(index.chunks):
        return 0, 0
    if not client.collection_exists(name):
        client.create_collection(
            name,
            vectors_config={DENSE: models.VectorParams(size=int(index.vectors.shape[1]), distance=models.Distance.COSINE)},
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        )
        if not _is_local(client):  # local mode scans; a server filters through these
            for field, schema in (("source", "keyword"), ("outlet", "keyword"), ("day", "integer")):
                client.create_payload_index(name, field, field_schema=schema)
    present = _point_ids(client, name)
    wanted = {point_id(c.chunk_id): i for i, c in enumerate(index.chunks)}
    missing = [i for pid, i in wanted.items() if pid not in present]
    gone = [pid for pid in present if pid not in wanted]
    for start in range(0, len(missing), UPSERT_BATCH):
        batch = missing[start:start + UPSERT_BATCH]
        client.upsert(name, points=[_point(index, i) for i in batch], wait=True)
    for start in range(0, len(gone), UPSERT_BATCH):
        client.delete(name, points_selector=models.PointIdsList(points=gone[start:start + UPSERT_BATCH]), wait=True)
    return len(missing), len(gone)


def _is_local(client) -> bool:
    return type(getattr(client, "_client", None)).__name__ == "QdrantLocal"


def _point_ids(client, name: str) -> set[str]:
    ids, offset = set(), None
    while True:
        points, offset = client.scroll(name, limit=2048, offset=offset, with_payload=False, with_vectors=False)
        ids.update(str(p.id) for p in points)
        if offset is None:
            return ids


def _point(index: Index, i: int):
    """Chunk `i` as a point; its sparse values are BM25's saturated term frequencies (the server
    multiplies in IDF).
    """
    from qdrant_client import models

    c = index.chunks[i]
    a, b = index.bm25.indptr[i], index.bm25.indptr[i + 1]
    term_ids, values = index.bm25.ids[a:b], index.bm25.saturated[a:b]
    return models.PointStruct(
        id=point_id(c.chunk_id),
        vector={DENSE: index.vectors[i].tolist(),
                SPARSE: models.SparseVector(indices=term_ids.tolist(), values=values.tolist())},
        payload={"chunk_id": c.chunk_id, "source": c.source, "start": c.start, "end": c.end, "title": c.title,
                 "outlet": c.outlet.lower(), "date": c.date, "day": _day(c.date), "url": c.url},
    )


def _day(date: str) -> int:
    """An ISO date as a number that range filters compare (20150812); 0 when unknown."""
    return int(date.replace("-", "")) if len(date) == 10 and date.replace("-", "").isdigit() else 0


class QdrantRetriever(Retriever):
    """The Retriever with its candidates from Qdrant: the same fusion (RRF, k and weights as set),
    filters as payload filters, near-duplicates removed as before.
    """

    def __init__(self, client, name: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.client, self.name = client, name

    def search(self, query: str, k: int, mode: str | None = None, filters: Filters | None = None) -> list[Hit]:
        from qdrant_client import models

        mode = mode or self.mode
        if not self.index.chunks or not query.strip():
            return []
        pool = min(len(self.index.chunks), max(self.candidates, 3 * k))
        query_vector = self.embedder.embed([query], "query")[0]
        sparse = self._sparse_query(query)
        where = _payload_filter(filters or self.filters)
        dense_q = models.Prefetch(query=query_vector.tolist(), using=DENSE, limit=pool, filter=where)
        sparse_q = models.Prefetch(query=sparse, using=SPARSE, limit=pool, filter=where) if sparse else None
        if mode == "dense" or (mode == "hybrid" and sparse_q is None):
            found = self.client.query_points(self.name, query=query_vector.tolist(), using=DENSE, limit=pool,
                                             query_filter=where).points
        elif mode == "bm25":
            found = [] if sparse is None else self.client.query_points(
                self.name, query=sparse, using=SPARSE, limit=pool, query_filter=where).points
        else:
            # Qdrant's RRF term is 1/(rank + k - 1) from rank 1; rag's is 1/(rank + rrf_k): k = rrf_k + 1.
            fusion = models.RrfQuery(rrf=models.Rrf(k=self.rrf_k + 1, weights=[self.dense_weight, self.bm25_weight]))
            found = self.client.query_points(self.name, prefetch=[dense_q, sparse_q], query=fusion, limit=pool).points
        order = [self.index.by_id[p.payload["chunk_id"]] for p in found if p.payload["chunk_id"] in self.index.by_id]
        dense_scores = self.index.vectors[order] @ query_vector if order else np.zeros(0)
        bm25_scores = self.index.bm25.scores_of(query, order)
        hits = [Hit(self.index.chunks[i], float(p.score), float(d), float(b))
                for i, p, d, b in zip(order, found, dense_scores, bm25_scores)]
        return remove_near_duplicates(hits, self.dedupe_threshold)[:k]

    def _sparse_query(self, query: str):
        from qdrant_client import models

        from .text import tokenize

        counts: dict[int, float] = {}
        for term in tokenize(query):
            i = self.index.bm25.vocabulary.get(term)
            if i is not None:
                counts[i] = counts.get(i, 0.0) + 1.0
        return models.SparseVector(indices=list(counts), values=list(counts.values())) if counts else None


def _payload_filter(filters: Filters):
    from qdrant_client import models

    if not filters.active:
        return None
    must = []
    if filters.since or filters.until:
        # An article without a date (day 0) is left out once either bound is set, as in Filters.mask.
        must.append(models.FieldCondition(key="day", range=models.Range(
            gte=_day(filters.since) if filters.since else 1, lte=_day(filters.until) if filters.until else None)))
    if filters.outlets:
        must.append(models.FieldCondition(key="outlet", match=models.MatchAny(any=[o.strip().lower() for o in filters.outlets])))
    return models.Filter(must=must)
