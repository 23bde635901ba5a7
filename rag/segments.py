"""Segments: the immutable files of one ingest batch, its chunks' vectors (`vectors.npy`) and
their BM25 term counts (`terms.npz`, rows of (term id, count)). A segment is written to a
temporary folder, synced and renamed into place before the catalogue records it, so a folder the
catalogue does not name is the remains of a killed batch and is removed. Only .npy/.npz without
pickles are ever read.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import numpy as np

SEGMENTS = "segments"


def segment_folder(index_dir: Path, segment: int) -> Path:
    return index_dir / SEGMENTS / f"{segment:06d}"


def write_segment(index_dir: Path, segment: int, vectors: np.ndarray, term_rows: list[dict[int, int]]) -> tuple[str, str, str]:
    """Write one segment; returns (folder name, vectors sha256, terms sha256)."""
    final = segment_folder(index_dir, segment)
    tmp = final.with_name(f".tmp-{final.name}-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    np.save(tmp / "vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)
    lengths = np.array([len(r) for r in term_rows], dtype=np.int64)
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    ids = np.fromiter((t for r in term_rows for t in r), dtype=np.int32, count=int(indptr[-1]))
    counts = np.fromiter((c for r in term_rows for c in r.values()), dtype=np.int32, count=int(indptr[-1]))
    np.savez(tmp / "terms.npz", indptr=indptr, ids=ids, counts=counts)
    for name in ("vectors.npy", "terms.npz"):
        with (tmp / name).open("rb") as f:
            os.fsync(f.fileno())
    if final.exists():  # a killed batch's folder of the same number that the catalogue never recorded
        shutil.rmtree(final)
    os.replace(tmp, final)
    _fsync_dir(final.parent)
    return final.name, sha256(final / "vectors.npy"), sha256(final / "terms.npz")


def read_vectors(folder: Path) -> np.ndarray:
    return np.load(folder / "vectors.npy", allow_pickle=False)


def read_terms(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indptr, term ids, counts) of the segment's rows."""
    with np.load(folder / "terms.npz", allow_pickle=False) as data:
        return data["indptr"], data["ids"], data["counts"]


def remove_orphans(index_dir: Path, recorded: set[str]) -> None:
    """Delete segment folders the catalogue does not record (killed batches)."""
    root = index_dir / SEGMENTS
    if not root.exists():
        return
    for folder in root.iterdir():
        if folder.is_dir() and folder.name not in recorded:
            shutil.rmtree(folder, ignore_errors=True)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
