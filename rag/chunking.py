"""Chunking article text with langchain-text-splitters, Arabic-aware separators, exact offsets.
Chunks run across paragraphs: a news paragraph is often a sentence or two, too little context on
its own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from .sentences import Span

# Paragraph, line, then sentence ends (Latin and Arabic), then clause marks, then words.
ARABIC_SEPARATORS = ["\n\n", "\n", ". ", "؟ ", "? ", "! ", "؛ ", "، ", ", ", " ", ""]


@dataclass(frozen=True)
class Chunk:
    """A passage of one source, with exact character offsets into the source's text."""

    chunk_id: str
    source: str  # the article id
    title: str
    start: int
    end: int
    text: str
    outlet: str = ""
    date: str = ""
    url: str = ""

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


def article_runs(text: str, blocks: list[Span]) -> list[Span]:
    """The article text as runs of consecutive content blocks: blocks separated only by blank
    space are one run; dropped page furniture between them starts a new one.
    """
    runs: list[Span] = []
    for block in blocks:
        if runs and not text[runs[-1].end : block.start].strip():
            runs[-1] = Span(runs[-1].start, block.end, text[runs[-1].start : block.end])
        else:
            runs.append(block)
    return runs


def chunk_text(article_id: str, text: str, blocks: list[Span], chunk_size: int, chunk_overlap: int,
               **metadata: str) -> list[Chunk]:
    """Split the article's runs into chunks whose offsets slice `text` exactly."""
    splitter = make_splitter(chunk_size, chunk_overlap)
    chunks: list[Chunk] = []
    for run in article_runs(text, blocks):
        search_from = 0
        for piece in splitter.split_text(run.text):
            local = run.text.find(piece, search_from)
            if local < 0:  # the splitter only strips and splits, so this cannot happen silently
                raise AssertionError(f"chunk not found in its run: {piece[:40]!r}")
            start = run.start + local
            chunks.append(Chunk(f"{article_id}#{len(chunks)}", article_id, metadata.get("title", ""), start,
                                start + len(piece), piece, metadata.get("outlet", ""), metadata.get("date", ""),
                                metadata.get("url", "")))
            search_from = local + 1
    return chunks
