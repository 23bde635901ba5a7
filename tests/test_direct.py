"""The direct answer: a run of the checked sentence's words, found word for word, adding to the question."""

from rag.answering.direct import (
    answer_span,
    closed,
    counted,
    counted_in_dual,
    dated_count,
    evidence,
    full_name,
    locate,
    name_after,
    number_in,
    titled_otherwise,
    trimmed,
    whole_numbers,
    with_counted_noun,
    with_noun,
)
from rag.answering.glossing import gloss_names, glossed, said_in, sounds_alike, spelt_alike
from rag.asking import answer_kind
from rag.chunking import Chunk
from rag.context import Passage, ScoredSentence
from rag.copying import WordRuns, copy_grammar, first_words
from rag.retrieval import Hit
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


def test_the_question_own_words_are_trimmed_from_the_edges_and_alone_are_no_answer():
    sentence = "وقالت وزيرة الداخلية تيريسا ماي إن"
    start, end = trimmed(sentence, (6, len(sentence)), "من هي وزيرة الداخلية البريطانية؟")
    assert sentence[start:end] == "تيريسا ماي"
    assert trimmed(SENTENCE, locate("اعتداء نيس", SENTENCE), NICE_Q) is None


def test_the_copy_grammar_allows_only_runs_of_the_sentence_words():
    grammar = copy_grammar('قال "ماي" 9 أيام')
    assert grammar.splitlines()[0] == "root ::= w0 | w1 | w2 | w3"
    assert 'w1 ::= "\\"ماي\\"" (" " w2)?' not in grammar  # quotes are not words
    assert 'w1 ::= "ماي" (" " w2)?' in grammar and 'w3 ::= "أيام"' in grammar


def test_word_runs_allow_what_the_grammar_allows_byte_by_byte():
    runs = WordRuns('قال "ماي" 9 أيام')
    assert runs.allows("ماي 9".encode()) and runs.allows("ماي 9 أ".encode()[:-1])  # inside a character
    assert runs.complete("ماي 9".encode()) and runs.complete("أيام".encode())
    assert not runs.complete("ماي 9 أ".encode()) and not runs.complete(b"")  # a word cut short, nothing
    assert not runs.allows("9 ماي".encode()) and not runs.allows("ماي  9".encode()) and not runs.allows(b" 9")
    assert first_words("قال ماي 9 أيام", 2) == "قال ماي" and first_words("قال", 2) == "قال"
    after_colon = WordRuns('قال "ماي" 9 أيام', lead=" ")  # after a begun "العدد:" the first token brings its space
    assert after_colon.allows(" ماي".encode()) and after_colon.complete(" 9 أيام".encode())
    assert not after_colon.allows("ماي".encode()) and not after_colon.complete(b" ")
    assert copy_grammar("قال ماي", lead=" ").splitlines()[0] == 'root ::= " " (w0 | w1)'


def test_the_model_copy_becomes_the_direct_answer(assistant, generator):
    assistant.settings.generation.sentence_margin = 0.0
    generator.checks.append(2.0)
    generator.replies.append("129 شخصا")  # the question's own word, kept as what the number counts
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


def test_the_reply_is_begun_with_the_kind_of_phrase_asked_for(assistant, generator):
    assert answer_kind(PARIS_Q) == "count"
    generator.checks.append(2.0)
    generator.replies.append("129")
    assistant.ask(PARIS_Q, mode="extractive")
    begun = generator.history[-1]["messages"][-1]  # the check's reply, begun for the model to go on
    assert begun == {"role": "assistant", "content": assistant.prompts.render("direct_count", "ar")}  # the copy brings its space
    check = next(h for h in generator.history if h.get("yes_no"))
    assert check["then"] == begun["content"]  # read by the check's pass, so the copy starts at once


def test_a_question_naming_what_it_asks_for_begins_the_reply_with_that_noun(assistant, generator):
    question = "ما الشعار الذي رفعه المتظاهرون في نيس؟"
    generator.checks.append(2.0)
    generator.replies.append("84")
    assistant.ask(question, mode="extractive")
    begun = generator.history[-1]["messages"][-1]
    assert begun == {"role": "assistant", "content": "نعم. الشعار:"}
    assert next(h for h in generator.history if h.get("yes_no"))["then"] == begun["content"]

def test_a_generator_that_does_not_continue_replies_is_asked_in_a_turn_of_its_own(assistant, generator):
    generator.continues_replies = False  # a model server
    generator.checks.append(2.0)
    generator.replies.append("129")
    answer = assistant.ask(PARIS_Q, mode="extractive")
    said_yes, asked = generator.history[-1]["messages"][-2:]
    assert next(h for h in generator.history if h.get("yes_no"))["then"] == ""
    assert said_yes == {"role": "assistant", "content": "نعم"}
    assert asked == {"role": "user", "content": assistant.prompts.render("direct_user", "ar")}
    assert answer.direct is not None and answer.direct.text == "129 شخصاً"


