"""The Gradio chat (the only module importing gradio): streaming answers, right-to-left Arabic,
clickable [n] citations opening the cited span in its article, follow-up rewriting, settings,
index status and re-indexing, and a structured API endpoint (`/ask`).
"""

from __future__ import annotations

import html
import os
import re
import threading
from dataclasses import dataclass

from .conversation import needs_rewrite, rewrite_question
from .lookup import UnknownChunk, lookup_chunk
from .pipeline import Answer, Assistant, QuestionError
from .settings import Settings
from .text import language

EXAMPLES = [
    "كم شخصاً قتل في اعتداء نيس؟",
    "من هو وزير الدفاع الفرنسي الذي زار موسكو؟",
    "أين تدرب منفذو هجمات باريس بحسب الخبير الأمني؟",
    "What did Theresa May say about the terrorists?",
]
MAX_QUESTION_CHARS = 2000
_CITATION_MARK = re.compile(r"\[(\d+)\]")

CSS = """
@import url('data:text/css,');
:root { --arabic-font: 'Noto Naskh Arabic', 'Noto Sans Arabic', 'Amiri', 'DejaVu Sans', 'Segoe UI', Tahoma, sans-serif; }
.gradio-container { font-family: var(--arabic-font); max-width: 1200px !important; margin: auto; }
.message [dir=rtl], .rtl { direction: rtl; text-align: right; }
.message-content p, .message-content li { unicode-bidi: plaintext; text-align: start; }
.cite-link { text-decoration: none; font-weight: 600; padding: 0 2px; }
.passage mark { background: #ffe58a; padding: 0 2px; border-radius: 3px; }
.passage { line-height: 1.9; font-size: 1.05em; }
.source-list { font-size: 0.9em; opacity: 0.9; }
.unsupported { text-decoration: underline wavy #d9534f; }
.hidden-control { display: none !important; }
@media (max-width: 760px) { .side-panel { min-width: 100% !important; } }
"""

# A click on a citation link writes its target into a hidden textbox and presses a hidden button.
HEAD = """
<script>
document.addEventListener('click', function (event) {
  const link = event.target.closest('a[href^="#cite-"]');
  if (!link) return;
  event.preventDefault();
  const box = document.querySelector('#cite-target textarea, #cite-target input');
  const button = document.querySelector('#cite-open');
  if (!box || !button) return;
  box.value = decodeURIComponent(link.getAttribute('href').slice(6));
  box.dispatchEvent(new Event('input', { bubbles: true }));
  setTimeout(function () { button.click(); }, 50);
}, true);
</script>
"""


@dataclass
class Services:
    """What the UI talks to: the assistant (retrieval, generation) and how to re-index."""

    settings: Settings
    assistant: Assistant
    reindex: object  # callable(progress) -> (index, report)
    model_info: str


def _dir(text: str) -> str:
    return "rtl" if language(text) == "ar" else "ltr"


def citation_target(chunk_id: str, start: int, end: int) -> str:
    return f"{chunk_id}|{start}|{end}"


def render_answer_markdown(answer: Answer) -> str:
    """The answer with [n] turned into citation links, unsupported sentences marked, and a
    sources list with scores. All article-derived text is HTML-escaped.
    """
    by_n = {p.n: p for p in answer.passages}
    d = _dir(answer.question)
    parts = [f'<div dir="{d}">']
    if answer.abstained:
        parts.append(f"<p><b>{html.escape(answer.answer)}</b></p>")
        if answer.passages:
            label = "أقرب المقاطع:" if answer.language == "ar" else "Closest passages:"
            parts.append(f"<p>{label}</p>")
    else:
        text = html.escape(answer.answer)

        def link(match: re.Match) -> str:
            n = int(match.group(1))
            p = by_n.get(n)
            if p is None:
                return match.group(0)
            target = citation_target(p.chunk.chunk_id, p.start, p.end)
            return f'<a class="cite-link" href="#cite-{html.escape(target)}">[{n}]</a>'

        parts.append(f"<p>{_CITATION_MARK.sub(link, text)}</p>")
        for s in answer.sentences:
            if not s.supported:
                note = "غير مدعوم بالمصادر، حُذف:" if answer.language == "ar" else "Not supported by the sources, left out:"
                parts.append(f'<p class="unsupported">⚠ {note} {html.escape(s.text)}</p>')
    if answer.passages:
        parts.append('<ol class="source-list">')
        for p in answer.passages:
            target = citation_target(p.chunk.chunk_id, p.start, p.end)
            parts.append(
                f'<li value="{p.n}"><a class="cite-link" href="#cite-{html.escape(target)}">[{p.n}]</a> '
                f"{html.escape(p.chunk.title)} <small>(<bdi>{html.escape(p.chunk.chunk_id)}</bdi>, score {p.score:.2f})</small></li>"
            )
        parts.append("</ol>")
    for notice in answer.notices:
        parts.append(f'<p dir="auto"><small>ℹ {html.escape(notice)}</small></p>')
    parts.append("</div>")
    return "".join(parts)


