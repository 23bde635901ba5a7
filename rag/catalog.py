"""The index's catalogue, in SQLite: the settings it was built with, every article (metadata and
text), every chunk (offsets, text, where its vector lies), the segments of vectors and term
counts, and the BM25 vocabulary. Each ingest batch is one transaction, so a kill loses at most
the batch in flight; readers see the last committed batch.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

CATALOG = "catalog.sqlite"
FORMAT_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS segments (id INTEGER PRIMARY KEY, folder TEXT NOT NULL, n INTEGER NOT NULL,
    vectors_sha256 TEXT NOT NULL, terms_sha256 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (article_id TEXT PRIMARY KEY, origin TEXT NOT NULL,
    content_hash TEXT NOT NULL, title TEXT, outlet TEXT, date TEXT, url TEXT, author TEXT,
    encoding TEXT, text TEXT NOT NULL, added_at TEXT);
CREATE TABLE IF NOT EXISTS chunks (chunk_id TEXT PRIMARY KEY, article_id TEXT NOT NULL,
    segment INTEGER NOT NULL, seg_row INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,
    text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_by_article ON chunks (article_id);
CREATE INDEX IF NOT EXISTS chunks_by_segment ON chunks (segment, seg_row);
CREATE TABLE IF NOT EXISTS terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE);
"""


@dataclass(frozen=True)
class ArticleRecord:
    article_id: str
    origin: str
    content_hash: str
    title: str
    outlet: str
    date: str
    url: str
    author: str
    encoding: str
    text: str


@dataclass(frozen=True)
class ChunkRow:
    chunk_id: str
    article_id: str
    seg_row: int
    start: int
    end: int
    text: str


def connect(index_dir: Path, create: bool = False) -> sqlite3.Connection | None:
    """The catalogue of `index_dir` (None when there is none and `create` is off)."""
    path = index_dir / CATALOG
    if not create and not path.exists():
        return None
    index_dir.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30, isolation_level=None)  # transactions are explicit
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    if create:
        db.executescript(SCHEMA)
    return db


def read_meta(db: sqlite3.Connection) -> dict:
    return {key: json.loads(value) for key, value in db.execute("SELECT key, value FROM meta")}


def write_meta(db: sqlite3.Connection, **values) -> None:
    db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                   [(k, json.dumps(v, ensure_ascii=False)) for k, v in values.items()])


def article_states(db: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """Article id -> (content hash, origin), to skip what is unchanged."""
    return {row[0]: (row[1], row[2]) for row in db.execute("SELECT article_id, content_hash, origin FROM articles")}


def vocabulary(db: sqlite3.Connection) -> dict[str, int]:
    return {term: i for i, term in db.execute("SELECT id, term FROM terms")}


def add_terms(db: sqlite3.Connection, terms: Iterable[tuple[int, str]]) -> None:
    db.executemany("INSERT INTO terms (id, term) VALUES (?, ?)", terms)


def next_segment_id(db: sqlite3.Connection) -> int:
    return (db.execute("SELECT MAX(id) FROM segments").fetchone()[0] or 0) + 1


def add_segment(db: sqlite3.Connection, segment: int, folder: str, n: int, vectors_sha256: str, terms_sha256: str,
                articles: list[ArticleRecord], chunks: list[ChunkRow]) -> None:
    """Record a written segment with its articles and chunks (replacing older versions of them)."""
    remove_articles(db, [a.article_id for a in articles])
    db.execute("INSERT INTO segments (id, folder, n, vectors_sha256, terms_sha256) VALUES (?, ?, ?, ?, ?)",
               (segment, folder, n, vectors_sha256, terms_sha256))
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    db.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [(a.article_id, a.origin, a.content_hash, a.title, a.outlet, a.date, a.url, a.author,
                     a.encoding, a.text, now) for a in articles])
    db.executemany("INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [(c.chunk_id, c.article_id, segment, c.seg_row, c.start, c.end, c.text) for c in chunks])


def remove_articles(db: sqlite3.Connection, article_ids: list[str]) -> None:
    """Forget articles and their chunks (their vectors stay in their segments, unused)."""
    for start in range(0, len(article_ids), 500):
        part = article_ids[start : start + 500]
        marks = ",".join("?" * len(part))
        db.execute(f"DELETE FROM chunks WHERE article_id IN ({marks})", part)
        db.execute(f"DELETE FROM articles WHERE article_id IN ({marks})", part)


def segments(db: sqlite3.Connection) -> list[tuple[int, str, int, str, str]]:
    return list(db.execute("SELECT id, folder, n, vectors_sha256, terms_sha256 FROM segments ORDER BY id"))


def live_chunks(db: sqlite3.Connection):
    """Every chunk with its article's metadata, in segment order: (segment, seg_row, chunk_id,
    article_id, start, end, text, title, outlet, date, url).
    """
    return db.execute(
        "SELECT c.segment, c.seg_row, c.chunk_id, c.article_id, c.start, c.end, c.text, a.title, a.outlet, a.date, a.url "
        "FROM chunks c JOIN articles a ON a.article_id = c.article_id ORDER BY c.segment, c.seg_row")


def article(db: sqlite3.Connection, article_id: str) -> ArticleRecord | None:
    row = db.execute("SELECT article_id, origin, content_hash, title, outlet, date, url, author, encoding, text "
                     "FROM articles WHERE article_id = ?", (article_id,)).fetchone()
    return None if row is None else ArticleRecord(*row)


def count_articles(db: sqlite3.Connection) -> int:
    return db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]


def chunk(db: sqlite3.Connection, chunk_id: str) -> tuple[str, int, int] | None:
    """(article id, start, end) of a chunk."""
    return db.execute("SELECT article_id, start, end FROM chunks WHERE chunk_id = ?", (chunk_id,)).fetchone()


def any_chunk_id(db: sqlite3.Connection) -> str:
    row = db.execute("SELECT chunk_id FROM chunks LIMIT 1").fetchone()
    return row[0] if row else ""
