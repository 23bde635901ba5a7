"""Concrete implementations chosen from settings, in one place. The CLI and the app call these;
the services receive what they need in their constructors.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .embedding import OnnxEmbedder, SentenceTransformerEmbedder
from .ingest import IngestReport, ingest
from .models import export_onnx, resolve_embedder, resolve_generator
from .pipeline import Assistant
from .prompting import Prompts
from .retrieval import Retriever
from .settings import Settings
from .store import Index, index_signature, load_index, read_manifest


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
    from .generation import LlamaGenerator

    model = resolve_generator(settings.models.generator, settings.models.models_dir)
    return LlamaGenerator(model, settings.models.generator, settings.models.n_ctx, settings.models.threads,
                          reuse_prefix=reuse_prefix)


def signature_for(settings: Settings, embedder) -> dict:
    return index_signature(embedder.model_id, embedder.dimension, settings.chunking.chunk_size,
                           settings.chunking.chunk_overlap)


def ingest_corpus(settings: Settings, embedder, paths: list[Path] | None = None, rebuild: bool = False,
                  index_dir: Path | None = None, progress_factory=None) -> tuple[Index, IngestReport]:
    return ingest(
        paths or [settings.corpus_dir], index_dir or settings.index_dir, embedder, signature_for(settings, embedder),
        settings.chunking.chunk_size, settings.chunking.chunk_overlap, settings.retrieval.index_type,
        settings.retrieval.approximate_above, rebuild, progress_factory,
    )


def open_index(settings: Settings, embedder, build_if_missing: bool = False, progress_factory=None) -> Index:
    """Load the index, building it from the corpus folder first when asked and none exists."""
    if build_if_missing and read_manifest(settings.index_dir) is None:
        index, _ = ingest_corpus(settings, embedder, progress_factory=progress_factory)
        return index
    return load_index(settings.index_dir, signature_for(settings, embedder))


def make_retriever(settings: Settings, index: Index, embedder) -> Retriever:
    r = settings.retrieval
    return Retriever(index, embedder, r.retriever, r.candidates, r.rrf_k, r.dense_weight, r.bm25_weight,
                     r.dedupe_threshold)


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
