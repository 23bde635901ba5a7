"""Ingest: sync the index with corpus files and archive exports, streaming. Articles are read,
chunked, embedded and committed in batches, so memory stays bounded, a kill loses at most the
batch in flight, and the next run resumes: unchanged articles are skipped, changed ones replaced,
and articles gone from the paths ingested are dropped. Every file and record is either ingested
or skipped with a reason; one bad one never aborts the run.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import catalog
from .archive import EXPORT_SUFFIXES, Article, Skipped, field_mapping, read_articles
from .chunking import Chunk, chunk_text
from .documents import SUPPORTED_SUFFIXES, content_blocks
from .embedding import Embedder, embed_in_batches
from .lexical import term_counts
from .segments import SEGMENTS, remove_orphans, write_segment
from .store import Index, check_signature, load_index


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    origins: dict[str, str] = field(default_factory=dict)  # article id -> the file or record it came from
    mirrored: tuple[int, int] = (0, 0)  # chunks added to and removed from the Qdrant collection
    n_chunks: int = 0
    n_articles: int = 0
    embedded_chunks: int = 0
    embed_seconds: float = 0.0  # chunking and embedding: both happen in the work step (here or on Ray)
    seconds: float = 0.0

    def summary(self, max_skipped: int = 20) -> str:
        lines = [
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed, {len(self.skipped)} skipped; "
            f"{self.n_articles} articles, {self.n_chunks} chunks in the index"
        ]
        if self.embedded_chunks and self.seconds:
            written = len(self.added) + len(self.updated)
            lines.append(f"{written} articles, {self.embedded_chunks} chunks in {self.seconds:.1f} s "
                         f"({written / self.seconds:.1f} articles/s, {self.embedded_chunks / self.seconds:.1f} chunks/s; "
                         f"chunking and embedding {self.embedded_chunks / max(self.embed_seconds, 1e-9):.1f} chunks/s)")
        lines += [f"  skipped {path}: {reason}" for path, reason in self.skipped[:max_skipped]]
        if len(self.skipped) > max_skipped:
            lines.append(f"  … and {len(self.skipped) - max_skipped} more skipped")
        return "\n".join(lines)


def discover(paths: list[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Corpus files under `paths` (sorted), and the ones skipped with a reason."""
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for root in paths:
        if not root.exists():
            skipped.append((str(root), "no such file or folder"))
            continue
        if root.is_file():
            files.append(root)
            continue
        real_root = root.resolve()
        for path in sorted(root.rglob("*")):
            if path.name.startswith(".") or not (path.is_file() or path.is_symlink()):
                continue
            if path.is_symlink() and not _inside(path.resolve(), real_root):
                skipped.append((str(path), "symlink pointing outside the corpus folder"))
                continue
            if path.suffix.lower() not in SUPPORTED_SUFFIXES | EXPORT_SUFFIXES:
                skipped.append((str(path), f"unsupported file type '{path.suffix or '(none)'}'"))
                continue
            files.append(path)
    return files, skipped


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


@contextmanager
def ingest_lock(index_dir: Path):
    """One ingest at a time per index folder."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)




@dataclass
class IngestOptions:
    chunk_size: int
    chunk_overlap: int
    fields: dict[str, str] = field(default_factory=dict)  # export field name overrides
    batch_articles: int = 128
    index_type: str = "auto"
    approximate_above: int = 200_000


def chunk_article(article: Article, options: IngestOptions) -> list[Chunk]:
    return chunk_text(article.article_id, article.text, article.blocks or content_blocks(article.text),
                      options.chunk_size, options.chunk_overlap, title=article.title, outlet=article.outlet,
                      date=article.date, url=article.url)


class LocalWork:
    """Where ingest reads, chunks and embeds: here, in this process (`ray_ingest.RayWork` spreads
    the same two steps over a Ray cluster). Both keep the order of files and articles.
    """

    def __init__(self, embedder: Embedder):
        self.embedder = embedder

    def read(self, files: list[Path], mapping) -> Iterator[Article | Skipped]:
        for path in files:
            yield from read_articles(path, mapping)

    def chunk_and_embed(self, articles: list[Article], options: IngestOptions) -> tuple[list[list[Chunk]], np.ndarray]:
        """Each article's chunks, and the vectors of all of them in that order."""
        pieces = [chunk_article(a, options) for a in articles]
        return pieces, embed_in_batches(self.embedder, [c.text for chunks in pieces for c in chunks], "passage")


