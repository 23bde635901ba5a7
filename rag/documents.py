"""Reading corpus files: decoding (UTF-8 first, then detected legacy encodings such as
Windows-1256), HTML, PDF and DOCX to text (rag/extraction.py), and marking page furniture so that
only article text is chunked.

A Document keeps the full decoded text; `blocks` are the spans of it that are article content,
so every offset handed out later slices this text exactly.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .extraction import Extracted, ExtractionError, docx_text, html_article, pdf_text
from .sentences import Span
from .text import language

SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"}
_BINARY_FORMATS = {".pdf": pdf_text, ".docx": docx_text}
MAX_FILE_BYTES = 20 * 1024 * 1024


class DocumentError(ValueError):
    """A file that cannot be ingested; the message says why."""


# Lines that are site furniture, not article text (navigation, share/comment widgets, trackers).
_FURNITURE_LINE = re.compile(
    r"^\s*(?:"
    r"DCSIMG|skip (?:global )?navigation.*|skip to (?:main )?content.*|main menu|menu|search|"
    r"share(?: this)?(?: on \w+)?|tweet|print|email|subscribe.*|advertisement|"
    r"باختصار|شارك(?:ها)?|طباعة|إعلان|اقرأ أيضا|اقرأ أيضاً|تابعونا.*|"
    r"all rights reserved.*|جميع الحقوق محفوظة.*"
    r")\s*$",
    re.IGNORECASE,
)
# Once one of these starts a line, the rest of the page is comments or related links.
_TAIL_MARKER = re.compile(
    r"^\s*(?:قد يعجبك (?:ا|أ)يضا|مقالات ذات صلة|أخبار ذات صلة|المزيد عن المؤلف|اترك رد|اترك تعليقا|"
    r"لن يتم نشر عنوان بريدك|related posts|related articles|you may also like|leave a reply|"
    r"leave a comment|comments)",
    re.IGNORECASE,
)
_ARABIC = re.compile("[\u0600-\u06ff]")
_WORD = re.compile(r"\S+")


@dataclass
class Document:
    """One corpus file: its decoded text, title and the spans that are article content."""

    source_id: str
    path: str
    text: str
    title: str
    blocks: list[Span] = field(default_factory=list)
    content_hash: str = ""
    encoding: str = "utf-8"
    metadata: dict = field(default_factory=dict)  # outlet, date, author, url the file states


def source_id_for(path: Path) -> str:
    """A file's source id is its stem (the seeds' stems are their ids)."""
    return path.stem


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes to text, returning (text, encoding). Raises DocumentError for binary data."""
    if not data.strip():
        raise DocumentError("empty file")
    if b"\x00" in data[:8192]:
        raise DocumentError("binary file (NUL bytes)")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1256", "iso8859_6", "utf_16", "cp1252", "latin_1"]).best()
    if best is None:
        raise DocumentError("not text: no encoding could decode it")
    text = str(best)
    if _unprintable_share(text) > 0.05:
        raise DocumentError(f"binary file (decoded as {best.encoding} but mostly unprintable)")
    return text, best.encoding


def _unprintable_share(text: str) -> float:
    bad = sum(1 for ch in text if not ch.isprintable() and ch not in "\n\r\t")
    return bad / max(1, len(text))


class _TextExtractor(HTMLParser):
    _SKIP = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template"}
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section", "tr", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._SKIP:
            self._skip_depth += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip_depth:
            self._skip_depth -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if not self._skip_depth:
            self.parts.append(data)


def html_to_text(markup: str) -> tuple[str, str]:
    """All text and the <title> of an HTML page; scripts, styles and navigation are dropped. For
    pages in which trafilatura finds no article (a bare fragment, a list).
    """
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = re.sub(r"[ \t]+", " ", "".join(parser.parts))
    text = re.sub(r"\n\s*\n+", "\n\n", text).strip()
    return html.unescape(text), parser.title.strip()


def content_blocks(text: str) -> list[Span]:
    """Spans of `text` that are article content: furniture lines dropped, tail after a marker cut."""
    arabic_page = language(text) == "ar"
    blocks: list[Span] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        start, body = pos, line.rstrip("\r\n")
        pos += len(line)
        stripped = body.strip()
        if not stripped:
            continue
        if _TAIL_MARKER.match(stripped) and len(_WORD.findall(stripped)) <= 10:
            break
        if _is_furniture(stripped, arabic_page):
            continue
        left = len(body) - len(body.lstrip())
        blocks.append(Span(start + left, start + left + len(stripped), stripped))
    return blocks


def _is_furniture(line: str, arabic_page: bool) -> bool:
    if _FURNITURE_LINE.match(line):
        return True
    # A short line with no Arabic on an Arabic page is a tracker, menu or stray token ("uioip").
    return arabic_page and not _ARABIC.search(line) and len(_WORD.findall(line)) < 12


def guess_title(blocks: list[Span], max_words: int = 12) -> str:
    """A headline-like first block (3 to 25 words, no final full stop), else the opening words."""
    for block in blocks[:3]:
        words = block.text.split()
        if 3 <= len(words) <= 25 and not block.text.rstrip().endswith((".", "。")):
            return block.text
    if not blocks:
        return ""
    words = blocks[0].text.split()
    return " ".join(words[:max_words]) + ("…" if len(words) > max_words else "")


def load_document(path: Path) -> Document:
    """Read one corpus file into a Document; raises DocumentError with a reason."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"unsupported file type '{path.suffix}' (supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise DocumentError(f"too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
    data = path.read_bytes()
    suffix = path.suffix.lower()
    extracted, encoding = None, "binary"
    try:
        if suffix in _BINARY_FORMATS:
            extracted = _BINARY_FORMATS[suffix](data)
            text = extracted.text
        else:
            text, encoding = decode(data)
            if suffix in {".html", ".htm"}:
                extracted = html_article(text) or Extracted(*html_to_text(text))
                text = extracted.text
    except ExtractionError as exc:
        raise DocumentError(str(exc)) from exc
    blocks = content_blocks(text)
    if not blocks:
        raise DocumentError("no article text found")
    title = (extracted.title if extracted else "") or _markdown_title(text) or guess_title(blocks)
    return Document(
        source_id=source_id_for(path),
        path=str(path),
        text=text,
        title=title,
        blocks=blocks,
        content_hash=file_hash(data),
        encoding=encoding,
        metadata=extracted.metadata if extracted else {},
    )


def _markdown_title(text: str) -> str:
    match = re.match(r"\s*#\s+(.+)", text)
    return match.group(1).strip() if match else ""
