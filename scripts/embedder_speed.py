"""Embedder throughput per runtime and forward-batch size, on the seed chunks and on XQuAD-ar's
paragraphs (longer texts). Needs the seed index and the XQuAD eval index (`rag eval` builds it).

    .venv/bin/python scripts/embedder_speed.py
"""

import time
from pathlib import Path

from rag.factory import build_embedder
from rag.questions import corpus_key, load_question_set
from rag.settings import PROJECT_ROOT, load_settings
from rag.store import load_index

REPEAT = 3


def chunks_per_second(embedder, texts: list[str]) -> float:
    embedder.embed(texts, "passage")  # warm-up: ONNX Runtime sizes its buffers on first use
    best = float("inf")
    for _ in range(REPEAT):
        started = time.perf_counter()
        embedder.embed(texts, "passage")
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def main() -> None:
    settings = load_settings()
    xquad = load_question_set(PROJECT_ROOT.parent / "shared" / "datasets" / "xquad.ar.json")
    xquad_index = settings.index_dir / "eval" / f"xquad.ar-{corpus_key(xquad.corpus)}" / "index-1000-200"
    corpora = {"seeds": [c.text for c in load_index(settings.index_dir, verify=False).chunks],
               "xquad": [c.text for c in load_index(Path(xquad_index), verify=False).chunks]}
    print("| runtime | forward batch | " + " | ".join(f"{n} ({len(t)} chunks) chunks/s" for n, t in corpora.items()) + " |")
    print("|---|---|" + "---|" * len(corpora))
    for runtime, batches in (("torch", (16, 4)), ("onnx", (16, 2)), ("onnx-int8", (2,))):
        for batch in batches:
            embedder = build_embedder(settings.with_overrides({"models.embedder_runtime": runtime,
                                                               "models.embed_batch_size": batch}))
            speeds = [f"{chunks_per_second(embedder, texts):.1f}" for texts in corpora.values()]
            print(f"| {runtime} | {batch} | " + " | ".join(speeds) + " |", flush=True)


if __name__ == "__main__":
    main()
