from hypothesis import given, settings
from hypothesis import strategies as st

from rag.chunking import chunk_document
from rag.documents import Document, content_blocks, load_document
from tests.conftest import SEEDS


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


_ALPHABET = list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإىة ") + [".", "؟", "!", "؛", "،", "\n", "\n\n", "١", "9"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_ALPHABET), min_size=1, max_size=1500).map("".join),
       st.integers(min_value=50, max_value=400), st.integers(min_value=0, max_value=40))
def test_offsets_always_slice_the_source(text, size, overlap):
    blocks = content_blocks(text)
    doc = Document("s", "s.txt", text, "t", blocks)
    for chunk in chunk_document(doc, size, overlap):
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text.strip() == chunk.text