def render_citation_panel(found: dict) -> str:
    """Source title, the cited span highlighted inside its surrounding text, and the article."""
    esc = html.escape
    d = _dir(found["text"] or found["article"][:200])
    return (
        f'<div class="passage" dir="{d}">'
        f'<h3 id="cite-title">{esc(found["title"])}</h3>'
        f'<p><small><bdi>{esc(found["chunk_id"])}</bdi> · <bdi>chars {found["start"]}–{found["end"]}</bdi></small></p>'
        f'<p id="cite-context">…{esc(found["before"])}<mark id="cite-highlight">{esc(found["text"])}</mark>{esc(found["after"])}…</p>'
        f"<details><summary>{'المقال كاملاً' if d == 'rtl' else 'Whole article'}</summary>"
        f'<div style="white-space: pre-wrap">{esc(found["article"])}</div></details>'
        "</div>"
    )


def index_status(assistant: Assistant) -> str:
    index = assistant.retriever.index
    m = index.manifest
    return (f"**Index**: {len(index.sources)} sources, {len(index.chunks)} chunks · embedder `{m.get('embedder')}` "
            f"· chunks {m.get('chunk_size')}/{m.get('chunk_overlap')} chars · {m.get('index_type', 'flat')} · "
            f"built {m.get('built_at', '?')}")


