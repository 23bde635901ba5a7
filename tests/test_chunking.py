from hypothesis import given, settings
from hypothesis import strategies as st

from rag.chunking import article_runs, chunk_text
from rag.documents import content_blocks, load_document
from tests.conftest import SEEDS


def chunk_document(doc, size, overlap):
    return chunk_text(doc.source_id, doc.text, doc.blocks, size, overlap, title=doc.title)


def test_seed_chunks_slice_their_source_exactly():
    for path in sorted(SEEDS.glob("*.txt")):
        doc = load_document(path)
        chunks = chunk_document(doc, 600, 100)
        assert chunks, path
        source = path.read_bytes().decode("utf-8")
        for i, chunk in enumerate(chunks):
            assert source[chunk.start : chunk.end] == chunk.text
            assert chunk.chunk_id == f"{path.stem}#{i}"
            assert len(chunk.text) <= 600
            assert chunk.source == path.stem and chunk.title == doc.title


def test_chunks_prefer_sentence_ends():
    doc = load_document(SEEDS / "002_2cf461aa69cecbfd.txt")
    chunks = chunk_document(doc, 400, 50)
    ends = sum(1 for c in chunks[:-1] if c.text.endswith((".", "؟", "!")))
    assert ends >= len(chunks[:-1]) * 0.7


def test_chunks_run_across_short_paragraphs_but_not_across_dropped_furniture():
    paragraphs = [f"الفقرة رقم {i} من الخبر تتحدث عن اجتماع الوزراء في الرياض." for i in range(6)]
    text = "\n\n".join(paragraphs[:3]) + "\n\nشارك\n\n" + "\n".join(paragraphs[3:])
    blocks = content_blocks(text)
    runs = article_runs(text, blocks)
    assert len(blocks) == 6 and len(runs) == 2  # the share button splits the article
    chunks = chunk_text("a", text, blocks, 1000, 200)
    assert len(chunks) == 2 and all(text[c.start : c.end] == c.text for c in chunks)
    assert "شارك" not in "".join(c.text for c in chunks)


_ALPHABET = list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإىة ") + [".", "؟", "!", "؛", "،", "\n", "\n\n", "١", "9"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_ALPHABET), min_size=1, max_size=1500).map("".join),
       st.integers(min_value=50, max_value=400), st.integers(min_value=0, max_value=40))
def test_offsets_always_slice_the_source(text, size, overlap):
    for chunk in chunk_text("s", text, content_blocks(text), size, overlap):
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text.strip() == chunk.text
