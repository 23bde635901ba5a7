"""The generative flow (questions in another language than the corpus): the model writes the
answer in the question's language, and every sentence it writes is verified against its cited
passage. By default the answer check decides first whether the sources answer at all; with
`check_before_writing` off, the model writes first and its declining decides.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING

from ..asking import asks_name, asks_number
from ..citations import AnswerSentence, citation_grammar, parse_answer
from ..context import Passage, assemble_context, estimate_tokens
from ..grounding import is_abstention, verify
from ..prompting import PromptPassage, build_messages
from . import checking, direct, glossing, policy
from .events import Draft, Event, Final, Passages, Token
from .turn import Turn

if TYPE_CHECKING:
    from .assistant import Assistant

UNVERIFIED_CHECKED = ("The model wrote no verifiable answer in the question's language; "
                      "the quoted source sentence was checked to state it.")
OFF_BEST_CHECKED = "The model's answer did not rest on the checked sentence's article; showing that sentence instead."
UNVERIFIED_QUOTED = "The model wrote no verifiable answer; it found that the quoted source sentence states it."
OFF_BEST = "The model's answer did not rest on the most relevant article; showing its most relevant sentence instead."


def answer(assistant: Assistant, turn: Turn) -> Iterator[Event]:
    if policy.checks_before_writing(assistant.settings.grounding):
        return checked_then_written(assistant, turn)
    return written_then_checked(assistant, turn)


def checked_then_written(assistant: Assistant, turn: Turn) -> Iterator[Event]:
    """The check decides, as for quoted answers; only then does the model write, from the
    checked sentences alone. When it declines or writes nothing verifiable, they are quoted.
    """
    g = assistant.settings.grounding
    draft = turn.draft()
    passages = draft.passages
    yield Passages(passages)
    turn.timings["draft_ms"] = draft.timings["total_ms"]
    yield Draft(draft, "checking")
    copies_number = asks_number(turn.question)
    checking.check(assistant, turn, then=direct.reply_start(assistant, turn) if copies_number else "")
    if policy.check_declines(turn.check, g):
        yield Final(checking.declined(assistant, turn))
        return
    if copies_number:  # the number, copied while the check's prompt is still read
        turn.direct = direct.extract(assistant, turn)
        turn.mark("direct_ms")
    yield from _write(assistant, turn, passages, checked=True)
    sentences = _verified(assistant, turn, passages)
    if turn.direct is None and asks_name(turn.question):  # as written with its spelling, else copied
        turn.direct = glossing.glossed(turn, sentences) or glossing.rendered(assistant, turn, sentences)
        if turn.direct:
            turn.mark("direct_ms")
    if not _supported(sentences):
        yield Final(turn.quote(UNVERIFIED_CHECKED))
    elif policy.quote_instead_of_written(passages, _cited(sentences), turn.best, g):
        yield Final(turn.quote(OFF_BEST_CHECKED))
    else:
        yield Final(turn.written(_traced(assistant, turn, sentences, passages), passages))


def written_then_checked(assistant: Assistant, turn: Turn) -> Iterator[Event]:
    """The model writes from the best sentences within the token budget; when it declines or
    writes nothing verifiable, a sure answer check may still quote the best sentence.
    """
    g = assistant.settings.grounding
    count = assistant.generator.count_tokens if assistant.generator else estimate_tokens
    budget = turn.context_tokens or assistant.settings.generation.context_tokens
    passages = assemble_context(turn.question, turn.hits, budget, count, True, assistant.weights,
                                assistant.sentence_similarity, turn.scored)
    yield Passages(passages)
    draft = turn.draft()  # the instant extractive answer, shown while the model reads
    turn.timings["draft_ms"] = draft.timings["total_ms"]
    yield Draft(draft, "writing")
    yield from _write(assistant, turn, passages)
    sentences = _verified(assistant, turn, passages)
    if not _supported(sentences):
        if policy.may_quote_declined(g):
            checking.check(assistant, turn)
            if policy.quote_when_model_declines(turn.check, g):
                yield Final(turn.quote(UNVERIFIED_QUOTED))
                return
        yield Final(turn.abstain(passages, sentences=sentences))
    elif policy.quote_instead_of_written(passages, _cited(sentences), turn.best, g):
        yield Final(turn.quote(OFF_BEST))
    else:
        yield Final(turn.written(_traced(assistant, turn, sentences, passages), passages))


def written_answer(assistant: Assistant, turn: Turn, passages: list[Passage]) -> Iterator[Event]:
    """Only the model's verified answer from `passages`, with no check and no quote to fall back
    on: the naive baseline of the benchmark.
    """
    yield from _write(assistant, turn, passages)
    sentences = _verified(assistant, turn, passages)
    yield Final(turn.written(sentences, passages) if _supported(sentences)
                else turn.abstain(passages, sentences=sentences))


def _write(assistant: Assistant, turn: Turn, passages: list[Passage],
           checked: bool = False) -> Generator[Token, None, None]:
    """Stream the model's answer from `passages` (`checked`: the check found they state it); it
    is kept in `turn.raw`.
    """
    g = assistant.settings.generation
    messages = build_messages(assistant.prompts, turn.language, turn.question,
                              [PromptPassage(p.n, p.text) for p in passages], checked)
    grammar = citation_grammar(len(passages), turn.abstain_message) if g.grammar else None
    temperature = g.temperature if turn.temperature is None else turn.temperature
    turn.raw = ""
    for piece in assistant.generator.stream(messages, g.max_tokens, temperature, grammar, g.repeat_penalty):
        if not turn.raw:
            turn.mark("ttft_ms")
        turn.raw += piece
        yield Token(piece)
    turn.prompt_tokens = sum(assistant.generator.count_tokens(m["content"]) for m in messages)


def _verified(assistant: Assistant, turn: Turn, passages: list[Passage]) -> list[AnswerSentence]:
    """The model's sentences, each verified against the passages (none when it declined)."""
    if is_abstention(turn.raw, turn.abstain_message):
        return []
    sentences = parse_answer(turn.raw, len(passages))
    g = assistant.settings.grounding
    if not g.verify:
        for s in sentences:
            s.supported = bool(s.cited)
        return sentences
    # Word overlap verifies answers in the corpus language; others also need embeddings.
    cross_language = turn.language != assistant.settings.generation.corpus_language
    verify(sentences, [p.text for p in passages], g.min_support, assistant.similarity if cross_language else None,
           assistant.weights, turn.question)
    return sentences


def _traced(assistant: Assistant, turn: Turn, sentences: list[AnswerSentence],
            passages: list[Passage]) -> list[AnswerSentence]:
    """An answer in another language than its sources with each name's source spelling beside
    it, once the direct answer is chosen (it reads the model's own glosses only).
    """
    if turn.language == assistant.settings.generation.corpus_language:
        return sentences
    return glossing.gloss_names(sentences, passages)


def _supported(sentences: list[AnswerSentence]) -> bool:
    return any(s.supported for s in sentences)


def _cited(sentences: list[AnswerSentence]) -> set[int]:
    return {n for s in sentences if s.supported for n in s.cited}