def ingest(paths: list[Path], index_dir: Path, work: LocalWork, signature: dict, options: IngestOptions,
           rebuild: bool = False, progress=None) -> tuple[Index, IngestReport]:
    """Sync the index in `index_dir` with the files and exports under `paths`; `work` reads, chunks
    and embeds, this process deduplicates and commits (one writer per index).
    """
    report = IngestReport()
    started = time.perf_counter()
    with ingest_lock(index_dir):
        db = _open_for_writing(index_dir, signature, options, rebuild)
        try:
            files, report.skipped = discover(paths)
            mapping = field_mapping(options.fields)
            writer = _BatchWriter(db, index_dir, work, options, report)
            bar = progress(_count_articles(files, mapping)) if progress else None
            known = catalog.article_states(db)
            seen = _stream(work.read(files, mapping), known, writer, report, bar)
            writer.flush(bar)
            _remove_missing(db, paths, known, seen, report)
            report.n_articles = catalog.count_articles(db)
        finally:
            db.close()
        if bar is not None:
            bar.close()
        index = load_index(index_dir, signature)
    report.n_chunks = len(index.chunks)
    report.seconds = time.perf_counter() - started
    return index, report


def _open_for_writing(index_dir: Path, signature: dict, options: IngestOptions, rebuild: bool):
    if rebuild:
        for name in (catalog.CATALOG, catalog.CATALOG + "-wal", catalog.CATALOG + "-shm"):
            (index_dir / name).unlink(missing_ok=True)
        shutil.rmtree(index_dir / SEGMENTS, ignore_errors=True)
    _remove_old_format(index_dir)
    db = catalog.connect(index_dir, create=True)
    meta = catalog.read_meta(db)
    if "signature" in meta:
        check_signature(meta["signature"], signature, index_dir)
    catalog.write_meta(db, signature=signature, index_type=options.index_type,
                       approximate_above=options.approximate_above)
    remove_orphans(index_dir, {folder for _, folder, *_ in catalog.segments(db)})
    return db


def _remove_old_format(index_dir: Path) -> None:
    """Indexes written before the catalogue (a `current` link to a version folder) are rebuilt."""
    link = index_dir / "current"
    if link.is_symlink() or link.exists():
        link.unlink()
        for old in index_dir.glob("v-*"):
            shutil.rmtree(old, ignore_errors=True)


def _count_articles(files: list[Path], mapping) -> int:
    """A quick first pass, for the progress bar's total and ETA: a file is one article (not parsed
    here), an export is read for its records.
    """
    return sum(1 if path.suffix.lower() in SUPPORTED_SUFFIXES else
               sum(isinstance(item, Article) for item in read_articles(path, mapping)) for path in files)


def _stream(items: Iterator[Article | Skipped], known: dict, writer, report: IngestReport, bar) -> set[str]:
    """Take every article once; queue the new and changed ones; returns the ids seen."""
    seen: dict[str, str] = {}  # article id -> where
    hashes: dict[str, str] = {}  # file content hash -> path (the same file twice)
    for item in items:
        if isinstance(item, Skipped):
            report.skipped.append((item.where, item.reason))
            if item.where.lower().endswith(tuple(SUPPORTED_SUFFIXES)):  # a file counted as one article
                _advance(bar)
            continue
        item = _with_unique_id(item, seen, hashes, report)
        if item is None:
            _advance(bar)
            continue
        report.origins[item.article_id] = item.origin
        state = known.get(item.article_id)
        if state is not None and state[0] == item.content_hash:
            report.unchanged.append(item.article_id)
            _advance(bar)
        else:
            (report.updated if state is not None else report.added).append(item.article_id)
            writer.add(item, bar)
    return set(seen)


def _with_unique_id(article: Article, seen: dict, hashes: dict, report: IngestReport) -> Article | None:
    """The article with an id no other article of this run has; None for a duplicate."""
    is_file = not article.url and article.origin.endswith(tuple(SUPPORTED_SUFFIXES))
    if is_file and article.content_hash in hashes:
        report.skipped.append((article.origin, f"duplicate of {hashes[article.content_hash]}"))
        return None
    if article.article_id in seen:
        if not is_file:
            report.skipped.append((article.origin, f"duplicate of an article in {seen[article.article_id]}"))
            return None
        article = Article(**{**article.__dict__, "article_id": f"{article.article_id}~{article.content_hash[:8]}"})
    if is_file:
        hashes[article.content_hash] = article.origin
    seen[article.article_id] = article.origin
    return article


