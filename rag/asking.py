"""What a question asks for (a name, a count, a place, a date) and whether a text holds that kind
of answer: one decision for the sentence scorer (a number or a date scores higher where one is
asked for) and for the direct answer (the begun reply by kind, and the copy's kind checked).
"""

from __future__ import annotations

import re

from .copying import WORD
from .text import normalize

_HOW_MANY = tuple(normalize(w) for w in ("كم", "وكم", "ما عدد", "وما عدد"))
# What a name answers: "أي وكالة…؟" asks for a name as "من…؟" does.
_NAMED = ("وكالة", "قناة", "صحيفة", "جريدة", "مجلة", "موقع", "شركة", "منظمة", "مؤسسة", "هيئة", "جهة", "وسيلة",
          "تنظيم", "جماعة", "حزب", "نادي", "ناد", "فريق", "جامعة", "مستشفى", "بنك")
# "Which", alone or after a preposition ("على أي مساحة…؟"): what leads a question asking for a thing.
_WHICH = tuple(normalize(w) for w in ("أي", "لأي", "بأي", "وأي"))
_WHICH_AFTER = tuple(normalize(w) for w in ("في", "إلى", "من", "على", "عن", "مع"))
_WHICH_LEADS = _WHICH + tuple(f"{p} {w}" for p in _WHICH_AFTER for w in _WHICH)
# The kind of phrase a question asks for, by how it starts: each has its own start of the
# direct answer's reply (prompts/direct_{kind}.*.txt, "نعم. المكان:").
_KIND_STARTS = (
    ("name", tuple(normalize(w) + " " for w in ("من", "ومن", "ما اسم", "وما اسم", "ما هو اسم", "ما هي اسم"))
     + tuple(f"{lead} {normalize(noun)} " for lead in _WHICH_LEADS for noun in _NAMED)),
    ("count", tuple(w + " " for w in _HOW_MANY)),
    ("where", tuple(normalize(w) + " " for w in ("أين", "وأين", "في أي مدينة", "في أي بلد", "في أي دولة",
                                                 "في أي منطقة", "في أي مكان", "في أي محافظة", "في أي حي", "في أي ضاحية",
                                                 "إلى أين"))),
    ("when", tuple(normalize(w) + " " for w in ("متى", "ومتى", "في أي يوم", "في أي عام", "في أي سنة",
                                                "في أي شهر", "في أي تاريخ"))),
)
# Asked further in ("بعد كم يوماً…؟", "منذ أي عام…؟"), or in English.
_COUNT_INSIDE = re.compile(r"(?<!\w)[وب]?كم(?!\w)|\bhow (many|much)\b|\bnumber of\b")
_WHEN_INSIDE = re.compile(r"(?<!\w)و?متي(?!\w)|(?<!\w)اي (يوم|عام|سنه|شهر|تاريخ)(?!\w)|^when\b|"
                          r"^(in |on )?(what|which) (year|date|day|month)\b")
# English questions that a number alone answers: the only direct answer that reads the same in
# the question's language and in the Arabic source. "How many" may come after a lead ("About how
# many…", "According to the director, how many…").
_ASKS_NUMBER_EN = re.compile(r"^(how (many|much|old)\b|(on |in )?(what|which) (day|year|date) of\b|"
                             r"(in |on )?(what|which) year\b|what (number|percentage)\b)|\bhow (many|much)\b",
                             re.IGNORECASE)
# English questions that a name answers (who, which, where, what is the name of): their direct
# answer is the Arabic name with an English spelling beside it (answering/glossing.py).
_ASKS_NAME_EN = re.compile(r"^((in|to|from|at|on|with|for|by|of) )?(who|whom|whose|which|where)\b|"
                           r"^what(?: is|'s| was) the name\b", re.IGNORECASE)
_SHARE = re.compile(r"[%٪]|(?<!\w)(ال|بال)(مئه|مائه)(?!\w)|نسبه|percent", re.IGNORECASE)
# A sum of money asked for ("كم بلغت تكلفة…؟", "ما قيمة…؟") is answered in a currency.
_MONEY_NOUNS = frozenset(normalize(w) for w in (
    "تكلفة كلفة تكاليف سعر أسعار قيمة ميزانية غرامة غرامات مبلغ ثمن راتب رواتب أجر إيرادات أرباح ربح خسائر "
    "تمويل مكافأة").split())