def test_a_copy_not_in_the_sentence_gives_no_direct_answer(assistant, generator):
    generator.checks.append(2.0)
    generator.replies.append("مئة شخص")
    answer = assistant.ask(PARIS_Q, mode="extractive")
    assert not answer.abstained and answer.direct is None and "<mark>" not in render_answer_markdown(answer)


def test_an_unsure_yes_with_nothing_of_the_asked_kind_copied_abstains(assistant, generator):
    generator.checks.append(0.6)  # passes min_answer_score, under min_uncopied_check
    generator.replies.append("مئة شخص")  # not in the sentence: nothing copied
    answer = assistant.ask(PARIS_Q, mode="extractive")
    assert answer.abstained and answer.direct is None
    assert "found no number in the closest sentence" in " ".join(answer.notices)

    generator.checks.append(0.6)
    generator.replies.append("129")
    answer = assistant.ask(PARIS_Q, mode="extractive")  # the same yes, with the number copied
    assert not answer.abstained and answer.direct is not None and answer.direct.text == "129 شخصاً"


def test_a_negation_stays_with_the_word_it_negates():
    sentence = "وقالت ماي إن الإرهابيين لن ينتصروا، سنتغلب عليهم."
    start, end = trimmed(sentence, locate("الإرهابيين لن ينتصروا", sentence), "ماذا قالت ماي عن الإرهابيين؟")
    assert sentence[start:end] == "لن ينتصروا"


def test_a_negation_or_deputy_title_just_before_the_copy_is_taken_into_it():
    sentence = "وأكد رودس أنه حاليا لا يوجد تهديد حقيقي محدد لهجوم."
    start, end = answer_span("يوجد تهديد حقيقي محدد", sentence, "ماذا قال رودس عن الخطر؟")
    assert sentence[start:end] == "لا يوجد تهديد حقيقي محدد"  # without «لا» it says the opposite
    sentence = "وحضر الاجتماع ونائب وزير الأمن الوطني، أليهاندرو مايوركاس."
    start, end = answer_span("وزير الأمن الوطني", sentence, "ما منصب أليهاندرو مايوركاس؟")
    assert sentence[start:end] == "نائب وزير الأمن الوطني"  # the deputy's post, the و written on it left out
    sentence = "تفقد مساعد المدير العام للتعليم بمنطقة الرياض، فهد الصقيه، المدارس."
    assert answer_span("مساعد المدير العام للتعليم بمنطقة الرياض", sentence, "من المدير العام للتعليم بمنطقة الرياض؟") is None
    sentence = "وقال إن وزير الأمن الوطني سيزور باريس."
    start, end = answer_span("وزير الأمن الوطني", sentence, "من سيزور باريس؟")
    assert sentence[start:end] == "وزير الأمن الوطني"  # nothing to take in


def test_question_words_are_trimmed_with_a_preposition_or_pronoun_written_on():
    sentence = "وأرسلت فرنسا حاملة طائراتها النووية شارل ديغول."
    start, end = answer_span("حاملة طائراتها النووية شارل ديغول", sentence, "ما اسم حاملة الطائرات النووية؟")
    assert sentence[start:end] == "شارل ديغول"
    sentence = "داهمت الشرطة مسجداً بضاحية أرجنتوي."
    start, end = answer_span("بضاحية أرجنتوي", sentence, "في أي ضاحية داهمت الشرطة مسجداً؟")
    assert sentence[start:end] == "أرجنتوي"


def _span_of(sentence: str, phrase: str) -> tuple[int, int]:
    return sentence.index(phrase), sentence.index(phrase) + len(phrase)


def _extended(rule, sentence: str, copy: str, *question: str) -> str:
    """What a span rule (`whole_numbers`, `closed`; with the question, `with_noun`, `counted`,
    `full_name`) makes of the copied phrase's span.
    """
    start, end = rule(sentence, _span_of(sentence, copy), *question)
    return sentence[start:end]


def test_a_number_cut_at_its_decimal_point_or_separator_is_copied_whole():
    sentence = "صوت 32.9٪ من الناخبين، وبلغ النقد 31.8 مليار ريال، والعيار 1,435 مليمتر."
    def span(copy: str) -> str:
        return _extended(whole_numbers, sentence, copy)
    assert span("32") == "32.9٪" and span("31") == "31.8" and span("435 مليمتر") == "1,435 مليمتر"
    assert span("مليار ريال") == "مليار ريال"  # no number cut: unchanged
    assert answer_span("31", sentence, "كم بلغ النقد؟") == (sentence.index("31.8"), sentence.index("31.8") + 4)