def build_app(services: Services):
    import gradio as gr

    assistant = services.assistant
    lock = threading.Lock()  # re-indexing swaps the assistant's index

    def respond(message, chat, history, k, retriever, mode, temperature):
        """Stream one answer into the chat. `history` is this session's (question, answer) list."""
        chat = list(chat or [])
        question = (message or "").strip()
        try:
            if not question:
                raise QuestionError("اكتب سؤالاً من فضلك. / Please type a question.")
            chat.append({"role": "user", "content": question})
            chat.append({"role": "assistant", "content": "🔎 …"})
            yield chat, history, "🔎 " + ("أبحث في المصادر…" if language(question) == "ar" else "Searching the sources…"), ""
            standalone = question
            if assistant.generator is not None and needs_rewrite(question, history):
                standalone = rewrite_question(assistant.generator, assistant.prompts, question, history)
            rewritten = f"↪ {standalone}" if standalone != question else ""
            text = ""
            answer = None
            for event, payload in assistant.stream(standalone, k=int(k), retriever=retriever, mode=mode,
                                                   temperature=float(temperature)):
                if event == "passages":
                    n = len(payload)
                    status = f"📖 أقرأ {n} مقاطع…" if language(question) == "ar" else f"📖 Reading {n} passages…"
                    yield chat, history, status, rewritten
                elif event == "draft":
                    if payload.mode == "extractive" or assistant.checks_before_writing:
                        reading = ("⏳ النموذج يتحقق من أن المقطع يجيب عن السؤال…" if language(question) == "ar"
                                   else "⏳ The model is checking that the passage answers the question…")
                    else:
                        reading = "⏳ النموذج يقرأ المقاطع…" if language(question) == "ar" else "⏳ The model is reading the passages…"
                    chat[-1] = {"role": "assistant", "content": render_answer_markdown(payload) + f"<p><small>{reading}</small></p>"}
                    yield chat, history, status, rewritten
                elif event == "token":
                    text += payload
                    chat[-1] = {"role": "assistant", "content": html.escape(text)}
                    yield chat, history, "✍️ …", rewritten
                else:
                    answer = payload
            chat[-1] = {"role": "assistant", "content": render_answer_markdown(answer)}
            history = list(history) + [(standalone, answer.answer)]
            t = answer.timings
            status = (f"✅ retrieve {t.get('retrieve_ms', 0):.0f} ms · first token {t.get('ttft_ms', 0) / 1000:.1f} s · "
                      f"total {t.get('total_ms', 0) / 1000:.1f} s")
            yield chat, history, status, rewritten
        except QuestionError as exc:
            yield chat, history, f"⚠ {exc}", ""
        except Exception as exc:  # noqa: BLE001 - the user sees a message, never a traceback
            if chat and chat[-1].get("role") == "assistant" and chat[-1]["content"] == "🔎 …":
                chat.pop()
            yield chat, history, f"⚠ Error: {type(exc).__name__}: {html.escape(str(exc))[:300]}", ""

    def open_citation(target):
        try:
            chunk_id, start, end = (target or "").rsplit("|", 2)
            found = lookup_chunk(assistant.retriever.index, chunk_id, 500, int(start), int(end))
        except (ValueError, UnknownChunk):
            return "<p>⚠ Unknown citation.</p>"
        return render_citation_panel(found)

    def reindex(progress=gr.Progress()):
        with lock:
            progress(0, desc="indexing…")

            def bar(total):
                class _Bar:
                    done = 0

                    def update(self, n):
                        self.done += n
                        progress(self.done / max(total, 1), desc=f"embedding {self.done}/{total} chunks")

                    def close(self):
                        pass

                return _Bar()

            index, report = services.reindex(bar)
            assistant.retriever.index = index
        return index_status(assistant), f"```\n{report.summary()}\n```"

    def api_ask(question: str, k: int = 5, retriever: str = "hybrid", mode: str = "generative") -> dict:
        """Answer a question; returns the answer, its verified citations, passages and timings."""
        try:
            return assistant.ask(question, k=int(k), retriever=retriever, mode=mode).to_dict()
        except QuestionError as exc:
            return {"error": str(exc)}

    with gr.Blocks(title="مساعد الأرشيف الإخباري · News archive assistant", fill_height=True) as demo:
        history = gr.State([])
        gr.Markdown("## مساعد الأرشيف الإخباري · News archive assistant\n"
                    "أسئلة بالعربية أو الإنجليزية؛ كل جملة في الإجابة مرتبطة بمصدرها. "
                    "Ask in Arabic or English; every sentence links to its source.", rtl=False)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                chatbot = gr.Chatbot(elem_id="chat", height=520, sanitize_html=True, render_markdown=True,
                                     placeholder="<div dir='rtl'>اسأل عن الأخبار في الأرشيف…</div>",
                                     layout="bubble", buttons=["copy"])
                status = gr.Markdown(elem_id="status")
                rewritten = gr.Markdown(elem_id="rewritten")
                with gr.Row():
                    box = gr.Textbox(elem_id="question", show_label=False, placeholder="اكتب سؤالك هنا… / Type your question…",
                                     rtl=True, max_length=MAX_QUESTION_CHARS, scale=5, autofocus=True, lines=1)
                    send = gr.Button("اسأل · Ask", variant="primary", elem_id="send", scale=1)
                    stop = gr.Button("إيقاف · Stop", variant="stop", elem_id="stop", scale=1)
                gr.Examples(EXAMPLES, inputs=box, label="أمثلة · Examples")
            with gr.Column(scale=2, min_width=280, elem_classes=["side-panel"]):
                gr.Markdown("### المصدر · Source")
                panel = gr.HTML("<p dir='rtl'>انقر على رقم مرجع مثل [1] لعرض المقطع في مقاله.</p>", elem_id="citation-panel")
                with gr.Accordion("الإعدادات · Settings", open=False):
                    k = gr.Slider(1, 10, value=services.settings.retrieval.k, step=1, label="top-k passages")
                    retriever = gr.Radio(["hybrid", "dense", "bm25"], value=services.settings.retrieval.retriever,
                                         label="retriever")
                    mode = gr.Radio(["auto", "extractive", "generative"], value=services.settings.generation.mode, label="answer mode")
                    temperature = gr.Slider(0, 1, value=services.settings.generation.temperature, step=0.1,
                                            label="temperature")
                    gr.Markdown(f"**Model**: {services.model_info}")
                    index_info = gr.Markdown(index_status(assistant))
                    reindex_btn = gr.Button("إعادة الفهرسة · Re-index corpus")
                    reindex_log = gr.Markdown()
        cite_target = gr.Textbox(elem_id="cite-target", elem_classes=["hidden-control"], show_label=False)
        cite_open = gr.Button("open", elem_id="cite-open", elem_classes=["hidden-control"])

        inputs = [box, chatbot, history, k, retriever, mode, temperature]
        outputs = [chatbot, history, status, rewritten]
        submit = box.submit(respond, inputs, outputs, concurrency_limit=1, concurrency_id="llm", api_visibility="private")
        click = send.click(respond, inputs, outputs, concurrency_limit=1, concurrency_id="llm", api_visibility="private")
        for event in (submit, click):
            event.then(lambda: "", None, box, api_visibility="private")
        stop.click(None, None, None, cancels=[submit, click], api_visibility="private")
        cite_open.click(open_citation, cite_target, panel, concurrency_limit=4, api_visibility="private")
        reindex_btn.click(reindex, None, [index_info, reindex_log], concurrency_limit=1, concurrency_id="llm",
                          api_visibility="private")
        gr.api(api_ask, api_name="ask", concurrency_limit=1, concurrency_id="llm")
    demo.queue(default_concurrency_limit=4, max_size=64)
    return demo


