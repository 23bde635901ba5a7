"""The index on disk: a manifest (models, chunker settings, per-source hashes, per-file checksums,
format version), chunk records, source texts, vectors, the FAISS index and the BM25 index.

Each build is written to a fresh version folder and published by atomically replacing the
`current` symlink, so a crash at any point leaves the previous index whole. Only JSON, .npy
(allow_pickle=False) and FAISS files are ever read: nothing that can execute code.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from . import vectors as vector_index
from .chunking import Chunk
from .lexical import BM25Index
from .terms import TermWeights

FORMAT_VERSION = 1
CURRENT = "current"
REBUILD = "Rebuild it with `rag ingest --rebuild`."


class IndexUnavailable(RuntimeError):
    """The index is missing, corrupt or built with other settings; the message names the fix."""


@dataclass
class SourceRecord:
    source_id: str
    path: str
    title: str
    text: str
    content_hash: str
    encoding: str = "utf-8"


@dataclass
class Index:
    """A loaded index: chunks with their vectors, source texts, and the two search structures."""

    manifest: dict
    chunks: list[Chunk]
    vectors: np.ndarray
    sources: dict[str, SourceRecord]
    dense: object = None
    bm25: BM25Index | None = None
    by_id: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {c.chunk_id: i for i, c in enumerate(self.chunks)}

    @cached_property
    def term_weights(self) -> TermWeights:
        return TermWeights.from_texts([c.text for c in self.chunks])

    def chunk(self, chunk_id: str) -> Chunk | None:
        i = self.by_id.get(chunk_id)
        return None if i is None else self.chunks[i]


def index_signature(embedder_id: str, dimension: int, chunk_size: int, chunk_overlap: int) -> dict:
    """The settings an index depends on; a mismatch means it must be rebuilt."""
    return {
        "format_version": FORMAT_VERSION,
        "embedder": embedder_id,
        "dimension": dimension,
        "chunk_size": chunk_size,
        "chunk_overlap": chunk_overlap,
    }


def check_signature(manifest: dict, expected: dict, index_dir: Path) -> None:
    """Refuse an index built with other settings, saying how to rebuild it."""
    found = {key: manifest.get(key) for key in expected}
    if found != expected:
        diffs = ", ".join(f"{k}: index has {found[k]!r}, settings ask {expected[k]!r}" for k in expected if found[k] != expected[k])
        raise IndexUnavailable(f"The index in {index_dir} was built with other settings ({diffs}). {REBUILD}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def current_dir(index_dir: Path) -> Path | None:
    link = index_dir / CURRENT
    if not link.exists():
        return None
    return link.resolve()


def read_manifest(index_dir: Path) -> dict | None:
    folder = current_dir(index_dir)
    if folder is None:
        return None
    try:
        return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexUnavailable(f"The index manifest in {folder} is unreadable ({exc}). {REBUILD}") from exc


def load_index(index_dir: Path, expected: dict | None = None, verify: bool = True) -> Index:
    """Load the current index, verifying checksums and (if given) the settings signature."""
    folder = current_dir(index_dir)
    if folder is None:
        raise IndexUnavailable(f"No index in {index_dir}. Build it with `rag ingest` (it reads the corpus folder, seeds/ by default).")
    manifest = read_manifest(index_dir)
    if expected is not None:
        check_signature(manifest, expected, index_dir)
    if verify:
        for name, checksum in manifest.get("files", {}).items():
            path = folder / name
            if not path.exists() or _sha256(path) != checksum:
                raise IndexUnavailable(f"Index file {path} is missing or corrupt (checksum mismatch). {REBUILD}")
    try:
        chunks = [Chunk(**json.loads(line)) for line in (folder / "chunks.jsonl").read_text(encoding="utf-8").splitlines() if line]
        sources = {}
        for line in (folder / "sources.jsonl").read_text(encoding="utf-8").splitlines():
            if line:
                record = SourceRecord(**json.loads(line))
                sources[record.source_id] = record
        vectors = np.load(folder / "vectors.npy", allow_pickle=False)
        dense = vector_index.read_index(folder / "dense.faiss")
        bm25 = BM25Index.load(folder / "bm25", len(chunks))
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        raise IndexUnavailable(f"The index in {folder} cannot be read ({exc}). {REBUILD}") from exc
    if len(chunks) != len(vectors) or dense.ntotal != len(chunks):
        raise IndexUnavailable(f"The index in {folder} is inconsistent ({len(chunks)} chunks, {len(vectors)} vectors). {REBUILD}")
    return Index(manifest=manifest, chunks=chunks, vectors=vectors, sources=sources, dense=dense, bm25=bm25)


def save_index(index_dir: Path, manifest: dict, chunks: list[Chunk], vectors: np.ndarray,
               sources: dict[str, SourceRecord], index_type: str) -> Index:
    """Write a new version folder and publish it atomically; returns the loaded-equivalent Index."""
    index_dir.mkdir(parents=True, exist_ok=True)
    folder = index_dir / f"v-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    folder.mkdir()
    with (folder / "chunks.jsonl").open("w", encoding="utf-8") as f:
        for chunk in chunks:
            f.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
    with (folder / "sources.jsonl").open("w", encoding="utf-8") as f:
        for record in sources.values():
            f.write(json.dumps(record.__dict__, ensure_ascii=False) + "\n")
    np.save(folder / "vectors.npy", vectors.astype(np.float32), allow_pickle=False)
    dense = vector_index.build_index(vectors, index_type)
    vector_index.write_index(dense, folder / "dense.faiss")
    bm25 = BM25Index.build([c.text for c in chunks])
    (folder / "bm25").mkdir()
    bm25.save(folder / "bm25")
    files = {str(p.relative_to(folder)): _sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}
    manifest = {**manifest, "index_type": index_type, "n_chunks": len(chunks), "files": files,
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
    _write_durably(folder / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    _fsync_tree(folder)
    _publish(index_dir, folder)
    return Index(manifest=manifest, chunks=chunks, vectors=vectors, sources=sources, dense=dense, bm25=bm25)


def _write_durably(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as f:
                os.fsync(f.fileno())


def _publish(index_dir: Path, folder: Path) -> None:
    """Point `current` at `folder` in one atomic rename, then remove older versions."""
    tmp_link = index_dir / f".{CURRENT}.{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(folder.name, tmp_link)
    os.replace(tmp_link, index_dir / CURRENT)
    dir_fd = os.open(index_dir, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    for old in index_dir.glob("v-*"):
        if old.is_dir() and old.name != folder.name:
            shutil.rmtree(old, ignore_errors=True)
