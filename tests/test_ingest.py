import csv
import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from rag import catalog
from rag.factory import ingest_corpus, signature_for
from rag.segments import segment_folder
from rag.store import IndexUnavailable, load_index

RECORDS = [
    {"source": "okaz", "url": "http://okaz.example/1", "date_extracted": "2015-07-21 02:51:32",
     "title": "وزير الخارجية يزور موسكو", "author": "الرياض: واس",
     "content": "زار وزير الخارجية موسكو أمس.\nوبحث مع نظيره الروسي الأزمة السورية.\nوقال إن المحادثات كانت بناءة."},
    {"source": "sabq", "url": "http://sabq.example/2", "date_extracted": "2015-08-02 10:00:00",
     "title": "افتتاح مستشفى جديد في جدة", "author": "",
     "content": "افتتح أمير منطقة مكة مستشفى جديداً في جدة بسعة 300 سرير."},
]


def test_ingest_writes_a_catalogue_and_segments(settings, embedder):
    index, report = ingest_corpus(settings, embedder)
    assert len(report.added) == 5 and not report.skipped and report.n_articles == 5
    db = catalog.connect(settings.index_dir)
    meta = catalog.read_meta(db)
    assert meta["signature"] == signature_for(settings, embedder)
    assert [s[0] for s in catalog.segments(db)] == [1]  # five articles: one batch
    db.close()
    loaded = load_index(settings.index_dir, signature_for(settings, embedder))
    assert [c.chunk_id for c in loaded.chunks] == [c.chunk_id for c in index.chunks]
    assert np.allclose(loaded.vectors, index.vectors)
    for c in loaded.chunks:
        assert loaded.article(c.source).text[c.start : c.end] == c.text


def test_reingest_embeds_only_what_changed(settings, embedder, corpus: Path):
    first, _ = ingest_corpus(settings, embedder)
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
    kept = next(c for c in index.chunks if c.source == "001_ec3350cfe4d026f5")  # kept chunks keep their vectors
    assert np.allclose(index.vectors[index.by_id[kept.chunk_id]], first.vectors[first.by_id[kept.chunk_id]])


def test_adding_articles_writes_a_new_segment_and_leaves_the_old_ones(settings, embedder, tmp_path: Path):
    ingest_corpus(settings, embedder)
    old = segment_folder(settings.index_dir, 1) / "vectors.npy"
    stamp = old.stat().st_mtime_ns
    export = tmp_path / "new.jsonl"
    export.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS), encoding="utf-8")
    index, report = ingest_corpus(settings, embedder, [export])
    assert len(report.added) == 2 and report.embedded_chunks == 2 and not report.removed  # the seeds stay
    assert old.stat().st_mtime_ns == stamp and segment_folder(settings.index_dir, 2).exists()
    assert report.n_articles == 7 and len({c.source for c in index.chunks}) == 7


@pytest.mark.parametrize("kind", ["json", "jsonl", "csv", "zip"])
def test_archive_exports_are_imported_with_their_metadata(settings, embedder, tmp_path: Path, kind):
    path = _export(tmp_path, kind)
    index, report = ingest_corpus(settings, embedder, [path])
    assert len(report.added) == 2 and not report.skipped
    chunk = next(c for c in index.chunks if "موسكو" in c.text)
    assert (chunk.title, chunk.outlet, chunk.date, chunk.url) == (
        "وزير الخارجية يزور موسكو", "okaz", "2015-07-21", "http://okaz.example/1")
    article = index.article(chunk.source)
    assert article.author == "الرياض: واس" and article.text[chunk.start : chunk.end] == chunk.text
    assert len(index.chunks) == 2  # a short article is one chunk, across its paragraphs
    _, again = ingest_corpus(settings, embedder, [path])
    assert again.added == [] and len(again.unchanged) == 2 and again.embedded_chunks == 0


