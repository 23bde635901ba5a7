"""BM25 from stored term counts gives the scores bm25s gives (Lucene variant, its defaults)."""

import numpy as np

from rag.chunking import chunk_text
from rag.documents import load_document
from rag.lexical import BM25Index
from rag.text import tokenize
from tests.conftest import SEEDS


def test_scores_match_bm25s_on_the_seed_chunks():
    import bm25s

    texts = [c.text for p in sorted(SEEDS.glob("*.txt")) for d in [load_document(p)]
             for c in chunk_text(d.source_id, d.text, d.blocks, 600, 100)]
    ours = BM25Index.from_texts(texts)
    reference = bm25s.BM25()
    reference.index([tokenize(t) for t in texts], show_progress=False)
    for query in ("كم شخصاً قتل في اعتداء نيس؟", "وزير الدفاع الفرنسي موسكو", "باريس باريس هجوم", "no such words"):
        ids = reference.get_tokens_ids(tokenize(query))
        expected = reference.get_scores_from_ids(ids) if ids else np.zeros(len(texts))
        assert np.allclose(ours.scores(query), expected, atol=1e-5)


def test_scores_of_some_chunks_equal_their_share_of_all_scores():
    texts = [c.text for p in sorted(SEEDS.glob("*.txt")) for d in [load_document(p)]
             for c in chunk_text(d.source_id, d.text, d.blocks, 600, 100)]
    index = BM25Index.from_texts(texts)
    rows = [len(texts) - 1, 0, 3, 3, 7]
    for query in ("كم شخصاً قتل في اعتداء نيس؟", "باريس باريس هجوم في في", "no such words", ""):
        assert np.allclose(index.scores_of(query, rows), index.scores(query)[rows], atol=1e-5)
