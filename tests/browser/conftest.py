"""A live chat server on 127.0.0.1 with the real offline models, shared by the UI tests."""

import shutil
import socket
import time
from pathlib import Path

import pytest
from ports import free_port

from rag.settings import Settings


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.integration)



@pytest.fixture(scope="session")
def server(tmp_path_factory):
    from rag.ui import build_app, create_services, launch

    folder = tmp_path_factory.mktemp("ui")
    settings = Settings().with_overrides({"index_dir": folder / "index", "upload_dir": folder / "uploads"})
    services = create_services(settings)
    demo = build_app(services)
    port = free_port()
    launch(demo, port=port, prevent_thread_lock=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.5)
    yield url, services
    demo.close()


@pytest.fixture(scope="module")
def page():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("Debian chromium is not installed: scripts/test.sh installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True,
                                      permissions=["clipboard-read", "clipboard-write"])
        yield context.new_page()
        browser.close()
