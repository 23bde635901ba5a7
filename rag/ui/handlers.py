"""The chat's event handlers, on one object holding the services: stream an answer, open a
citation, re-index, and the `/ask` API. No gradio here: the layout wires these up.
"""

from __future__ import annotations

import html
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from ..answering import AnswerStream, Draft, Passages, QuestionError, Token
from ..conversation import needs_rewrite, rewrite_question
from ..lookup import UnknownChunk, lookup_chunk
from ..retrieval import Filters, is_iso_date
from ..text import language
from ..uploads import outcomes, stage
from .export import answer_text, conversation_json, conversation_markdown, turn_record
from .labels import label
from .render import (
    index_status,
    render_answer_markdown,
    render_citation_panel,
    render_draft,
    render_timings,
    render_upload_outcomes,
    render_user_text,
)
from .services import Services

PLACEHOLDER = "🔎 …"


class ChatHandlers:
    def __init__(self, services: Services):
        self.services = services
        self.assistant = services.assistant
        self.lock = threading.Lock()  # re-indexing swaps the assistant's index

    def respond(self, message, chat, history, transcript, k, retriever, mode, temperature, since="", until="", outlets=()):
        """Stream one answer into the chat: yields (chat, history, transcript, status, rewritten
        question). `history` is this session's (question, answer) list for follow-ups, `transcript`
        its turns for export.
        """
        chat = list(chat or [])
        question = (message or "").strip()
        try:
            if not question:
                raise QuestionError("اكتب سؤالاً من فضلك. / Please type a question.")
            lang = language(question)
            chat += [{"role": "user", "content": render_user_text(question)}, {"role": "assistant", "content": PLACEHOLDER}]
            yield chat, history, transcript, label("searching", lang), ""
            standalone = self._standalone(question, history)
            rewritten = f"↪ {standalone}" if standalone != question else ""
            stream = self.assistant.stream(standalone, k=int(k), retriever=retriever, mode=mode,
                                           temperature=float(temperature), filters=filters_from(since, until, outlets))
            for status in self._follow(stream, chat, lang):
                yield chat, history, transcript, status, rewritten
            answer = stream.final()
            chat[-1] = {"role": "assistant", "content": render_answer_markdown(answer)}
            yield (chat, list(history) + [(standalone, answer.answer)], list(transcript or []) + [turn_record(question, answer)],
                   render_timings(answer), rewritten)
        except QuestionError as exc:
            yield chat, history, transcript, f"⚠ {exc}", ""
        except Exception as exc:  # noqa: BLE001 - the user sees a message, never a traceback
            if chat and chat[-1].get("role") == "assistant" and chat[-1]["content"] == PLACEHOLDER:
                chat.pop()
            yield chat, history, transcript, f"⚠ Error: {type(exc).__name__}: {html.escape(str(exc))[:300]}", ""

    def _standalone(self, question: str, history) -> str:
        """A follow-up question rewritten to stand alone (with a model loaded)."""
        if self.assistant.generator is not None and needs_rewrite(question, history):
            return rewrite_question(self.assistant.generator, self.assistant.prompts, question, history)
        return question

    @staticmethod
    def _follow(stream: AnswerStream, chat: list, lang: str) -> Iterator[str]:
        """Show each event of the stream in the last chat message; yields the status line."""
        status, text = "", ""
        for event in stream:
            if isinstance(event, Passages):
                status = label("reading", lang, n=len(event.passages))
                yield status
            elif isinstance(event, Draft):
                chat[-1] = {"role": "assistant", "content": render_draft(event.answer, label(event.next_step, lang))}
                yield status
            elif isinstance(event, Token):
                text += event.text
                chat[-1] = {"role": "assistant", "content": html.escape(text)}
                yield "✍️ …"

    def open_citation(self, target: str) -> str:
        try:
            chunk_id, start, end = (target or "").rsplit("|", 2)
            found = lookup_chunk(self.assistant.retriever.index.index_dir, chunk_id, 500, int(start), int(end))
        except (ValueError, UnknownChunk):
            return "<p>⚠ Unknown citation.</p>"
        return render_citation_panel(found)

    def add_files(self, files, progress) -> tuple[str, str]:
        """Index files sent from the chat (their paths keep the names they were sent with);
        returns the index status and what became of each file.
        """
        sent = [(Path(f), Path(f).name) for f in (files or [])]
        if not sent:
            return index_status(self.assistant.retriever.index), ""
        index = self.assistant.retriever.index
        staged, results = stage(sent, self.services.settings.upload_dir,
                                lambda article_id: getattr(index.article(article_id), "origin", None))
        if staged:
            with self.lock:
                progress(0, desc="indexing…")
                index, report = self.services.ingest([path for path, _ in staged], lambda total: _ProgressBar(progress, total))
                self.assistant.retriever.index = index
            results += outcomes(staged, report)
        return index_status(self.assistant.retriever.index), render_upload_outcomes(results)

    def export(self, transcript) -> tuple[str | None, str | None, str]:
        """The conversation as a Markdown and a JSON file, and the last answer with its sources."""
        if not transcript:
            return None, None, ""
        folder = Path(tempfile.mkdtemp(prefix="conversation-", dir=_exports_dir()))
        stamp = time.strftime("%Y%m%d-%H%M%S")
        markdown, data = folder / f"conversation-{stamp}.md", folder / f"conversation-{stamp}.json"
        markdown.write_text(conversation_markdown(transcript), encoding="utf-8")
        data.write_text(conversation_json(transcript), encoding="utf-8")
        return str(markdown), str(data), answer_text(transcript[-1])

    def reindex(self, progress) -> tuple[str, str]:
        """Sync the index with the corpus folder; `progress(fraction, desc=…)` reports."""
        with self.lock:
            progress(0, desc="indexing…")
            index, report = self.services.reindex(lambda total: _ProgressBar(progress, total))
            self.assistant.retriever.index = index
        return index_status(index), f"```\n{report.summary()}\n```"

    def api_ask(self, question: str, k: int = 5, retriever: str = "hybrid", mode: str = "generative",
                since: str = "", until: str = "", source: str = "") -> dict:
        """Answer a question; returns the answer, its verified citations, passages and timings."""
        try:
            filters = filters_from(since, until, [s for s in source.split(",") if s.strip()])
            return self.assistant.ask(question, k=int(k), retriever=retriever, mode=mode, filters=filters).to_dict()
        except QuestionError as exc:
            return {"error": str(exc)}

    def outlets(self) -> list[str]:
        return sorted({c.outlet for c in self.assistant.retriever.index.chunks if c.outlet})


