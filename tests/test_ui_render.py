"""The chat's rendering, without a browser: escaped text, citation links, bilingual labels."""

from rag.answering import Answer
from rag.answering.direct import DirectAnswer
from rag.chunking import Chunk
from rag.citations import AnswerSentence
from rag.context import Passage
from rag.ui.labels import LABELS, label
from rag.ui.render import render_answer_markdown, render_draft, render_timings

CHUNK = Chunk("002_x#1", "002_x", "<i>Nice</i>", 10, 40, "قتل 84 شخصاً في اعتداء نيس <b>.</b>")
PASSAGE = Passage(1, CHUNK, 10, 40, CHUNK.text, 1.2, 0.9)


def answer(**changes) -> Answer:
    fields = dict(question="كم شخصاً قتل في اعتداء نيس؟", language="ar", mode="extractive",
                  answer="قتل 84 شخصاً في اعتداء نيس <b>. [1]", raw_answer="", abstained=False,
                  sentences=[AnswerSentence("قتل 84", [1], supported=True, support=1.0),
                             AnswerSentence("<script>x</script>", [], supported=False)],
                  passages=[PASSAGE], hits=[], timings={"retrieve_ms": 12.0, "ttft_ms": 300.0, "total_ms": 1500.0},
                  notices=["ℹ a <notice>"], quoted=True)
    fields.update(changes)
    return Answer(**fields)


def test_answer_links_citations_and_escapes_everything():
    html = render_answer_markdown(answer())
    assert html.startswith('<div dir="rtl">')
    assert 'href="#cite-002_x#1|10|40">[1]</a>' in html
    assert "<b>" not in html and "<script>" not in html and "<i>" not in html and "<notice>" not in html
    assert label("unsupported", "ar") in html


def test_abstention_shows_the_closest_passages_label_in_the_questions_language():
    html = render_answer_markdown(answer(abstained=True, answer="The sources do not say.", language="en",
                                         question="How many died?"))
    assert '<div dir="ltr">' in html and "Closest passages:" in html


def test_a_passage_other_outlets_ran_too_names_them_in_the_questions_language():
    also = (Chunk("okaz_1#0", "okaz_1", "عنوان", 0, 9, "قتل 84 شخصاً", "okaz", "2016-07-15"),)
    html = render_answer_markdown(answer(passages=[Passage(1, CHUNK, 10, 40, CHUNK.text, 1.2, 0.9, also)]))
    assert label("also_in", "ar") in html and "okaz" in html and "2016-07-15" in html
    assert label("also_in", "ar") not in render_answer_markdown(answer())


def test_draft_and_timings():
    assert render_draft(answer(), label("checking", "en")).endswith("answers the question…</small></p>")
    assert render_timings(answer()) == "✅ retrieve 12 ms · first token 0.3 s · total 1.5 s"


def test_every_label_has_arabic_and_english():
    for key, (arabic, english) in LABELS.items():
        assert arabic != english and label(key, "ar", n=3) and label(key, "en", n=3)


def test_user_text_is_shown_as_typed():
    from rag.ui.render import render_user_text

    shown = render_user_text("<img src=x onerror=alert(1)> كم شخصاً قتل في نيس؟\n**bold**")
    assert "<img" not in shown and "&lt;img src=x onerror=alert(1)&gt;" in shown
    assert 'dir="rtl"' in shown and "<br>**bold**" in shown


def test_an_english_direct_answer_shows_the_name_with_its_source_spelling():
    direct = DirectAnswer("نيس", 1, 34, 37, "Nice")
    html = render_answer_markdown(answer(question="Where was the attack?", language="en", direct=direct,
                                         answer="It was in Nice (نيس) [1]."))
    assert '<p class="direct-answer"><b>Nice (نيس)</b>' in html and "<mark>نيس</mark>" in html


def test_the_chat_reads_the_check_and_the_english_writer_prompts_at_start(settings):
    from rag.prompting import Prompts
    from rag.ui.services import first_read_prompts

    prompts = Prompts(settings.prompts_dir)
    auto = settings.with_overrides({"generation.mode": "auto"})
    check, writer = first_read_prompts(auto, prompts)  # Arabic questions checked, English ones written
    assert check == prompts.render("check_system", "ar") and writer.startswith("You assist")
    one_cache = auto.with_overrides({"models.prompt_caches": 1})
    assert first_read_prompts(one_cache, prompts) == [check]  # a second prompt would evict the first
    assert first_read_prompts(auto.with_overrides({"generation.mode": "extractive"}), prompts) == [check]
    writer_ar = prompts.render("answer_checked_system", "ar")
    assert first_read_prompts(settings, prompts) == [writer_ar]  # generative: the writer alone, as before
    unchecked = settings.with_overrides({"grounding.check_before_writing": False})
    assert first_read_prompts(unchecked, prompts) == [prompts.render("answer_system", "ar", abstain="لا تذكر المصادر ذلك.")]
