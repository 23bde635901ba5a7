"""The question-answering service: clean the question, retrieve, apply the retrieval gate and
hand the question to its flow (extractive or generative). The CLI, the chat, the evaluation and
the benchmark all talk to `Assistant`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from ..context import answer_sentences, score_sentences
from ..generation import Generator
from ..prompting import Prompts
from ..retrieval import Filters, Hit, Retriever
from ..settings import Settings
from ..terms import TermWeights
from ..text import language, strip_invisible
from . import extractive, generative, policy
from .answer import Answer, QuestionError
from .events import AnswerStream, Event, Final, Passages
from .turn import Turn


class Assistant:
    """Answers questions over one index with one embedder and (optionally) one generator."""

    def __init__(self, settings: Settings, retriever: Retriever, prompts: Prompts,
                 generator: Generator | None = None, similarity: Callable | None = None,
                 sentence_similarity: Callable | None = None):
        self.settings = settings
        self.retriever = retriever
        self.prompts = prompts
        self.generator = generator
        self.similarity = similarity  # answer sentence ↔ passages, for verification
        self.sentence_similarity = sentence_similarity  # question ↔ candidate sentences

    @property
    def weights(self) -> TermWeights:
        return self.retriever.index.term_weights

    def clean_question(self, question: str) -> tuple[str, list[str]]:
        """The question without invisible characters and runs of space, cut to the length limit."""
        question = " ".join(strip_invisible(question or "").split())
        if not any(ch.isalnum() for ch in question):
            raise QuestionError("اكتب سؤالاً من فضلك. / Please type a question.")
        limit = self.settings.generation.max_question_chars
        if len(question) > limit:
            return question[:limit], [f"The question was longer than {limit} characters and was truncated."]
        return question, []

    def retrieve(self, question: str, k: int | None = None, mode: str | None = None,
                 filters: Filters | None = None) -> list[Hit]:
        return self.retriever.search(question, k or self.settings.retrieval.k, mode, filters)

    def ask(self, question: str, **options) -> Answer:
        return self.stream(question, **options).final()

    def stream(self, question: str, **options) -> AnswerStream:
        """The events of answering `question` (see `begin` for the options)."""
        return AnswerStream(self._events(question, **options))

    def begin(self, question: str, k: int | None = None, mode: str | None = None, retriever: str | None = None,
              hits: list[Hit] | None = None, temperature: float | None = None,
              context_tokens: int | None = None, filters: Filters | None = None) -> Turn:
        """Clean the question, choose its flow and retrieve (`hits` skips retrieval: the evaluator
        retrieves once for both its metrics and the answer). A filter no article passes is an
        error for the user, never an answer from everything.
        """
        started = time.perf_counter()
        question, notices = self.clean_question(question)
        lang = language(question)
        mode, notice = policy.answer_mode(mode or self.settings.generation.mode, lang, self.settings.generation,
                                          self.generator is not None)
        filters = filters or self.retriever.filters
        if filters.active and self.retriever.matching(filters) == 0:
            raise QuestionError(f"No article in the index matches the filter ({filters.describe()}).")
        if hits is None:
            hits = self.retrieve(question, k, retriever, filters)
        turn = Turn(question, lang, mode, hits, started, self.prompts.abstain_message(lang),
                    notices + ([notice] if notice else []), temperature=temperature, context_tokens=context_tokens)
        turn.mark("retrieve_ms")
        return turn

    def _events(self, question: str, **options) -> Iterator[Event]:
        turn = self.begin(question, **options)
        if policy.retrieval_too_weak(turn.hits, self.settings.grounding):
            passages = turn.closest_passages()
            yield Passages(passages)
            yield Final(turn.abstain(passages))
            return
        g = self.settings.generation
        turn.scored = score_sentences(turn.question, turn.hits, self.weights, self.sentence_similarity)
        turn.chosen = answer_sentences(turn.scored, g.answer_sentences, g.sentence_margin)
        flow = extractive.answer if turn.mode == "extractive" else generative.answer
        yield from flow(self, turn)
