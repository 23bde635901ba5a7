"""A live chat server on 127.0.0.1 with the real offline models, shared by the UI tests."""

import socket
import time
from pathlib import Path

import pytest

from rag.settings import Settings


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.integration)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    from rag.ui import build_app, create_services, launch

    settings = Settings().with_overrides({"index_dir": tmp_path_factory.mktemp("ui") / "index"})
    services = create_services(settings)
    demo = build_app(services)
    port = _free_port()
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
