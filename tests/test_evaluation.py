import json
from pathlib import Path

import pytest

from rag.evaluation import check_thresholds, retrieval_metrics, run_evaluation, summarise, token_f1
from rag.questions import QuestionSetError, in_haystack, load_question_set, sample
from rag.report import compare, markdown_report, write_run
from rag.settings import PROJECT_ROOT
from rag.text import contains_normalized, language
from tests.conftest import SEEDS

SEEDS_SET = PROJECT_ROOT / "evals" / "seeds.jsonl"


def test_bundled_seed_questions_are_grounded():
    qset = load_question_set(SEEDS_SET)
    assert not qset.problems and len(qset.questions) >= 60
    assert sum(1 for q in qset.questions if not q.answerable) >= 6
    assert {"factual", "paraphrase", "numeric", "multi", "english", "unanswerable"} <= {q.type for q in qset.questions}
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    for q in qset.questions:
        assert set(q.sources) <= texts.keys(), q.id
        for answer in q.answers:
            assert any(contains_normalized(texts[s], answer) for s in q.sources), (q.id, answer)


def test_english_translations_mirror_the_arabic_seed_questions():
    """evals/seeds-en.jsonl: each Arabic seed question in English, same sources and Arabic gold
    answers (English forms of them added), so English answers over Arabic sources can be measured.
    """
    arabic = {q.id: q for q in load_question_set(SEEDS_SET).questions if language(q.question) == "ar"}
    qset = load_question_set(SEEDS_SET.with_name("seeds-en.jsonl"))
    assert not qset.problems and {q.id.removesuffix("-tr") for q in qset.questions} == arabic.keys()
    for q in qset.questions:
        original = arabic[q.id.removesuffix("-tr")]
        assert language(q.question) == "en", q.id
        assert q.sources == original.sources and q.answers[: len(original.answers)] == original.answers


def test_bad_jsonl_lines_are_reported_by_number(tmp_path: Path):
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "a", "question": "سؤال؟", "answers": ["x"], "sources": ["s"]}),
        "{not json",
        json.dumps({"id": "b", "question": ""}),
        json.dumps({"id": "c", "question": "q", "answers": "x"}),
        json.dumps(["list"]),
        json.dumps({"id": "a", "question": "again"}),
        json.dumps({"question": "بلا معرف", "answers": [], "sources": []}),
    ]), encoding="utf-8")
    qset = load_question_set(path)
    assert [q.id for q in qset.questions] == ["a", "line-7"]
    assert [p.split(":")[0] for p in qset.problems] == ["line 2", "line 3", "line 4", "line 5", "line 6"]


def test_a_question_can_carry_its_gold_in_a_haystack(tmp_path: Path):
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "cup", "question": "من فاز بكأس العالم 2014؟", "answers": [], "type": "unanswerable",
                    "haystack": {"answers": ["ألمانيا"], "sources": ["okaz_1"], "judge": "source+answer"}}),
        json.dumps({"id": "bad", "question": "سؤال؟", "haystack": {"answers": "ألمانيا"}}),
        json.dumps({"id": "plain", "question": "سؤال آخر؟", "answers": ["x"]}),
    ]), encoding="utf-8")
    qset = load_question_set(path)
    cup, plain = qset.questions
    assert not cup.answerable and in_haystack(cup).answerable
    assert (in_haystack(cup).id, in_haystack(cup).sources, in_haystack(cup).judge) == ("cup", ["okaz_1"], "source+answer")
    assert in_haystack(plain) is plain
    assert qset.problems == ["line 2: haystack gold: 'answers' must be a list of strings"]


def test_not_a_question_file(tmp_path: Path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(QuestionSetError):
        load_question_set(path)


def test_squad_paragraphs_become_sources(tmp_path: Path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"data": [{"title": "T", "paragraphs": [
        {"context": "نص الفقرة الأولى عن باريس.",
         "qas": [{"id": "q1", "question": "عن ماذا؟", "answers": [{"text": "باريس", "answer_start": 20}]}]},
    ]}]}), encoding="utf-8")
    qset = load_question_set(path)
    assert qset.corpus == {"p000_000": "نص الفقرة الأولى عن باريس."}
    assert qset.questions[0].sources == ["p000_000"] and qset.questions[0].answers == ["باريس"]


def test_sample_is_reproducible():
    qs = load_question_set(SEEDS_SET).questions
    assert [q.id for q in sample(qs, 5, 1)] == [q.id for q in sample(qs, 5, 1)]
    assert len(sample(qs, None, 0)) == len(qs)


@pytest.mark.parametrize(
    "relevant, total, expected",
    [([False, True, False], 1, {"recall@1": 0.0, "recall@3": 1.0, "mrr": 0.5}),
     ([True] + [False] * 9, 1, {"recall@1": 1.0, "mrr": 1.0, "ndcg@10": 1.0}),
     ([False] * 10, 2, {"recall@10": 0.0, "mrr": 0.0, "ndcg@10": 0.0})],
)
def test_retrieval_metrics(relevant, total, expected):
    metrics = retrieval_metrics(relevant, total)
    for key, value in expected.items():
        assert metrics[key] == pytest.approx(value)


