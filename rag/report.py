"""Evaluation output: console table, results.jsonl, summary.json, a Markdown report with the worst
failures quoted, PNG plots, and the comparison of two runs.
"""

from __future__ import annotations

import json
from pathlib import Path

ROWS = [
    ("retrieval", "recall@1"), ("retrieval", "recall@3"), ("retrieval", "recall@5"), ("retrieval", "recall@10"),
    ("retrieval", "mrr"), ("retrieval", "ndcg@10"), ("answer", "exact"), ("answer", "f1"), ("answer", "contains"),
    ("citation", "precision"), ("citation", "recall"), ("abstention", "correct"), ("abstention", "false"),
]
LATENCIES = ("retrieve", "ttft", "total")


def _fmt(value) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def metric_rows(summary: dict):
    """(label, value) for every metric and latency the summary has, in report order."""
    for group, key in ROWS:
        if group in summary:
            yield f"{group} {key}", _fmt(summary[group].get(key))
    for name in LATENCIES:
        lat = summary.get("latency_ms", {}).get(name)
        if lat and lat.get("n"):
            yield f"latency {name} ms p50 / p95", f"{_fmt(lat['p50'])} / {_fmt(lat['p95'])}"


def summary_table(summary: dict) -> str:
    lines = [f"questions: {summary['n']} ({summary['n_answerable']} answerable, {summary['n_unanswerable']} unanswerable)"]
    if summary.get("errors"):
        lines.append(f"  FAILED with an error: {summary['errors']} (counted as wrong; see report.md)")
    lines += [f"  {label:<30} {value}" for label, value in metric_rows(summary)]
    if summary.get("settings"):
        lines.append("  settings: " + ", ".join(f"{k}={v}" for k, v in summary["settings"].items()))
    return "\n".join(lines)


def worst_failures(results: list[dict], limit: int = 10) -> list[dict]:
    """Answerable questions missed worst first (not retrieved, then wrong answer), then answered
    unanswerable ones.
    """
    def badness(r: dict) -> tuple:
        if "error" in r:
            return (0,)
        if not r["answerable"]:
            return (2,) if r.get("abstained", True) else (1,)
        rank = (r.get("retrieval") or {}).get("first_relevant_rank") or 99
        return (1, -rank, r.get("contains", 1.0))

    failing = [r for r in results if "error" in r
               or (r["answerable"] and ((r.get("retrieval") or {}).get("recall@5", 1) < 1 or r.get("contains", 1) < 1))
               or (not r["answerable"] and r.get("abstained") is False)]
    return sorted(failing, key=badness)[:limit]


def markdown_report(summary: dict, results: list[dict], title: str) -> str:
    out = [f"# Evaluation: {title}", "", "| metric | value |", "|---|---|"]
    out += [f"| {label} | {value} |" for label, value in metric_rows(summary)]
    out += ["", f"Retrieval relevance judged by: {summary['retrieval'].get('judged_by')}.", ""]
    if summary.get("settings"):
        out += ["Settings: " + ", ".join(f"`{k}={v}`" for k, v in summary["settings"].items()), ""]
    if summary.get("answer_check"):
        out += ["## Answer check: abstention at each threshold", "",
                "`grounding.min_answer_score` for quoted answers and generated ones checked first; "
                "`grounding.min_quote_score` for generated answers the model declined when "
                "`grounding.check_before_writing` is off (quoted at or above it).", "",
                "| threshold | false abstention (answerable) | correct abstention (unanswerable) |", "|---|---|---|"]
        out += [f"| {row['threshold']:+.2f} | {_fmt(row['false'])} | {_fmt(row['correct'])} |" for row in summary["answer_check"]]
        out.append("")
    out += ["![recall@k](recall_at_k.png)", "", "![latency](latency.png)", "", "## Worst failures", ""]
    for r in worst_failures(results):
        out.append(f"### {r['id']}")
        out.append(f"> {r['question']}")
        out.append("")
        out.append(f"- gold: {', '.join(r['answers']) or '(unanswerable)'}; sources: {', '.join(r['sources']) or '—'}")
        if "error" in r:
            out.append(f"- error: `{r['error']}`")
        if r.get("retrieval"):
            out.append(f"- first relevant rank: {r['retrieval'].get('first_relevant_rank') or 'not in top 10'}")
        if "answer" in r:
            out.append(f"- answer{' (abstained)' if r.get('abstained') else ''}: {r['answer']}")
        if r.get("retrieved"):
            out.append(f"- top retrieved: {', '.join(h['chunk_id'] for h in r['retrieved'][:3])}")
        out.append("")
    return "\n".join(out)


def write_plots(summary: dict, results: list[dict], folder: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    scored = [r["retrieval"] for r in results if r.get("retrieval")]
    if scored:
        ks = list(range(1, 11))
        recall = [sum(1 for s in scored if s["first_relevant_rank"] and s["first_relevant_rank"] <= k) / len(scored) for k in ks]
        fig, ax = plt.subplots(figsize=(5, 3.2))
        ax.plot(ks, recall, marker="o")
        ax.set(xlabel="k", ylabel="recall@k", ylim=(0, 1.02), title="Retrieval recall@k")
        ax.grid(alpha=0.3)
        fig.tight_layout()
        paths.append(folder / "recall_at_k.png")
        fig.savefig(paths[-1], dpi=110)
        plt.close(fig)
    key = "total_ms" if any("total_ms" in r["timings"] for r in results) else "retrieve_ms"
    values = [r["timings"][key] for r in results if key in r["timings"]]
    if values:
        fig, ax = plt.subplots(figsize=(5, 3.2))
        ax.hist(values, bins=min(30, max(5, len(values) // 3)))
        ax.set(xlabel=f"{key.replace('_ms', '')} latency (ms)", ylabel="questions", title="Latency")
        fig.tight_layout()
        paths.append(folder / "latency.png")
        fig.savefig(paths[-1], dpi=110)
        plt.close(fig)
    return paths


def write_run(folder: Path, summary: dict, results: list[dict], title: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "results.jsonl").open("w", encoding="utf-8") as f:
        for r in results:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    (folder / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    write_plots(summary, results, folder)
    (folder / "report.md").write_text(markdown_report(summary, results, title), encoding="utf-8")


def compare(a: dict, b: dict, name_a: str, name_b: str) -> str:
    """A table of B − A for every metric both runs have."""
    lines = [f"{'metric':<26} {name_a[:14]:>14} {name_b[:14]:>14} {'delta':>9}"]
    for group, key in ROWS:
        va, vb = a.get(group, {}).get(key), b.get(group, {}).get(key)
        if va is None and vb is None:
            continue
        delta = f"{vb - va:+.3f}" if va is not None and vb is not None else "—"
        lines.append(f"{group + ' ' + key:<26} {_fmt(va):>14} {_fmt(vb):>14} {delta:>9}")
    for name in LATENCIES:
        la, lb = a.get("latency_ms", {}).get(name) or {}, b.get("latency_ms", {}).get(name) or {}
        for p in ("p50", "p95"):
            va, vb = la.get(p), lb.get(p)
            if va is None and vb is None:
                continue
            delta = f"{vb - va:+.1f}" if va is not None and vb is not None else "—"
            lines.append(f"{'latency ' + name + ' ' + p + ' ms':<26} {_fmt(va):>14} {_fmt(vb):>14} {delta:>9}")
    return "\n".join(lines)
