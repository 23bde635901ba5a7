"""The answer check: does the best sentence alone answer the question? The model's yes/no
log-odds, weighed with how much of the question the sentence's passage covers. And the
abstention it leads to, saying why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..asking import answer_kind
from ..context import ScoredSentence
from ..grounding import AnswerCheck, check_answer, missing_question_words, question_coverage
from . import policy
from .answer import Answer
from .turn import Turn

if TYPE_CHECKING:
    from .assistant import Assistant


def check(assistant: Assistant, turn: Turn, then: str = "") -> AnswerCheck:
    """Check the best sentence, always with the corpus language's prompt: the sentence is in that
    language, and English questions checked with the English prompt scored far lower, declining
    most answerable ones (docs/calibration.md#english-questions). `then`: the begun reply of the
    direct answer's copy, read with the check.
    """
    g = assistant.settings.grounding
    best = turn.best
    model = check_answer(assistant.generator, assistant.prompts, assistant.settings.generation.corpus_language,
                         turn.question, best.text, then)
    coverage = question_coverage(turn.question, paragraph_of(best), assistant.weights)
    turn.check = AnswerCheck.combine(model, coverage, g.coverage_weight, g.coverage_neutral)
    return turn.check


def paragraph_of(sentence: ScoredSentence) -> str:
    """The paragraph of the chunk that holds the sentence: what coverage is measured over, the
    same span whether chunks hold one paragraph or run across several.
    """
    chunk = sentence.hit.chunk
    start, end = sentence.start - chunk.start, sentence.end - chunk.start
    left = chunk.text.rfind("\n", 0, max(start, 0)) + 1
    right = chunk.text.find("\n", end)
    return chunk.text[left : right if right >= 0 else len(chunk.text)]


def declined(assistant: Assistant, turn: Turn) -> Answer:
    """The abstention when the check finds the best sentence does not answer: the closest
    passages to read, and why (the model said no, or the passage lacks question words).
    """
    missing = []
    if policy.missing_words_decided(turn.check, assistant.settings.grounding):
        missing = missing_question_words(turn.question, paragraph_of(turn.best))
    if missing:
        notice = (f"The closest passage does not contain {', '.join(missing)} from the question, "
                  "and the model's yes was not sure enough to make up for it.")
    else:
        notice = "The model found that the closest sentence does not state the answer."
    return turn.abstain(turn.closest_passages(), notice)


_ASKED = {"name": "name", "count": "number", "when": "date", "where": "place"}


def uncopied(assistant: Assistant, turn: Turn) -> Answer:
    """The abstention when a name, number, date or place was asked, none could be copied from the
    checked sentence, and the model's yes was not sure enough without it.
    """
    asked = _ASKED.get(answer_kind(turn.question), "answer")
    return turn.abstain(turn.closest_passages(),
                        f"The model found no {asked} in the closest sentence to answer with, "
                        "and its yes was not sure enough without one.")
