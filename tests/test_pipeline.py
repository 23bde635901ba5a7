import dataclasses

import pytest

from rag.answering import Draft, Final, Passages, QuestionError, Token
from rag.context import score_sentences

NICE_Q = "كم شخصاً قتل في اعتداء نيس؟"


def test_generated_answer_is_parsed_verified_and_cited(assistant, generator):
    # Parsing and verification only; the agreement with the best sentence has its own test below.
    assistant.settings.grounding.prefer_best_passage = False
    # Reply from the passages the pipeline will show, so the canned model cites correctly.
    passages = next(iter(assistant.stream(NICE_Q))).passages
    nice = next(p for p in passages if "84" in p.text)
    generator.enqueue(f"أوقع اعتداء نيس 84 قتيلا [{nice.n}].")
    answer = assistant.ask(NICE_Q)
    assert not answer.abstained
    assert answer.answer == f"أوقع اعتداء نيس 84 قتيلا [{nice.n}]."
    [citation] = answer.citations()
    assert citation["source"] == "002_2cf461aa69cecbfd" and "84" in citation["text"]
    source = assistant.retriever.index.article(citation["source"]).text
    assert source[citation["start"] : citation["end"]] == citation["text"]
    call = generator.history[-1]
    assert call["temperature"] == 0.0 and "num ::=" in call["grammar"]
    assert NICE_Q in call["messages"][1]["content"]


def test_a_claim_no_passage_supports_becomes_an_abstention(assistant, generator):
    assistant.settings.grounding.check_before_writing = False  # the model's answer alone decides
    generator.enqueue("بلغت تكلفة الهجوم 100 دولار [1].")
    generator.checks = [-3.0]  # nor does the answer check find the best sentence states the answer
    answer = assistant.ask(NICE_Q)
    assert answer.abstained and answer.answer == "لا تذكر المصادر ذلك."
    assert answer.sentences[0].supported is False and answer.citations() == []
    assert answer.passages  # the closest passages are still shown to the user
    writer = next(h for h in generator.history if not h.get("yes_no"))
    assert "لا تذكر المصادر ذلك" in writer["messages"][0]["content"]  # unchecked, the writer may decline


def test_model_abstention_is_reported(assistant, generator):
    generator.checks = [-3.0]
    answer = assistant.ask("ما اسم منفذ اعتداء نيس؟")
    assert answer.abstained and answer.to_dict()["abstained"] is True
    assert answer.to_dict()["answer_check"] == -3.0


def test_a_declined_or_unverified_answer_quotes_a_checked_sentence(assistant, generator):
    """When the model declines, or writes what cannot be verified, the best sentence is quoted if
    the answer check is sure enough that it states the answer; otherwise the assistant abstains.
    """
    assistant.settings.grounding.min_answer_score, assistant.settings.grounding.min_quote_score = 0.0, 1.0
    assistant.settings.grounding.check_before_writing = False  # the model's declining is what is overruled
    generator.enqueue("لا تذكر المصادر ذلك.", "بلغت تكلفة الهجوم 100 دولار [1].")
    generator.checks = [2.0, 1.5]
    for _ in range(2):
        answer = assistant.ask(NICE_Q, mode="generative")
        assert not answer.abstained and answer.mode == "generative" and answer.quoted
        assert "84" in answer.answer and answer.answer_check > 0
        citation = answer.citations()[0]
        source = assistant.retriever.index.article(citation["source"]).text
        assert source[citation["start"] : citation["end"]] == citation["text"]
        assert any("states it" in n for n in answer.notices)
    generator.enqueue("لا تذكر المصادر ذلك.")
    generator.checks = [0.5]  # a yes, but not sure enough to overrule the model's declining
    assert assistant.ask(NICE_Q, mode="generative").abstained
    assistant.settings.grounding.min_quote_score = None
    generator.enqueue("لا تذكر المصادر ذلك.")
    assert assistant.ask(NICE_Q, mode="generative").abstained


def test_english_question_gets_english_prompt_and_the_corpus_language_check(assistant, generator):
    generator.enqueue("The sources do not say.")
    answer = assistant.ask("What happened in the Nice attack?")
    assert answer.language == "en" and answer.mode == "generative" and answer.quoted  # checked, so quoted
    checking, answering = generator.history[-2:]  # checked first, then written
    assert answering["messages"][0]["content"].startswith("You assist")
    # The checked sentence is Arabic: the check speaks the corpus language (README, "English questions").
    assert checking["yes_no"] and checking["messages"][0]["content"] == assistant.prompts.render("check_system", "ar")


