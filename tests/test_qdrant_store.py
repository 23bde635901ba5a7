"""The Qdrant backend in local mode (qdrant-client, no server): the same hits as the in-process
FAISS + BM25 retriever for every mode and filter, and a collection kept in step with the index.
"""

import pytest

from rag.factory import ingest_corpus, make_retriever
from rag.retrieval import Filters

pytest.importorskip("qdrant_client")

QUERIES = ["كم شخصاً قتل في اعتداء نيس؟", "وزير الدفاع الفرنسي موسكو", "السفارة الفرنسية في بغداد",
           "Theresa May terrorists", "حاملة الطائرات شارل ديغول"]


@pytest.fixture
def both(settings, embedder):
    qdrant = settings.with_overrides({"store.backend": "qdrant"})
    index, report = ingest_corpus(qdrant, embedder)
    assert report.mirrored == (len(index.chunks), 0)
    return make_retriever(settings, index, embedder), make_retriever(qdrant, index, embedder)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_qdrant_returns_the_same_hits_as_faiss(both, mode):
    faiss, qdrant = both
    for query in QUERIES:
        expected = [(h.chunk.chunk_id, round(h.dense_score, 4)) for h in faiss.search(query, 5, mode)]
        found = [(h.chunk.chunk_id, round(h.dense_score, 4)) for h in qdrant.search(query, 5, mode)]
        assert found == expected, (mode, query)


def test_filters_become_payload_filters(both, settings, embedder, tmp_path):
    faiss, qdrant = both
    for filters in (Filters(outlets=("Okaz",)), Filters(since="2015-08-01"), Filters(until="2015-07-31"),
                    Filters(since="2015-01-01", outlets=("okaz", "alriyadh"))):
        expected = [h.chunk.chunk_id for h in faiss.search(QUERIES[0], 5, filters=filters)]
        assert [h.chunk.chunk_id for h in qdrant.search(QUERIES[0], 5, filters=filters)] == expected, filters


def test_the_collection_follows_the_index(settings, embedder, corpus):
    qdrant = settings.with_overrides({"store.backend": "qdrant"})
    index, _ = ingest_corpus(qdrant, embedder)
    removed = sorted(corpus.glob("*.txt"))[0]
    gone = sum(c.source == removed.stem for c in index.chunks)
    removed.unlink()
    index, report = ingest_corpus(qdrant, embedder)
    assert report.mirrored == (0, gone)
    hits = make_retriever(qdrant, index, embedder).search(QUERIES[0], 10)
    assert hits and all(h.chunk.source != removed.stem for h in hits)
