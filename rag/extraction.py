"""Article text out of formats that are not plain text, each through a maintained library made
for it (imported here only): HTML news pages through trafilatura, PDF through pypdf, DOCX through
python-docx. What comes out is the text every later offset slices, plus what the file says about
itself (headline, outlet, date, author, link).

Measured against the old hand-written HTML cleaner in docs/extraction.md.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field


class ExtractionError(ValueError):
    """A file whose text cannot be extracted; the message says why."""


@dataclass
class Extracted:
    text: str
    title: str = ""
    metadata: dict = field(default_factory=dict)  # outlet, date (YYYY-MM-DD), author, url when known


def html_article(markup: str) -> Extracted | None:
    """The main text of a news page (navigation, comments and related links dropped) and its
    metadata; None when trafilatura finds no article in it.
    """
    import trafilatura

    found = trafilatura.bare_extraction(markup, include_comments=False, include_tables=True, include_links=False,
                                        with_metadata=True, deduplicate=True)
    if found is None or not (found.text or "").strip():
        return None
    text = re.sub(r"\n{2,}", "\n", found.text).strip().replace("\n", "\n\n")  # one paragraph per block
    date = found.date or ""
    metadata = {"outlet": found.sitename or "", "date": date if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else "",
                "author": found.author or "", "url": found.url or ""}
    return Extracted(text, (found.title or "").strip(), {k: v for k, v in metadata.items() if v})


def pdf_text(data: bytes) -> Extracted:
    """The text layer of a PDF, one paragraph per line break run, pages apart."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("encrypted PDF (a password is needed)")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = str((reader.metadata or {}).get("/Title") or "")
    except ExtractionError:
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed file may fail anywhere inside the parser
        raise ExtractionError(f"unreadable PDF ({type(exc).__name__}: {exc})") from exc
    # Presentation forms (ﻻ, ﺍﻟ…) that some PDF fonts map to are folded back to letters.
    text = "\n\n".join(_paragraphs(unicodedata.normalize("NFKC", page)) for page in pages if page.strip())
    if not text.strip():
        raise ExtractionError("no text layer in the PDF (a scan needs OCR first)")
    return Extracted(text, title.strip())


def docx_text(data: bytes) -> Extracted:
    """The paragraphs (and table cells) of a Word document, in order, and its title property."""
    from docx import Document as WordDocument

    try:
        word = WordDocument(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - a malformed file may fail anywhere inside the parser
        raise ExtractionError(f"unreadable Word file ({type(exc).__name__}: {exc})") from exc
    paragraphs = [p.text.strip() for p in word.paragraphs]
    for table in word.tables:
        paragraphs += [cell.text.strip() for row in table.rows for cell in row.cells]
    text = "\n\n".join(p for p in paragraphs if p)
    if not text:
        raise ExtractionError("no text in the Word file")
    props = word.core_properties  # its dates are the file's, not the article's: not kept
    return Extracted(text, (props.title or "").strip(), {"author": props.author} if props.author else {})


def _paragraphs(page: str) -> str:
    """A PDF page's lines joined into paragraphs: a blank line or a short line ends one."""
    lines = [line.strip() for line in page.splitlines()]
    paragraphs, current = [], []
    for line in lines:
        if not line:
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        current.append(line)
        if len(line) < 40 and line.endswith((".", "؟", "?", "!", ":", "。")):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)
