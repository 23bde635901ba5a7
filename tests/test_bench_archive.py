from rag.bench import markdown
from rag.bench_archive import bench_archive
from rag.factory import ingest_corpus
from rag.questions import Question

QS = [Question("q1", "كم شخصاً قتل في اعتداء نيس؟", ["84"], []), Question("q2", "من زار موسكو؟", [], [])]


def test_archive_section_times_opening_memory_and_retrieval(settings, embedder, generator, monkeypatch):
    from rag import factory

    ingest_corpus(settings, embedder)
    monkeypatch.setattr(factory, "build_embedder", lambda s: embedder)
    monkeypatch.setattr(factory, "build_generator", lambda s: generator)
    result = bench_archive(settings, settings.index_dir, QS, with_model=True)
    assert result["articles"] == 5 and result["open_s"] >= 0 and result["chat_rss_mb"] > 0
    assert result["retrieve_ms"]["n"] == 2 and set(result["filtered_ms"]) == {"since 2015-08-01", "one outlet (okaz)"}
    assert "## Archive index (5 articles" in markdown({"archive": result})