def test_a_score_or_slashed_date_is_copied_whole_and_counts_nothing():
    sentence = "وتغلب عليه 3 / 1 مساء الأحد، وخسر 2-0 في أتلانتا، وعاش بين 1185 - 1226، ويبدأ الاستقبال 16/12/1436ه."
    def span(copy: str) -> str:
        return _extended(whole_numbers, sentence, copy)
    assert span("3") == "3 / 1" and span("2") == "2-0" and span("16") == "16/12/1436"
    assert span("1185") == "1185"  # years joined by a dash are a span, one of them asked for
    def dated(copy: str) -> bool:
        return dated_count(sentence, _span_of(sentence, copy), "كم عدد المتفرجين؟")
    assert dated("3 / 1") and dated("16/12/1436ه")
    gregorian = "ويبدأ الاستقبال 16/12/2015 في الرياض."
    assert dated_count(gregorian, _span_of(gregorian, "16/12/2015"), "كم عدد المتفرجين؟")  # 2015 counts nothing
    season = "دعت المديرية المزارعين لموسم 1436ه، وأقام الهلال الأحمر عام 1436هـ (158) دورة."
    assert dated_count(season, _span_of(season, "1436ه"), "كم طنا من التمور خصصت؟")
    assert not dated_count(season, _span_of(season, "1436هـ (158) دورة"), "كم دورة أقام؟")  # 158 counts


def test_a_count_copied_from_a_list_is_the_item_the_question_names():
    sentence = ("ضبطت الحملات (267) مخالفة لقرار منع العمل، بواقع (140) مخالفة في محافظة الخبر و(82) مخالفة "
                "بمحافظة الأحساء و(3) مخالفات بمحافظة القطيف, وقد تمت إحالة جميع المخالفات.")
    def answer(copy: str, question: str) -> str:
        start, end = answer_span(copy, sentence, question)
        return sentence[start:end]
    assert answer("82", "كم مخالفة ضبطت في محافظة الخبر؟") == "(140) مخالفة"
    assert answer("140", "كم مخالفة ضبطت في القطيف؟") == "(3) مخالفات"
    assert answer("82", "كم مخالفة ضبطت في الأحساء؟") == "(82) مخالفة"  # already the item asked
    assert answer("267", "كم مخالفة لقرار منع العمل ضبطت؟") == "(267) مخالفة"  # the total is no item of the list
    assert answer("82", "كم مخالفة ضبطت في الجبيل؟") == "(82) مخالفة"  # no item names it: left as copied
    joined = "سجلت 300 حالة في مكة، و1,200 حالة في الرياض."
    assert answer_span("300", joined, "كم حالة سجلت في الرياض؟") == (joined.index("1,200"), joined.index(" في الرياض"))
    placed_first = "وفي الخبر 140 مخالفة، وفي الأحساء 82 مخالفة."  # items that end at their number: not read
    assert answer_span("82", placed_first, "كم مخالفة ضبطت في الخبر؟") == _span_of(placed_first, "82 مخالفة")


def test_the_counted_noun_in_the_dual_answers_how_many():
    sentence = "لدى فرنسا ضابطين كبيرين في مركز القيادة، وأضرم العمال النار في دوريتين أمنيتين."
    def answer(question: str) -> str | None:
        span = counted_in_dual(sentence, question)
        return span and sentence[span[0] : span[1]]
    assert answer("كم ضابطاً فرنسياً كبيراً يعمل في مركز القيادة؟") == "ضابطين"
    assert answer("كم دورية أمنية تهجم عليها العمال؟") == "دوريتين"
    assert answer("كم عدد الضباط الفرنسيين؟") is None  # a plural after عدد: no dual to look for
    assert answer("كم شخصاً قتل في الهجوم؟") is None and answer("من أضرم النار؟") is None


def test_a_hashtag_holding_a_word_of_the_question_still_answers_it():
    sentence = "انتشر في تويتر هاشتاق بعنوان: #قاطعوا_النمسا!"
    start, end = answer_span("قاطعوا_النمسا", sentence, "ما الهاشتاق الذي انتشر في تويتر ضد النمسا؟")
    assert sentence[start:end] == "قاطعوا_النمسا"
    assert answer_span("تويتر", sentence, "ما الهاشتاق الذي انتشر في تويتر ضد النمسا؟") is None


def test_a_bracket_or_quote_mark_cut_at_the_edge_is_taken_in():
    sentence = 'هناك عدو رئيسي هو (تنظيم الدولة) داعش، واختار مدرسة «نايستايلز» وقيمته (84.540.000) ريال و"النموذجية" هنا.'
    def span(copy: str) -> str:
        return _extended(closed, sentence, copy)
    assert span("تنظيم الدولة) داعش") == "(تنظيم الدولة) داعش"
    assert span("مدرسة «نايستايلز") == "مدرسة «نايستايلز»"
    assert span("84.540.000) ريال") == "(84.540.000) ريال"
    assert span('النموذجية" هنا') == '"النموذجية" هنا'
    spaced = "حددت اللجنة الدوائر بـ ( 343 ) دائرة , وسمت «الرياض » أولاها."
    assert _extended(closed, spaced, "343 ) دائرة") == "( 343 ) دائرة"
    assert _extended(closed, spaced, "«الرياض") == "«الرياض »"
    assert span("تنظيم الدولة") == "تنظيم الدولة" and span("عدو رئيسي هو (تنظيم") == "عدو رئيسي هو (تنظيم"  # nothing adjacent to close
    assert answer_span("تنظيم الدولة) داعش", sentence, "ما هو العدو الرئيسي؟") == (
        sentence.index("(تنظيم"), sentence.index("داعش") + len("داعش"))