def test_an_english_how_many_question_starts_with_the_number_copied_from_the_source(assistant, generator):
    generator.enqueue("129 شخصاً", "129 people were killed in Paris (باريس) [1].")
    answer = assistant.ask("How many people were killed in the Paris attacks?")
    assert not answer.abstained and answer.direct is not None and answer.direct.text == "129"  # digits only
    passage = next(p for p in answer.passages if p.n == answer.direct.n)
    assert passage.chunk.text[answer.direct.start - passage.chunk.start : answer.direct.end - passage.chunk.start] == "129"
    checking, copying, writing = generator.history[-3:]  # the copy continues the check's conversation
    assert checking["yes_no"] and copying["messages"][:2] == checking["messages"]
    assert copying["messages"][-1]["content"] == assistant.prompts.render("direct_count", "ar")  # begun as for كم
    assert writing["messages"][0]["content"].startswith("You assist")


def test_a_number_copied_first_is_kept_when_the_question_also_reads_as_asking_a_name(assistant, generator):
    question = "In which year were how many people killed in the Paris attacks?"  # "which": a name too
    generator.enqueue("129 شخصاً", "129 people were killed in Paris (باريس) [1].")
    answer = assistant.ask(question)
    assert answer.direct is not None and answer.direct.text == "129" and len(generator.history) == 3  # no name copy


def test_the_direct_answers_passage_is_among_the_citations(assistant, generator):
    generator.enqueue("129 شخصاً", "129 people were killed in Paris (باريس) [1].")
    answer = assistant.ask("How many people were killed in the Paris attacks?")
    other = next(p for p in answer.passages if p.n != answer.direct.n)  # the number copied from another passage
    moved = dataclasses.replace(answer, direct=dataclasses.replace(answer.direct, n=other.n))
    assert {c["n"] for c in moved.citations()} == {answer.direct.n, other.n}
    assert {c["n"] for c in answer.citations()} == {answer.direct.n}  # listed once


LATIN = dict(zip("ابتثجحخدذرزسشصضطظعغفقكلمنهويةىأإآ",
                 ["a", "b", "t", "th", "j", "h", "kh", "d", "dh", "r", "z", "s", "sh", "s", "d", "t", "z", "", "gh", "f",
                  "q", "k", "l", "m", "n", "h", "w", "y", "a", "a", "a", "i", "a"]))


def test_an_english_name_question_gets_the_copied_name_and_its_english_spelling(assistant, generator):
    question = "Who attacked in Nice?"
    first = assistant.ask(question)  # the model wrote nothing: the checked sentence is quoted
    word = first.answer.split()[1]
    spelt = "".join(LATIN.get(c, "") for c in word).capitalize()
    generator.enqueue("The sources do not say.", word, spelt + ".")
    answer = assistant.ask(question)
    d = answer.direct
    assert (d.text, d.rendering, d.shown) == (word, spelt, f"{spelt} ({word})")
    passage = next(p for p in answer.passages if p.n == d.n)
    assert passage.chunk.text[d.start - passage.chunk.start : d.end - passage.chunk.start] == word
    copying, spelling = generator.history[-2:]  # both continue the check's conversation
    assert copying["messages"][-1]["content"] == assistant.prompts.render("direct_name", "ar")
    assert spelling["messages"][2]["content"].endswith(word) and "English letters" in spelling["messages"][3]["content"]
    generator.enqueue("The sources do not say.", word, "اسم")
    assert assistant.ask(question).direct is None  # no English spelling: no direct answer
    generator.enqueue("The sources do not say.", word, "Manuel Serrano")
    assert assistant.ask(question).direct is None  # a name that does not sound like the copy
    generator.enqueue("The sources do not say.", word)
    assert assistant.ask(f"Who attacked {spelt} in Nice?").direct is None  # the question's own name


def test_an_english_answer_gives_each_name_its_spelling_in_the_cited_passage(assistant, generator):
    generator.enqueue("129 شخصاً", "129 people were killed in Paris [1].")
    answer = assistant.ask("How many people were killed in the Paris attacks?")
    cited = next(p for p in answer.passages if p.n == 1)
    assert "باريس" in cited.text and answer.answer == "129 people were killed in Paris (باريس) [1]."
    assert answer.raw_answer == "129 people were killed in Paris [1]."  # what the model wrote is kept


