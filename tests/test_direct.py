"""The direct answer: a span of the checked sentence, found word for word, that adds to the question."""

from rag.answering.direct import adds_to_question, locate
from rag.ui.render import render_answer_markdown

NICE_Q = "كم شخصاً قتل في اعتداء نيس؟"
PARIS_Q = "كم شخصاً قتل في هجمات باريس بحسب رودس؟"
SENTENCE = "وأعلنت السلطات أن 84 شخصاً قتلوا في اعتداء نيس."


def test_locate_finds_the_phrase_as_whole_words_with_exact_offsets():
    start, end = locate("84 شخصا", SENTENCE)
    assert SENTENCE[start:end] == "84 شخصاً"
    start, end = locate("السلطات", SENTENCE)  # the model dropped nothing: same word
    assert SENTENCE[start:end] == "السلطات"


def test_locate_tolerates_diacritics_and_a_dropped_article_but_not_new_words():
    start, end = locate("سُلطات", SENTENCE)  # diacritics, and ال dropped: same stem
    assert SENTENCE[start:end] == "السلطات"
    assert locate("85 شخصاً", SENTENCE) is None  # a number the sentence does not hold
    assert locate("قتلوا في نيس", SENTENCE) is None  # words not in a row there
    assert locate("", SENTENCE) is None
    assert locate(" ".join(["كلمة"] * 20), SENTENCE) is None  # a sentence, not an answer


def test_an_answer_must_add_to_the_question():
    assert adds_to_question("84 شخصاً", NICE_Q)
    assert not adds_to_question("اعتداء نيس", NICE_Q)


def test_the_model_copy_becomes_the_direct_answer(assistant, generator):
    assistant.settings.generation.sentence_margin = 0.0
    generator.checks.append(2.0)
    generator.replies.append("129 شخصا")  # the copy may lose a diacritic: the source's form is kept
    answer = assistant.ask(PARIS_Q, mode="extractive")
    d = answer.direct
    assert d is not None and d.text == "129 شخصاً"
    passage = next(p for p in answer.passages if p.n == d.n)
    source = passage.chunk.text
    assert source[d.start - passage.chunk.start : d.end - passage.chunk.start] == d.text  # exact offsets
    direct_turn = generator.history[-1]["messages"]
    assert direct_turn[2]["role"] == "assistant" and direct_turn[1] == next(
        h for h in generator.history if h.get("yes_no"))["messages"][1]  # the check's conversation, continued
    html = render_answer_markdown(answer)
    assert f"<b>{d.text}</b>" in html and f"<mark>{d.text}</mark>" in html
    assert answer.to_dict()["direct"]["text"] == d.text


def test_a_copy_not_in_the_sentence_gives_no_direct_answer(assistant, generator):
    generator.checks.append(2.0)
    generator.replies.append("مئة شخص")
    answer = assistant.ask(PARIS_Q, mode="extractive")
    assert not answer.abstained and answer.direct is None and "<mark>" not in render_answer_markdown(answer)

