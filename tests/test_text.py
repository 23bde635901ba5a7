import pytest
from hypothesis import given
from hypothesis import strategies as st

from rag.sentences import sentence_spans
from rag.terms import TermWeights, content_tokens
from rag.text import contains_normalized, language, light_stem, normalize, numbers, strip_invisible, tokenize


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("أَعْلَنَتْ", "اعلنت"),  # diacritics
        ("الـــداخلية", "الداخلية".replace("ة", "ه")),  # tatweel, ta marbuta
        ("أحمد إبراهيم آمال ٱلله", "احمد ابراهيم امال الله"),  # alef forms
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("مدرسة", "مدرسه"),
        ("١٢٩ ۸٤", "129 84"),  # Arabic-Indic and Persian digits
        ("Paris ATTACK", "paris attack"),
        ("ﻻ", "لا"),  # presentation form (NFKC)
        ("a\u200fb\u202ec", "abc"),  # bidi controls
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "word, stem",
    [("والفرنسيين", "فرنسي"), ("بالمدينة", "مدين"), ("للصحافيين", "صحافي"), ("شخصاً", "شخص"),
     ("نيس", "نيس"), ("84", "84"), ("attack", "attack")],
)
def test_light_stem(word, stem):
    assert light_stem(normalize(word)) == stem


def test_tokenize_splits_punctuation_and_normalises():
    assert tokenize("قال: «باريس»، ١٣ نونبر!", stem=False) == ["قال", "باريس", "13", "نونبر"]


def test_content_tokens_drop_function_words():
    assert content_tokens("كم شخصاً قتل في اعتداء نيس؟") == ["شخص", "قتل", "اعتداء", "نيس"]


def test_numbers_are_digit_normalised():
    assert numbers("قتل ١٢٩ شخصا و 84 آخرون") == {"129", "84"}
    assert numbers("Sixteen tonnes for twenty-five or forty two people") == {"16", "25", "42"}
    assert numbers("The two countries, one of them France") == set()  # small ones are rarely claims


@pytest.mark.parametrize(
    "haystack, needle, found",
    [
        ("معاقله في الموصل والرقة في سورية", "الرقة", True),  # proclitic و on the haystack word
        ("قتل 184 شخصا", "84", False),  # whole numbers only
        ("أوقع 84 قتيلا", "٨٤", True),
        ("سي. إن. إن", "سي إن إن", True),
        ("", "x", False),
        ("anything", "", False),
    ],
)
def test_contains_normalized(haystack, needle, found):
    assert contains_normalized(haystack, needle) is found


def test_sentence_spans_keep_exact_offsets():
    text = "  جملة أولى. جملة ثانية؟ ثالثة!\nرابعة  "
    spans = sentence_spans(text, offset=10)
    assert [s.text for s in spans] == ["جملة أولى.", "جملة ثانية؟", "ثالثة!", "رابعة"]
    for span in spans:
        assert text[span.start - 10 : span.end - 10] == span.text


@pytest.mark.parametrize("text, lang", [("كم عدد القتلى؟", "ar"), ("How many died?", "en"), ("FBI في أمريكا", "ar"), ("", "en"),
    ("<img src=x onerror=alert(1)> كم شخصاً قتل في نيس؟", "ar"),  # markup is not words
    ("انظر https://www.example.com/world/middle-east-news", "ar"), ("<b>How</b> many &amp; why?", "en")])
def test_language(text, lang):
    assert language(text) == lang


def test_term_weights_favour_rare_words():
    weights = TermWeights.from_texts(["باريس هجوم", "باريس فرنسا", "نيس هجوم"])
    assert weights("نيس") > weights("باريس")
    assert weights.coverage({"نيس", "باريس"}, {"نيس"}) > 0.5
    uniform = TermWeights({}, 0)
    assert uniform("a") == uniform("b")


@given(st.text())
def test_normalize_is_idempotent(text):
    assert normalize(normalize(text)) == normalize(text)


@given(st.text())
def test_strip_invisible_is_idempotent(text):
    assert strip_invisible(strip_invisible(text)) == strip_invisible(text)


@given(st.text(alphabet=st.sampled_from(list("ابت ثج.؟!\n،ـ١2ً")), max_size=200))
def test_sentence_spans_always_slice_the_text(text):
    for span in sentence_spans(text):
        assert text[span.start : span.end] == span.text
        assert span.text == span.text.strip()


@pytest.mark.parametrize(
    "text, sentences",
    [
        ("قال في مقابلة مع سي. إن. إن، إن الدعم مستمر. ثم غادر.", ["قال في مقابلة مع سي. إن. إن، إن الدعم مستمر.", "ثم غادر."]),
        ("وقالت لـبي. بي. سي إنه تم. جملة أخرى.", ["وقالت لـبي. بي. سي إنه تم.", "جملة أخرى."]),
        ("The U.S. team met. It ended.", ["The U.S. team met.", "It ended."]),
        ("وصرح العقيد د. عاطي القرشي بذلك. وقال م. عادل إنه تم عام 2015 م. ثم غادر.",
         ["وصرح العقيد د. عاطي القرشي بذلك.", "وقال م. عادل إنه تم عام 2015 م.", "ثم غادر."]),
        ("دعا له بالشفاء ـ حفظه الله ـ. وقال إنه بخير.", ["دعا له بالشفاء ـ حفظه الله ـ.", "وقال إنه بخير."]),
    ],
)
def test_abbreviations_do_not_end_sentences(text, sentences):
    assert [s.text for s in sentence_spans(text)] == sentences