def launch(demo, port: int | None = None, prevent_thread_lock: bool = False):
    """Serve on 127.0.0.1 (no public share link); optional auth from RAG_UI_USER / RAG_UI_PASSWORD."""
    user, password = os.environ.get("RAG_UI_USER"), os.environ.get("RAG_UI_PASSWORD")
    return demo.launch(
        server_name=os.environ.get("RAG_UI_HOST", "127.0.0.1"),
        server_port=port or int(os.environ.get("RAG_UI_PORT", "7860")),
        share=False,
        auth=(user, password) if user and password else None,
        css=CSS,
        head=HEAD,
        prevent_thread_lock=prevent_thread_lock,
        show_error=False,
        quiet=prevent_thread_lock,
    )


def create_services(settings: Settings, progress_factory=None) -> Services:
    """Load the models and the index (building it from the corpus folder on first run)."""
    from .components import build_embedder, build_generator, ingest_corpus, make_assistant, needs_generator, open_index
    from .models import GGUF_MODELS

    embedder = build_embedder(settings)
    index = open_index(settings, embedder, build_if_missing=True, progress_factory=progress_factory)
    generator = build_generator(settings) if needs_generator(settings) else None
    assistant = make_assistant(settings, index, embedder, generator)
    if generator is not None:  # read the static system prompt of the default mode once
        prompts, lang = assistant.prompts, settings.generation.corpus_language
        generator.warm(prompts.render("answer_system", lang, abstain=prompts.abstain_message(lang))
                       if settings.generation.mode == "generative" else prompts.render("check_system", lang))  # auto: check
    name = settings.models.generator
    spec = GGUF_MODELS.get(name)
    model_info = f"`{name}`" + (f" ({spec.params}, {spec.size / 1e9:.2f} GB)" if spec else "") + \
        f" · embedder `{settings.models.embedder}`"
    return Services(settings, assistant, lambda bar: ingest_corpus(settings, embedder, progress_factory=bar), model_info)
