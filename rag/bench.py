"""`rag bench`: speed on this machine, medians over repeated runs. Model load times, embedder
throughput, retrieval latency, time to first token and answer time per GGUF model against a naive
configuration, the instant extractive answer, peak memory, and FAISS index scale on synthetic
vectors (exact vs approximate: build time, memory, query latency, recall@10 against exact).
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable

import numpy as np

from .answering.policy import checks_before_writing
from .prompting import answer_system
from .questions import Question
from .settings import Settings
from .text import contains_normalized

NAIVE_K = 3  # a tutorial RAG's top-3 whole chunks


def percentiles(values: list[float]) -> dict:
    arr = np.asarray(values, dtype=float)
    return {"p50": round(float(np.percentile(arr, 50)), 1), "p95": round(float(np.percentile(arr, 95)), 1),
            "n": len(values)} if len(values) else {"p50": None, "p95": None, "n": 0}


def _timed(fn: Callable, repeat: int = 1) -> tuple[float, object]:
    """Median seconds of `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return float(np.median(times)), result


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_embedder(embedder, texts: list[str], repeat: int = 3) -> dict:
    from .embedding import embed_in_batches

    seconds, _ = _timed(lambda: embed_in_batches(embedder, texts, "passage"), repeat)
    return {"chunks": len(texts), "seconds": round(seconds, 3), "chunks_per_s": round(len(texts) / seconds, 1)}


def _has_gold(answer, question: Question) -> float:
    return float(not answer.abstained and any(contains_normalized(answer.answer, a) for a in question.answers))


def naive_answer(assistant, question: str):
    """What a tutorial RAG does with the same model: the top-3 chunks, whole, in the prompt, and
    the model's answer verified; no sentence choice, no check, no quote to fall back on.
    """
    from .answering import AnswerStream
    from .answering.generative import written_answer
    from .context import assemble_context

    turn = assistant.begin(question, k=NAIVE_K, mode="generative")
    passages = assemble_context(turn.question, turn.hits, 10**6, select_sentences=False)
    return AnswerStream(written_answer(assistant, turn, passages)).final()


def bench_answers(assistant, questions: list[Question], answer: Callable, reuse_prefix: bool) -> dict:
    """TTFT, total time, prompt tokens and contains-gold over `questions`, answered by `answer(question)`."""
    assistant.generator.reuse_prefix = reuse_prefix
    ttft, total, tokens, correct = [], [], [], []
    for q in questions:
        result = answer(q.question)
        ttft.append(result.timings.get("ttft_ms", result.timings["total_ms"]))
        total.append(result.timings["total_ms"])
        tokens.append(result.prompt_tokens)
        correct.append(_has_gold(result, q))
    assistant.generator.reuse_prefix = True
    return {"ttft_ms": percentiles(ttft), "total_ms": percentiles(total), "prompt_tokens": percentiles(tokens),
            "contains": round(float(np.mean(correct)), 3) if correct else None}


def bench_extractive(assistant, questions: list[Question]) -> dict:
    """Time until the cited extractive answer is on screen (the draft), and until the model's
    answer check has confirmed it or replaced it with an abstention.
    """
    shown, checked, correct = [], [], []
    for q in questions:
        answer = assistant.ask(q.question, mode="extractive")
        shown.append(answer.timings["ttft_ms"])
        checked.append(answer.timings["total_ms"])
        correct.append(_has_gold(answer, q))
    return {"extractive_ms": percentiles(shown), "checked_ms": percentiles(checked), "contains": round(float(np.mean(correct)), 3)}


def synthetic_vectors(n: int, dim: int, seed: int = 0, clusters: int = 1000) -> np.ndarray:
    """Clustered unit vectors (a mixture of Gaussians, the same mixture for every seed), closer to
    real embeddings than uniform noise; queries are drawn with another seed from the same mixture.
    """
    centers = np.random.default_rng(12345).standard_normal((clusters, dim)).astype(np.float32)
    rng = np.random.default_rng(seed)
    out = np.empty((n, dim), dtype=np.float32)
    step = 100_000
    for start in range(0, n, step):
        m = min(step, n - start)
        out[start : start + m] = centers[rng.integers(0, clusters, m)] + 0.35 * rng.standard_normal((m, dim)).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def bench_index_scale(sizes: list[int], dim: int, types: list[str], n_queries: int = 200, k: int = 10) -> list[dict]:
    """For each size and index type: build seconds, bytes, query p50/p95 (one query at a time), recall@10."""
    import faiss

    from .vectors import build_index

    rows = []
    for n in sizes:
        data = synthetic_vectors(n, dim)
        queries = synthetic_vectors(n_queries, dim, seed=n + 1)
        exact = faiss.IndexFlatIP(dim)
        exact.add(data)
        _, truth = exact.search(queries, k)
        for index_type in types:
            started = time.perf_counter()
            index = build_index(data, index_type)
            build_s = time.perf_counter() - started
            size = faiss.serialize_index(index).nbytes
            latencies, found = [], 0
            for i in range(n_queries):
                t = time.perf_counter()
                _, ids = index.search(queries[i : i + 1], k)
                latencies.append((time.perf_counter() - t) * 1000)
                found += len(set(ids[0].tolist()) & set(truth[i].tolist()))
            rows.append({"n": n, "index": index_type, "build_s": round(build_s, 2), "bytes": int(size),
                         "query_ms": percentiles(latencies), "recall@10": round(found / (n_queries * k), 4)})
            del index
        del data, exact
    return rows


def markdown(result: dict) -> str:
    """The benchmark as Markdown tables."""
    lines = ["# rag bench", ""]
    if "machine" in result:
        lines += _pipeline_markdown(result)
    if result.get("archive"):
        from .bench_archive import markdown as archive_markdown

        lines += archive_markdown(result["archive"])
    return "\n".join(lines) + "\n"


def _pipeline_markdown(result: dict) -> list[str]:
    lines = [f"Machine: {result['machine']}", "", "## Models and pipeline", "", "| measure | value |", "|---|---|"]
    lines.append(f"| embedder load | {result['load_s']['embedder']} s |")
    for name, seconds in result["load_s"].get("generators", {}).items():
        lines.append(f"| {name} load | {seconds} s |")
    e = result["embedder"]
    lines.append(f"| embedder throughput | {e['chunks_per_s']} chunks/s ({e['chunks']} chunks) |")
    r = result["retrieve_ms"]
    lines.append(f"| retrieval p50 / p95 | {r['p50']} / {r['p95']} ms |")
    x = result["extractive"]
    lines.append(f"| extractive answer on screen p50 / p95 | {x['extractive_ms']['p50']} / {x['extractive_ms']['p95']} ms |")
    lines.append(f"| … checked by the model p50 / p95 | {x['checked_ms']['p50']} / {x['checked_ms']['p95']} ms "
                 f"(contains gold {x['contains']}) |")
    lines.append(f"| peak memory | {result['peak_rss_mb']:.0f} MB |")
    lines += ["", "## Generative answers (same questions, same model)", "",
              "| model | config | TTFT p50 | TTFT p95 | total p50 | prompt tokens p50 | contains gold |",
              "|---|---|---|---|---|---|---|"]
    for name, runs in result["generators"].items():
        for config, m in runs.items():
            lines.append(f"| {name} | {config} | {m['ttft_ms']['p50']} ms | {m['ttft_ms']['p95']} ms | "
                         f"{m['total_ms']['p50']} ms | {m['prompt_tokens']['p50']} | {m['contains']} |")
    if result.get("index_scale"):
        lines += ["", "## FAISS index scale (synthetic clustered vectors, dim "
                  f"{result['dimension']})", "", "| vectors | index | build s | MB | query p50 ms | query p95 ms | recall@10 |",
                  "|---|---|---|---|---|---|---|"]
        for row in result["index_scale"]:
            lines.append(f"| {row['n']:,} | {row['index']} | {row['build_s']} | {row['bytes'] / 1e6:.0f} | "
                         f"{row['query_ms']['p50']} | {row['query_ms']['p95']} | {row['recall@10']} |")
    return lines


def run_bench(settings: Settings, questions: list[Question], generators: list[str], sizes: list[int],
              index_types: list[str], log: Callable[[str], None] = lambda s: None) -> dict:
    import os
    import platform

    from .factory import build_assistant, build_embedder

    result: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
                    "load_s": {"generators": {}}, "generators": {}}
    log("loading the embedder…")
    seconds, embedder = _timed(lambda: build_embedder(settings))
    result["load_s"]["embedder"] = round(seconds, 2)
    result["dimension"] = embedder.dimension
    assistant = build_assistant(settings, embedder=embedder, with_generator=False)
    log("embedder throughput…")
    result["embedder"] = bench_embedder(embedder, [c.text for c in assistant.retriever.index.chunks])
    result["embed_chunks_per_s"] = result["embedder"]["chunks_per_s"]
    retrieve = []
    for q in questions:
        t = time.perf_counter()
        assistant.retrieve(q.question)
        retrieve.append((time.perf_counter() - t) * 1000)
    result["retrieve_ms"] = percentiles(retrieve)
    _bench_generators(settings, assistant, [q for q in questions if q.answerable], generators, result, log)
    if sizes:
        log(f"index scale {sizes}…")
        result["index_scale"] = bench_index_scale(sizes, embedder.dimension, index_types)
        result["index"] = {f"{row['index']}@{row['n']}": {"query_ms": row["query_ms"], "recall@10": row["recall@10"],
                                                           "build_s": row["build_s"], "bytes": row["bytes"]}
                           for row in result["index_scale"]}
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return result


def _bench_generators(settings: Settings, assistant, answerable: list[Question], generators: list[str], result: dict,
                      log: Callable[[str], None]) -> None:
    """Per model: load time, then default vs naive answers; the first model also checks extractive answers."""
    from .factory import build_generator

    for name in generators:
        log(f"loading {name}…")
        seconds, generator = _timed(lambda s=settings.with_overrides({"models.generator": name}): build_generator(s))
        result["load_s"]["generators"][name] = round(seconds, 2)
        assistant.generator = generator
        if name == generators[0]:
            log(f"extractive answers, checked by {name}…")
            generator.warm(assistant.prompts.render("check_system", "ar"))
            result["extractive"] = bench_extractive(assistant, answerable)
        generator.warm(answer_system(assistant.prompts, "ar", checks_before_writing(assistant.settings.grounding)))
        log(f"{name}: default configuration…")
        default = bench_answers(assistant, answerable, lambda q: assistant.ask(q, mode="generative"), reuse_prefix=True)
        log(f"{name}: naive configuration (top-3 whole chunks, no prefix cache)…")
        naive = bench_answers(assistant, answerable, lambda q: naive_answer(assistant, q), reuse_prefix=False)
        result["generators"][name] = {"default": default, "naive": naive}
        del generator
        assistant.generator = None
    if not generators:
        log("extractive answers (no model: unchecked)…")
        result["extractive"] = bench_extractive(assistant, answerable)
    result["extractive_ms"] = result["extractive"]["extractive_ms"]
    if generators:
        runs = result["generators"][generators[0]]
        result["ttft_ms"] = runs["default"]["ttft_ms"]
        result["ttft_ms_naive"] = runs["naive"]["ttft_ms"]
        result["ttft_ratio_p50"] = round(runs["default"]["ttft_ms"]["p50"] / runs["naive"]["ttft_ms"]["p50"], 3)


def write_plot(result: dict, path) -> None:
    """Time to first token, default vs naive configuration, per model (p50 with p95 whiskers)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(result.get("generators", {}))
    if not names:
        return
    fig, ax = plt.subplots(figsize=(6, 3.4))
    width = 0.38
    for offset, config, color in ((-width / 2, "naive", "#bbbbbb"), (width / 2, "default", "#2a7ab9")):
        p50 = [result["generators"][n][config]["ttft_ms"]["p50"] / 1000 for n in names]
        p95 = [result["generators"][n][config]["ttft_ms"]["p95"] / 1000 for n in names]
        xs = [i + offset for i in range(len(names))]
        ax.bar(xs, p50, width, label=config, color=color)
        ax.errorbar(xs, p50, yerr=[[0] * len(p50), [b - a for a, b in zip(p50, p95)]], fmt="none", ecolor="black",
                    capsize=3)
    ax.set_xticks(range(len(names)), [n.replace("-instruct-q4_k_m", "") for n in names])
    ax.set_ylabel("time to first token (s)")
    ax.set_title("TTFT p50 (whisker: p95), 2-core CPU")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