def _remove_missing(db, paths: list[Path], known: dict, seen: set[str], report: IngestReport) -> None:
    """Drop articles that came from the ingested paths but are no longer there (an article this
    run added is among those seen, so the states read before it are enough).
    """
    roots = [str(p.resolve()) for p in paths]
    in_scope = [aid for aid, (_, origin) in known.items()
                if aid not in seen and any(origin == r or origin.startswith((r + os.sep, r + ":")) for r in roots)]
    if in_scope:
        db.execute("BEGIN IMMEDIATE")
        catalog.remove_articles(db, in_scope)
        db.execute("COMMIT")
    report.removed = sorted(in_scope)


def _advance(bar) -> None:
    if bar is not None:
        bar.update(1)


class _BatchWriter:
    """Chunks, embeds and commits articles a batch at a time, one segment per batch."""

    def __init__(self, db, index_dir: Path, work: LocalWork, options: IngestOptions, report: IngestReport):
        self.db, self.index_dir, self.work, self.options, self.report = db, index_dir, work, options, report
        self.vocabulary = catalog.vocabulary(db)
        self.pending: list[Article] = []
        self.started = time.perf_counter()

    def add(self, article: Article, bar) -> None:
        self.pending.append(article)
        if len(self.pending) >= self.options.batch_articles:
            self.flush(bar)

    def flush(self, bar) -> None:
        articles, self.pending = self.pending, []
        if not articles:
            return
        embed_started = time.perf_counter()
        pieces, vectors = self.work.chunk_and_embed(articles, self.options)
        self.report.embed_seconds += time.perf_counter() - embed_started
        records, chunks = self._records(articles, pieces)
        if chunks:
            self._commit(records, chunks, vectors)
            self.report.embedded_chunks += len(chunks)
        if bar is not None:
            bar.update(len(articles))
            if hasattr(bar, "set_postfix_str"):
                rate = self.report.embedded_chunks / max(time.perf_counter() - self.started, 1e-9)
                bar.set_postfix_str(f"{self.report.embedded_chunks} chunks, {rate:.1f} chunks/s")

    def _records(self, articles: list[Article], pieces: list[list[Chunk]]) -> tuple[list[catalog.ArticleRecord], list[Chunk]]:
        records, chunks = [], []
        for a, article_chunks in zip(articles, pieces, strict=True):
            if not article_chunks:
                self.report.skipped.append((a.origin, "no article text found"))
                (self.report.updated if a.article_id in self.report.updated else self.report.added).remove(a.article_id)
                continue
            records.append(catalog.ArticleRecord(a.article_id, _resolved(a.origin), a.content_hash, a.title, a.outlet,
                                                 a.date, a.url, a.author, a.encoding, a.text))
            chunks += article_chunks
        return records, chunks

    def _commit(self, records, chunks: list[Chunk], vectors) -> None:
        before = len(self.vocabulary)
        term_rows = [term_counts(c.text, self.vocabulary) for c in chunks]
        new_terms = list(self.vocabulary.items())[before:]
        self.db.execute("BEGIN IMMEDIATE")
        try:
            segment = catalog.next_segment_id(self.db)
            folder, vectors_sha, terms_sha = write_segment(self.index_dir, segment, vectors, term_rows)
            catalog.add_terms(self.db, [(i, t) for t, i in new_terms])
            rows = [catalog.ChunkRow(c.chunk_id, c.source, row, c.start, c.end, c.text) for row, c in enumerate(chunks)]
            catalog.add_segment(self.db, segment, folder, len(chunks), vectors_sha, terms_sha, records, rows)
            catalog.write_meta(self.db, updated_at=time.strftime("%Y-%m-%dT%H:%M:%S"))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            for term, _ in new_terms:
                del self.vocabulary[term]
            raise


def _resolved(origin: str) -> str:
    """The origin with its file part made absolute (`path` or `path:member`), for syncing by path."""
    path, sep, member = origin.partition(":") if not Path(origin).exists() else (origin, "", "")
    return str(Path(path).resolve()) + sep + member