def test_other_english_questions_get_no_direct_answer(assistant, generator):
    generator.enqueue("A truck driver killed 84 people (84 شخصاً) [1].")
    answer = assistant.ask("What happened in the Nice attack?")
    assert answer.direct is None and len(generator.history) == 2  # checked, then written: no copy


def test_generated_answers_are_checked_before_the_model_writes(assistant, generator):
    generator.checks = [-3.0]
    answer = assistant.ask(NICE_Q)
    assert answer.abstained and answer.answer_check == -3.0 and answer.passages
    assert [call.get("yes_no", False) for call in generator.history] == [True]  # nothing was written
    assert any("does not state the answer" in n for n in answer.notices)


def test_a_checked_answer_the_model_declines_or_misstates_is_quoted(assistant, generator):
    generator.enqueue("لا تذكر المصادر ذلك.", "بلغت تكلفة الهجوم 100 دولار [1].")
    generator.checks = [1.0, 1.0]
    for _ in range(2):
        answer = assistant.ask(NICE_Q)
        assert not answer.abstained and answer.mode == "generative" and answer.quoted and answer.answer_check == 1.0
        assert "84" in answer.answer and "100" not in answer.answer
        citation = answer.citations()[0]
        source = assistant.retriever.index.article(citation["source"]).text
        assert source[citation["start"] : citation["end"]] == citation["text"]
        assert any("checked to state it" in n for n in answer.notices)


def test_the_model_writes_from_the_checked_sentences_only(assistant, generator):
    events = list(assistant.stream(NICE_Q))
    draft = next(e.answer for e in events if isinstance(e, Draft))
    written = generator.history[-1]["messages"][1]["content"]
    checked = generator.history[-2]["messages"][1]["content"]
    assert draft.passages[0].text in checked
    assert all(p.text in written for p in draft.passages)
    assert written.count("[") == len(draft.passages)  # no other passage is offered


def test_extractive_mode_returns_cited_source_sentences(assistant):
    answer = assistant.ask(NICE_Q, mode="extractive")
    citations = answer.citations()
    assert 1 <= len(citations) <= assistant.settings.generation.answer_sentences
    for citation in citations:
        source = assistant.retriever.index.article(citation["source"]).text
        assert source[citation["start"] : citation["end"]] == citation["text"]
    assert answer.answer.startswith(citations[0]["text"].rstrip("."))


def test_extractive_answer_quotes_close_runners_up_only():
    """The best sentence always; a runner-up only within the margin; never more than the limit."""
    from rag.context import ScoredSentence, answer_sentences

    def sentence(i, score):
        return ScoredSentence(1, None, i, 10 * i, 10 * i + 9, f"s{i}", score)

    scored = [sentence(0, 1.0), sentence(1, 1.3), sentence(2, 1.25), sentence(3, 0.2)]
    assert [s.text for s in answer_sentences(scored, 2, 0.1)] == ["s1", "s2"]
    assert [s.text for s in answer_sentences(scored, 3, 0.1)] == ["s1", "s2"]
    assert [s.text for s in answer_sentences(scored, 3, 0.5)] == ["s1", "s2", "s0"]
    assert [s.text for s in answer_sentences(scored, 1, 9.0)] == ["s1"]
    assert [s.text for s in answer_sentences(scored, 2, 0.0)] == ["s1"]


def test_a_sentence_shared_by_overlapping_chunks_is_scored_once():
    """Overlapping chunks repeat sentences, and a chunk may start mid-sentence: each sentence of
    a source is a candidate once, from the better-ranked chunk, so it is never quoted twice.
    """
    from rag.chunking import Chunk
    from rag.retrieval import Hit

    source = "قتل 84 شخصا في اعتداء نيس. وأصيب العشرات بجروح. وفتحت الشرطة تحقيقا في الهجوم."
    cut = source.index("وأصيب")

    def hit(n, start, end, score):
        return Hit(Chunk(f"s#{n}", "s", "t", start, end, source[start:end]), score, score, 0.0)

    first, second = hit(0, 0, cut + len("وأصيب العشرات بجروح."), 0.9), hit(1, cut, len(source), 0.8)
    tail = hit(2, source.index("العشرات"), len(source), 0.7)  # starts mid-sentence
    scored = score_sentences(NICE_Q, [first, second, tail])
    texts = [s.text for s in scored]
    assert texts == ["قتل 84 شخصا في اعتداء نيس.", "وأصيب العشرات بجروح.", "وفتحت الشرطة تحقيقا في الهجوم."]
    assert [s.hit.chunk.chunk_id for s in scored] == ["s#0", "s#0", "s#1"]
    assert all(source[s.start : s.end] == s.text for s in scored)