def test_a_name_under_the_same_title_of_another_country_is_not_the_answer():
    sentence = "التقى وزير الدفاع الفرنسي جان إيف لودريان نظيره الروسي سيرغي شويغو في موسكو."
    def span_of(phrase: str) -> tuple[int, int]:
        return _span_of(sentence, phrase)
    russian = "مَن هو وزيرُ الدفاعِ الروسيّ؟"
    assert titled_otherwise(sentence, span_of("جان إيف لودريان"), russian)
    assert titled_otherwise(sentence, span_of("الفرنسي جان إيف"), russian)
    assert not titled_otherwise(sentence, span_of("جان إيف لودريان"), "من هو وزير الدفاع الفرنسي؟")
    assert not titled_otherwise(sentence, span_of("سيرغي شويغو"), russian)  # after "نظيره الروسي"
    assert not titled_otherwise(sentence, span_of("جان إيف لودريان"), "من التقى شويغو في موسكو؟")  # no title asked
    called = "دعا وزير الداخلية الفرنسي برنار كازينوف إلى الاجتماع."
    assert not titled_otherwise(called, (called.index("برنار"), called.index(" إلى")),
                                "من دعا إلى الاجتماع الوزاري الدولي في باريس؟")  # its adjectives qualify other words


def test_a_when_answer_ends_with_its_date():
    sentence = "وعقد الاجتماع في باريس في 11 كانون الثاني/يناير لمناقشة الأمن، بعد لقاء 26 نونبر الماضي."
    start, end = answer_span("11 كانون الثاني يناير لمناقشة", sentence, "متى عقد الاجتماع في باريس؟")
    assert sentence[start:end] == "11 كانون الثاني/يناير"
    start, end = answer_span("26 نونبر الماضي", sentence, "متى كان اللقاء؟")
    assert sentence[start:end] == "26 نونبر الماضي"  # a relative word is part of the date
    start, end = answer_span("26 نونبر", sentence, "في أي يوم من نونبر كان اللقاء؟")
    assert sentence[start:end] == "26 نونبر"  # the month stays with its day, though the question says it
    start, end = answer_span("الأمن", sentence, "ماذا ناقش الاجتماع؟")
    assert sentence[start:end] == "الأمن"  # not a when-question: left as copied

def test_a_who_question_copied_as_its_title_gets_the_name_after_it():
    sentence = "أعلن وزير الدفاع الفرنسي جان إيف لودريان أول أمس الاثنين في موسكو أن روسيا وفرنسا عازمتان."
    question = "من هو وزير الدفاع الفرنسي الذي زار موسكو؟"
    copied = locate("وزير الدفاع الفرنسي", sentence)
    assert trimmed(sentence, copied, question) is None  # only the question's words
    start, end = name_after(sentence, copied, question)
    assert sentence[start:end] == "جان إيف لودريان"  # three words at most
    sentence = "وأبلغ المبعوث الأمريكي لدى التحالف بريت ماكغورك الاجتماع بأن تحرير الموصل في متناول اليد."
    start, end = name_after(sentence, locate("المبعوث الأمريكي لدى التحالف", sentence), "من هو المبعوث الأمريكي؟")
    assert sentence[start:end] == "بريت ماكغورك"  # the noun with the article after the name is not in it
    assert name_after(sentence, copied, "ما الذي أبلغه المبعوث؟") is None  # not a who-question


def test_a_who_question_copy_running_past_the_name_gives_the_name_after_the_title():
    sentence = "وأبلغ المبعوث الأمريكي لدى التحالف بريت ماكغورك الاجتماع بأن تحرير الموصل هو الآن في متناول اليد."
    written = "المبعوث الأمريكي لدى التحالف بريت ماكغورك الاجتماع بأن تحرير الموصل هو الآن في متناول اليد"
    start, end = answer_span(written, sentence, "من هو المبعوث الأمريكي لدى التحالف الدولي؟")
    assert sentence[start:end] == "بريت ماكغورك"
    assert answer_span(written, sentence, "ما الذي أبلغه المبعوث الأمريكي للاجتماع؟") is None  # too long to be an answer
    start, end = answer_span("تحرير الموصل", sentence, "ما الذي أبلغه المبعوث الأمريكي للاجتماع؟")
    assert sentence[start:end] == "تحرير الموصل"


