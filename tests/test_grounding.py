from rag.citations import AnswerSentence
from rag.grounding import is_abstention, lexical_support, verify
from rag.text import TermWeights

NICE = "هدد داعش بتصعيد الهجمات بعد 9 أيام من اعتداء نيس الذي أوقع 84 قتيلا وتبناه التنظيم."
PARIS = "وأوضح رودس أن الاعتداءات الدموية التي ارتكبها مسلحون وقتل فيها 129 شخصاً في باريس."


def test_a_number_missing_from_the_passage_means_no_support():
    assert lexical_support("أوقع اعتداء نيس 84 قتيلا", NICE) == 1.0
    assert lexical_support("أوقع اعتداء نيس 129 قتيلا", NICE) == 0.0


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
