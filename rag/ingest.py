"""Ingest: sync the index with a set of corpus paths. Unchanged files keep their chunks and
vectors, changed and new files are chunked and embedded, deleted files are dropped. Every file is
either ingested or skipped with a reason; one bad file never aborts the run.
"""

from __future__ import annotations

import fcntl
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .chunking import Chunk, chunk_document
from .documents import SUPPORTED_SUFFIXES, DocumentError, file_hash, load_document
from .embedding import Embedder, embed_in_batches
from .store import Index, IndexUnavailable, SourceRecord, check_signature, load_index, read_manifest, save_index
from .vectors import choose_index_type


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    n_chunks: int = 0
    embedded_chunks: int = 0
    embed_seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed, {len(self.skipped)} skipped; {self.n_chunks} chunks in the index"
        ]
        if self.embedded_chunks and self.embed_seconds:
            lines.append(f"embedded {self.embedded_chunks} chunks in {self.embed_seconds:.1f} s "
                         f"({self.embedded_chunks / self.embed_seconds:.1f} chunks/s)")
        lines += [f"  skipped {path}: {reason}" for path, reason in self.skipped]
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
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
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
class _Plan:
    """What the next index holds: unchanged sources' chunks and vectors, and new chunks to embed."""

    kept_chunks: list[Chunk] = field(default_factory=list)
    kept_vectors: list[np.ndarray] = field(default_factory=list)
    new_chunks: list[Chunk] = field(default_factory=list)
    sources: dict[str, SourceRecord] = field(default_factory=dict)


def ingest(paths: list[Path], index_dir: Path, embedder: Embedder, signature: dict, chunk_size: int,
           chunk_overlap: int, index_type: str = "auto", approximate_above: int = 200_000,
           rebuild: bool = False, progress=None) -> tuple[Index, IngestReport]:
    """Sync the index in `index_dir` with the files under `paths`; returns the new index and a report."""
    report = IngestReport()
    with ingest_lock(index_dir):
        previous = None if rebuild else _previous_index(index_dir, signature)
        files, report.skipped = discover(paths)
        plan = _plan(files, previous, chunk_size, chunk_overlap, report)
        if previous:
            report.removed = sorted(set(previous.sources) - set(plan.sources))
        new_vectors = _embed(embedder, plan.new_chunks, progress, report)
        chunks = plan.kept_chunks + plan.new_chunks
        vectors = np.vstack(plan.kept_vectors + [new_vectors]) if plan.kept_vectors else new_vectors
        manifest = {**signature, "sources": {sid: {"path": s.path, "title": s.title, "sha256": s.content_hash}
                                             for sid, s in plan.sources.items()}}
        index_type = choose_index_type(index_type, len(chunks), approximate_above)
        index = save_index(index_dir, manifest, chunks, vectors, plan.sources, index_type)
        report.n_chunks = len(chunks)
    return index, report


def _previous_index(index_dir: Path, signature: dict) -> Index | None:
    manifest = read_manifest(index_dir)
    if manifest is None:
        return None
    check_signature(manifest, signature, index_dir)
    try:
        return load_index(index_dir, signature)
    except IndexUnavailable:
        return None  # corrupt: rebuild everything from the files


def _plan(files: list[Path], previous: Index | None, chunk_size: int, chunk_overlap: int,
          report: IngestReport) -> _Plan:
    """Keep unchanged files' chunks and vectors; chunk new and changed ones; skip bad ones with a reason."""
    plan = _Plan()
    old_by_source: dict[str, list[int]] = {}
    for i, chunk in enumerate(previous.chunks if previous else []):
        old_by_source.setdefault(chunk.source, []).append(i)
    seen_hashes: dict[str, str] = {}
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.skipped.append((str(path), f"unreadable ({exc.strerror or exc})"))
            continue
        digest = file_hash(data)
        if digest in seen_hashes:
            report.skipped.append((str(path), f"duplicate of {seen_hashes[digest]}"))
            continue
        source_id = path.stem if path.stem not in plan.sources else f"{path.stem}~{digest[:8]}"
        seen_hashes[digest] = str(path)
        old = previous.sources.get(source_id) if previous else None
        if old is not None and old.content_hash == digest:
            idx = old_by_source.get(source_id, [])
            plan.sources[source_id] = old
            plan.kept_chunks += [previous.chunks[i] for i in idx]
            plan.kept_vectors.append(previous.vectors[idx] if idx else np.zeros((0, previous.vectors.shape[1]), np.float32))
            report.unchanged.append(source_id)
            continue
        try:
            doc = load_document(path)
        except DocumentError as exc:
            report.skipped.append((str(path), str(exc)))
            continue
        doc.source_id = source_id
        chunks = chunk_document(doc, chunk_size, chunk_overlap)
        if not chunks:
            report.skipped.append((str(path), "no article text found"))
            continue
        plan.sources[source_id] = SourceRecord(source_id, str(path), doc.title, doc.text, digest, doc.encoding)
        plan.new_chunks += chunks
        (report.updated if old is not None else report.added).append(source_id)
    return plan


def _embed(embedder: Embedder, chunks: list[Chunk], progress, report: IngestReport) -> np.ndarray:
    started = time.perf_counter()
    bar = progress(len(chunks)) if progress and chunks else None
    vectors = embed_in_batches(embedder, [c.text for c in chunks], "passage", progress=bar.update if bar else None)
    if bar:
        bar.close()
    report.embed_seconds = time.perf_counter() - started
    report.embedded_chunks = len(chunks)
    return vectors
