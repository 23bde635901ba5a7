import pytest

from rag.citations import AnswerSentence
from rag.grounding import AnswerCheck, is_abstention, lexical_support, missing_question_words, question_coverage, verify
from rag.terms import TermWeights

NICE = "هدد داعش بتصعيد الهجمات بعد 9 أيام من اعتداء نيس الذي أوقع 84 قتيلا وتبناه التنظيم."
PARIS = "وأوضح رودس أن الاعتداءات الدموية التي ارتكبها مسلحون وقتل فيها 129 شخصاً في باريس."


def test_a_number_missing_from_the_passage_means_no_support():
    assert lexical_support("أوقع اعتداء نيس 84 قتيلا", NICE) == 1.0
    assert lexical_support("أوقع اعتداء نيس 129 قتيلا", NICE) == 0.0


def test_a_number_written_in_english_words_must_be_in_the_passage_too():
    meaning = lambda sentence, passages: [0.9 for _ in passages]  # noqa: E731 - the cross-language match holds
    [wrong] = verify([AnswerSentence("Sixteen people were killed in Nice.", cited=[1])], [NICE], 0.5, meaning)
    [right] = verify([AnswerSentence("Eighty-four people were killed in Nice.", cited=[1])], [NICE], 0.5, meaning)
    assert not wrong.supported and right.supported


def test_correct_citation_is_kept():
    [s] = verify([AnswerSentence("أوقع اعتداء نيس 84 قتيلا.", cited=[1])], [NICE, PARIS], 0.5)
    assert s.supported and s.cited == [1]


def test_wrong_citation_is_reattached_to_the_supporting_passage():
    [s] = verify([AnswerSentence("قتل 129 شخصاً في باريس.", cited=[1])], [NICE, PARIS], 0.5)
    assert s.supported and s.cited == [2]


def test_unsupported_sentence_is_marked_and_loses_its_citations():
    [s] = verify([AnswerSentence("بلغت تكلفة الضربات 100 دولار.", cited=[1])], [NICE, PARIS], 0.5)
    assert s.supported is False and s.cited == []


def test_rare_words_weigh_more():
    weights = TermWeights.from_texts([NICE, PARIS, "اعتداء في باريس", "اعتداء آخر في باريس"])
    claim = "اعتداء نيس"
    assert lexical_support(claim, PARIS, weights) < lexical_support(claim, PARIS)


def test_embedding_similarity_verifies_other_languages():
    def similarity(sentence, passages):
        return [0.9, 0.1]

    [s] = verify([AnswerSentence("The Nice attack killed 84 people.", cited=[2])], [NICE, PARIS], 0.5, similarity)
    assert s.supported and s.cited == [1]
    [s] = verify([AnswerSentence("The attack killed 85 people.", cited=[1])], [NICE, PARIS], 0.5, similarity)
    assert s.supported is False  # a number the passage lacks is never supported


def test_is_abstention():
    assert is_abstention("لا تذكر المصادر ذلك.", "لا تذكر المصادر ذلك.")
    assert is_abstention("  ", "لا تذكر المصادر ذلك.")
    assert not is_abstention("أوقع الاعتداء 84 قتيلا [1].", "لا تذكر المصادر ذلك.")


def test_question_coverage_weighs_the_question_words_a_passage_holds():
    weights = TermWeights.from_texts([NICE, PARIS, "اعتداء في باريس", "اعتداء آخر في باريس"])
    assert question_coverage("كم قتيلا أوقع اعتداء نيس؟", NICE, weights) == pytest.approx(1.0)
    injured = question_coverage("كم عدد الجرحى في هجمات باريس؟", PARIS, weights)
    assert 0.0 < injured < 0.5  # Paris, but neither the injured nor their number
    assert question_coverage("How many died in Nice?", NICE, weights) is None  # no shared words across languages
    assert question_coverage("ما هو؟", NICE, weights) is None  # nothing to look for


def test_answer_check_score_moves_with_coverage_around_neutral():
    assert AnswerCheck.combine(1.0, 0.9, 4.0, 0.4).score == pytest.approx(3.0)
    assert AnswerCheck.combine(1.0, 0.15, 4.0, 0.4).score == pytest.approx(0.0)
    assert AnswerCheck.combine(1.0, None, 4.0, 0.4).score == 1.0  # different languages: the model alone
    assert AnswerCheck.combine(1.0, 0.0, 0.0, 0.4).score == 1.0  # weight 0 turns it off


def test_missing_question_words_are_named_as_written():
    assert missing_question_words("كم عدد الجرحى في هجمات باريس؟", PARIS) == ["عدد", "الجرحى", "هجمات"]
    assert missing_question_words("كم شخصاً قتل في باريس؟", PARIS) == []


def test_an_english_sentence_is_supported_only_where_its_arabic_spellings_are():
    from rag.citations import AnswerSentence
    from rag.grounding import verify

    passages = ["أعيد افتتاح متحف فاغنر في مدينة بايرويت الألمانية.", "افتتح متحف جديد في برلين."]
    same = lambda sentence, texts: [0.9 for _ in texts]  # noqa: E731 - meaning alone would pass both
    right = AnswerSentence("The Wagner museum reopened in Bayreuth (بايرويت), Germany (ألمانيا).", [1])
    wrong = AnswerSentence("The Wagner museum reopened in Berlin (برلين).", [1])
    invented = AnswerSentence("It reopened in Munich (ميونخ).", [1])
    verify([right, wrong, invented], passages, 0.5, similarity=same)
    assert right.supported and right.cited == [1]
    assert wrong.supported and wrong.cited == [2]  # re-attached to the passage that spells it
    assert not invented.supported
