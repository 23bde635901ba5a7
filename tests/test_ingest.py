import json
import os
from pathlib import Path

import numpy as np
import pytest

from rag.factory import ingest_corpus, signature_for
from rag.store import IndexUnavailable, current_dir, load_index


def test_ingest_writes_manifest_and_parts(settings, embedder):
    index, report = ingest_corpus(settings, embedder)
    assert len(report.added) == 5 and not report.skipped
    manifest = json.loads((current_dir(settings.index_dir) / "manifest.json").read_text())
    assert manifest["embedder"] == "fake-embedder" and manifest["dimension"] == 64
    assert manifest["chunk_size"] == settings.chunking.chunk_size and manifest["format_version"] == 1
    assert set(manifest["sources"]) == {p.stem for p in settings.corpus_dir.glob("*.txt")}
    assert {"chunks.jsonl", "vectors.npy", "dense.faiss", "sources.jsonl"} <= set(manifest["files"])
    loaded = load_index(settings.index_dir, signature_for(settings, embedder))
    assert [c.chunk_id for c in loaded.chunks] == [c.chunk_id for c in index.chunks]
    assert np.allclose(loaded.vectors, index.vectors)


def test_reingest_embeds_only_what_changed(settings, embedder, corpus: Path):
    first, _ = ingest_corpus(settings, embedder)
    embedder.calls.clear()
    _, report = ingest_corpus(settings, embedder)
    assert len(report.unchanged) == 5 and report.embedded_chunks == 0
    changed = corpus / "004_53e7616c08ffaf74.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("\n\n", "\n\nفقرة جديدة عن التعاون العسكري.\n", 1),
                       encoding="utf-8")
    (corpus / "000_b8b13be76e36c7ef.txt").unlink()
    index, report = ingest_corpus(settings, embedder)
    assert report.updated == ["004_53e7616c08ffaf74"] and report.removed == ["000_b8b13be76e36c7ef"]
    assert 0 < report.embedded_chunks < len(first.chunks)
    assert not any(c.source == "000_b8b13be76e36c7ef" for c in index.chunks)
    assert any("فقرة جديدة" in c.text for c in index.chunks)
    # kept chunks keep their vectors
    kept = next(c for c in index.chunks if c.source == "001_ec3350cfe4d026f5")
    before = first.vectors[first.by_id[kept.chunk_id]]
    assert np.allclose(index.vectors[index.by_id[kept.chunk_id]], before)


def test_mismatched_settings_are_refused_with_the_fix(settings, embedder):
    ingest_corpus(settings, embedder)
    other = settings.with_overrides({"chunking.chunk_size": 300})
    with pytest.raises(IndexUnavailable, match="rag ingest --rebuild"):
        load_index(other.index_dir, signature_for(other, embedder))
    with pytest.raises(IndexUnavailable, match="chunk_size"):
        ingest_corpus(other, embedder)
    index, _ = ingest_corpus(other, embedder, rebuild=True)
    assert index.manifest["chunk_size"] == 300


def test_corrupt_index_file_is_detected(settings, embedder):
    ingest_corpus(settings, embedder)
    target = current_dir(settings.index_dir) / "vectors.npy"
    data = bytearray(target.read_bytes())
    data[-10] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(IndexUnavailable, match="corrupt"):
        load_index(settings.index_dir, signature_for(settings, embedder))


def test_missing_index_names_the_command(settings, embedder):
    with pytest.raises(IndexUnavailable, match="rag ingest"):
        load_index(settings.index_dir)


def test_bad_files_are_skipped_with_reasons(settings, embedder, corpus: Path, tmp_path: Path):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x00\xff" * 100)
    (corpus / "copy.txt").write_bytes((corpus / "004_53e7616c08ffaf74.txt").read_bytes())
    (corpus / "image.png").write_bytes(b"\x89PNG")
    outside = tmp_path / "outside.txt"
    outside.write_text("نص خارج مجلد المصادر وفيه كلمات كثيرة بالعربية.", encoding="utf-8")
    os.symlink(outside, corpus / "link.txt")
    (corpus / "legacy.txt").write_bytes("هذا خبر عربي مكتوب بترميز ويندوز القديم عن باريس.".encode("cp1256"))
    index, report = ingest_corpus(settings, embedder)
    reasons = dict((Path(p).name, r) for p, r in report.skipped)
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.txt"]
    assert "duplicate" in reasons["copy.txt"] and "unsupported" in reasons["image.png"]
    assert "outside" in reasons["link.txt"]
    assert "legacy" in report.added and len(report.added) == 6
    assert any("ترميز ويندوز" in c.text for c in index.chunks)


def test_publish_is_a_symlink_swap_and_old_versions_go(settings, embedder, corpus: Path):
    ingest_corpus(settings, embedder)
    first = current_dir(settings.index_dir)
    (corpus / "new.txt").write_text("خبر جديد عن اجتماع وزراء الخارجية في باريس.", encoding="utf-8")
    ingest_corpus(settings, embedder)
    second = current_dir(settings.index_dir)
    assert first != second and not first.exists() and (settings.index_dir / "current").is_symlink()