def test_english_questions_that_a_number_answers_take_the_copied_span_number():
    sentence = "أوقع الاعتداء 84 قتيلا وإصابة المئات في 14 تموز."
    start, end = number_in(sentence, locate("84 قتيلا", sentence))
    assert sentence[start:end] == "84"
    assert number_in(sentence, locate("المئات", sentence)) is None  # no digits: nothing reads the same in English
    assert number_in(sentence, (0, len(sentence))) is None  # two numbers: which one is not for us to guess


def _english_turn(question: str, sentence: str, offset: int = 200):
    from rag.answering.turn import Turn
    from rag.chunking import Chunk
    from rag.context import ScoredSentence
    from rag.retrieval import Hit

    chunk = Chunk("a#0", "a", "", offset, offset + len(sentence), sentence)
    chosen = [ScoredSentence(0, Hit(chunk, 1.0, 0.9, 1.0), 0, offset, offset + len(sentence), sentence, 1.0)]
    return Turn(question, "en", "generative", [], 0.0, "", chosen=chosen)


def test_an_english_name_question_takes_the_name_written_with_its_source_spelling():
    from rag.citations import AnswerSentence

    sentence = "وقال رئيس الوزراء البريطاني ديفيد كاميرون إن فرنسا شريك."
    turn = _english_turn("Who is the British prime minister who spoke about France?", sentence)
    written = [AnswerSentence("Prime Minister David Cameron (ديفيد كاميرون) spoke of France (فرنسا).", [1], supported=True)]
    d = glossed(turn, written)
    assert (d.text, d.rendering, d.shown) == ("ديفيد كاميرون", "David Cameron", "David Cameron (ديفيد كاميرون)")
    assert sentence[d.start - 200 : d.end - 200] == d.text and d.n == 1  # a span of the checked sentence
    asked_about = [AnswerSentence("France (فرنسا) heard David Cameron (ديفيد كاميرون).", [1], supported=True)]
    assert glossed(turn, asked_about).rendering == "David Cameron"  # the name the question gives is not its answer


def test_a_name_the_source_spells_as_the_answer_does_is_shown_once():
    from rag.answering.direct import DirectAnswer

    assert DirectAnswer("FBI", 1, 0, 3, "FBI").shown == "FBI"
    assert DirectAnswer("fbi", 1, 0, 3, "FBI").shown == "fbi"
    assert DirectAnswer("نيس", 1, 0, 3, "Nice").shown == "Nice (نيس)"


def test_no_glossed_name_without_a_verified_spelling_in_the_checked_sentence():
    from rag.citations import AnswerSentence

    sentence = "وقال رئيس الوزراء البريطاني ديفيد كاميرون إن فرنسا شريك."
    turn = _english_turn("Who is the British prime minister?", sentence)
    assert glossed(turn, [AnswerSentence("It was David Camron (ديفيد كامرون).", [1], supported=True)]) is None  # misspelt
    assert glossed(turn, [AnswerSentence("David Cameron (ديفيد كاميرون).", [1], supported=False)]) is None  # unverified
    what = _english_turn("What did the prime minister say?", sentence)
    assert glossed(what, [AnswerSentence("David Cameron (ديفيد كاميرون) said so.", [1], supported=True)]) is None


def test_a_rendered_name_must_agree_with_the_verified_answer(assistant, generator):
    from rag.answering.glossing import rendered
    from rag.citations import AnswerSentence

    sentence = "وترأس رئيس الوزراء ديفيد كاميرون اجتماع الأزمة."
    turn = _english_turn("Who chaired the crisis meeting?", sentence)
    for written, expected in (("David Cameron chaired it [1].", "ديفيد كاميرون"), ("Theresa May chaired it [1].", None)):
        generator.enqueue("ديفيد كاميرون", "David Cameron")
        found = rendered(assistant, turn, [AnswerSentence(written, [1], supported=True)])
        assert (found and found.text) == expected  # another name verified: the reader would see two answers


def test_an_english_spelling_must_sound_like_the_arabic_name():
    assert spelt_alike("Manuel Valls", "مانويل فالس") and spelt_alike("Jean-Yves Le Drian", "جان إيف لودريان")
    assert spelt_alike("Hamza Abu al-Souf", "حمزة ابو الصوف") and spelt_alike("Charles de Gaulle", "شارل ديغول")
    assert not spelt_alike("Manuel Serrano", "مانويل فالس")  # another name
    assert not spelt_alike("James K. Allbritton", "جيمس كلابر") and not spelt_alike("Paris", "فرنسا")
    assert not spelt_alike("", "فرنسا") and not spelt_alike("Paris", "")


