"""What the chat talks to: the assistant, how to re-index, and a line about the model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..answering import Assistant
from ..answering.policy import checks_before_writing
from ..prompting import answer_system
from ..settings import Settings


@dataclass
class Services:
    settings: Settings
    assistant: Assistant
    reindex: Callable  # reindex(progress_factory) -> (index, report)
    ingest: Callable  # ingest(paths, progress_factory) -> (index, report): add files, the rest untouched
    model_info: str
    parallel_answers: int = 1  # in-process: one model answers at a time; a server queues its own


def first_read_prompts(settings: Settings, prompts) -> list[str]:
    """The static system prompts the default mode reads, one per model context, so that no
    first question waits for them: in auto mode the answer check's, then the writer's for
    questions in the other language (English over an Arabic archive).
    """
    lang = settings.generation.corpus_language
    checked = checks_before_writing(settings.grounding)
    if settings.generation.mode == "generative":
        return [answer_system(prompts, lang, checked)]
    writes_too = settings.generation.mode == "auto" and settings.models.prompt_caches > 1
    other = "en" if lang == "ar" else "ar"
    return [prompts.render("check_system", lang)] + ([answer_system(prompts, other, checked)] if writes_too else [])


def create_services(settings: Settings, progress=None) -> Services:
    """Load the models and the index (building it from the corpus folder on first run)."""
    from ..factory import build_assistant, ingest_corpus
    from ..model_files import GGUF_MODELS, is_server

    assistant = build_assistant(settings, progress=progress)
    if assistant.generator is not None:
        for system_prompt in first_read_prompts(settings, assistant.prompts):
            assistant.generator.warm(system_prompt)
    name = settings.models.generator
    spec = GGUF_MODELS.get(name)
    model_info = f"`{name}`" + (f" ({spec.params}, {spec.size / 1e9:.2f} GB)" if spec else "") + \
        f" · embedder `{settings.models.embedder}`"
    embedder = assistant.retriever.embedder
    return Services(settings, assistant, lambda bar: ingest_corpus(settings, embedder, progress=bar),
                    lambda paths, bar: ingest_corpus(settings, embedder, paths=paths, progress=bar), model_info,
                    settings.models.server_parallel if is_server(name) else 1)
