"""The chat as journalists use it, in headless Chromium: articles added from the chat and asked
about at once, sources by headline and outlet, typed markup shown as text, the conversation
exported and an answer copied with its sources.
"""

import json
from pathlib import Path

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"


def ask(page, question: str) -> None:
    """Send a question and wait for its finished answer (the status line turns ✅)."""
    page.fill("#question textarea", question)
    page.click("#send")
    page.wait_for_function("() => !(document.querySelector('#status')?.innerText || '').includes('✅')", timeout=30_000)
    page.locator("#status", has_text="✅").wait_for(timeout=180_000)


def test_upload_then_ask_about_the_new_article(server, page, tmp_path):
    url, services = server
    page.goto(url)
    bad = tmp_path / "tool.exe"
    bad.write_bytes(b"MZ\x00\x00")
    page.get_by_text("إضافة مقالات · Add articles").click()
    page.set_input_files("#upload input[type=file]", [str(PAGES / "ar-news.html"), str(bad)])
    log = page.locator("#upload-log")
    log.get_by_text("ar-news.html").wait_for(timeout=120_000)
    assert "✅" in log.inner_text() and "1 added" in log.inner_text()
    assert "tool.exe: unsupported file type '.exe'" in log.inner_text()

    ask(page, "ما الطاقة الإنتاجية اليومية لمحطة تحلية المياه الجديدة في ينبع؟")
    last = page.locator("#chat .message").last
    assert "300 ألف متر مكعب" in last.inner_text()
    sources = last.locator(".source-list").inner_text()
    assert "افتتاح محطة تحلية جديدة في ينبع" in sources and "صحيفة الساحل" in sources and "2015-08-12" in sources
    assert "score" not in last.inner_text() and "#0" not in sources  # no internal ids or scores


def test_markup_in_a_question_is_shown_as_typed_and_arabic_decides(server, page):
    url, _ = server
    page.goto(url)
    question = "<img src=x onerror=alert(1)> كم شخصاً قتل في اعتداء نيس؟"
    ask(page, question)
    assert page.locator("#chat img[src=x]").count() == 0
    user = page.locator("#chat .user-text").last
    assert user.inner_text().strip() == question
    answer = page.locator("#chat .message").last.inner_html()
    assert 'dir="rtl"' in answer and "Closest passages" not in answer and "The sources" not in answer


def test_conversation_exports_and_copy_with_sources(server, page):
    url, _ = server
    page.goto(url)
    ask(page, "من هو وزير الدفاع الفرنسي الذي زار موسكو؟")
    page.locator("#export-md:not([disabled])").wait_for(timeout=30_000)
    with page.expect_download() as markdown:
        page.click("#export-md")
    text = Path(markdown.value.path()).read_text(encoding="utf-8")
    assert "## 1. من هو وزير الدفاع الفرنسي الذي زار موسكو؟" in text and ", chars " in text
    with page.expect_download() as data:
        page.click("#export-json")
    turns = json.loads(Path(data.value.path()).read_text(encoding="utf-8"))["turns"]
    assert turns[0]["question"] == "من هو وزير الدفاع الفرنسي الذي زار موسكو؟"
    assert all({"start", "end", "title", "text"} <= s.keys() for s in turns[0]["sources"])
    page.click("#copy-answer")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(turns[0]["direct"]["text"] if turns[0]["direct"] else turns[0]["answer"][:20])
    assert ("المصادر · Sources:" in copied or "Closest passages" in copied) and ", chars " in copied


def test_the_chat_binds_gradio_server_port_and_prints_the_real_address(tmp_path):
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    from ports import free_port

    port = free_port()
    env = dict(os.environ, GRADIO_SERVER_PORT=str(port), GRADIO_SERVER_NAME="127.0.0.1", RAG_INDEX_DIR=str(tmp_path / "index"),
               RAG_UPLOAD_DIR=str(tmp_path / "uploads"), RAG_MODELS__GENERATOR="qwen2.5-coder-0.5b-instruct-q4_k_m",
               HF_HUB_OFFLINE="1")
    env.pop("RAG_UI_PORT", None)
    app = Path(__file__).parent.parent.parent / "app.py"
    server = subprocess.Popen([sys.executable, str(app)], env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        deadline, lines = time.time() + 300, []
        while time.time() < deadline:
            line = server.stderr.readline()
            if not line and server.poll() is not None:
                break
            lines.append(line)
            if line.startswith("ready:"):
                break
        assert lines and lines[-1].strip() == f"ready: http://127.0.0.1:{port}/", "".join(lines[-5:])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
