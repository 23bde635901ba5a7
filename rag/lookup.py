"""Citation lookup: a chunk id (and nothing else — never a file path) to its passage, its
article's headline, outlet, date and link, and the article text around it. Reads the catalogue
only, so it is quick without opening the search structures.
"""

from __future__ import annotations

from pathlib import Path

from . import catalog


class UnknownChunk(LookupError):
    """Not a chunk id of this index."""


def lookup_chunk(index_dir: Path, chunk_id: str, context_chars: int = 400, start: int | None = None,
                 end: int | None = None) -> dict:
    """The passage of `chunk_id` (or the sub-span start..end of it) with surrounding article text."""
    db = catalog.connect(index_dir)
    if db is None:
        raise UnknownChunk(f"No index in {index_dir}. Build it with `rag ingest`.")
    try:
        row = catalog.chunk(db, chunk_id.strip())
        article = catalog.article(db, row[0]) if row else None
        example = catalog.any_chunk_id(db) if row is None else ""
    finally:
        db.close()
    if row is None or article is None:
        raise UnknownChunk(f"No chunk '{chunk_id[:80]}' in the index. Chunk ids look like ARTICLE#N, "
                           f"e.g. {example or '002_2cf461aa69cecbfd#0'}.")
    _, chunk_start, chunk_end = row
    start = chunk_start if start is None else max(chunk_start, min(start, chunk_end))
    end = chunk_end if end is None else max(start, min(end, chunk_end))
    text = article.text
    return {
        "chunk_id": chunk_id.strip(), "source": article.article_id, "title": article.title, "outlet": article.outlet,
        "date": article.date, "url": article.url, "author": article.author, "path": article.origin,
        "start": start, "end": end, "text": text[start:end],
        "before": text[max(0, start - context_chars):start], "after": text[end:end + context_chars], "article": text,
    }