_CURRENCIES = tuple(normalize(w) for w in "ريال دولار يورو جنيه درهم دراهم دينار دنانير روبي ليرة ليرات فرنك روبل يوان".split())
_CURRENCY_SIGNS = re.compile(r"[$€£¥]")
_AMOUNT_VERBS = frozenset(normalize(w) for w in "بلغ بلغت تبلغ يبلغ كان كانت يكون تكون وصل وصلت يصل تصل".split())
DIGITS = "0-9\u0660-\u0669\u06f0-\u06f9"  # Western, Arabic-Indic and Eastern Arabic-Indic
_DIGIT = re.compile(f"[{DIGITS}]")
_NUMBERS = re.compile(f"[{DIGITS}]+")
_NUMBER_WORDS = frozenset(normalize(w) for w in (
    "واحد واحدة اثنان اثنين اثنتان اثنتين ثلاث ثلاثة أربع أربعة خمس خمسة ست ستة سبع سبعة ثمان ثمانية "
    "تسع تسعة عشر عشرة عشرات عشرين ثلاثين أربعين خمسين ستين سبعين ثمانين تسعين مئة مائة مئات ألف آلاف "
    "ألفا مليون ملايين مليار مليارات نصف ربع ثلث العشرات المئات الآلاف الملايين").split())
# Months (Gregorian, Levantine, Maghrebi, Hijri) and weekdays: a sentence holding one can date.
_CALENDAR_WORDS = frozenset(normalize(w) for w in (
    "يناير فبراير مارس أبريل إبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر كانون شباط آذار نيسان "
    "أيار حزيران تموز آب أيلول تشرين يوليوز غشت شتنبر نونبر دجنبر محرم صفر ربيع جمادى رجب شعبان رمضان "
    "شوال القعدة الحجة السبت الأحد الاثنين الثلاثاء الأربعاء الخميس الجمعة").split())
# What else a when-answer may be: May in the Maghreb, days relative to the story, decades and
# centuries (too common in other senses, "تيريسا ماي", "عقد الاجتماع", to mark a sentence as dated).
_WHEN_WORDS = _CALENDAR_WORDS | frozenset(normalize(w) for w in (
    "ماي أمس الأمس اليوم غدا غداً القرن قرن عقد ستينات سبعينات ثمانينات تسعينات الستينات السبعينات "
    "الثمانينات التسعينات").split()) | frozenset(  # decades also as "التسعينيات"
    normalize(f"{article}{tens}يات") for article in ("", "ال")
    for tens in "عشرين ثلاثين أربعين خمسين ستين سبعين ثمانين تسعين".split())

# Words that place a date relative to the story: part of a date phrase ("26 نونبر الماضي"), not one alone.
_RELATIVE_WORDS = frozenset(normalize(w) for w in "الماضي الماضية المقبل المقبلة الجاري الجارية الحالي".split())
_DATE_PHRASE_WORDS = _WHEN_WORDS | _RELATIVE_WORDS


# "من" as the preposition "from, among" ("من أين…؟", "من بين سكان وارسو، كم…؟"), not "who".
_FROM = re.compile(r"^و?من (?=(بين|اين|اي|خلال|اجل|حيث) )")


def _start_kind(question: str) -> str:
    q = _FROM.sub("", normalize(question).strip() + " ")
    return next((kind for kind, starts in _KIND_STARTS if q.startswith(starts)), "any")


def asks_count(question: str) -> bool:
    """A how-many question, however it starts ("كم…؟", "بعد كم يوماً…؟", "How many…?")."""
    return _start_kind(question) == "count" or bool(_COUNT_INSIDE.search(normalize(question).strip()))


def asks_date(question: str) -> bool:
    """A when-question, however it starts ("متى…؟", "منذ أي عام…؟", "In what year…?")."""
    return _start_kind(question) == "when" or bool(_WHEN_INSIDE.search(normalize(question).strip()))