def test_a_sentence_of_only_the_questions_words_is_no_answer_candidate():
    from rag.chunking import Chunk
    from rag.retrieval import Hit

    source = "جون كيري\n\nوصل وزير الخارجية الأمريكي جون كيري إلى باريس."
    hits = [Hit(Chunk("s#0", "s", "t", 0, len(source), source), 0.9, 0.9, 0.0)]
    assert [s.text for s in score_sentences("في أي عام ولد جون كيري؟", hits)] == [
        "وصل وزير الخارجية الأمريكي جون كيري إلى باريس."]


def test_extractive_answer_is_a_draft_until_the_model_confirms_it(assistant, generator):
    assistant.settings.generation.sentence_margin = 0.0  # the best sentence alone
    generator.checks.append(1.5)
    events = list(assistant.stream(NICE_Q, mode="extractive"))
    assert [type(e) for e in events] == [Passages, Draft, Final]
    draft, answer = events[1].answer, events[2].answer
    assert not answer.abstained and answer.answer == draft.answer and answer.answer_check == 1.5
    assert answer.to_dict()["answer_check"] == 1.5 and answer.timings["ttft_ms"] <= answer.timings["total_ms"]
    check = next(h for h in generator.history if h.get("yes_no"))
    assert NICE_Q in check["messages"][1]["content"]
    assert draft.sentences[0].text in check["messages"][1]["content"]
    assert check["messages"][0]["content"] == assistant.prompts.render("check_system", "ar")  # the question's language


def test_extractive_answer_quotes_a_close_runner_up_but_checks_the_best_sentence(assistant, generator):
    assistant.settings.generation.sentence_margin = 10.0  # any runner-up is close enough
    generator.checks.append(2.0)
    answer = assistant.ask(NICE_Q, mode="extractive")
    quoted = " ".join(p.text for p in answer.passages)
    checked = generator.history[-1]["messages"][1]["content"]
    assert not answer.abstained and answer.answer_check == 2.0
    assert len(answer.citations()) in (1, 2) and len(quoted) > 0
    best, runner_up = sorted(score_sentences(NICE_Q, assistant.retrieve(NICE_Q), assistant.weights,
                                             assistant.sentence_similarity), key=lambda s: -s.score)[:2]
    assert best.text in quoted and runner_up.text in quoted
    assert best.text in checked and runner_up.text not in checked


def test_extractive_answer_the_model_rejects_becomes_an_abstention(assistant, generator):
    assistant.settings.grounding.min_answer_score = 0.0
    generator.checks.append(-0.4)
    answer = assistant.ask("ما اسم منفذ اعتداء نيس؟", mode="extractive")
    assert answer.abstained and answer.answer == "لا تذكر المصادر ذلك." and answer.citations() == []
    assert answer.passages and answer.answer_check == -0.4  # the closest passages are still shown
    assert any("does not state the answer" in n for n in answer.notices)
    generator.checks.append(-0.4)
    english = assistant.ask("Who drove the truck in Nice?", mode="extractive")
    assert english.abstained and english.answer == "The sources do not say."
    assert generator.history[-1]["messages"][0]["content"] == assistant.prompts.render("check_system", "ar")


def test_question_coverage_of_the_best_passage_moves_the_check_score(assistant, generator):
    """With coverage on, a passage lacking the question's words needs a surer yes from the model;
    English questions (no words shared with the Arabic passages) are judged by the model alone.
    """
    g = assistant.settings.grounding
    g.coverage_weight, g.min_answer_score = 4.0, 0.45
    g.min_uncopied_check = None  # the canned model copies nothing; coverage alone is tested here
    generator.checks.extend([1.0, 1.0, 1.0, 1.0])
    injured = "كم عدد الجرحى في هجمات باريس؟"
    low = assistant.ask(injured, mode="extractive").check.coverage
    g.coverage_neutral = low + 0.15  # a neutral point between the two passages' coverage
    covered = assistant.ask(NICE_Q, mode="extractive")
    assert not covered.abstained and covered.check.coverage > low + 0.15 and covered.check.score > 1.0
    uncovered = assistant.ask(injured, mode="extractive")
    assert uncovered.check.model == 1.0 and uncovered.check.coverage == low
    assert uncovered.abstained and uncovered.check.score < 0.45
    assert any("does not contain" in n and "الجرحى" in n for n in uncovered.notices)  # says why
    assert uncovered.to_dict()["answer_score"] == uncovered.check.score
    english = assistant.ask("How many people were injured in Paris?", mode="extractive")
    assert english.check.coverage is None and english.check.score == 1.0 and not english.abstained
    assert english.to_dict()["question_coverage"] is None


