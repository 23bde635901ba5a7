"""evals/archive.jsonl against the SaudiNewsNet archive it was written over: every listed source
exists and states a gold answer; the set has the shape the evaluation relies on. The same for the
gold the seeds sets give where the archive answers what the seeds do not.
"""


import pytest

from rag.archive import Article, field_mapping, read_articles
from rag.questions import load_question_set
from rag.settings import PROJECT_ROOT
from rag.text import contains_normalized

ARCHIVE = PROJECT_ROOT.parent / "shared" / "datasets" / "saudinewsnet"
QUESTIONS = PROJECT_ROOT / "evals" / "archive.jsonl"
SEEDS_SETS = [PROJECT_ROOT / "evals" / "seeds.jsonl", PROJECT_ROOT / "evals" / "seeds-en.jsonl"]


def test_the_set_has_the_documented_shape():
    qset = load_question_set(QUESTIONS)
    questions = qset.questions
    assert not qset.problems and len(questions) >= 80
    answerable = [q for q in questions if q.answerable]
    assert sum(1 for q in questions if not q.answerable) >= 10
    assert sum(1 for q in questions if q.type == "english") >= 10
    assert sum(1 for q in answerable if q.type in ("paraphrased", "english")) >= len(questions) / 2
    assert all(q.sources for q in answerable) and not any(q.sources for q in questions if not q.answerable)


@pytest.mark.skipif(not ARCHIVE.exists(), reason=f"the SaudiNewsNet archive is not at {ARCHIVE} (benchmark data)")
def test_every_listed_source_states_a_gold_answer():
    articles = {a.article_id: a for path in sorted(ARCHIVE.glob("*.zip"))
                for a in read_articles(path, field_mapping()) if isinstance(a, Article)}
    archive_gold = [q.in_haystack for path in SEEDS_SETS for q in load_question_set(path).questions if q.in_haystack]
    assert len(archive_gold) == 4
    for q in load_question_set(QUESTIONS).questions + archive_gold:
        assert q.answerable and q.sources or not q.sources, q.id
        for source in q.sources:
            assert source in articles, (q.id, source)
            assert any(contains_normalized(articles[source].text, answer) for answer in q.answers), (q.id, source)
