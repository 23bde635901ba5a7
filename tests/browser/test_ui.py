"""The chat in real headless Chromium (Debian's, driven by Playwright; no browser download), and
the API through gradio_client.
"""

from rag.settings import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
QUESTION = "من هو وزير الدفاع الفرنسي الذي زار موسكو؟"


def test_ask_stream_and_open_a_citation(server, page):
    url, services = server
    page.goto(url)
    page.fill("#question textarea", QUESTION)
    page.click("#send")
    # The instant extractive draft appears first; wait for the finished answer (status ✅).
    page.locator("#status", has_text="✅").wait_for(timeout=180_000)
    link = page.locator("#chat a.cite-link").first
    link.wait_for(timeout=10_000)
    answer_html = page.locator("#chat .message").last.inner_html()
    assert 'dir="rtl"' in answer_html
    link.click()
    highlight = page.locator("#cite-highlight")
    highlight.wait_for(timeout=30_000)
    target = link.get_attribute("href")[len("#cite-"):]
    chunk_id, start, end = target.rsplit("|", 2)
    index = services.assistant.retriever.index
    source = index.article(index.chunk(chunk_id).source)
    assert highlight.inner_text().strip() == source.text[int(start) : int(end)].strip()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-citation.png"), full_page=True)


def test_article_html_is_escaped(server, page):
    url, services = server
    from rag.ui import render_citation_panel

    html = render_citation_panel({"title": "<script>x</script>", "source": "s", "chunk_id": "s#0", "start": 0,
                                  "end": 5, "text": "<img src=x onerror=alert(1)>", "before": "", "after": "",
                                  "article": "<script>alert(1)</script>"})
    assert "<script>" not in html and "<img" not in html and "&lt;script&gt;" in html


def test_gradio_client_gets_answer_and_citations(server):
    url, _ = server
    from gradio_client import Client

    client = Client(url, verbose=False)
    result = client.predict(QUESTION, 5, "hybrid", "generative", api_name="/ask")
    assert {"answer", "citations", "passages", "abstained", "timings"} <= result.keys()
    if not result["abstained"]:
        assert result["citations"] and all(c["chunk_id"] for c in result["citations"])