def answer_kind(question: str) -> str:
    """What a question asks for: name, count, where, when, or any. By how it starts; a count or a
    date asked further in ("بعد كم يوماً…؟") or in English counts too.
    """
    start = _start_kind(question)
    if start != "any":
        return start
    q = normalize(question).strip()
    return "count" if _COUNT_INSIDE.search(q) else "when" if _WHEN_INSIDE.search(q) else "any"


_RELATIVES = frozenset(normalize(w) for w in ("الذي", "التي", "الذين", "اللذان", "اللتان", "اللذين", "اللتين",
                                               "اللواتي", "اللاتي"))
# "Which of…" ("أي من التراجم…؟") names no noun right after "أي".
_OF = frozenset(normalize(w) for w in ("من", "منهم", "منها", "منهما", "منهن"))


def asked_noun(question: str) -> str | None:
    """The noun a question asks for, with the article, as the question writes it: "الشعار" for
    "ما الشعار الذي…؟", "المادة" for "أي مادة…؟", "المساحة" for "على أي مساحة…؟"; None for other
    questions ("ما هو…؟", "ماذا…؟", "ما الذي…؟"). The copy's reply begins with it (direct.py).
    """
    words = WORD.findall(question)
    forms = [normalize(w) for w in words]
    if len(words) > 1 and forms[0] in ("ما", "وما") and forms[1].startswith("ال") and forms[1] not in _RELATIVES:
        return words[1]
    at = 1 if forms and forms[0] in _WHICH_AFTER else 0
    if len(words) > at + 1 and forms[at] in _WHICH and forms[at + 1] not in _RELATIVES | _OF:
        noun = words[at + 1]
        return noun if forms[at + 1].startswith("ال") else "ال" + noun
    return None


_WHO = tuple(normalize(w) for w in ("من هو", "من هي", "ومن هو", "ومن هي"))
# "من" before a title asks who holds it, as "من هو" does ("من المتحدث باسم…؟", "من وزير…؟");
# before a verb ("من أمر بالتحقيق؟") the answer is as often a clause as a name.
_TITLES = frozenset(normalize(w) for w in (
    "وزير وزيرة رئيس رئيسة مدير مديرة أمين قائد سفير مبعوث نائب محافظ أمير مستشار مدرب مؤسس زعيم "
    "متحدث ملك ولي عميد مفتي إمام خطيب قاضي والي ناطق").split())
_WHO_BEFORE = re.compile(r"^و?من (\w+) ")


def asks_who(question: str) -> bool:
    """A question asking who someone is or holds a title: "من هو / من هي", or "من" before a
    title ("من المتحدث الرسمي…؟", "من وزير الخارجية…؟"), a noun with the article that is no
    relative pronoun ("من الذي…؟" may be answered by a clause).
    """
    q = normalize(question).strip()
    if q.startswith(_WHO):
        return True
    after = _WHO_BEFORE.match(q + " ")
    word = after.group(1) if after else ""
    return word in _TITLES or (word.startswith("ال") and word not in _RELATIVES)


def asks_number(question: str) -> bool:
    """An English question that a number alone answers ("How many…", "In what year…")."""
    return bool(_ASKS_NUMBER_EN.search(question.strip()))


def asks_name(question: str) -> bool:
    """An English question that a name answers ("Who…", "In which city…", "What is the name…")."""
    return bool(_ASKS_NAME_EN.match(question.strip()))


def _forms(text: str) -> set[str]:
    forms = {normalize(w) for w in WORD.findall(text)}
    return forms | {w[1:] for w in forms if w[:1] in "وبلف"}  # a conjunction or preposition written on


# "How many" as a word, alone or with a conjunction or preposition written on it.
_KAM = frozenset(normalize(w) for w in ("كم", "وكم", "بكم"))


def counted_noun(question: str) -> str | None:
    """The noun a how-many question counts, normalised, without its accusative alef: "دوريه" for
    "كم دورية…؟", "ضابط" for "كم ضابطاً…؟"; None for "كم عدد…؟" (a plural follows) and others.
    """
    forms = [normalize(w) for w in WORD.findall(question)]
    noun = next((after for word, after in zip(forms, forms[1:]) if word in _KAM), None)
    if noun is None or noun == normalize("عدد"):
        return None
    noun = noun[:-1] if noun.endswith("ا") else noun
    return noun if len(noun) >= 3 else None