def test_token_f1_uses_normalisation():
    assert token_f1("أوقع ٨٤ قتيلاً", "84 قتيلا") == pytest.approx(0.8)
    assert token_f1("", "x") == 0.0


def test_end_to_end_run_with_fakes(assistant, generator, tmp_path: Path):
    qs = load_question_set(SEEDS_SET).questions[:6] + [q for q in load_question_set(SEEDS_SET).questions if not q.answerable][:2]
    generator.enqueue(*["لا تذكر المصادر ذلك."] * len(qs))
    generator.checks = [-3.0] * len(qs)  # and the answer check agrees: nothing is quoted instead
    results = run_evaluation(assistant, qs)
    summary = summarise(results, retrieval_only=False)
    assert summary["n"] == 8 and summary["abstention"]["correct"] == 1.0 and summary["abstention"]["false"] == 1.0
    assert summary["retrieval"]["recall@10"] is not None
    write_run(tmp_path / "run", summary, results, "test")
    for name in ("results.jsonl", "summary.json", "report.md", "recall_at_k.png", "latency.png"):
        assert (tmp_path / "run" / name).exists()
    assert "Worst failures" in markdown_report(summary, results, "t")
    assert "+0.000" in compare(summary, summary, "a", "b")


def test_retrieval_only_run(assistant):
    qs = load_question_set(SEEDS_SET).questions[:10]
    summary = summarise(run_evaluation(assistant, qs, retrieval_only=True), retrieval_only=True)
    assert "answer" not in summary and 0.0 <= summary["retrieval"]["mrr"] <= 1.0


def test_hidden_gold_twins_calibrate_the_answer_check(assistant, generator):
    """--hide-gold asks each answerable question again without its sources; the summary then
    tabulates abstention at every answer-check threshold from the scores of this one run.
    """
    qs = [q for q in load_question_set(SEEDS_SET).questions if q.answerable][:2]
    generator.checks.extend([2.0, 1.0, -1.0, 0.5])  # the two questions, then their hidden twins
    assistant.settings.generation.mode = "extractive"
    results = run_evaluation(assistant, qs, hide_gold=True)
    assert [r["answerable"] for r in results] == [True, True, False, False]
    twins = results[2:]
    assert all(r["id"].endswith("#hidden") and r["type"] == "hidden-gold" for r in twins)
    for original, twin in zip(qs, twins):
        assert not {h["source"] for h in twin["retrieved"]} & set(original.sources)
    table = {row["threshold"]: row for row in summarise(results, retrieval_only=False)["answer_check"]}
    assert table[0.0] == {"threshold": 0.0, "false": 0.0, "correct": 0.5}
    assert table[1.5] == {"threshold": 1.5, "false": 0.5, "correct": 1.0}
    assert "Answer check" in markdown_report(summarise(results, retrieval_only=False), results, "t")


def test_a_question_that_fails_counts_against_the_run(assistant, monkeypatch):
    """An error is reported and scored as wrong, never as a correct abstention."""
    from rag.report import summary_table

    qs = [q for q in load_question_set(SEEDS_SET).questions if not q.answerable][:1]
    monkeypatch.setattr(assistant, "ask", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    monkeypatch.setattr(assistant, "stream", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    results = run_evaluation(assistant, qs)
    assert "RuntimeError: boom" in results[0]["error"]
    summary = summarise(results, retrieval_only=False)
    assert summary["errors"] == 1 and summary["abstention"]["correct"] == 0.0
    assert all(row["correct"] == 0.0 for row in check_thresholds(results))  # nor in the threshold table
    assert "FAILED with an error: 1" in summary_table(summary)


def test_peer_baselines_retrieve_over_the_same_articles(assistant):
    from rag.evaluation import use_baseline

    qs = [q for q in load_question_set(SEEDS_SET).questions if q.answerable][:5]
    ours = summarise(run_evaluation(assistant, qs, retrieval_only=True), retrieval_only=True)
    retriever = assistant.retriever
    for name in ("bm25-whitespace", "tutorial"):
        assistant.retriever = retriever
        use_baseline(assistant, name)
        assert assistant.retriever.name == name and all("#b" in c.chunk_id for c in assistant.retriever.index.chunks)
        summary = summarise(run_evaluation(assistant, qs, retrieval_only=True), retrieval_only=True)
        assert 0.0 <= summary["retrieval"]["mrr"] <= 1.0 and summary["n"] == ours["n"]


def test_a_source_and_answer_judge_ignores_the_answer_in_unrelated_articles():
    from rag.evaluation import relevance_judge
    from rag.questions import Question
    from rag.text import folded

    loose = Question("q", "كم شخصاً قتل؟", ["15"], ["a"])
    strict = Question("q", "كم شخصاً قتل؟", ["15"], ["a"], judge="source+answer")
    other = ("b", folded("أطلق أكثر من 15 ألف طلقة"))
    assert relevance_judge(loose)(*other) and not relevance_judge(strict)(*other)
    assert relevance_judge(strict)("a", folded("قتل 15 شخصاً"))
