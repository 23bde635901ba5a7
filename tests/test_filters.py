"""Filters by date and outlet apply inside retrieval; a filter that matches nothing says so."""

import json
from pathlib import Path

import pytest

from rag.answering import QuestionError
from rag.factory import ingest_corpus, make_assistant
from rag.retrieval import Filters
from tests.test_ingest import RECORDS


@pytest.fixture
def archive(settings, embedder, generator, tmp_path: Path):
    export = tmp_path / "export.jsonl"
    export.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS), encoding="utf-8")
    ingest_corpus(settings, embedder)
    index, _ = ingest_corpus(settings, embedder, [export])
    return make_assistant(settings, index, embedder, generator)


def test_filters_keep_retrieval_inside_the_dates_and_outlets(archive):
    question = "ماذا بحث وزير الخارجية في موسكو؟"
    assert {h.chunk.outlet for h in archive.retrieve(question, k=10)} >= {"okaz", ""}
    only_okaz = archive.retrieve(question, k=10, filters=Filters(outlets=("OKAZ",)))
    assert only_okaz and {h.chunk.outlet for h in only_okaz} == {"okaz"}
    august = archive.retrieve(question, k=10, filters=Filters(since="2015-08-01"))
    assert august and all(h.chunk.date >= "2015-08-01" for h in august)
    july = archive.retrieve(question, k=10, filters=Filters(until="2015-07-31"))
    assert july and all("" < h.chunk.date <= "2015-07-31" for h in july)  # undated articles left out


def test_a_filter_matching_nothing_is_said_not_answered(archive):
    with pytest.raises(QuestionError, match="No article in the index matches the filter"):
        archive.ask("ماذا بحث وزير الخارجية في موسكو؟", filters=Filters(since="2016-01-01"))


def test_answers_carry_headline_outlet_date_and_link(archive):
    answer = archive.ask("ماذا بحث وزير الخارجية في موسكو؟", mode="extractive", filters=Filters(outlets=("okaz",)))
    [citation] = answer.citations()
    assert (citation["title"], citation["outlet"], citation["date"], citation["url"]) == (
        "وزير الخارجية يزور موسكو", "okaz", "2015-07-21", "http://okaz.example/1")