def test_an_export_without_the_content_field_says_which_field(settings, embedder, tmp_path: Path):
    path = tmp_path / "odd.jsonl"
    path.write_text(json.dumps({"headline": "عنوان", "body_text": "نص الخبر الكامل هنا."}, ensure_ascii=False),
                    encoding="utf-8")
    _, report = ingest_corpus(settings, embedder, [path])
    [(where, reason)] = report.skipped
    assert "no content field" in reason and "--field content=" in reason
    fixed = settings.with_overrides({"ingest.fields": {"content": "body_text"}})
    index, report = ingest_corpus(fixed, embedder, [path])
    assert len(report.added) == 1 and index.chunks[0].title == "عنوان"


def test_bad_records_are_skipped_with_reasons(settings, embedder, tmp_path: Path):
    path = tmp_path / "mixed.jsonl"
    lines = [json.dumps(RECORDS[0], ensure_ascii=False), "{not json", json.dumps({**RECORDS[1], "content": "  "}),
             json.dumps(RECORDS[0], ensure_ascii=False)]
    path.write_text("\n".join(lines), encoding="utf-8")
    (tmp_path / "latin.csv").write_bytes("title,content\nx,caf\xe9\n".encode("latin-1"))
    _, report = ingest_corpus(settings, embedder, [path, tmp_path / "latin.csv"])
    reasons = " | ".join(r for _, r in report.skipped)
    assert len(report.added) == 1
    assert "not valid JSON" in reasons and "empty article text" in reasons and "duplicate" in reasons
    assert "not UTF-8" in reasons


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
    target = segment_folder(settings.index_dir, 1) / "vectors.npy"
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
    (corpus / "broken.zip").write_bytes(b"PK\x03\x04 not really")
    outside = tmp_path / "outside.txt"
    outside.write_text("نص خارج مجلد المصادر وفيه كلمات كثيرة بالعربية.", encoding="utf-8")
    os.symlink(outside, corpus / "link.txt")
    (corpus / "legacy.txt").write_bytes("هذا خبر عربي مكتوب بترميز ويندوز القديم عن باريس.".encode("cp1256"))
    index, report = ingest_corpus(settings, embedder)
    reasons = dict((Path(p).name, r) for p, r in report.skipped)
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.txt"]
    assert "duplicate" in reasons["copy.txt"] and "unsupported" in reasons["image.png"]
    assert "outside" in reasons["link.txt"] and "ZIP" in reasons["broken.zip"]
    assert "legacy" in report.added and len(report.added) == 6
    assert any("ترميز ويندوز" in c.text for c in index.chunks)


def _export(folder: Path, kind: str) -> Path:
    if kind == "json":
        path = folder / "export.json"
        path.write_text(json.dumps(RECORDS, ensure_ascii=False), encoding="utf-8")
    elif kind == "jsonl":
        path = folder / "export.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS), encoding="utf-8")
    elif kind == "csv":
        path = folder / "export.csv"
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(RECORDS[0]))
        writer.writeheader()
        writer.writerows(RECORDS)
        path.write_text(out.getvalue(), encoding="utf-8")
    else:  # the SaudiNewsNet shape: a ZIP holding one JSON array per day
        path = folder / "2015-07-21.zip"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("2015-07-21.json", json.dumps(RECORDS, ensure_ascii=False))
    return path


def test_the_progress_bar_ends_at_its_total_with_files_skipped_and_exports(settings, embedder, tmp_path):
    corpus = tmp_path / "mixed"
    corpus.mkdir()
    (corpus / "a.txt").write_text("عنوان\n\nنص المقال الأول عن الاقتصاد.", encoding="utf-8")
    (corpus / "B.TXT").write_bytes(b"\x00\x01\x02binary")  # refused when parsed, counted as one article before
    (corpus / "export.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS), encoding="utf-8")

    class Bar:
        def __init__(self, total):
            self.total, self.done = total, 0
            bars.append(self)

        def update(self, n):
            self.done += n

        def close(self):
            pass

    bars = []
    _, report = ingest_corpus(settings, embedder, [corpus], progress=Bar)
    assert len(report.added) == 3 and [path for path, _ in report.skipped] == [str(corpus / "B.TXT")]
    assert bars[0].total == 4 and bars[0].done == 4
