"""A conversation kept or handed on: as Markdown to read, as JSON for tools (every cited passage
with its article offsets), and one answer with its sources as plain text for the clipboard.

A turn is `turn_record(question, answer)`: what the user typed, the question as answered
(rewritten when it was a follow-up) and the answer's own fields.
"""

from __future__ import annotations

import html
import json
from datetime import datetime, timezone

from ..answering import Answer
from ..answering.answer import also_in, passage_dict


def turn_record(typed: str, answer: Answer) -> dict:
    """One question and its answer, with the passages it cites (by number) and their offsets."""
    data = answer.to_dict()
    cited = set() if answer.abstained else \
        {c["n"] for c in data["citations"]} | ({data["direct"]["citation"]} if data["direct"] else set())
    return {
        "question": typed,
        "asked_as": answer.question,
        "answer": data["answer"],
        "direct": data["direct"],
        "abstained": data["abstained"],
        "language": data["language"],
        "notices": data["notices"],
        "sources": [passage_dict(p) | {"cited": p.n in cited} for p in answer.passages],
    }


def conversation_json(turns: list[dict], exported_at: datetime | None = None) -> str:
    stamp = (exported_at or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    return json.dumps({"exported_at": stamp, "turns": turns}, ensure_ascii=False, indent=2)


def conversation_markdown(turns: list[dict], exported_at: datetime | None = None) -> str:
    stamp = (exported_at or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"# مساعد الأرشيف الإخباري · News archive assistant\n\nExported {stamp}\n"]
    for i, turn in enumerate(turns, 1):
        parts.append(f"## {i}. {_md(turn['question'])}\n")
        if turn["asked_as"] != turn["question"]:
            parts.append(f"*↪ {_md(turn['asked_as'])}*\n")
        parts.append(answer_text(turn, markdown=True))
    return "\n".join(parts)


def answer_text(turn: dict, markdown: bool = False) -> str:
    """The answer (direct answer first) and the passages it cites: headline, outlet, date, link,
    offsets and the quoted passage.
    """
    esc = _md if markdown else (lambda text: text)
    lines = []
    direct = turn["direct"]
    if direct and not turn["abstained"]:
        shown = direct["shown"]
        lines.append(f"**{esc(shown)}** [{direct['citation']}]" if markdown else f"{shown} [{direct['citation']}]")
        lines.append("")
    lines += [esc(turn["answer"]), ""]
    cited = turn["sources"] if turn["abstained"] else [s for s in turn["sources"] if s["cited"]]
    if cited:
        lines.append("المصادر · Sources:" if not turn["abstained"] else "أقرب المقاطع · Closest passages:")
        for s in cited:
            lines.append(f"[{s['n']}] {esc(source_line(s))}, chars {s['start']}–{s['end']}")
            if note := also_in(s):
                lines.append(esc(note))
            quoted = s["text"].replace("\n", " ")
            lines.append(f"> {esc(quoted)}" if markdown else f"    «{quoted}»")
        lines.append("")
    return "\n".join(lines)


def source_line(source: dict) -> str:
    """Headline — outlet, date — link: how a reader finds the article again."""
    where = ", ".join(x for x in (source.get("outlet"), source.get("date")) if x)
    return " — ".join(x for x in (source.get("title") or source.get("source"), where, source.get("url")) if x)


def _md(text: str) -> str:
    """User and article text shown as typed in Markdown: markup escaped, line breaks kept."""
    return html.escape(text, quote=False).replace("*", "\\*").replace("_", "\\_").replace("`", "\\`")
