"""One settings object: defaults in code, then an optional TOML file, then RAG_* environment
variables, then CLI flags (applied by the caller with `Settings.with_overrides`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelSettings(_Group):
    """Where the models live. A value may be a local path, a GGUF file or (online users) a hub id."""

    models_dir: Path = PROJECT_ROOT / "models"
    embedder: str = "multilingual-e5-small"
    generator: str = "qwen2.5-coder-1.5b-instruct-q4_k_m"  # or openai:http://HOST:PORT/v1 (a model server)
    server_model: str = ""  # the model name sent to that server
    server_api_key: str = ""
    server_timeout: float = 300.0
    server_parallel: int = 8  # chat answers in flight at once with a server (its queue does the rest)
    n_ctx: int = 4096
    # model contexts, each keeping one system prompt read: the answer check's and the writer's
    prompt_caches: int = 2
    threads: int = Field(default_factory=lambda: max(1, os.cpu_count() or 1))
    # int8: twice fp32's speed, the same recall in the archive (docs/calibration.md#embedder-runtime)
    embedder_runtime: Literal["torch", "onnx", "onnx-int8"] = "onnx-int8"
    embed_batch_size: int = 2  # small length-sorted batches waste little on padding


class ChunkSettings(_Group):
    """Stored in the index manifest: changing one asks for a rebuild."""

    chunk_size: int = 1000
    chunk_overlap: int = 200


class IngestSettings(_Group):
    # export field -> key in the records, e.g. {"title": "headline"}; defaults in rag/archive.py
    fields: dict[str, str] = Field(default_factory=dict)
    batch_articles: int = 128  # articles per committed batch: what a kill can lose


class StoreSettings(_Group):
    """Where search runs: FAISS + BM25 in process, or Qdrant (a server at `url`, else local mode
    in a folder under the index). docs/deploy.md.
    """

    backend: Literal["faiss", "qdrant"] = "faiss"
    url: str = ""
    collection: str = "articles"
    api_key: str = ""


class RetrievalSettings(_Group):
    retriever: Literal["dense", "bm25", "hybrid"] = "hybrid"
    k: int = 5
    candidates: int = 30
    rrf_k: int = 10  # measured in the archive haystack: docs/calibration.md#fusion
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    dedupe_threshold: float = 0.9
    index_type: Literal["auto", "flat", "hnsw", "ivf", "ivfpq"] = "auto"
    approximate_above: int = 200_000
    since: str = ""  # filters: ISO dates and outlets an answer may draw on
    until: str = ""
    sources: list[str] = Field(default_factory=list)


class GenerationSettings(_Group):
    # auto: quote and check in the corpus language, write (and verify) in other languages
    mode: Literal["auto", "extractive", "generative"] = "auto"
    corpus_language: str = "ar"
    temperature: float = 0.0
    max_tokens: int = 96  # answers are one or two short sentences; longer runs are loops
    repeat_penalty: float = 1.0
    context_tokens: int = 120  # prompt length is the latency
    max_question_chars: int = 2000
    grammar: bool = True
    answer_sentences: int = 2  # the best sentence and runners-up scoring within sentence_margin of it
    sentence_margin: float = 0.2


class GroundingSettings(_Group):
    """The thresholds of the answer path (applied in rag/answering/policy.py; docs/calibration.md)."""

    min_retrieval_score: float = 0.76  # e5 cosine of the best chunk; below it, abstain without the model
    min_support: float = 0.5  # weighted share of a written sentence's new words its passage must hold
    verify: bool = True
    prefer_best_passage: bool = True  # a written answer must rest on the best-scored sentence's article
    check_answers: bool = True  # the model checks that the best sentence alone answers
    min_answer_score: float = 0.45  # answer score below which the assistant abstains
    coverage_weight: float = 4.0  # answer score = check log-odds + weight x (question coverage - neutral)
    coverage_neutral: float = 0.39
    min_quote_score: float | None = 2.0  # write-first only: quote instead of a declined answer above it
    # A name, number, date or place asked and none copied from the checked sentence: the model's
    # yes (log-odds) must reach this, or the assistant abstains. None: the copy never decides.
    min_uncopied_check: float | None = 0.75
    check_before_writing: bool = True  # written answers are checked before the model writes


class Settings(BaseSettings):
    """All settings of the assistant."""

    model_config = SettingsConfigDict(
        env_prefix="RAG_", env_nested_delimiter="__", extra="forbid", toml_file=None
    )

    corpus_dir: Path = PROJECT_ROOT / "seeds"
    upload_dir: Path = PROJECT_ROOT / "uploads"  # files added from the chat; part of the corpus
    index_dir: Path = PROJECT_ROOT / "index"
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    models: ModelSettings = ModelSettings()
    chunking: ChunkSettings = ChunkSettings()
    ingest: IngestSettings = IngestSettings()
    store: StoreSettings = StoreSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    generation: GenerationSettings = GenerationSettings()
    grounding: GroundingSettings = GroundingSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("RAG_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)

    def with_overrides(self, overrides: dict[str, Any]) -> Settings:
        """Return a copy with dotted overrides applied (`{"retrieval.k": 3}`); None values are skipped."""
        data = self.model_dump()
        for dotted, value in overrides.items():
            if value is None:
                continue
            node = data
            *parents, leaf = dotted.split(".")
            for part in parents:
                node = node[part]
            if leaf not in node:
                raise KeyError(f"unknown setting: {dotted}")
            node[leaf] = value
        return Settings.model_validate(data)


def load_settings(**overrides: Any) -> Settings:
    """Load settings from file and environment, then apply dotted overrides."""
    return Settings().with_overrides(overrides)
