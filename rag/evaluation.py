"""Evaluation: ask every question of a set, score retrieval, answers, citations, abstention and
latency. Retrieval relevance is judged by answer string where the question has answers (a chunk
containing a gold answer after normalisation) and by source otherwise.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .answering import Assistant
from .citations import strip_markers
from .questions import Question, QuestionSet, corpus_key, write_corpus
from .settings import Settings
from .text import answer_pattern, contains_normalized, folded

RECALL_AT = (1, 3, 5, 10)


def token_f1(prediction: str, gold: str) -> float:
    pred, ref = folded(prediction).split(), folded(gold).split()
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if not common:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def relevance_judge(question: Question) -> Callable[[str, str], bool] | None:
    """Whether a (source, folded text) passage is relevant: contains a gold answer (and, for a
    question judged by "source+answer", comes from an article stating it: a short answer such as a
    number also appears in unrelated articles), else is from a gold source. Texts are given folded
    (`text.folded`) so a run folds each chunk once.
    """
    if question.answers:
        patterns = [p for p in (answer_pattern(a) for a in question.answers) if p is not None]
        if question.judge == "source+answer" and question.sources:
            gold = set(question.sources)
            judge = lambda source, text: source in gold and any(p.search(text) for p in patterns)  # noqa: E731
            judge.sources = gold  # only these sources' chunks can be relevant
            return judge
        return lambda source, text: any(p.search(text) for p in patterns)
    if question.sources:
        gold = set(question.sources)
        return lambda source, text: source in gold
    return None


def retrieval_metrics(relevant: list[bool], n_relevant_total: int) -> dict:
    first = next((i + 1 for i, r in enumerate(relevant) if r), None)
    dcg = sum(1 / math.log2(i + 2) for i, r in enumerate(relevant[:10]) if r)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, max(n_relevant_total, 1 if first else 0))))
    out = {f"recall@{k}": float(first is not None and first <= k) for k in RECALL_AT}
    out["mrr"] = 1 / first if first else 0.0
    out["ndcg@10"] = dcg / ideal if ideal else 0.0
    out["first_relevant_rank"] = first
    return out


def hidden_gold(q: Question) -> Question:
    """The same question with its gold sources taken out of retrieval: now unanswerable, a hard
    case (its own article's other passages remain) for calibrating abstention.
    """
    return Question(f"{q.id}#hidden", q.question, [], [], "hidden-gold", q.judge)


def evaluate_question(assistant: Assistant, q: Question, retrieval_only: bool, chunk_texts: dict[str, tuple[str, str]],
                      exclude_sources: frozenset[str] = frozenset()) -> dict:
    """Score one question; returns its result record. `chunk_texts`: chunk id -> (source, folded text).
    Chunks of `exclude_sources` are dropped from what is retrieved.
    """
    result = {"id": q.id, "question": q.question, "type": q.type, "answers": q.answers, "sources": q.sources,
              "answerable": q.answerable}
    k = assistant.settings.retrieval.k
    started = time.perf_counter()
    hits = assistant.retrieve(q.question, k=max(10, k) + (20 if exclude_sources else 0))
    hits = [h for h in hits if h.chunk.source not in exclude_sources][: max(10, k)]
    retrieve_ms = (time.perf_counter() - started) * 1000
    result.update(_retrieval_record(q, hits, chunk_texts))
    result["timings"] = {"retrieve_ms": retrieve_ms}
    if retrieval_only:
        return result
    answer = assistant.ask(q.question, hits=hits[:k]).to_dict()
    answer["timings"]["retrieve_ms"] = round(retrieve_ms, 1)
    for c in answer["citations"]:
        c["correct"] = bool(q.answerable and (c["source"] in q.sources or any(contains_normalized(c["text"], a) for a in q.answers)))
    result.update({key: answer[key] for key in ANSWER_FIELDS})
    result["citations"] = [{key: c[key] for key in CITATION_FIELDS} for c in answer["citations"]]
    if q.answerable:
        text = "" if answer["abstained"] else strip_markers(answer["answer"])
        d = answer["direct"] if not answer["abstained"] else None
        # A name given in both scripts, "Theresa May (تيريسا ماي)", is scored by its better spelling.
        forms = [f for f in (d["text"], d["rendering"]) if f] if d else [text]
        result.update(max((answer_metrics(f, q.answers) for f in forms), key=lambda m: (m["exact"], m["f1"])))
        result["contains"] = float(any(contains_normalized(text, a) for a in q.answers))  # the evidence counts too
    return result


ANSWER_FIELDS = ("answer", "direct", "raw_answer", "abstained", "quoted", "sentences", "prompt_tokens", "answer_check",
                 "answer_score", "question_coverage", "timings")
CITATION_FIELDS = ("n", "chunk_id", "source", "start", "end", "correct")


def answer_metrics(text: str, answers: list[str]) -> dict:
    """Exact match, token F1 and contains-gold of an answer text against the gold answers."""
    if not text:
        return {"exact": 0.0, "f1": 0.0, "contains": 0.0}
    return {"exact": float(any(folded(text) == folded(a) for a in answers)),
            "f1": max(token_f1(text, a) for a in answers),
            "contains": float(any(contains_normalized(text, a) for a in answers))}


def _retrieval_record(q: Question, hits: list, chunk_texts: dict[str, tuple[str, str]]) -> dict:
    judge = relevance_judge(q)

    def is_relevant(chunk) -> bool:
        return bool(judge and judge(*chunk_texts[chunk.chunk_id]))

    relevant = [is_relevant(h.chunk) for h in hits]
    record = {"retrieved": [{"chunk_id": h.chunk.chunk_id, "source": h.chunk.source, "score": round(h.score, 5),
                             "dense_score": round(h.dense_score, 4), "relevant": r,
                             "also": [{"source": c.source, "relevant": is_relevant(c)} for c in h.also]}
                            for h, r in zip(hits, relevant)]}
    if judge:
        texts = chunk_texts.values()
        if getattr(judge, "sources", None) is not None:
            texts = [(s, t) for s, t in texts if s in judge.sources]
        total = sum(1 for source, text in texts if judge(source, text))
        record["retrieval"] = retrieval_metrics(relevant, total)
    return record


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p95": None, "n": 0}
    arr = np.asarray(values, dtype=float)
    return {"p50": round(float(np.percentile(arr, 50)), 1), "p95": round(float(np.percentile(arr, 95)), 1),
            "n": len(values)}


def _mean(values: list[float]) -> float | None:
    return round(float(np.mean(values)), 4) if values else None


def summarise(results: list[dict], retrieval_only: bool) -> dict:
    """The summary.json of a run (metrics as fractions 0..1)."""
    scored = [r for r in results if "retrieval" in r]
    answerable = [r for r in results if r["answerable"]]
    unanswerable = [r for r in results if not r["answerable"]]
    by = {("answer" if r["answers"] else "source") for r in scored}
    summary = {
        "n": len(results),
        "n_answerable": len(answerable),
        "n_unanswerable": len(unanswerable),
        "errors": sum(1 for r in results if "error" in r),
        "retrieval": {key: _mean([r["retrieval"][key] for r in scored]) for key in
                      [f"recall@{k}" for k in RECALL_AT] + ["mrr", "ndcg@10"]},
        "latency_ms": {"retrieve": _percentiles([r["timings"]["retrieve_ms"] for r in results])},
    }
    summary["retrieval"]["judged_by"] = "+".join(sorted(by)) or None
    if retrieval_only:
        return summary
    answered = [r for r in answerable if not _abstained(r)]
    all_citations = [c for r in results for c in r["citations"]]
    summary["answer"] = {key: _mean([r[key] for r in answerable]) for key in ("exact", "f1", "contains")}
    summary["citation"] = {
        "precision": _mean([float(c["correct"]) for c in all_citations]),
        "recall": _mean([float(any(c["correct"] for c in r["citations"])) for r in answerable]),
        "n_citations": len(all_citations),
    }
    summary["abstention"] = {
        "correct": _mean([float(_abstained(r)) for r in unanswerable]),
        "false": _mean([float(_abstained(r)) for r in answerable]),
    }
    summary["answered_answerable"] = len(answered)
    for key in ("ttft_ms", "total_ms"):
        summary["latency_ms"][key.removesuffix("_ms")] = _percentiles(
            [r["timings"][key] for r in results if key in r["timings"]])
    summary["prompt_tokens"] = _percentiles([r["prompt_tokens"] for r in results if r.get("prompt_tokens")])
    checked = [r for r in results if r.get("answer_score") is not None]
    if checked and answerable and unanswerable:
        summary["answer_check"] = check_thresholds(results)
    return summary


def _abstained(r: dict) -> bool:
    """Whether a result counts as an abstention. A question that failed with an error counts as
    wrong either way: an abstention when it had an answer, none when it had not.
    """
    return r["answerable"] if "error" in r else r["abstained"]


def check_thresholds(results: list[dict], thresholds=tuple(x / 4 for x in range(-8, 9))) -> list[dict]:
    """Abstention rates had the answer-check threshold been each value (from the check scores of
    one run): the table `grounding.min_answer_score` (quoted answers, and generated ones checked
    first) and `grounding.min_quote_score` (with `check_before_writing` off) are chosen from.
    """
    def abstains(r: dict, t: float) -> bool:
        score = r.get("answer_score")
        return _abstained(r) if score is None else score < t  # None: abstained or answered before the check

    rows = []
    for t in thresholds:
        rows.append({"threshold": t,
                     "false": _mean([float(abstains(r, t)) for r in results if r["answerable"]]),
                     "correct": _mean([float(abstains(r, t)) for r in results if not r["answerable"]])})
    return rows


def run_evaluation(assistant: Assistant, questions: list[Question], retrieval_only: bool = False, progress=None,
                   hide_gold: bool = False) -> list[dict]:
    """Evaluate every question; one failing question is recorded, never fatal. With `hide_gold`,
    each answerable question with sources is asked a second time without them (`hidden_gold`).
    """
    chunk_texts = {c.chunk_id: (c.source, folded(c.text)) for c in assistant.retriever.index.chunks}
    cases = [(q, frozenset()) for q in questions]
    if hide_gold:
        cases += [(hidden_gold(q), frozenset(q.sources)) for q in questions if q.answerable and q.sources]
    results = []
    for q, exclude in cases:
        try:
            results.append(evaluate_question(assistant, q, retrieval_only, chunk_texts, exclude))
        except Exception as exc:  # noqa: BLE001 - an evaluation must report, not stop
            results.append({"id": q.id, "question": q.question, "answers": q.answers, "sources": q.sources,
                            "answerable": q.answerable, "error": f"{type(exc).__name__}: {exc}",
                            "timings": {"retrieve_ms": 0.0}, "citations": [], "abstained": True,
                            "exact": 0.0, "f1": 0.0, "contains": 0.0})
        if progress:
            progress(1)
    return results


def eval_assistant(settings: Settings, qset: QuestionSet, name: str, retrieval_only: bool, progress=None,
                   log=lambda line: None, haystack: list[Path] = ()) -> Assistant:
    """The assistant for a question set: over the configured index; for a SQuAD file over an index
    of its own paragraphs; with `haystack`, over an index holding those paths beside the set's
    articles (each kept under the index folder and brought up to date incrementally).
    """
    from .factory import build_assistant, build_embedder, ingest_corpus, needs_generator

    with_generator = not retrieval_only and needs_generator(settings)
    if qset.corpus is None and not haystack:
        return build_assistant(settings, with_generator=with_generator, progress=progress)
    embedder = build_embedder(settings)
    c = settings.chunking
    if qset.corpus is not None:
        base = settings.index_dir / "eval" / f"{name}-{corpus_key(qset.corpus)}"
        paths = [write_corpus(qset.corpus, base / "corpus")]
    else:
        base, paths = settings.index_dir / "eval", [settings.corpus_dir]
    paths += list(haystack)
    key = hashlib.sha256("\n".join(str(p.resolve()) for p in paths).encode()).hexdigest()[:12] if haystack else ""
    prefix = f"haystack-{key}-" if haystack else "index-"
    index_dir = base / f"{prefix}{c.chunk_size}-{c.chunk_overlap}-{settings.models.embedder_runtime}"
    settings = settings.with_overrides({"index_dir": index_dir})
    index, report = ingest_corpus(settings, embedder, paths, progress=progress)
    if report.embedded_chunks:
        log(report.summary())
    return build_assistant(settings, index=index, embedder=embedder, with_generator=with_generator)


def use_baseline(assistant: Assistant, name: str, progress=None) -> None:
    """Answer retrieval with a peer baseline over the same articles (`rag.baselines`)."""
    from . import baselines

    index = assistant.retriever.index
    chunks = baselines.baseline_chunks(index.index_dir)
    if name == "bm25-whitespace":
        assistant.retriever = baselines.bm25_whitespace(chunks)
    else:
        assistant.retriever = baselines.tutorial(chunks, assistant.retriever.embedder, index.index_dir / "baselines",
                                                 progress)
    assistant.retriever.index.index_dir = index.index_dir


def run_settings(assistant: Assistant, file_name: str, retrieval_only: bool, limit: int | None, seed: int,
                 hide_gold: bool, haystack: list[Path] = ()) -> dict:
    """What a run was measured with, for its summary."""
    s = assistant.settings
    use_model = assistant.generator is not None
    mode = s.generation.mode
    return {
        "file": file_name, "retriever": s.retrieval.retriever, "k": s.retrieval.k,
        "mode": "retrieval-only" if retrieval_only else mode,
        "embedder": s.models.embedder, "generator": s.models.generator if use_model else None,
        "chunk_size": s.chunking.chunk_size, "chunk_overlap": s.chunking.chunk_overlap,
        "context_tokens": s.generation.context_tokens if use_model and mode != "extractive" else None,
        "answer_check": s.grounding.min_answer_score
        if use_model and mode != "generative" and s.grounding.check_answers else None,
        "limit": limit, "seed": seed if limit else None, "hide_gold": hide_gold,
        "haystack": [str(p) for p in haystack], "n_chunks": len(assistant.retriever.index.chunks),
        "baseline": getattr(assistant.retriever, "name", None),
        "filters": assistant.retriever.filters.describe() or None,
    }
