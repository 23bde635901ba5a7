"""Files added from the chat: checked, kept in the uploads folder, indexed with the corpus; each
refused file says why and leaves nothing behind.
"""

from pathlib import Path

from rag.factory import corpus_paths, ingest_corpus
from rag.uploads import outcomes, precheck, safe_name, stage

PAGES = Path(__file__).parent / "fixtures" / "pages"


def test_names_stay_inside_the_uploads_folder():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("..\\..\\x.html") == "x.html"
    assert safe_name(".hidden.txt") == "hidden.txt"
    assert safe_name("a\x00b\n.txt") == "ab.txt"
    assert safe_name("") == "upload"


def test_precheck_gives_the_reason(tmp_path):
    empty, exe = tmp_path / "empty.txt", tmp_path / "tool.exe"
    empty.write_bytes(b"")
    exe.write_bytes(b"MZ")
    assert precheck(empty, "empty.txt") == "empty file"
    assert precheck(exe, "tool.exe").startswith("unsupported file type '.exe'")
    assert precheck(PAGES / "ar-news.html", "ar-news.html") is None


def test_uploaded_files_are_indexed_and_refusals_leave_nothing(settings, embedder, built, tmp_path):
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\x00\x00\x00binary")
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ")
    sent = [(PAGES / "ar-news.html", "ar-news.html"), (binary, "photo.txt"), (exe, "tool.exe")]
    staged, refused = stage(sent, settings.upload_dir)
    assert [r.name for r in refused] == ["tool.exe"]
    index, report = ingest_corpus(settings, embedder, paths=[path for path, _ in staged])
    results = {r.name: r for r in outcomes(staged, report) + refused}
    assert results["ar-news.html"].ok and results["ar-news.html"].detail == "1 added"
    assert not results["photo.txt"].ok and "binary" in results["photo.txt"].detail
    assert sorted(p.name for p in settings.upload_dir.iterdir()) == ["ar-news.html"]
    article = index.article("ar-news")
    assert article.outlet == "صحيفة الساحل" and index.n_articles == 6
    # The uploads are part of the corpus: a re-index keeps them, the seeds stay.
    assert settings.upload_dir in corpus_paths(settings)
    index, report = ingest_corpus(settings, embedder)
    assert index.n_articles == 6 and not report.removed


def test_sending_the_same_file_again_adds_nothing(settings, embedder, built):
    staged, _ = stage([(PAGES / "en-news.html", "en-news.html")], settings.upload_dir)
    ingest_corpus(settings, embedder, paths=[p for p, _ in staged])
    staged, _ = stage([(PAGES / "en-news.html", "en-news.html")], settings.upload_dir)
    _, report = ingest_corpus(settings, embedder, paths=[p for p, _ in staged])
    assert outcomes(staged, report)[0].detail == "1 unchanged"


def test_an_upload_never_replaces_another_article(settings, embedder, built, tmp_path):
    current = [built[1]]
    seed = sorted(settings.corpus_dir.glob("*.txt"))[0]
    clash = tmp_path / seed.name
    clash.write_text("مقال آخر تماماً يحمل اسم ملف مقال موجود في الأرشيف ولا علاقة له به.", encoding="utf-8")

    def origin_of(article_id):
        found = current[0].article(article_id)
        return found.origin if found else None

    staged, _ = stage([(clash, seed.name)], settings.upload_dir, origin_of)
    assert staged[0][0].name == f"{seed.stem}-2.txt"
    index, report = ingest_corpus(settings, embedder, paths=[p for p, _ in staged])
    current[0] = index
    assert report.added == [f"{seed.stem}-2"] and index.article(seed.stem).text == seed.read_text(encoding="utf-8")
    # Sent again, it keeps its name: the article of that name came from that very file.
    again, _ = stage([(clash, f"{seed.stem}-2.txt")], settings.upload_dir, origin_of)
    assert again[0][0].name == f"{seed.stem}-2.txt"
