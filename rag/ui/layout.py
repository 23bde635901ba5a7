"""The Gradio Blocks layout of the chat (the only module importing gradio): the chat column,
the source panel with settings, and the wiring of the handlers; `launch` serves it.
"""

from __future__ import annotations

import os

from .handlers import ChatHandlers
from .render import index_status
from .services import Services

EXAMPLES = [
    "كم شخصاً قتل في اعتداء نيس؟",
    "من هو وزير الدفاع الفرنسي الذي زار موسكو؟",
    "أين تدرب منفذو هجمات باريس بحسب الخبير الأمني؟",
    "What did Theresa May say about the terrorists?",
]

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


# The clipboard is written by the browser: the server never sees it.
COPY_JS = """(text) => {
  if (text) { navigator.clipboard.writeText(text); }
  return [];
}"""


def build_app(services: Services):
    import gradio as gr

    handlers = ChatHandlers(services)
    with gr.Blocks(title="مساعد الأرشيف الإخباري · News archive assistant", fill_height=True) as demo:
        history = gr.State([])
        transcript = gr.State([])
        gr.Markdown("## مساعد الأرشيف الإخباري · News archive assistant\n"
                    "أسئلة بالعربية أو الإنجليزية؛ كل جملة في الإجابة مرتبطة بمصدرها. "
                    "Ask in Arabic or English; every sentence links to its source.", rtl=False)
        with gr.Row(equal_height=False):
            chat = _chat_column(gr, services)
            side = _side_panel(gr, services, handlers.outlets())
        cite_target = gr.Textbox(elem_id="cite-target", elem_classes=["hidden-control"], show_label=False)
        cite_open = gr.Button("open", elem_id="cite-open", elem_classes=["hidden-control"])
        _wire(gr, handlers, chat, side, history, transcript, cite_target, cite_open)
    demo.queue(default_concurrency_limit=4, max_size=64)
    return demo


def _chat_column(gr, services: Services) -> dict:
    with gr.Column(scale=3, min_width=320):
        parts = {
            "chatbot": gr.Chatbot(elem_id="chat", height=520, sanitize_html=True, render_markdown=True,
                                  placeholder="<div dir='rtl'>اسأل عن الأخبار في الأرشيف…</div>",
                                  layout="bubble", buttons=["copy"]),
            "status": gr.Markdown(elem_id="status"),
            "rewritten": gr.Markdown(elem_id="rewritten"),
        }
        with gr.Row():
            parts["box"] = gr.Textbox(elem_id="question", show_label=False, placeholder="اكتب سؤالك هنا… / Type your question…",
                                      rtl=True, max_length=services.settings.generation.max_question_chars, scale=5,
                                      autofocus=True, lines=1)
            parts["send"] = gr.Button("اسأل · Ask", variant="primary", elem_id="send", scale=1)
            parts["stop"] = gr.Button("إيقاف · Stop", variant="stop", elem_id="stop", scale=1)
        gr.Examples(EXAMPLES, inputs=parts["box"], label="أمثلة · Examples")
        with gr.Row():
            parts["copy"] = gr.Button("📋 نسخ الإجابة مع المصادر · Copy answer with sources", elem_id="copy-answer",
                                      size="sm", interactive=False)
            parts["markdown"] = gr.DownloadButton("⬇ Markdown", elem_id="export-md", size="sm", interactive=False)
            parts["json"] = gr.DownloadButton("⬇ JSON", elem_id="export-json", size="sm", interactive=False)
        parts["answer_text"] = gr.Textbox(elem_id="answer-text", elem_classes=["hidden-control"], show_label=False)
    return parts


def _side_panel(gr, services: Services, outlets: list[str]) -> dict:
    s = services.settings
    with gr.Column(scale=2, min_width=280, elem_classes=["side-panel"]):
        gr.Markdown("### المصدر · Source")
        parts = {"panel": gr.HTML("<p dir='rtl'>انقر على رقم مرجع مثل [1] لعرض المقطع في مقاله.</p>", elem_id="citation-panel")}
        with gr.Accordion("إضافة مقالات · Add articles", open=False):
            parts["files"] = gr.File(label="txt · md · html · pdf · docx · json · jsonl · csv · zip", file_count="multiple",
                                     type="filepath", elem_id="upload")
            parts["upload_log"] = gr.Markdown(elem_id="upload-log")
        with gr.Accordion("الإعدادات · Settings", open=False):
            parts["k"] = gr.Slider(1, 10, value=s.retrieval.k, step=1, label="top-k passages")
            parts["retriever"] = gr.Radio(["hybrid", "dense", "bm25"], value=s.retrieval.retriever, label="retriever")
            parts["mode"] = gr.Radio(["auto", "extractive", "generative"], value=s.generation.mode, label="answer mode")
            parts["temperature"] = gr.Slider(0, 1, value=s.generation.temperature, step=0.1, label="temperature")
            with gr.Row():
                parts["since"] = gr.Textbox(value=s.retrieval.since, label="من تاريخ · since", placeholder="YYYY-MM-DD",
                                            elem_id="since")
                parts["until"] = gr.Textbox(value=s.retrieval.until, label="إلى تاريخ · until", placeholder="YYYY-MM-DD",
                                            elem_id="until")
            parts["outlets"] = gr.Dropdown(outlets, value=list(s.retrieval.sources), multiselect=True,
                                           label="المصادر · outlets", elem_id="outlets")
            gr.Markdown(f"**Model**: {services.model_info}")
            parts["index_info"] = gr.Markdown(index_status(services.assistant.retriever.index))
            parts["reindex"] = gr.Button("إعادة الفهرسة · Re-index corpus")
            parts["reindex_log"] = gr.Markdown()
    return parts


