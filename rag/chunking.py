"""Chunking article text with langchain-text-splitters, Arabic-aware separators, exact offsets."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from .documents import Document

# Paragraph, line, then sentence ends (Latin and Arabic), then clause marks, then words.
ARABIC_SEPARATORS = ["\n\n", "\n", ". ", "؟ ", "? ", "! ", "؛ ", "، ", ", ", " ", ""]


@dataclass(frozen=True)
class Chunk:
    """A passage of one source, with exact character offsets into the source's text."""

    chunk_id: str
    source: str
    title: str
    start: int
    end: int
    text: str

    def to_dict(self) -> dict:
        return asdict(self)


def make_splitter(chunk_size: int, chunk_overlap: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        separators=ARABIC_SEPARATORS,
        keep_separator="end",
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        strip_whitespace=True,
    )


def chunk_document(doc: Document, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """Split each content block of `doc` into chunks whose offsets slice `doc.text` exactly."""
    splitter = make_splitter(chunk_size, chunk_overlap)
    chunks: list[Chunk] = []
    for block in doc.blocks:
        search_from = 0
        for piece in splitter.split_text(block.text):
            local = block.text.find(piece, search_from)
            if local < 0:  # the splitter only strips and splits, so this cannot happen silently
                raise AssertionError(f"chunk not found in its block: {piece[:40]!r}")
            start = block.start + local
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.source_id}#{len(chunks)}",
                    source=doc.source_id,
                    title=doc.title,
                    start=start,
                    end=start + len(piece),
                    text=piece,
                )
            )
            search_from = local + 1
    return chunks
