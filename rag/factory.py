"""The one place that builds the parts from settings: embedder, generator, index, retriever and
the assistant. The CLI, the chat, the evaluation and the benchmark ask `build_assistant`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .answering import Assistant
from .embedding import OnnxEmbedder, SentenceTransformerEmbedder
from .ingest import IngestOptions, IngestReport, LocalWork, ingest
from .model_files import export_onnx, is_server, resolve_embedder, resolve_generator
from .prompting import Prompts
from .retrieval import Filters, Retriever
from .settings import Settings
from .store import Index, has_index, index_signature, load_index

ProgressFactory = Callable[[int], object]  # total -> a bar with update(n) and close()


def build_embedder(settings: Settings):
    """The configured embedder. ONNX runtimes need a local folder (exported on first use); a hub id
    runs on torch. int8 vectors differ slightly, so its index signature names the runtime.
    """
    m = settings.models
    location = resolve_embedder(m.embedder, m.models_dir)
    local = Path(location).exists()
    if local:  # a local model must never reach for a hub
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if not local or m.embedder_runtime == "torch":
        return SentenceTransformerEmbedder(location, m.embedder, m.threads, m.embed_batch_size)
    model_id = m.embedder if m.embedder_runtime == "onnx" else f"{m.embedder}+int8"
    onnx_file = export_onnx(Path(location), m.embedder_runtime)
    return OnnxEmbedder(location, str(onnx_file), model_id, m.threads, m.embed_batch_size)


def needs_generator(settings: Settings) -> bool:
    """Generative answers need the model, and so does the check of extractive answers."""
    return settings.generation.mode != "extractive" or settings.grounding.check_answers


def build_generator(settings: Settings, reuse_prefix: bool = True):
    m = settings.models
    if is_server(m.generator):
        from .server_generation import ServerGenerator

        return ServerGenerator(m.generator, m.server_model, m.server_api_key, m.server_timeout)
    from .generation import LlamaGenerator

    model = resolve_generator(settings.models.generator, settings.models.models_dir)
    return LlamaGenerator(model, settings.models.generator, settings.models.n_ctx, settings.models.threads,
                          reuse_prefix=reuse_prefix, contexts=settings.models.prompt_caches)


def signature_for(settings: Settings, embedder) -> dict:
    return index_signature(embedder.model_id, embedder.dimension, settings.chunking.chunk_size,
                           settings.chunking.chunk_overlap)


def ingest_corpus(settings: Settings, embedder, paths: list[Path] | None = None, rebuild: bool = False,
                  index_dir: Path | None = None, progress: ProgressFactory | None = None,
                  work: LocalWork | None = None) -> tuple[Index, IngestReport]:
    """Sync the index with the corpus; `work` (default: this process) reads, chunks and embeds."""
    options = IngestOptions(settings.chunking.chunk_size, settings.chunking.chunk_overlap, dict(settings.ingest.fields),
                            settings.ingest.batch_articles, settings.retrieval.index_type,
                            settings.retrieval.approximate_above)
    index, report = ingest(paths or corpus_paths(settings), index_dir or settings.index_dir, work or LocalWork(embedder),
                           signature_for(settings, embedder), options, rebuild, progress)
    if settings.store.backend == "qdrant":
        from .qdrant_store import collection_name, sync

        target = qdrant_target(settings, index.index_dir)
        report.mirrored = sync(target.client(), collection_name(target, index), index)
    return index, report


def qdrant_target(settings: Settings, index_dir: Path):
    from .qdrant_store import QdrantTarget

    st = settings.store
    return QdrantTarget(st.url, "" if st.url else str(index_dir / "qdrant"), st.collection, st.api_key)


def corpus_paths(settings: Settings) -> list[Path]:
    """The corpus: its folder, and the files added from the chat when there are any."""
    return [settings.corpus_dir] + ([settings.upload_dir] if settings.upload_dir.is_dir() else [])


def open_index(settings: Settings, embedder, build_if_missing: bool = False,
               progress: ProgressFactory | None = None) -> Index:
    """Load the index, building it from the corpus folder first when asked and none exists."""
    if build_if_missing and not has_index(settings.index_dir):
        index, _ = ingest_corpus(settings, embedder, progress=progress)
        return index
    return load_index(settings.index_dir, signature_for(settings, embedder))


def make_retriever(settings: Settings, index: Index, embedder) -> Retriever:
    r = settings.retrieval
    args = (index, embedder, r.retriever, r.candidates, r.rrf_k, r.dense_weight, r.bm25_weight,
            r.dedupe_threshold, Filters(r.since, r.until, tuple(r.sources)))
    if settings.store.backend == "qdrant":
        from .qdrant_store import QdrantRetriever, collection_name, sync

        target = qdrant_target(settings, index.index_dir)
        client, name = target.client(), collection_name(target, index)
        sync(client, name, index, quick=True)  # an index built before the switch is mirrored first
        return QdrantRetriever(client, name, *args)
    return Retriever(*args)


def cosine_scaled(embedder, floor: float, span: float, cap: float):
    """`similarity(text, others) -> [score]`: e5 cosine of `text` (as a query) to each passage,
    rescaled so `floor` → 0 and `floor + span` → 1
    (unrelated e5 texts sit near 0.75; paraphrases above 0.85), clipped to [0, cap].
    """

    def similarity(text: str, others: list[str]) -> list[float]:
        q = embedder.embed([text], "query")[0]
        p = embedder.embed(others, "passage")
        return [float(x) for x in np.clip((p @ q - floor) / span, 0.0, cap)]

    return similarity


def make_assistant(settings: Settings, index: Index, embedder, generator=None) -> Assistant:
    # Answer sentence ↔ passages (verifying answers in another language than the passages), and
    # question ↔ candidate sentences (choosing what the model reads).
    return Assistant(settings, make_retriever(settings, index, embedder), Prompts(settings.prompts_dir), generator,
                     cosine_scaled(embedder, 0.75, 0.15, 1.0), cosine_scaled(embedder, 0.75, 0.10, 1.5))


def build_assistant(settings: Settings, *, index: Index | None = None, embedder=None, with_generator: bool | None = None,
                    progress: ProgressFactory | None = None) -> Assistant:
    """The assistant the settings describe: the embedder, the index (built from the corpus folder
    on first use unless `index` is given) and, when the answer path needs it (or
    `with_generator` says so), the generator.
    """
    embedder = embedder or build_embedder(settings)
    if index is None:
        index = open_index(settings, embedder, build_if_missing=True, progress=progress)
    use_model = needs_generator(settings) if with_generator is None else with_generator
    return make_assistant(settings, index, embedder, build_generator(settings) if use_model else None)
