import json

import pytest
from click.testing import CliRunner

from rag import cli, factory
from rag.settings import Settings


@pytest.fixture
def run(monkeypatch, settings: Settings, embedder, generator):
    """Invoke `rag` with the fakes wired in and settings pointed at tmp_path."""
    monkeypatch.setattr(factory, "build_embedder", lambda s: embedder)
    monkeypatch.setattr(factory, "build_generator", lambda s, reuse_prefix=True: generator)
    monkeypatch.setattr(cli, "load_settings", lambda **overrides: settings.with_overrides(overrides))

    def invoke(*args):
        return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)

    return invoke


def test_ask_json_has_the_documented_shape(run, generator):
    generator.enqueue("لا تذكر المصادر ذلك.")
    result = run("ask", "كم شخصاً قتل في اعتداء نيس؟", "--json")  # builds the index on first run
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"question", "answer", "citations", "passages", "timings", "abstained", "sentences"} <= data.keys()
    assert {"retrieve_ms", "ttft_ms", "total_ms"} <= data["timings"].keys()
    assert {"n", "chunk_id", "source", "title", "start", "end", "text", "score"} <= data["passages"][0].keys()


def test_ask_extractive_citation_slices_the_source_file(run, settings):
    result = run("ask", "من هو وزير الدفاع الفرنسي الذي زار موسكو؟", "--json", "--mode", "extractive")
    data = json.loads(result.stdout)
    assert 1 <= len(data["citations"]) <= 2  # the best sentence, and a runner-up when it scores close
    for c in data["citations"]:
        source = (settings.corpus_dir / f"{c['source']}.txt").read_bytes().decode("utf-8")
        assert source[c["start"] : c["end"]] == c["text"]


def test_empty_question_is_a_clear_error_not_a_traceback(run):
    run("ingest")
    result = run("ask", "   ")
    assert result.exit_code == 1 and "Please type a question" in result.output


def test_ingest_then_show(run):
    result = run("ingest")
    assert "5 added" in result.output
    shown = json.loads(run("show", "002_2cf461aa69cecbfd#0", "--json").stdout)
    assert shown["source"] == "002_2cf461aa69cecbfd" and shown["text"]
    assert shown["article"][shown["start"] : shown["end"]] == shown["text"]


@pytest.mark.parametrize("chunk_id", ["../../etc/passwd", "seeds/000_b8b13be76e36c7ef.txt", "nope#1"])
def test_show_accepts_only_indexed_chunk_ids(run, chunk_id):
    run("ingest")
    result = run("show", chunk_id)
    assert result.exit_code == 1 and "No chunk" in result.output


def test_missing_index_says_how_to_build(run):
    result = run("show", "x#0")
    assert result.exit_code == 1 and "rag ingest" in result.output


def test_ingest_an_export_with_a_field_mapping_then_show_its_source(run, tmp_path):
    export = tmp_path / "export.jsonl"
    export.write_text(json.dumps({"headline": "افتتاح مستشفى جديد في جدة", "text": "افتتح أمير منطقة مكة مستشفى جديداً.",
                                  "outlet": "sabq", "published": "02/08/2015", "link": "http://sabq.example/2"},
                                 ensure_ascii=False), encoding="utf-8")
    result = run("ingest", str(export), "--field", "title=headline")
    assert "1 added" in result.output and "articles/s" in result.output
    shown = run("show", json.loads(run("ask", "ماذا افتتح أمير منطقة مكة؟", "--json", "--mode", "extractive",
                                       "--source", "sabq").stdout)["citations"][0]["chunk_id"]).output
    assert shown.startswith("افتتاح مستشفى جديد في جدة — sabq, 2015-08-02 <http://sabq.example/2>")


@pytest.mark.parametrize("args, message", [(["--since", "2015/07/01"], "YYYY-MM-DD"),
                                            (["--since", "2030-01-01"], "No article in the index matches")])
def test_bad_or_empty_filters_are_clear_errors(run, args, message):
    run("ingest")
    result = run("ask", "كم شخصاً قتل في اعتداء نيس؟", *args)
    assert result.exit_code == 1 and message in result.output


def test_a_bad_field_mapping_is_a_clear_error(run):
    result = run("ingest", "--field", "title")
    assert result.exit_code == 1 and "NAME=KEY" in result.output
