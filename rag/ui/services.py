"""What the chat talks to: the assistant, how to re-index, and a line about the model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..answering import Assistant
from ..settings import Settings


@dataclass
class Services:
    settings: Settings
    assistant: Assistant
    reindex: Callable  # reindex(progress_factory) -> (index, report)
    ingest: Callable  # ingest(paths, progress_factory) -> (index, report): add files, the rest untouched
    model_info: str
    parallel_answers: int = 1  # in-process: one model answers at a time; a server queues its own


def create_services(settings: Settings, progress=None) -> Services:
    """Load the models and the index (building it from the corpus folder on first run)."""
    from ..factory import build_assistant, ingest_corpus
    from ..model_files import GGUF_MODELS, is_server

    assistant = build_assistant(settings, progress=progress)
    generator, prompts, lang = assistant.generator, assistant.prompts, settings.generation.corpus_language
    if generator is not None:  # read the static system prompt of the default mode once (auto: the check)
        generator.warm(prompts.render("answer_system", lang, abstain=prompts.abstain_message(lang))
                       if settings.generation.mode == "generative" else prompts.render("check_system", lang))
    name = settings.models.generator
    spec = GGUF_MODELS.get(name)
    model_info = f"`{name}`" + (f" ({spec.params}, {spec.size / 1e9:.2f} GB)" if spec else "") + \
        f" · embedder `{settings.models.embedder}`"
    embedder = assistant.retriever.embedder
    return Services(settings, assistant, lambda bar: ingest_corpus(settings, embedder, progress=bar),
                    lambda paths, bar: ingest_corpus(settings, embedder, paths=paths, progress=bar), model_info,
                    settings.models.server_parallel if is_server(name) else 1)
