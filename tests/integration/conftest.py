"""Real offline models, loaded once per session (assembled by scripts/setup.sh into models/)."""

from pathlib import Path

import pytest

from rag.settings import Settings


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory) -> Settings:
    return Settings().with_overrides({"index_dir": tmp_path_factory.mktemp("real") / "index"})


@pytest.fixture(scope="session")
def real_embedder(real_settings):
    from rag.factory import build_embedder

    return build_embedder(real_settings)


@pytest.fixture(scope="session")
def real_index(real_settings, real_embedder):
    from rag.factory import ingest_corpus

    index, report = ingest_corpus(real_settings, real_embedder)
    assert len(report.added) == 5
    return index


@pytest.fixture(scope="session")
def real_generator(real_settings):
    from rag.factory import build_generator

    return build_generator(real_settings)


@pytest.fixture(scope="session")
def real_assistant(real_settings, real_index, real_embedder, real_generator):
    from rag.factory import make_assistant

    return make_assistant(real_settings, real_index, real_embedder, real_generator)