def dual_forms(noun: str) -> frozenset[str]:
    """The dual of a normalised noun, which says "two" by itself: "دوريه" → دوريتين / دوريتان."""
    stem = noun[:-1] + "ت" if noun.endswith("ه") else noun
    return frozenset((stem + "ين", stem + "ان"))


def holds_number(text: str) -> bool:
    return bool(_DIGIT.search(text) or _forms(text) & _NUMBER_WORDS)


def reads_as_number(word: str) -> bool:
    """One word that is a number: digits ("4,881,000", "(20)") or a number word ("عشرين", "وخمسين")."""
    return bool(_NUMBERS.fullmatch(re.sub(r"[().,٫٬/%٪]", "", word))) or bool(_forms(word) & _NUMBER_WORDS)


def is_calendar_word(word: str) -> bool:
    """A month or weekday, or the word month itself: after a number it makes a date ("30 من شهر شوال")."""
    return bool(_forms(word) & (_CALENDAR_WORDS | {normalize("شهر")}))


def holds_date(text: str) -> bool:
    """Digits, a month or a weekday: a sentence that can say when."""
    return bool(_DIGIT.search(text) or _forms(text) & _CALENDAR_WORDS)


def _reads_as_date(number: str) -> bool:
    """A number alone that can be a date: a day of the month or a year ("300" is neither)."""
    return len(number) == 4 or 1 <= int(number) <= 31


def _bare(word: str) -> str:
    """A normalised word without a conjunction or preposition written on it, or its article."""
    word = normalize(word)
    prefix = next((p for p in ("وال", "بال", "لل", "ال", "و", "ب", "ل") if word.startswith(p)), "")
    return word[len(prefix):] if len(word) - len(prefix) >= 3 else word


def asks_money(question: str) -> bool:
    """A question asking for a sum of money: "كم بلغت تكلفة…؟", "كم غرامة…؟", "ما قيمة…؟" (the
    noun after "كم", its verb of amount skipped, or after "ما"); not "كم مخالفة لتأخير رواتب…؟".
    """
    words = [normalize(w) for w in WORD.findall(question)]
    if len(words) > 1 and words[0] in ("ما", "وما"):
        asked = words[1:2]
    else:
        at = next((i for i, w in enumerate(words) if w in _KAM), None)
        asked = [] if at is None else [w for w in words[at + 1 :] if w not in _AMOUNT_VERBS][:1]
    return any(_bare(w) in _MONEY_NOUNS or holds_currency(w) for w in asked)


def holds_currency(text: str) -> bool:
    """A currency's name («ريالاً», «بالدولار», «دراهم») or sign in the text."""
    return bool(_CURRENCY_SIGNS.search(text)) or any(
        _bare(w).startswith(_CURRENCIES) or normalize(w).startswith(_CURRENCIES) for w in WORD.findall(text))


def fits(question: str, answer: str) -> bool:
    """The answer is of the kind asked for: a how-many question is answered by a number (digits
    or a number word), a when-question by a date (digits or a date word; a number alone must be
    a day or a year), a where-question by something other than a number ("129 شخصاً" is not a
    place), a sum of money by one with its currency unless the question names it ("12" is no
    cost, "20 عاما" no fine); other questions by anything.
    """
    if asks_money(question) and not holds_currency(question) and not holds_currency(answer):
        return False
    kind = answer_kind(question)
    if kind == "count":  # a share answers how many only where one is asked ("ما نسبة…؟" is not a count)
        return holds_number(answer) and (not _SHARE.search(normalize(answer)) or bool(_SHARE.search(normalize(question))))
    if kind == "when":
        words = WORD.findall(answer)
        if len(words) == 1 and _NUMBERS.fullmatch(words[0]):
            return _reads_as_date(words[0])
        return bool(_DIGIT.search(answer) or _forms(answer) & _WHEN_WORDS)
    if kind == "where":
        return not _DIGIT.match(answer)
    return True


def is_date_word(word: str) -> bool:
    """A word of a date phrase: digits, a month, a weekday, a date word or a relative one ("الماضي")."""
    return bool(_DIGIT.search(word)) or bool(_forms(word) & _DATE_PHRASE_WORDS)
