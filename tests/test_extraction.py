"""Article text from HTML news pages (trafilatura), PDF (pypdf) and Word (python-docx): article
kept, page furniture dropped, metadata read, offsets exact, bad files refused with a reason.
"""

import json
from pathlib import Path

import pytest

from rag.archive import file_article
from rag.documents import DocumentError, load_document

PAGES = Path(__file__).parent / "fixtures" / "pages"
EXPECTED = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_news_pages_keep_the_article_and_drop_the_furniture(page):
    doc = load_document(PAGES / page)
    chunked = "\n".join(block.text for block in doc.blocks)
    assert all(snippet in chunked for snippet in EXPECTED[page]["article"])
    assert [s for s in EXPECTED[page]["furniture"] if s in chunked] == []
    assert all(doc.text[b.start:b.end] == b.text for b in doc.blocks)  # offsets slice the stored text


def test_page_metadata_reaches_the_article():
    article = file_article(PAGES / "ar-news.html")
    assert article.title == "افتتاح محطة تحلية جديدة في ينبع بطاقة 300 ألف متر مكعب"
    assert (article.outlet, article.date, article.author) == ("صحيفة الساحل", "2015-08-12", "سارة العتيبي")
    assert article.url == "https://alsahil.example/news/2015/08/12/desalination-yanbu"


def test_a_fragment_without_an_article_falls_back_to_all_its_text(tmp_path):
    page = tmp_path / "note.html"
    page.write_text("<p>وزارة الصحة: لا إصابات جديدة بفيروس كورونا في المنطقة الشرقية اليوم</p>", encoding="utf-8")
    assert "لا إصابات جديدة" in load_document(page).text


def test_pdf_text_layer_in_reading_order():
    doc = load_document(PAGES / "ar-report.pdf")
    assert doc.title == "تقرير محطة تحلية ينبع"
    assert "وقال المهندس خالد الزهراني، مدير المشروع" in doc.text
    assert "\ufe8d" not in doc.text  # no Arabic presentation forms left
    assert all(doc.text[b.start:b.end] == b.text for b in doc.blocks)


def test_docx_paragraphs_tables_and_title(tmp_path):
    from docx import Document

    word = Document()
    word.core_properties.title = "ميزانية 2016"
    word.core_properties.author = "فريق الاقتصاد"
    word.add_heading("ميزانية 2016", level=1)
    word.add_paragraph("أعلنت وزارة المالية أن العجز المتوقع يبلغ 87 مليار دولار.")
    table = word.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "الإيرادات"
    table.rows[0].cells[1].text = "162 مليار دولار"
    path = tmp_path / "budget.docx"
    word.save(path)
    article = file_article(path)
    assert article.title == "ميزانية 2016" and article.author == "فريق الاقتصاد"
    assert "العجز المتوقع يبلغ 87 مليار دولار" in article.text and "162 مليار دولار" in article.text


@pytest.mark.parametrize("name, data, reason", [
    ("broken.pdf", b"%PDF-1.4\n garbage", "PDF"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "Word"),
    ("fake.docx", b"just text", "Word"),
])
def test_broken_files_are_refused_with_a_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DocumentError, match=reason):
        load_document(path)


def test_encrypted_and_textless_pdfs_say_so(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    blank = tmp_path / "scan.pdf"
    with blank.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(DocumentError, match="no text layer"):
        load_document(blank)
    locked = PdfWriter(clone_from=PdfReader(PAGES / "ar-report.pdf"))
    locked.encrypt("secret")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as handle:
        locked.write(handle)
    with pytest.raises(DocumentError, match="encrypted"):
        load_document(path)