def test_a_name_is_said_in_a_text_that_spells_it_in_one_to_three_words():
    assert said_in("Which two strongholds did Kerry say it was only a matter of time?", "كيري")
    assert said_in("Which countries is the British police coordinating with?", "بريطانية")
    assert said_in("It was chaired by Prime Minister David Cameron [1].", "ديفيد كاميرون")
    assert not said_in("Theresa May chaired the meeting [1].", "ديفيد كاميرون") and not said_in("", "كيري")


def _sentence(source: str, text: str) -> ScoredSentence:
    return ScoredSentence(1, Hit(Chunk(f"{source}#0", source, "t", 0, len(text), text), 0.1, 0.9, 1.0),
                          0, 0, len(text), text, 1.0)


def test_the_evidence_under_a_direct_answer_is_what_supports_it():
    checked = _sentence("nice", SENTENCE)
    same_article = _sentence("nice", "وفتحت النيابة تحقيقا في الاعتداء.")
    elsewhere_with = _sentence("wire", "قتل 84 شخصاً في نيس.")  # the same news from another outlet
    elsewhere_without = _sentence("paris", "قتل 129 شخصاً في هجمات باريس.")
    chosen = [checked, same_article, elsewhere_with, elsewhere_without]
    assert evidence(chosen, "84") == [checked, same_article, elsewhere_with]


def _passage(n: int, text: str) -> Passage:
    return Passage(n, Chunk(f"a#{n}", "a", "", 0, len(text), text), 0, len(text), text, 1.0, 0.9)


def test_names_an_english_answer_writes_get_the_spelling_of_the_passage_they_cite():
    from rag.citations import AnswerSentence

    passages = [_passage(1, "وأوضح رودس أن الاعتداءات في باريس تحمل بصمات داعش، وقال جون كيري إن فرنسا شريك."),
                _passage(2, "قال رئيس الوزراء إن لندن مستعدة.")]
    sentences = [AnswerSentence("According to Ben Rhodes, the Paris attacks bear ISIS's mark.", [1], supported=True),
                 AnswerSentence("Kerry (جون كيري) called France a partner.", [1], supported=True),
                 AnswerSentence("Paris was not named in London.", [2], supported=True),
                 AnswerSentence("Paris fell.", [1], supported=False)]
    texts = [s.text for s in gloss_names(sentences, passages)]
    assert texts[0] == "According to Ben Rhodes (رودس), the Paris (باريس) attacks bear ISIS's mark."
    assert texts[1] == "Kerry (جون كيري) called France (فرنسا) a partner."  # the model's own gloss, in the passage
    assert texts[2] == "Paris was not named in London (لندن)."  # only the cited passage is read; رئيس is not Paris
    assert texts[3] == "Paris fell."  # an unsupported sentence is not shown
    goals = [_passage(1, "وانتهى الشوط الأول بتقدم الأهلي بنتيجة 2-صفر سجلها سلمان المؤشر وأسامه هوساوي.")]
    misspelt = [AnswerSentence("Salaman Mo'asher (سليمان موasher) scored the first goal.", [1], supported=True),
                AnswerSentence("Salman (سليمان) scored the first goal.", [1], supported=True)]
    # A spelling the passage does not hold gives way to the passage's own.
    assert [s.text for s in gloss_names(misspelt, goals)] == [
        "Salaman Mo'asher (سلمان المؤشر) scored the first goal.", "Salman (سلمان) scored the first goal."]
    translated = [AnswerSentence("The Islamic State met in the Gulf of Syria.", [1], supported=True)]
    syria = [_passage(1, "قالت السلطات إن الدولة الإسلامية اجتمعت في سوريا.")]
    assert gloss_names(translated, syria)[0].text == "The Islamic State met in the Gulf of Syria (سوريا)."


def test_a_source_spelling_must_sound_like_the_english_name_vowels_included():
    assert sounds_alike("Syria", "سوريا") and sounds_alike("Mosul", "الموصل") and sounds_alike("Nice", "نيس")
    assert not sounds_alike("Syria", "وأشار") and not sounds_alike("Syria", "وزيرة") and not sounds_alike("British", "باريس")
    assert sounds_alike("Raqqa", "والرقة") > sounds_alike("Raqqa", "بالعراق")  # ع is written, as in Iraq
    assert not sounds_alike("Paris", "رئيس") and not sounds_alike("Manuel Serrano", "مانويل فالس")


def test_an_adjective_answer_keeps_the_noun_asked_for_before_it():
    sentence = "قررت فرنسا اللجوء إلى المادة الخامسة من المعاهدة، ونشر باللغة الفرنسية على قناة الجزيرة."
    def span(copy: str, question: str) -> str:
        return _extended(with_noun, sentence, copy, question)
    assert span("الخامسة", "أي مادة من المعاهدة قررت فرنسا اللجوء إليها؟") == "المادة الخامسة"
    assert span("الخامسة", "ما الذي قررته فرنسا؟") == "الخامسة"  # no noun asked
    assert span("الفرنسية", "بأي لغة نشر؟") == "الفرنسية"  # the noun carries a preposition
    assert span("الجزيرة", "على أي قناة نشر؟") == "الجزيرة"  # no article on the noun: a name, not an adjective
    start, end = answer_span("الخامسة من المعاهدة", sentence, "أي مادة من المعاهدة قررت فرنسا اللجوء إليها؟")
    assert sentence[start:end] == "المادة الخامسة"


