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
    generator: str = "qwen2.5-coder-1.5b-instruct-q4_k_m"
    n_ctx: int = 4096
    threads: int = Field(default_factory=lambda: max(1, os.cpu_count() or 1))
    # onnx: ONNX Runtime on an export of the same model, identical vectors, 2-3x torch's speed;
    # small batches waste less time on padding (README, "Embedder speed").
    embedder_runtime: Literal["torch", "onnx", "onnx-int8"] = "onnx"
    embed_batch_size: int = 2


class ChunkSettings(_Group):
    """Chunker settings; stored in the index manifest, so changing one asks for a rebuild.
    1000/200 characters measured best over the seeds set and XQuAD-ar together (README).
    """

    chunk_size: int = 1000
    chunk_overlap: int = 200


class RetrievalSettings(_Group):
    retriever: Literal["dense", "bm25", "hybrid"] = "hybrid"
    k: int = 5
    candidates: int = 30
    rrf_k: int = 60
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    dedupe_threshold: float = 0.9
    index_type: Literal["auto", "flat", "hnsw", "ivf", "ivfpq"] = "auto"
    approximate_above: int = 200_000


class GenerationSettings(_Group):
    # auto: extractive (the best source sentences, checked by the model) for questions in the
    # corpus language, generative for others, whose answer must be written in their language.
    # Measured on the seeds set: README, "Results".
    mode: Literal["auto", "extractive", "generative"] = "auto"
    corpus_language: str = "ar"
    temperature: float = 0.0
    max_tokens: int = 96  # answers are one or two short sentences; longer runs are loops (measured)
    repeat_penalty: float = 1.0  # 1.1 measured: one more false abstention, so off
    context_tokens: int = 120
    max_question_chars: int = 2000
    grammar: bool = True
    # Extractive answers quote the best-scored sentence plus, up to `answer_sentences` in all, the
    # runners-up scoring within `sentence_margin` of it (README, "Answer sentences").
    answer_sentences: int = 2
    sentence_margin: float = 0.2


class GroundingSettings(_Group):
    """Thresholds chosen with `rag eval` on evals/seeds.jsonl (see README)."""

    min_retrieval_score: float = 0.76  # e5 cosine of the best chunk; below it, abstain without generating
    min_support: float = 0.5  # weighted share of a sentence's new words its passage must contain
    verify: bool = True
    prefer_best_passage: bool = True  # a generated answer must rest on the best-scored sentence
    # Answer check (quoted answers, and generated ones checked first): the model is asked whether
    # the best sentence alone answers the question; below `min_answer_score` (its yes/no log-odds)
    # the assistant abstains. Calibrated with `rag eval --hide-gold` on two XQuAD-ar samples, not
    # on the seeds set (README, "Answer-check prompt").
    check_answers: bool = True
    min_answer_score: float = 0.45
    # The thresholds compare the check's log-odds plus `coverage_weight` × (question coverage −
    # `coverage_neutral`): the weighted share of the question's content words found in the best
    # sentence's passage, when both are in one language (else the log-odds alone). Chosen with
    # `rag eval --hide-gold` on the same XQuAD-ar samples (README, "Question coverage"); 0 turns it off.
    coverage_weight: float = 4.0
    coverage_neutral: float = 0.39
    # A generated answer the model declines, or that fails verification, is replaced by the best
    # sentence, quoted, when the answer check scores it at least `min_quote_score`: higher than
    # `min_answer_score`, as the model's declining is itself evidence (README "Model declines":
    # chosen on XQuAD-ar, carried over to the session-7 check prompt). None turns this off.
    min_quote_score: float | None = 2.0
    # Generated answers (questions in another language than the corpus) are checked before the
    # model writes: below `min_answer_score` the assistant abstains; the model then writes from
    # the checked sentences, which are quoted when it declines (README, "English questions").
    # False: the model's declining decides, with the `min_quote_score` fallback above.
    check_before_writing: bool = True


class Settings(BaseSettings):
    """All settings of the assistant."""

    model_config = SettingsConfigDict(
        env_prefix="RAG_", env_nested_delimiter="__", extra="forbid", toml_file=None
    )

    corpus_dir: Path = PROJECT_ROOT / "seeds"
    index_dir: Path = PROJECT_ROOT / "index"
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    models: ModelSettings = ModelSettings()
    chunking: ChunkSettings = ChunkSettings()
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
