"""`rag bench --archive DIR`: an archive-sized index on this machine. How long it takes to open,
how much memory it holds (alone, and in the chat with the model loaded), and retrieval latency
over it, plain and filtered.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .bench import percentiles
from .questions import Question
from .retrieval import Filters
from .settings import Settings

FILTERS = {"since 2015-08-01": Filters(since="2015-08-01"), "one outlet (okaz)": Filters(outlets=("okaz",))}


def rss_mb() -> float:
    """Resident memory of this process now (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pcts(values: list[float]) -> dict:
    return {**percentiles(values), "max": round(float(np.max(values)), 1)}


def bench_archive(settings: Settings, index_dir: Path, questions: list[Question], with_model: bool,
                  log: Callable[[str], None] = lambda s: None) -> dict:
    from .factory import build_embedder, build_generator, make_assistant, signature_for
    from .store import load_index

    embedder = build_embedder(settings)
    before = rss_mb()
    log(f"opening {index_dir}…")
    started = time.perf_counter()
    index = load_index(index_dir, signature_for(settings, embedder))
    result = {"index": str(index_dir), "articles": index.n_articles, "chunks": len(index.chunks),
              "open_s": round(time.perf_counter() - started, 2), "index_rss_mb": round(rss_mb() - before, 1)}
    assistant = make_assistant(settings, index, embedder)
    for q in questions[:3]:  # warm up: first-call allocations are not the steady state
        assistant.retrieve(q.question)
    result["retrieve_ms"] = _time_queries(assistant, questions, None)
    result["filtered_ms"] = {name: _time_queries(assistant, questions, f) for name, f in FILTERS.items()}
    if with_model:
        log("loading the model, as the chat does…")
        assistant.generator = build_generator(settings)
        result["chat_rss_mb"] = round(rss_mb(), 1)
    return result


def _time_queries(assistant, questions: list[Question], filters: Filters | None) -> dict:
    """Retrieval latency per question (the query's embedding included, never from the cache)."""
    cache = getattr(assistant.retriever.embedder, "_query_cache", None)
    times = []
    for q in questions:
        if cache is not None:
            cache.clear()
        started = time.perf_counter()
        assistant.retrieve(q.question, filters=filters)
        times.append((time.perf_counter() - started) * 1000)
    return _pcts(times)


def markdown(result: dict) -> list[str]:
    lines = ["", f"## Archive index ({result['articles']:,} articles, {result['chunks']:,} chunks)", "",
             "| measure | value |", "|---|---|",
             f"| open the index | {result['open_s']} s |",
             f"| memory held by the index | {result['index_rss_mb']:.0f} MB |"]
    if "chat_rss_mb" in result:
        lines.append(f"| chat process with the index and the model loaded | {result['chat_rss_mb']:.0f} MB |")
    r = result["retrieve_ms"]
    lines.append(f"| retrieval p50 / p95 / max ({r['n']} questions) | {r['p50']} / {r['p95']} / {r['max']} ms |")
    for name, f in result["filtered_ms"].items():
        lines.append(f"| retrieval filtered {name} p50 / p95 | {f['p50']} / {f['p95']} ms |")
    return lines