def test_a_count_ends_at_its_number_and_the_word_it_counts():
    sentence = "وفرت الخدمة قرابة 50 سيارة تسهم في نقل الزوار، وجمعت (20) عشرين مليون ريال بهدف الوقف، وارتفعت 25 في المئة عن العام."
    def span(copy: str, question: str = "كم سيارة وفرت الخدمة؟") -> str:
        return _extended(counted, sentence, copy, question)
    assert span("قرابة 50 سيارة تسهم في نقل الزوار") == "قرابة 50 سيارة"
    assert span("(20) عشرين مليون ريال بهدف الوقف") == "(20) عشرين مليون ريال"
    assert span("25 في المئة عن العام") == "25 في المئة"
    assert span("تسهم في نقل الزوار") == "تسهم في نقل الزوار"  # no number: left to the kind check
    assert span("50 سيارة تسهم في نقل الزوار", "ما الذي وفرته الخدمة؟") == "50 سيارة تسهم في نقل الزوار"  # not how many


def test_a_count_keeps_the_noun_the_question_counts():
    sentence = "وتضم المرحلة الأولى (14) قاعة عرض، ورممت 12 عربة قطار، وزارها 300 ألف زائر."
    def span(copy: str, question: str) -> str:
        return _extended(with_counted_noun, sentence, copy, question)
    assert span("14", "كم قاعة تضم المرحلة الأولى؟") == "14) قاعة"  # `closed` then takes in the bracket
    assert span("12", "كم عربة قطار رممت؟") == "12 عربة"
    assert span("300 ألف", "كم زائراً زار المتحف؟") == "300 ألف زائر"
    assert span("12", "كم قاعة رممت؟") == "12"  # another noun follows: not the one counted
    assert span("12", "كم عدد العربات؟") == "12"  # "كم عدد" names no singular noun
    start, end = answer_span("14", sentence, "كم قاعة تضم المرحلة الأولى؟")
    assert sentence[start:end] == "(14) قاعة"


def test_a_distance_keeps_its_unit_though_it_spells_how_many():
    sentence = "يمتد الطريق إلى مسافة تزيد على 120 كم باتجاه واحد."
    start, end = answer_span("120 كم", sentence, "كم يمتد الطريق؟")
    assert sentence[start:end] == "120 كم"


def test_a_day_of_the_month_is_no_count():
    sentence = "تقام المباراة في الـ(30) من شهر شوال، ويشارك فيها 22 لاعباً في 13 نونبر."
    def dated(number: str) -> bool:
        return dated_count(sentence, _span_of(sentence, number), "كم لاعباً يشارك في المباراة؟")
    assert dated("30") and dated("13")
    year = "بدأت الأزمة في شهر مارس (آذار) 2011 قبل أربع سنوات."
    assert dated_count(year, _span_of(year, "2011"), "منذ كم سنة بدأت الأزمة؟")
    race = "يدرس الترشح في انتخابات الرئاسة الأمريكية عام .2016"
    assert dated_count(race, _span_of(race, "2016"), "كم عمر بايدن؟")
    assert not dated("22")
    assert not dated_count(sentence, _span_of(sentence, "13"), "متى تقام المباراة؟")  # a date answers when


def test_a_first_name_copied_after_the_title_asked_about_gets_its_surname():
    sentence = "اجتمعوا مع رئيس الوزراء الفرنسي مانويل فالس والرئيس فرانسوا أولاند، ودعا الوزير برنار كازينوف وعقد الاجتماع."
    def name(copy: str, question: str) -> str:
        return _extended(full_name, sentence, copy, question)
    assert name("مانويل", "من هو رئيس الوزراء الفرنسي؟") == "مانويل فالس"
    assert name("فالس", "من هو رئيس الوزراء الفرنسي؟") == "فالس"  # not right after the title
    assert name("مانويل فالس", "من هو رئيس الوزراء الفرنسي؟") == "مانويل فالس"  # more than one word copied
    assert name("كازينوف", "من هو الوزير؟") == "كازينوف"  # the next word carries the conjunction
    assert name("مانويل", "ما اسم رئيس الوزراء الفرنسي؟") == "مانويل"  # a who-question only


def test_one_word_after_a_copied_title_is_no_name():
    sentence = "وأضاف البيان أن السيناتورة الأمريكية شددت على ضرورة التعاون."
    assert answer_span("السيناتورة الأمريكية", sentence, "من هي السيناتورة الأمريكية التي دعت إلى التعاون؟") is None