def _exports_dir(max_age_s: float = 86_400) -> Path:
    """Where export files wait to be downloaded (gradio serves a copy); a day later they go."""
    root = Path(tempfile.gettempdir()) / "rag-exports"
    root.mkdir(exist_ok=True)
    for old in root.glob("conversation-*"):
        if time.time() - old.stat().st_mtime > max_age_s:
            shutil.rmtree(old, ignore_errors=True)
    return root


def filters_from(since: str, until: str, outlets) -> Filters | None:
    """The chat's filter fields as Filters (None: the settings' defaults); dates must be YYYY-MM-DD."""
    since, until = (since or "").strip(), (until or "").strip()
    for value in (since, until):
        if value and not is_iso_date(value):
            raise QuestionError(f"التاريخ بصيغة YYYY-MM-DD / Dates are written YYYY-MM-DD (got '{value}').")
    outlets = tuple(o for o in (outlets or ()) if o)
    return Filters(since, until, outlets) if since or until or outlets else None



class _ProgressBar:
    """The ingest's progress bar (update/close), reported as a fraction."""

    def __init__(self, progress, total: int):
        self.progress, self.total, self.done = progress, total, 0

    def update(self, n: int) -> None:
        self.done += n
        self.progress(self.done / max(self.total, 1), desc=f"{self.done}/{self.total} articles")

    def set_postfix_str(self, text: str) -> None:
        self.progress(self.done / max(self.total, 1), desc=f"{self.done}/{self.total} articles · {text}")

    def close(self) -> None:
        pass
