"""Every threshold decision of the answer path, each a small pure function. The values come from
`GroundingSettings`; how they were calibrated is in docs/calibration.md.
"""

from __future__ import annotations

from ..asking import answer_kind
from ..context import Passage, ScoredSentence
from ..grounding import AnswerCheck
from ..retrieval import Hit
from ..settings import GenerationSettings, GroundingSettings


def answer_mode(requested: str, language: str, g: GenerationSettings, has_generator: bool) -> tuple[str, str | None]:
    """The flow for a question, and a notice when it differs from what was asked. `auto` quotes
    sources for questions in the corpus language and writes answers in other languages.
    """
    mode = requested
    if mode == "auto":
        mode = "extractive" if language == g.corpus_language else "generative"
    if mode == "generative" and not has_generator:
        return "extractive", "No generator loaded: answering extractively."
    return mode, None


def retrieval_too_weak(hits: list[Hit], g: GroundingSettings) -> bool:
    """Nothing retrieved is close enough (e5 cosine of the best chunk) to be worth asking the model."""
    return not hits or hits[0].dense_score < g.min_retrieval_score


def checks_answers(g: GroundingSettings, has_generator: bool) -> bool:
    return has_generator and g.check_answers


def checks_before_writing(g: GroundingSettings) -> bool:
    """Generated answers are checked before the model writes (else its own declining decides)."""
    return g.check_answers and g.check_before_writing


def check_declines(check: AnswerCheck, g: GroundingSettings) -> bool:
    """The answer check finds the best sentence does not answer the question: abstain."""
    return check.score < g.min_answer_score


def uncopied_declines(question: str, copied: bool, check: AnswerCheck, g: GroundingSettings) -> bool:
    """A name, number, date or place was asked and the model copied none from the checked
    sentence: a second sign that the sentence does not state it, so the model's yes must be surer.
    """
    return (g.min_uncopied_check is not None and not copied and answer_kind(question) != "any"
            and check.model < g.min_uncopied_check)


def missing_words_decided(check: AnswerCheck, g: GroundingSettings) -> bool:
    """A declined check where the model's yes alone would have passed: the passage's missing
    question words (its coverage) decided, and the notice names them.
    """
    return check.model >= g.min_answer_score


def may_quote_declined(g: GroundingSettings) -> bool:
    """With the model writing first, its declining may be overruled by a sure answer check."""
    return g.check_answers and g.min_quote_score is not None


def quote_when_model_declines(check: AnswerCheck, g: GroundingSettings) -> bool:
    """The model declined (or wrote nothing verifiable), yet the check is sure enough that the
    best sentence states the answer: quote it. Higher than `min_answer_score`, since the
    model's declining is itself evidence.
    """
    return g.min_quote_score is not None and check.score >= g.min_quote_score


def rests_on_best(passages: list[Passage], cited: set[int], best: ScoredSentence) -> bool:
    """A cited passage comes from the article of the best-scored sentence."""
    return any(p.n in cited and p.chunk.source == best.hit.chunk.source for p in passages)


def quote_instead_of_written(passages: list[Passage], cited: set[int], best: ScoredSentence,
                             g: GroundingSettings) -> bool:
    """A written answer that does not rest on the best-scored sentence's article is replaced by
    a quote of that sentence (`prefer_best_passage`).
    """
    return g.prefer_best_passage and not rests_on_best(passages, cited, best)