def test_extractive_answer_without_a_model_says_it_is_unchecked(built, embedder):
    from rag.factory import make_assistant

    settings, index = built
    answer = make_assistant(settings, index, embedder, None).ask(NICE_Q, mode="extractive")
    assert not answer.abstained and answer.answer_check is None
    assert any("not checked" in n for n in answer.notices)


def test_streaming_yields_passages_tokens_then_answer(assistant, generator):
    generator.enqueue("لا تذكر المصادر ذلك.")
    kinds = [type(e) for e in assistant.stream(NICE_Q)]
    assert kinds[:2] == [Passages, Draft] and kinds[-1] is Final and Token in kinds


@pytest.mark.parametrize("question", ["", "   ", "؟؟!!", "\u202e\u200f"])
def test_empty_questions_get_a_clear_error(assistant, question):
    with pytest.raises(QuestionError, match="Please type a question"):
        assistant.ask(question)


def test_huge_question_is_truncated_with_a_notice(assistant, generator):
    generator.enqueue("لا تذكر المصادر ذلك.")
    answer = assistant.ask("نيس " * 50_000)
    assert len(answer.question) <= assistant.settings.generation.max_question_chars
    assert any("truncated" in n for n in answer.notices)


def test_context_respects_the_token_budget(assistant, generator):
    generator.enqueue("لا تذكر المصادر ذلك.")
    answer = assistant.ask(NICE_Q, context_tokens=60)
    assert sum(len(p.text) // 3 for p in answer.passages) <= 60 + 40  # one sentence may exceed alone
    for p in answer.passages:
        assert assistant.retriever.index.article(p.chunk.source).text[p.start : p.end] == p.text


def test_answer_not_resting_on_the_best_passage_falls_back_to_its_sentence(assistant, generator):
    assistant.settings.grounding.check_before_writing = False  # the model reads the 400-token context
    passages = next(iter(assistant.stream(NICE_Q, context_tokens=400))).passages
    others = [p for p in passages if p.chunk.source != passages[0].chunk.source]
    assert others
    # A verified claim from another article than the best sentence's: shown as that sentence instead.
    other = others[0]
    claim = " ".join(other.text.split()[:8])
    generator.enqueue(f"{claim} [{other.n}].")
    answer = assistant.ask(NICE_Q, context_tokens=400)
    assert answer.mode == "generative" and answer.quoted and not answer.abstained
    assert answer.passages[0].chunk.source == passages[0].chunk.source
    assert any("most relevant article" in n for n in answer.notices)


def test_weak_retrieval_abstains_without_generating(assistant, generator):
    assistant.settings.grounding.min_retrieval_score = 1.01  # nothing can be that close
    answer = assistant.ask(NICE_Q)
    assert answer.abstained and generator.history == []


def test_auto_mode_quotes_arabic_sources_and_writes_in_other_languages(assistant, generator):
    assistant.settings.generation.mode = "auto"
    assert assistant.ask(NICE_Q).mode == "extractive"
    generator.enqueue("The sources do not say.")
    generator.checks = [-3.0]
    english = assistant.ask("How many people died in the Nice attack?")
    assert english.mode == "generative" and english.answer == "The sources do not say."


def test_coverage_is_measured_over_the_best_sentences_paragraph():
    from rag.answering.checking import paragraph_of
    from rag.chunking import Chunk
    from rag.context import ScoredSentence
    from rag.retrieval import Hit

    text = "عنوان الخبر\n\nقتل 84 شخصا في اعتداء نيس. وفتحت الشرطة تحقيقا.\nفقرة أخرى عن باريس."
    chunk = Chunk("a#0", "a", "t", 100, 100 + len(text), text)
    start = text.index("وفتحت")
    sentence = ScoredSentence(1, Hit(chunk, 1, 1, 0), 2, 100 + start, 100 + start + len("وفتحت الشرطة تحقيقا."),
                              "وفتحت الشرطة تحقيقا.", 1.0)
    assert paragraph_of(sentence) == "قتل 84 شخصا في اعتداء نيس. وفتحت الشرطة تحقيقا."
