"""Citation lookup: a chunk id (and nothing else — never a file path) to its passage, its
source's title and offsets, and the article text around it.
"""

from __future__ import annotations

from .store import Index


class UnknownChunk(LookupError):
    """Not a chunk id of this index."""


def lookup_chunk(index: Index, chunk_id: str, context_chars: int = 400, start: int | None = None,
                 end: int | None = None) -> dict:
    """The passage of `chunk_id` (or the sub-span start..end of it) with surrounding article text."""
    chunk = index.chunk(chunk_id.strip())
    if chunk is None:
        raise UnknownChunk(f"No chunk '{chunk_id[:80]}' in the index. Chunk ids look like SOURCE#N, e.g. "
                           f"{index.chunks[0].chunk_id if index.chunks else '002_2cf461aa69cecbfd#0'}.")
    source = index.sources[chunk.source]
    start = chunk.start if start is None else max(chunk.start, min(start, chunk.end))
    end = chunk.end if end is None else max(start, min(end, chunk.end))
    return {
        "chunk_id": chunk.chunk_id,
        "source": chunk.source,
        "title": source.title,
        "path": source.path,
        "start": start,
        "end": end,
        "text": source.text[start:end],
        "before": source.text[max(0, start - context_chars):start],
        "after": source.text[end:end + context_chars],
        "article": source.text,
    }
