from rag.bench import bench_answers, bench_extractive, bench_index_scale, markdown, naive_answer, synthetic_vectors, write_plot
from rag.questions import Question

QS = [Question("q1", "كم شخصاً قتل في اعتداء نيس؟", ["84"], ["002_2cf461aa69cecbfd"])]


def test_index_scale_reports_recall_against_exact():
    rows = bench_index_scale([2000], 32, ["flat", "hnsw", "ivf"], n_queries=20)
    by_type = {r["index"]: r for r in rows}
    assert by_type["flat"]["recall@10"] == 1.0
    assert all(0.0 <= r["recall@10"] <= 1.0 and r["query_ms"]["p95"] is not None for r in rows)


def test_synthetic_vectors_are_unit_length():
    import numpy as np

    v = synthetic_vectors(100, 16)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_answer_timing_default_vs_naive(assistant, generator, tmp_path):
    generator.enqueue("لا تذكر المصادر ذلك.", "لا تذكر المصادر ذلك.")
    generator.reuse_prefix = True
    default = bench_answers(assistant, QS, lambda q: assistant.ask(q, mode="generative"), reuse_prefix=True)
    naive = bench_answers(assistant, QS, lambda q: naive_answer(assistant, q), reuse_prefix=False)
    assert naive["prompt_tokens"]["p50"] > default["prompt_tokens"]["p50"]
    extractive = bench_extractive(assistant, QS)
    result = {"machine": "test", "load_s": {"embedder": 0.1, "generators": {"canned": 0.1}}, "dimension": 64,
              "embedder": {"chunks": 1, "chunks_per_s": 1.0, "seconds": 1.0}, "retrieve_ms": default["ttft_ms"],
              "extractive": extractive, "peak_rss_mb": 1.0, "generators": {"canned": {"default": default, "naive": naive}}}
    assert "| canned | naive |" in markdown(result)
    write_plot(result, tmp_path / "bench.png")
    assert (tmp_path / "bench.png").stat().st_size > 0