def test_ali_before_a_name_is_the_name_not_the_preposition():
    sentence = "من جانبه أبان مسؤول «خدمة كريم» بالفعاليات علي القحطاني أنه تم توفير السيارات، وسيطرت على المنطقة."
    question = "من هو مسؤول خدمة كريم في الفعاليات؟"
    start, end = answer_span("مسؤول خدمة كريم بالفعاليات علي القحطاني", sentence, question)
    assert sentence[start:end] == "علي القحطاني"
    start, end = answer_span("على المنطقة", sentence, "من سيطر؟")  # spelt with ى: the preposition
    assert sentence[start:end] == "المنطقة"


def test_a_copy_ending_with_the_title_asked_about_gives_the_name_after_it():
    sentence = "أكد مدير العلاقات العامة والإعلام المتحدث الرسمي بأمانة منطقة الرياض إبراهيم بن حمد الدعيلج عدم قبول ما حدث."
    question = "من هو المتحدث الرسمي باسم أمانة منطقة الرياض؟"
    start, end = answer_span("مدير العلاقات العامة والإعلام المتحدث الرسمي بأمانة منطقة الرياض", sentence, question)
    assert sentence[start:end] == "إبراهيم بن حمد الدعيلج"  # a lineage, ended by the family name


def test_a_copy_running_from_the_title_asked_about_to_a_name_gives_the_name():
    sentence = "وقال رئيس الخبراء الاقتصاديين لمنطقة الشرق الأوسط في البنك الدولي، شانتا ديفيرجان، إن الأسعار ستنخفض."
    question = "من هو كبير الاقتصاديين لمنطقة الشرق الأوسط في البنك الدولي؟"
    start, end = answer_span("رئيس الخبراء الاقتصاديين لمنطقة الشرق الأوسط في البنك الدولي شانتا ديفيرجان", sentence, question)
    assert sentence[start:end] == "شانتا ديفيرجان"
    start, end = answer_span("الخبراء الاقتصاديين لمنطقة الشرق", sentence, "من هو كبير الاقتصاديين؟")
    assert sentence[start:end] == "الخبراء الاقتصاديين لمنطقة الشرق"  # no name inside the copy: as copied


def test_a_lineage_after_a_title_is_one_name():
    sentence = "وكشف الأمير تركي بن محمد بن فهد بن عبدالعزيز رئيس مجلس الإدارة، ووزير الخارجية جان إيف لودريان الفرنسي."
    def name(title: str, question: str):
        span = name_after(sentence, _span_of(sentence, title), question)
        return span and sentence[span[0] : span[1]]
    assert name("الأمير", "من هو الأمير رئيس مجلس الإدارة؟") == "تركي بن محمد بن فهد بن عبدالعزيز"
    assert name("وزير الخارجية", "من هو وزير الخارجية؟") == "جان إيف لودريان"  # no lineage: no article word


def test_a_name_ends_with_the_name_after_its_link_though_the_question_says_it():
    sentence = "أقام رئيس قرية ابن نومة الشيخ عبدالرحمن بن نومة حفل عيد الفطر المبارك."
    question = "من رئيس قرية ابن نومة الذي أقام حفل العيد؟"
    start, end = answer_span("ابن نومة الشيخ عبدالرحمن بن نومة", sentence, question)
    assert sentence[start:end] == "الشيخ عبدالرحمن بن نومة"
    start, end = answer_span("حفل عيد الفطر", sentence, "ماذا أقام رئيس القرية؟")
    assert sentence[start:end] == "حفل عيد الفطر"  # no link at its end: as copied


def test_who_before_a_title_takes_the_name_after_the_title():
    sentence = "وقال وزير الخارجية سامح شكري، في اتصال هاتفي مع نظيره النرويجى بورج بريند، إنه يجب تمويل الأنروا."
    question = "من وزير الخارجية النرويجي الذي اتصل به سامح شكري؟"
    start, end = answer_span("نظيره النرويجى بورج بريند", sentence, question)
    assert sentence[start:end] == "بورج بريند"


def test_a_compound_given_name_or_a_kunya_in_its_case_stays_one_name():
    sentence = "وقال والي شانلي أورفة، عز الدين كوتشوك، إن الشرطيين لم يحضرا، وقال أمير الجبهة ابي مالك الشامي إنه سيفرج عنهم."
    start, end = answer_span("والي شانلي أورفة", sentence, "من والي شانلي أورفة؟")
    assert sentence[start:end] == "عز الدين كوتشوك"  # "الدين" is no family name that ends it
    start, end = answer_span("أمير الجبهة", sentence, "من هو أمير الجبهة؟")
    assert sentence[start:end] == "ابي مالك الشامي"  # أبو as أبي links a family name
