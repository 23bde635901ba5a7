"""The threshold decisions of the answer path, one by one (pure functions, no models)."""

import pytest

from rag.answering import policy
from rag.chunking import Chunk
from rag.context import Passage, ScoredSentence
from rag.grounding import AnswerCheck
from rag.retrieval import Hit
from rag.settings import GenerationSettings, GroundingSettings


def hit(source: str, dense: float = 0.9) -> Hit:
    return Hit(Chunk(f"{source}#0", source, "t", 0, 4, "text"), 0.1, dense, 1.0)


def passage(n: int, source: str) -> Passage:
    h = hit(source)
    return Passage(n, h.chunk, 0, 4, "text", 1.0, h.dense_score)


BEST = ScoredSentence(1, hit("a"), 0, 0, 4, "text", 1.0)


@pytest.mark.parametrize("requested, lang, has_generator, expected", [
    ("auto", "ar", True, ("extractive", None)),
    ("auto", "en", True, ("generative", None)),
    ("generative", "ar", True, ("generative", None)),
    ("auto", "en", False, ("extractive", "No generator loaded: answering extractively.")),
    ("extractive", "en", False, ("extractive", None)),
])
def test_answer_mode(requested, lang, has_generator, expected):
    assert policy.answer_mode(requested, lang, GenerationSettings(), has_generator) == expected


def test_retrieval_gate():
    g = GroundingSettings(min_retrieval_score=0.76)
    assert policy.retrieval_too_weak([], g)
    assert policy.retrieval_too_weak([hit("a", 0.75), hit("b", 0.9)], g)  # the best-ranked chunk decides
    assert not policy.retrieval_too_weak([hit("a", 0.76)], g)


def test_the_check_declines_below_the_threshold_on_the_combined_score():
    g = GroundingSettings(min_answer_score=0.45)
    assert policy.check_declines(AnswerCheck(2.0, 0.1, 0.44), g)
    assert not policy.check_declines(AnswerCheck(0.0, 0.9, 0.45), g)


def test_missing_words_decide_only_when_the_model_alone_would_have_passed():
    g = GroundingSettings(min_answer_score=0.45)
    assert policy.missing_words_decided(AnswerCheck(0.7, 0.2, -0.1), g)
    assert not policy.missing_words_decided(AnswerCheck(0.2, 0.2, -0.6), g)


def test_quoting_a_declined_answer_needs_a_surer_check():
    g = GroundingSettings(min_answer_score=0.45, min_quote_score=2.0)
    assert policy.may_quote_declined(g)
    assert policy.quote_when_model_declines(AnswerCheck(2.0, None, 2.0), g)
    assert not policy.quote_when_model_declines(AnswerCheck(1.9, None, 1.9), g)
    off = GroundingSettings(min_quote_score=None)
    assert not policy.may_quote_declined(off) and not policy.quote_when_model_declines(AnswerCheck(9, None, 9), off)
    assert not policy.may_quote_declined(GroundingSettings(check_answers=False))


def test_a_written_answer_must_rest_on_the_best_sentences_article():
    passages = [passage(1, "a"), passage(2, "b")]
    g = GroundingSettings()
    assert not policy.quote_instead_of_written(passages, {1}, BEST, g)
    assert policy.quote_instead_of_written(passages, {2}, BEST, g)
    assert not policy.quote_instead_of_written(passages, {2}, BEST, GroundingSettings(prefer_best_passage=False))


def test_check_before_writing_and_checking_at_all():
    assert policy.checks_before_writing(GroundingSettings())
    assert not policy.checks_before_writing(GroundingSettings(check_before_writing=False))
    assert not policy.checks_before_writing(GroundingSettings(check_answers=False))
    assert policy.checks_answers(GroundingSettings(), True) and not policy.checks_answers(GroundingSettings(), False)


@pytest.mark.parametrize("question, copied, model, declines", [
    ("كم شخصا قتل في الهجوم؟", False, 1.0, True),  # a number asked, none copied, an unsure yes
    ("كم شخصا قتل في الهجوم؟", True, 1.0, False),  # the number copied: the check alone decides
    ("كم شخصا قتل في الهجوم؟", False, 1.5, False),  # a sure yes
    ("من هو وزير الخارجية؟", False, 1.0, True),
    ("لماذا تأجل الاجتماع؟", False, 1.0, False),  # no short answer asked for: no copy expected
])
def test_an_uncopied_answer_needs_a_surer_yes(question, copied, model, declines):
    g = GroundingSettings(min_uncopied_check=1.5)
    check = AnswerCheck(model, None, model)
    assert policy.uncopied_declines(question, copied, check, g) is declines
    assert not policy.uncopied_declines(question, copied, check, GroundingSettings(min_uncopied_check=None))
