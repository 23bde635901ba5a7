"""Articles in: corpus files (txt, md, html, pdf, docx) and newsroom exports (JSON arrays, JSONL, CSV, and
ZIPs of them, such as the SaudiNewsNet archive), each read into `Article` records with their
metadata. Exports are streamed record by record, so an archive is never held whole in memory.

An article's id is stable: a file's stem, or for an export record a hash of its URL (else of its
headline and text), so importing the same export again adds nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .documents import SUPPORTED_SUFFIXES, DocumentError, load_document

EXPORT_SUFFIXES = {".json", ".jsonl", ".csv", ".zip"}
MAX_EXPORT_BYTES = 4 * 1024**3
MAX_JSON_ARRAY_BYTES = 512 * 1024**2  # a JSON array is parsed whole; JSONL and CSV stream

# Each field is read from the first of these keys a record has (case-insensitive).
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "heading"),
    "content": ("content", "text", "body", "article"),
    "date": ("date", "published", "published_at", "pubdate", "date_published", "date_extracted"),
    "source": ("source", "outlet", "publisher", "newspaper", "site"),
    "url": ("url", "link", "href"),
    "author": ("author", "byline", "authors"),
}


class ArchiveError(ValueError):
    """An export that cannot be read as it is (unknown shape, missing field); the message says why."""


@dataclass(frozen=True)
class Article:
    """One article: its text (offsets of citations slice it) and what a journalist knows it by."""

    article_id: str
    text: str
    title: str
    origin: str  # the file or export it came from
    content_hash: str
    outlet: str = ""
    date: str = ""  # ISO date, YYYY-MM-DD, when known
    url: str = ""
    author: str = ""
    encoding: str = "utf-8"
    blocks: list = field(default_factory=list, compare=False)  # spans of article text (files: no furniture)

    def metadata(self) -> dict:
        return {"title": self.title, "outlet": self.outlet, "date": self.date, "url": self.url, "author": self.author}


@dataclass(frozen=True)
class Skipped:
    """A file or record that was not imported, and why."""

    where: str
    reason: str


def field_mapping(overrides: dict[str, str] | None = None) -> dict[str, tuple[str, ...]]:
    """The default keys per field, with `overrides` (`{"title": "headline"}`) taking precedence."""
    mapping = dict(DEFAULT_FIELDS)
    for name, key in (overrides or {}).items():
        if name not in mapping:
            raise ArchiveError(f"unknown field '{name}' (fields: {', '.join(mapping)})")
        mapping[name] = (key,)
    return mapping


def read_articles(path: Path, mapping: dict[str, tuple[str, ...]]) -> Iterator[Article | Skipped]:
    """Every article of one file or export, or the reason it was skipped (never raises)."""
    suffix = path.suffix.lower()
    try:
        if suffix in SUPPORTED_SUFFIXES:
            yield file_article(path)
        elif suffix == ".zip":
            yield from _zip_articles(path, mapping)
        elif suffix in EXPORT_SUFFIXES:
            _check_size(path)
            with path.open("rb") as raw:
                yield from _export_articles(raw, suffix, str(path), mapping)
        else:
            yield Skipped(str(path), f"unsupported file type '{suffix or '(none)'}'")
    except (DocumentError, ArchiveError) as exc:
        yield Skipped(str(path), str(exc))
    except OSError as exc:
        yield Skipped(str(path), f"unreadable ({exc.strerror or exc})")


def file_article(path: Path) -> Article:
    doc = load_document(path)
    meta = doc.metadata
    return Article(path.stem, doc.text, doc.title, str(path), doc.content_hash, meta.get("outlet", ""),
                   meta.get("date", ""), meta.get("url", ""), meta.get("author", ""), encoding=doc.encoding,
                   blocks=doc.blocks)


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_EXPORT_BYTES:
        raise ArchiveError(f"too large ({size:,} bytes; the limit is {MAX_EXPORT_BYTES:,})")


def _zip_articles(path: Path, mapping) -> Iterator[Article | Skipped]:
    _check_size(path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ArchiveError(f"not a ZIP file ({exc})") from exc
    with archive:
        for member in archive.infolist():
            suffix = Path(member.filename).suffix.lower()
            where = f"{path}:{member.filename}"
            if member.is_dir() or Path(member.filename).name.startswith("."):
                continue
            if suffix not in EXPORT_SUFFIXES - {".zip"}:
                yield Skipped(where, f"unsupported file type '{suffix or '(none)'}' in the ZIP")
                continue
            try:
                with archive.open(member) as raw:
                    yield from _export_articles(raw, suffix, where, mapping)
            except (ArchiveError, zipfile.BadZipFile, OSError) as exc:
                yield Skipped(where, str(exc))


def _export_articles(raw, suffix: str, origin: str, mapping) -> Iterator[Article | Skipped]:
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="" if suffix == ".csv" else None)
    try:
        records = {".json": _json_records, ".jsonl": _jsonl_records, ".csv": _csv_records}[suffix](text)
        for i, (number, record) in enumerate(records):
            yield _article(record, number, origin, mapping, first=i == 0)
    except UnicodeDecodeError as exc:
        raise ArchiveError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def _json_records(text: io.TextIOBase) -> Iterator[tuple[int, object]]:
    data = text.read(MAX_JSON_ARRAY_BYTES + 1)
    if len(data) > MAX_JSON_ARRAY_BYTES:
        raise ArchiveError("a JSON array this large cannot be read whole: export it as JSONL")
    try:
        parsed = json.loads(data)
    except json.JSONDecodeError as exc:
        raise ArchiveError(f"not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if isinstance(parsed, dict):  # {"articles": [...]} and similar wrappers
        lists = [v for v in parsed.values() if isinstance(v, list)]
        parsed = lists[0] if len(lists) == 1 else None
    if not isinstance(parsed, list):
        raise ArchiveError("expected a JSON array of articles (or an object holding one)")
    yield from enumerate(parsed, 1)


def _jsonl_records(text: io.TextIOBase) -> Iterator[tuple[int, object]]:
    for number, line in enumerate(text, 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, ValueError(f"not valid JSON ({exc.msg})")


def _csv_records(text: io.TextIOBase) -> Iterator[tuple[int, object]]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    reader = csv.DictReader(text)
    if not reader.fieldnames:
        raise ArchiveError("an empty CSV (no header row)")
    yield from enumerate(reader, 2)


def _article(record, number: int, origin: str, mapping, first: bool) -> Article | Skipped:
    where = f"{origin} record {number}"
    if isinstance(record, ValueError):
        return Skipped(where, str(record))
    if not isinstance(record, dict):
        return Skipped(where, "not an object with named fields")
    values = _fields(record, mapping)
    if values["content"] is None:
        keys = ", ".join(f"'{k}'" for k in mapping["content"])
        message = f"no content field (looked for {keys}; name it with --field content=KEY)"
        if first:  # the mapping does not fit this export at all
            raise ArchiveError(f"record {number} has {message}")
        return Skipped(where, message)
    content = _clean(values["content"])
    if not content.strip():
        return Skipped(where, "empty article text")
    title, url = _clean(values["title"] or ""), (values["url"] or "").strip()
    meta = {"outlet": (values["source"] or "").strip(), "date": iso_date(values["date"] or ""),
            "url": url, "author": _clean(values["author"] or "")}
    digest = hashlib.sha256(json.dumps([title, content, meta], ensure_ascii=False).encode("utf-8")).hexdigest()
    identity = url or f"{title}\n{content}"
    article_id = f"{_slug(meta['outlet']) or 'article'}_{hashlib.sha256(identity.encode('utf-8')).hexdigest()[:16]}"
    return Article(article_id, content, title or _first_words(content), origin, digest, **meta)


def _fields(record: dict, mapping) -> dict[str, str | None]:
    lowered = {str(k).strip().lower(): v for k, v in record.items()}
    out: dict[str, str | None] = {}
    for name, keys in mapping.items():
        present = [k.lower() for k in keys if k.lower() in lowered]
        value = next((lowered[k] for k in present if lowered[k] not in (None, "")), "" if present else None)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        out[name] = None if value is None else str(value)
    return out


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(text: str) -> str:
    """No control characters; line ends unified (offsets are into this text)."""
    return _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:24]


def _first_words(text: str, n: int = 12) -> str:
    words = text.split()
    return " ".join(words[:n]) + ("…" if len(words) > n else "")


_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d", "%d/%m/%Y", "%d-%m-%Y",
                 "%a, %d %b %Y %H:%M:%S %z", "%d %B %Y", "%B %d, %Y")


def iso_date(value: str) -> str:
    """YYYY-MM-DD for the common ways exports write a date; "" when it cannot be read."""
    value = value.strip()
    if not value:
        return ""
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    if match:
        return match.group(0)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return ""
