"""Files added from the chat: each is checked, kept in the uploads folder (so a re-index or a
rebuild keeps it), and then indexed incrementally with the rest of the corpus. A refused file is
reported with its reason and leaves nothing behind.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from .archive import EXPORT_SUFFIXES, MAX_EXPORT_BYTES
from .documents import MAX_FILE_BYTES, SUPPORTED_SUFFIXES
from .ingest import IngestReport

UPLOAD_SUFFIXES = SUPPORTED_SUFFIXES | EXPORT_SUFFIXES


@dataclass
class UploadOutcome:
    name: str  # the file name as the user sent it
    ok: bool
    detail: str  # "2 articles added", or why it was refused


def safe_name(name: str) -> str:
    """A file name that stays inside the uploads folder: no folders, no leading dots, no controls."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[\x00-\x1f/]", "", base).lstrip(".").strip()
    return base[:150] or "upload"


def precheck(path: Path, name: str) -> str | None:
    """Why a file cannot be added before reading it (type, size, emptiness), or None."""
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        return f"unsupported file type '{suffix or '(none)'}' (supported: {', '.join(sorted(UPLOAD_SUFFIXES))})"
    size = path.stat().st_size
    if size == 0:
        return "empty file"
    limit = MAX_EXPORT_BYTES if suffix in EXPORT_SUFFIXES else MAX_FILE_BYTES
    if size > limit:
        return f"too large ({size:,} bytes; the limit is {limit:,})"
    return None


def stage(files: list[tuple[Path, str]], upload_dir: Path, origin_of=lambda article_id: None
          ) -> tuple[list[tuple[Path, str]], list[UploadOutcome]]:
    """Copy the acceptable (path, original name) files into `upload_dir`; returns the staged
    (copy, name) pairs and the outcomes of the files refused at once. `origin_of(article_id)`
    says where an indexed article came from: a name whose stem (the article id) belongs to an
    article from elsewhere gets a suffix, so an upload never replaces another article.
    """
    upload_dir.mkdir(parents=True, exist_ok=True)
    staged, refused = [], []
    for path, name in files:
        reason = precheck(path, name)
        if reason:
            refused.append(UploadOutcome(name, False, reason))
            continue
        target = _free_target(upload_dir, safe_name(name), origin_of)
        shutil.copyfile(path, target)
        staged.append((target, name))
    return staged, refused


def _free_target(upload_dir: Path, name: str, origin_of) -> Path:
    target, n = upload_dir / name, 1
    while (origin := origin_of(target.stem)) and Path(origin.partition(":")[0]).resolve() != target.resolve():
        n += 1
        target = upload_dir / f"{Path(name).stem}-{n}{Path(name).suffix}"
    return target


def outcomes(staged: list[tuple[Path, str]], report: IngestReport) -> list[UploadOutcome]:
    """What became of each staged file in the ingest's report; refused copies are deleted."""
    results = []
    for target, name in staged:
        here = str(target)
        reasons = [reason for where, reason in report.skipped if _from(where, here)]
        counts = {kind: sum(1 for aid in getattr(report, kind) if _from(report.origins.get(aid, ""), here))
                  for kind in ("added", "updated", "unchanged")}
        if not any(counts.values()):
            target.unlink(missing_ok=True)
            results.append(UploadOutcome(name, False, "; ".join(reasons) or "no article found in it"))
            continue
        done = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
        results.append(UploadOutcome(name, True, f"{done}" + (f" ({len(reasons)} records skipped)" if reasons else "")))
    return results


def _from(origin: str, here: str) -> bool:
    """`origin` is the file `here` or a record inside it (`path:member`)."""
    return origin == here or origin.startswith(here + ":")