def _wire(gr, handlers: ChatHandlers, chat: dict, side: dict, history, transcript, cite_target, cite_open) -> None:
    """Answers share one queue (`concurrency_id="llm"`): one at a time with the model in process,
    several with a model server; lookups run beside them.
    """
    inputs = [chat["box"], chat["chatbot"], history, transcript, side["k"], side["retriever"], side["mode"],
              side["temperature"], side["since"], side["until"], side["outlets"]]
    outputs = [chat["chatbot"], history, transcript, chat["status"], chat["rewritten"]]
    llm = {"concurrency_limit": handlers.services.parallel_answers, "concurrency_id": "llm"}
    asked = [trigger(handlers.respond, inputs, outputs, api_visibility="private", **llm)
             for trigger in (chat["box"].submit, chat["send"].click)]
    exports = [chat["markdown"], chat["json"], chat["answer_text"]]

    def export(turns):
        markdown, data, text = handlers.export(turns)
        ready = {"interactive": bool(turns)}
        return gr.update(value=markdown, **ready), gr.update(value=data, **ready), text, gr.update(**ready)

    for event in asked:
        event.then(lambda: "", None, chat["box"], api_visibility="private")
        event.then(export, transcript, exports + [chat["copy"]], api_visibility="private")
    chat["stop"].click(None, None, None, cancels=asked, api_visibility="private")
    chat["copy"].click(None, chat["answer_text"], None, js=COPY_JS, api_visibility="private")
    cite_open.click(handlers.open_citation, cite_target, side["panel"], concurrency_limit=4, api_visibility="private")

    def add_files(files, progress=gr.Progress()):  # gradio passes its progress tracker through this default
        status, log = handlers.add_files(files, progress)
        return status, log, gr.update(choices=handlers.outlets()), None

    side["files"].upload(add_files, side["files"], [side["index_info"], side["upload_log"], side["outlets"], side["files"]],
                         api_visibility="private", **llm)

    def reindex(progress=gr.Progress()):  # gradio passes its progress tracker through this default
        return handlers.reindex(progress)

    side["reindex"].click(reindex, None, [side["index_info"], side["reindex_log"]], api_visibility="private", **llm)

    def ask(question: str, k: int = 5, retriever: str = "hybrid", mode: str = "generative", since: str = "",
            until: str = "", source: str = "") -> dict:
        """Answer a question (optionally only from articles dated since/until, from outlets `source`,
        comma-separated); returns the answer, its verified citations, passages and timings.
        """
        return handlers.api_ask(question, k, retriever, mode, since, until, source)

    gr.api(ask, api_name="ask", **llm)


def server_address(port: int | None = None) -> tuple[str, int | None]:
    """Host and port to bind: an explicit port, then Gradio's own GRADIO_SERVER_NAME / _PORT, then
    the RAG_UI_HOST / RAG_UI_PORT aliases; 127.0.0.1 and (None) Gradio's free port from 7860 otherwise.
    """
    host = os.environ.get("GRADIO_SERVER_NAME") or os.environ.get("RAG_UI_HOST") or "127.0.0.1"
    chosen = port or os.environ.get("GRADIO_SERVER_PORT") or os.environ.get("RAG_UI_PORT")
    return host, int(chosen) if chosen else None


def launch(demo, port: int | None = None, prevent_thread_lock: bool = False, announce=None):
    """Serve (no public share link; optional auth from RAG_UI_USER / RAG_UI_PASSWORD); `announce`
    gets the address really bound, once the server listens.
    """
    user, password = os.environ.get("RAG_UI_USER"), os.environ.get("RAG_UI_PASSWORD")
    host, port = server_address(port)
    result = demo.launch(
        server_name=host,
        server_port=port,
        share=False,
        auth=(user, password) if user and password else None,
        css=CSS,
        head=HEAD,
        prevent_thread_lock=True,
        show_error=False,
        quiet=True,
    )
    if announce is not None:
        announce(getattr(demo, "local_url", None) or f"http://{host}:{port or 7860}/")
    if not prevent_thread_lock:
        demo.block_thread()
    return result
