"""The direct answer: the shortest phrase of the checked sentence that answers the question
(a name, a number, a date), shown before the quoted evidence. The model copies it as the rest of
its own reply to the answer check, begun for it ("نعم. العدد:"), so nothing new is read before
it writes; what it writes counts only where it is found, word for word, in the sentence, adds to
the question, and is the kind of answer asked for (a number for how many, a date for when).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..asking import (
    DIGITS,
    answer_kind,
    asked_noun,
    asks_name,
    asks_number,
    asks_who,
    counted_noun,
    dual_forms,
    fits,
    is_calendar_word,
    is_date_word,
    reads_as_number,
)
from ..context import ScoredSentence, merge_into_passages
from ..copying import WORD as _WORD
from ..grounding import check_messages
from ..terms import content_tokens
from ..text import light_stem, normalize

if TYPE_CHECKING:
    from .assistant import Assistant
    from .turn import Turn

MAX_WORDS = 12  # longer than this is a sentence, not a direct answer
MAX_NAME_WORDS = 3
MAX_LINEAGE_WORDS = 5  # "تركي بن محمد بن فهد بن عبدالعزيز"
_NAME_LINKS = frozenset(normalize(w) for w in ("بن", "بنت", "ابن", "أبو", "أبي", "أبا", "آل"))  # أبو by its case
# Given names of two words whose second takes the article ("عبد الرحمن", "عز الدين", "عبد الله").
_COMPOUND_HEADS = frozenset(normalize(w) for w in ("عبد", "أبو", "أبي", "أبا"))
_COMPOUND_TAILS = frozenset(normalize(w) for w in ("الدين", "الله", "الرحمن", "الإسلام"))
_NEGATIONS = frozenset(normalize(w) for w in "لا لن لم ليس ليست غير".split())
# Words that change what follows them: "لا يوجد تهديد", "نائب وزير الأمن" said without them is false.
_QUALIFIERS = _NEGATIONS | frozenset(normalize(w) for w in "نائب مساعد وكيل".split())
_PROCLITICS = tuple("بلكف")
# The name Ali, which folds into the preposition على; spelt with ي before a name it is the name.
_ALI = re.compile("عل[\u064b-\u0652]*ي[\u064b-\u0652]*")
_NUMBER = re.compile(f"[{DIGITS}]+(?:[.,٫٬][{DIGITS}]+)*")
_PERCENT = re.compile(r"\s?[%٪]")
_KM = re.compile(r"\s?كم(?!\w)")
_YEAR = re.compile(r"\.?(1[89]|20)\d\d")
# Numbers joined by slashes: a score ("3 / 1") or a date ("16/12/1436"), read whole.
_SLASHED = f"[{DIGITS}]+(?:\\s?/\\s?[{DIGITS}]+)+"
# A slashed pair or chain, or small numbers joined by a dash, a score ("1-2"); years joined by a
# dash are a span ("1185 - 1226"), of which one is asked.
_NUMBER_PAIR = re.compile(f"{_SLASHED}|(?<![{DIGITS}])[{DIGITS}]{{1,2}}\\s?-\\s?[{DIGITS}]{{1,2}}(?![{DIGITS}])")
# A Hijri year ("1436ه", "1436 هـ"; not "م", which also stands for metres), or a slashed score or date.
_DATE_OR_SCORE = re.compile(f"[{DIGITS}]{{3,4}}\\s?(?:هـ|ه)(?!\\w)|{_SLASHED}")
_JOINED = re.compile(r"(?:[,،]|(?<!\w)و)[\s(]*$")  # what joins a list's next item: "، 82", "و(82)", "و1,200"
_YEAR_WORDS = frozenset(normalize(w) for w in ("عام", "العام", "لعام", "سنة", "السنة", "لسنة"))
_PUNCTUATION = re.compile(r"[,،.:;؛\"“”«»()\[\]/-]")
_SENTENCE_STOP = re.compile(r"[.:;؛]")
_PER_CENT = frozenset(normalize(p) for p in ("في المئة", "في المائة"))
_PAIRS = (("(", ")"), ("[", "]"), ("«", "»"), ("“", "”"), ('"', '"'))


@dataclass(frozen=True)
class DirectAnswer:
    """A span of the cited source: passage `n`, character offsets into the article; for a question
    in another language, `rendering` is how the answer wrote it ("Theresa May" for تيريسا ماي).
    """

    text: str
    n: int
    start: int
    end: int
    rendering: str = ""

    @property
    def shown(self) -> str:
        """What the reader sees: the rendering with the source's spelling beside it, or the span
        (once, where the source spells it as the answer does: "FBI", not "FBI (FBI)").
        """
        if not self.rendering or self.rendering.casefold() == self.text.casefold():
            return self.text
        return f"{self.rendering} ({self.text})"


def _words(text: str) -> list[re.Match]:
    return list(_WORD.finditer(text))


def _stem(word: str) -> str:
    return light_stem(normalize(word))


def locate(phrase: str, sentence: str) -> tuple[int, int] | None:
    """Where `phrase` occurs in `sentence` as whole words, compared after normalisation and light
    stemming (the model may drop a proclitic or add a case ending): character offsets into
    `sentence`, or None when its words do not occur there in a row.
    """
    wanted = [_stem(w) for w in _WORD.findall(phrase)]
    if not wanted or len(wanted) > MAX_WORDS:
        return None
    words = _words(sentence)
    stems = [_stem(m.group()) for m in words]
    for i in range(len(stems) - len(wanted) + 1):
        if stems[i : i + len(wanted)] == wanted:
            return words[i].start(), words[i + len(wanted) - 1].end()
    return None


def _question_stems(question: str) -> set[str]:
    """The question's content words and their loose stems: what a copy's words repeat of it."""
    return set(content_tokens(question)).union(*(_loose_stems(w) for w in _WORD.findall(question)))


def _loose_stems(word: str) -> set[str]:
    """A word's stems, loosely: one more suffix off ("طائراتها" → "طائر", as "الطائرات"), and
    without a one-letter proclitic ("بضاحية" as "ضاحية"). Loose is safe here: it only decides
    which edge words repeat the question.
    """
    forms = set(content_tokens(word))
    forms |= {light_stem(t) for t in forms}
    if normalize(word).startswith(_PROCLITICS) and len(word) >= 5:
        forms |= {f for t in content_tokens(word[1:]) for f in (t, light_stem(t))}
    return forms


def trimmed(sentence: str, span: tuple[int, int], question: str) -> tuple[int, int] | None:
    """The span without the question's own words and function words at its edges ("وزيرة
    الداخلية تيريسا ماي" → "تيريسا ماي"), a negation kept with the word it negates ("لن
    ينتصروا"), and for a who-question "علي" kept with the name after it ("علي القحطاني"); None
    when nothing else is left: the copy added nothing to the question.
    """
    known = _question_stems(question)
    words = [m for m in _words(sentence) if span[0] <= m.start() and m.end() <= span[1]]
    keep = [_adds_to(m.group(), known) for m in words]
    who = asks_who(question)
    for i in range(len(words) - 1):
        kept_with_next = normalize(words[i].group()) in _NEGATIONS or (who and _ALI.fullmatch(words[i].group()))
        keep[i] = keep[i] or bool(kept_with_next and keep[i + 1])
    if not any(keep):
        return None
    first, last = keep.index(True), len(keep) - 1 - keep[::-1].index(True)
    return words[first].start(), words[last].end()


def _adds_to(word: str, known: set[str]) -> bool:
    """A content word the question does not say; a hashtag's parts each count ("قاطعوا_النمسا"
    adds to a question about Austria).
    """
    parts = [part for part in word.split("_") if content_tokens(part)]
    return any(not _loose_stems(part) & known for part in parts)


def qualified(sentence: str, span: tuple[int, int]) -> tuple[int, int]:
    """The span with the negation or the deputy's title right before it ("لا يوجد تهديد", "نائب
    وزير الأمن"), without the و written on it: without them the answer says something false.
    """
    before = [m for m in _words(sentence) if m.end() <= span[0]]
    if not before or sentence[before[-1].end() : span[0]].strip():
        return span
    at = _qualifier_at(before[-1].group())
    return span if at is None else (before[-1].start() + at, span[1])


def _qualifier_at(word: str) -> int | None:
    """Where a negation or a deputy's title starts in `word`: 0, 1 after a و written on it, or None."""
    word = normalize(word)
    return 0 if word in _QUALIFIERS else 1 if word.startswith("و") and word[1:] in _QUALIFIERS else None


def date_only(sentence: str, copied: tuple[int, int], span: tuple[int, int], question: str) -> tuple[int, int]:
    """For a when-question, the copied date whole and nothing after it: the span runs on over the
    copy's date words even where the question says them ("13" → "13 نونبر") and ends at its last
    one ("11 كانون الثاني/يناير لمناقشة" → "11 كانون الثاني/يناير"); a relative word ("الماضي")
    belongs to the date and stays.
    """
    if answer_kind(question) != "when":
        return span
    words = [m for m in _words(sentence) if span[0] <= m.start() and m.end() <= copied[1]]
    end = span[1]
    for m in (m for m in words if m.start() > span[1]):
        if not is_date_word(m.group()):
            break
        end = m.end()
    dated = [m for m in words if m.end() <= end and is_date_word(m.group())]
    return (span[0], dated[-1].end()) if dated else (span[0], end)


def counted(sentence: str, span: tuple[int, int], question: str) -> tuple[int, int]:
    """For a how-many question, the span up to its number and the word it counts: "50 سيارة" of
    "50 سيارة تسهم في نقل زائري الفعاليات…", "(20) عشرين مليون ريال", "25 في المئة", with the
    noun's adjective, "30 مليون جنيه إسترليني" (a copy runs on past the count; what stands
    before the number, "قرابة", "أكثر من", stays).
    """
    if answer_kind(question) != "count":
        return span
    words = [m for m in _words(sentence) if span[0] <= m.start() and m.end() <= span[1]]
    first = next((i for i, m in enumerate(words) if reads_as_number(m.group())), None)
    if first is None:
        return span
    last = first
    while last + 1 < len(words) and reads_as_number(words[last + 1].group()):
        last += 1
    after = words[last + 1 : last + 3]
    if len(after) == 2 and normalize(sentence[after[0].start() : after[1].end()]) in _PER_CENT:
        return span[0], after[1].end()
    if not after or not content_tokens(after[0].group()):
        return span[0], words[last].end()
    if len(after) == 2 and _relative_adjective("ال" + normalize(after[1].group())):  # "مليون جنيه إسترليني"
        return span[0], after[1].end()
    return span[0], after[0].end()


def with_counted_noun(sentence: str, span: tuple[int, int], question: str) -> tuple[int, int]:
    """A how-many span that ends at its number, with the noun the question counts where the
    sentence says it next: "84 شخصاً" for "كم شخصاً…؟", "(14) قاعة" for "كم قاعة…؟" (trimming
    drops it as the question's own word, and a number alone reads as nothing).
    """
    noun = counted_noun(question)
    inside = [m for m in _words(sentence) if span[0] <= m.start() and m.end() <= span[1]]
    if noun is None or not inside or not reads_as_number(inside[-1].group()):
        return span
    after = next((m for m in _words(sentence) if m.start() >= span[1]), None)
    if after is None or sentence[span[1] : after.start()].strip(" )]»") or _stem(after.group()) != light_stem(noun):
        return span
    return span[0], after.end()


def dated_count(sentence: str, span: tuple[int, int], question: str) -> bool:
    """A how-many answer that is part of a date in the sentence: "30" of "في الـ(30) من شهر
    شوال", "2011" of "في شهر مارس (آذار) 2011" or of "عام 2011" count nothing.
    """
    if answer_kind(question) != "count":
        return False
    words = _words(sentence)
    after = [normalize(m.group()) for m in words if m.start() >= span[1]][:2]
    before = [m.group() for m in words if m.end() <= span[0]][-1:]
    year = _YEAR.fullmatch(sentence[span[0] : span[1]].strip(" .")) and before and normalize(before[0]) in _YEAR_WORDS
    dates = [m for m in _DATE_OR_SCORE.finditer(sentence) if m.start() < span[1] and span[0] < m.end()]
    counts = [m for m in _NUMBER.finditer(sentence, span[0], span[1]) if not any(d.start() <= m.start() < d.end() for d in dates)]
    era_or_score = bool(dates) and not counts  # "1436هـ (158) دورة" still counts 158
    return bool(year) or era_or_score or bool(before and is_calendar_word(before[0])) or bool(after) and (
        is_calendar_word(after[0]) or (after[0] == "من" and len(after) > 1 and is_calendar_word(after[1])))


def whole_numbers(sentence: str, span: tuple[int, int]) -> tuple[int, int]:
    """The span without a number cut at its decimal point or thousands separator, which split
    words: "32" → "32.9٪", "31" → "31.8" (a copy may stop at any word's end); a distance keeps
    its unit, "120 كم", which is also the word for "how many" that trimming drops.
    """
    start, end = span
    for m in _NUMBER.finditer(sentence):
        start = m.start() if m.start() < start < m.end() else start
        end = m.end() if m.start() < end < m.end() else end
    for m in _NUMBER_PAIR.finditer(sentence):  # "3" of "3 / 1" is half a score
        if m.start() < end and start < m.end():
            start, end = min(start, m.start()), max(end, m.end())
    if sentence[end - 1 : end].isdigit() and (unit := _PERCENT.match(sentence, end) or _KM.match(sentence, end)):
        end = unit.end()
    return start, end


def with_noun(sentence: str, span: tuple[int, int], question: str) -> tuple[int, int]:
    """The span with the noun the question asks for where it stands right before and the span
    qualifies it: "المادة الخامسة" for "أي مادة…؟", not "الخامسة" (an adjective alone is no
    answer to read). Only a noun with the article followed by a word with the article: "باللغة
    الفرنسية" and "قناة الجزيرة" stay as copied.
    """
    noun = asked_noun(question)
    before = [m for m in _words(sentence) if m.end() <= span[0]]
    if noun is None or not before or sentence[before[-1].end() : span[0]].strip():
        return span
    first = next((m for m in _words(sentence) if m.start() >= span[0]), None)
    if first is None or not normalize(first.group()).startswith("ال") \
            or normalize(before[-1].group()) != normalize(noun):
        return span
    return before[-1].start(), span[1]


def closed(sentence: str, span: tuple[int, int]) -> tuple[int, int]:
    """The span with the bracket or quote mark it cut at its edge taken in: "تنظيم الدولة) داعش"
    → "(تنظيم الدولة) داعش", "مدرسة «نايستايلز" → "مدرسة «نايستايلز»", "343 ) دائرة" → "( 343 )
    دائرة" (a copy stops at a word's end; lists of counts often space their brackets).
    """
    start, end = span
    for opener, closer in _PAIRS:
        text = sentence[start:end]
        if text.count(opener) + text.count(closer) == 0:
            continue
        if opener == closer:
            cut = text.count(opener) % 2 == 1
            unclosed, unopened = cut, cut
        else:
            unclosed, unopened = text.count(opener) > text.count(closer), text.count(closer) > text.count(opener)
        before, after = sentence[:start].rstrip(" "), sentence[end:].lstrip(" ")
        if unopened and before.endswith(opener):
            start = len(before) - 1
        elif unclosed and after.startswith(closer):
            end = len(sentence) - len(after) + 1
    return start, end


_ARTICLE_AND_PROCLITICS = ("وال", "بال", "فال", "لل", "ال", "و", "ب", "ل", "ف", "")


def counted_in_dual(sentence: str, question: str) -> tuple[int, int] | None:
    """For a how-many question, the sentence's first word that is the counted noun in the dual:
    "دوريتين" answers "كم دورية…؟" (two), as no digit or number word does.
    """
    noun = counted_noun(question)
    if noun is None:
        return None
    duals = dual_forms(noun)
    for m in _words(sentence):
        word = normalize(m.group())
        if any(word.startswith(p) and word[len(p):] in duals for p in _ARTICLE_AND_PROCLITICS):
            return m.start(), m.end()
    return None


def _relative_adjective(word: str) -> bool:
    """A normalised word with the article and the -ي of a relative adjective ("الروسي")."""
    return word.startswith(("ال", "وال")) and word.endswith("ي") and len(word) >= 5


def titled_otherwise(sentence: str, span: tuple[int, int], question: str) -> bool:
    """The span is named by the question's title with another adjective: "وزير الدفاع الفرنسي جان
    إيف لودريان" for "من هو وزير الدفاع الروسي؟" (news sentences pair a minister and his
    counterpart). Read at the word before the span and the span's first word.
    """
    asked: dict[str, set[str]] = {}  # each word of the question followed by such an adjective
    forms = [normalize(w) for w in _WORD.findall(question)]
    for word, after in zip(forms, forms[1:]):
        if _relative_adjective(after):
            asked.setdefault(word, set()).add(after)
    matches = _words(sentence)
    words = [normalize(m.group()) for m in matches]
    at = sum(m.end() <= span[0] for m in matches)  # the span's first word
    return any(0 < i < len(words) and _relative_adjective(words[i]) and words[i] not in asked.get(words[i - 1], {words[i]})
               for i in (at - 1, at))


def name_after(sentence: str, span: tuple[int, int], question: str) -> tuple[int, int] | None:
    """For a who-question whose copy is only the title it asks about ("وزير الدفاع الفرنسي"),
    the name that follows the title in the sentence ("جان إيف لودريان"): up to three words,
    ending before punctuation, a function word, a word of the question, or a second word with
    the article (names rarely take it; the noun that follows them does); at least two words, since
    one word after a title is more often a verb or a noun than a name ("السيناتورة الأمريكية شددت").
    A lineage ("إبراهيم بن حمد الدعيلج") runs to five names, its links (بن, آل…) not counted,
    and ends with a family name that has the article.
    """
    if not asks_who(question):
        return None
    known = set(content_tokens(question))
    name: list[re.Match] = []
    for m in (m for m in _words(sentence) if m.start() >= span[1]):
        gap = sentence[name[-1].end() if name else span[1] : m.start()]
        tokens = set(content_tokens(m.group()))
        lineage = any(normalize(w.group()) in _NAME_LINKS for w in name)
        family = bool(name) and normalize(m.group()).startswith(("ال", "وال")) and not _compound(name[-1], m)
        if (name and _PUNCTUATION.search(gap)) or _SENTENCE_STOP.search(gap) or not tokens or tokens <= known \
                or (family and not lineage):
            break
        name.append(m)
        names = sum(normalize(w.group()) not in _NAME_LINKS for w in name)
        if family or names == (MAX_LINEAGE_WORDS if lineage else MAX_NAME_WORDS):
            break
    while name and normalize(name[-1].group()) in _NAME_LINKS:
        name.pop()
    return (name[0].start(), name[-1].end()) if len(name) >= 2 else None


def _compound(first: re.Match, second: re.Match) -> bool:
    """Two words of one given name, the second with the article: "عبد الرحمن", "عز الدين"."""
    return normalize(first.group()) in _COMPOUND_HEADS or normalize(second.group()) in _COMPOUND_TAILS


def full_name(sentence: str, span: tuple[int, int], question: str) -> tuple[int, int]:
    """For a who-question, a one-word copy right after the title asked about, with the word that
    follows it: "مانويل" → "مانويل فالس" after "رئيس الوزراء الفرنسي" (the copy stopped at the
    first name). Not a function word, a word of the question, one with the article, or one with
    the conjunction written on ("وعقد").
    """
    if not asks_who(question):
        return span
    words = _words(sentence)
    inside = [m for m in words if span[0] <= m.start() and m.end() <= span[1]]
    before = [m for m in words if m.end() <= span[0]]
    after = next((m for m in words if m.start() >= span[1]), None)
    known = set(content_tokens(question))
    title = before and set(content_tokens(before[-1].group()))
    if len(inside) != 1 or not title or not title <= known or after is None or sentence[span[1] : after.start()].strip():
        return span
    tokens = set(content_tokens(after.group()))
    if not tokens or tokens <= known or normalize(after.group()).startswith(("ال", "و")):
        return span
    return span[0], after.end()


def answer_span(written: str, sentence: str, question: str) -> tuple[int, int] | None:
    """The answer in the model's copy, found in the sentence: the copy, up to MAX_WORDS words,
    without the question's words at its edges; or, for a who-question whose copy ends with the
    title it asks about, is only that title or runs on too long, the name after that title
    ("المبعوث الأمريكي لدى التحالف بريت ماكغورك الاجتماع بأن…" → "بريت ماكغورك").
    """
    copied = locate(written, sentence)
    span = copied and trimmed(sentence, copied, question)
    last = copied and _words(sentence[copied[0] : copied[1]])[-1].group()
    if span and set(content_tokens(last)) and set(content_tokens(last)) <= set(content_tokens(question)) \
            and (name := name_after(sentence, copied, question)) and not sentence[copied[1] : name[0]].strip():
        return name  # the copy ended with the title asked about ("…المتحدث الرسمي"): the name follows it
    if span and (name := _name_after_inner_title(sentence, span, question)):
        return name  # "رئيس الخبراء… في البنك الدولي، شانتا ديفيرجان": the asked title inside the copy
    if span:
        span = full_name(sentence, with_noun(sentence, qualified(sentence, span), question), question)
        span = counted(sentence, date_only(sentence, copied, span, question), question)
        span = closed(sentence, with_counted_noun(sentence, whole_numbers(sentence, lineage_ended(sentence, span)), question))
        return None if _qualifiers_only(sentence, span) else listed_count(sentence, span, question)
    if not asks_who(question):
        return None
    head = locate(" ".join(_WORD.findall(written)[:MAX_WORDS]), sentence)
    if head is None:
        return None
    known = set(content_tokens(question))
    words = [m for m in _words(sentence) if head[0] <= m.start() and m.end() <= head[1]]
    lead = next((i for i, m in enumerate(words) if not set(content_tokens(m.group())) <= known), len(words))
    return (lead and name_after(sentence, (head[0], words[lead - 1].end()), question)) or None


def listed_count(sentence: str, span: tuple[int, int], question: str) -> tuple[int, int]:
    """For a how-many question, the count of a list that names what the question names, where
    the copy took another of the list's counts: "(140) مخالفة" of "بواقع (140) مخالفة في محافظة
    الخبر و(82) مخالفة بمحافظة الأحساء" for "كم مخالفة ضبطت في الخبر؟". A list is a run of
    numbers counting the same noun, each after the first joined by و or a comma, so that each
    item runs from its number to the next; the item holding more of the question's words that
    not every item holds wins. Anything else keeps the span.
    """
    if answer_kind(question) != "count":
        return span
    words = _words(sentence)
    runs: list[list[tuple[re.Match, re.Match]]] = []  # (number, the noun it counts)
    for number in _NUMBER.finditer(sentence):
        noun = next((m for m in words if m.start() >= number.end()), None)
        if noun is None or sentence[number.end() : noun.start()].strip(" )") or reads_as_number(noun.group()):
            continue
        if runs and _JOINED.search(sentence, 0, number.start()) and _stem(noun.group()) == _stem(runs[-1][-1][1].group()):
            runs[-1].append((number, noun))
        else:
            runs.append([(number, noun)])
    found = next(((run, i) for run in runs if len(run) > 1 for i, (n, _) in enumerate(run) if span[0] <= n.start() < span[1]), None)
    if found is None:
        return span
    listed, mine = found
    ends = [n.start() for n, _ in listed[1:]] + [len(sentence)]
    items = [set().union(*(_loose_stems(m.group()) for m in words if n.start() <= m.start() < end))
             for (n, _), end in zip(listed, ends)]
    asked = _question_stems(question)
    telling = {w for w in asked if any(w in item for item in items) and not all(w in item for item in items)}
    held = [len(telling & item) for item in items]
    best = max(range(len(items)), key=held.__getitem__)
    if held[mine] == held[best] or held.count(held[best]) > 1:
        return span
    number, noun = listed[best]
    return closed(sentence, (number.start(), noun.end()))


def _qualifiers_only(sentence: str, span: tuple[int, int]) -> bool:
    """The span is only a negation or a deputy's title ("مساعد" of "مساعد المدير العام…" for "من
    المدير العام…؟"): the question's words trimmed off, what is left answers nothing.
    """
    return all(_qualifier_at(w) is not None for w in _WORD.findall(sentence[span[0] : span[1]]))


def lineage_ended(sentence: str, span: tuple[int, int]) -> tuple[int, int]:
    """The span with the name after a link it ends on: "عبدالرحمن بن" → "عبدالرحمن بن نومة"
    (trimming drops the question's own words, and a family name is often the place's name).
    """
    words = _words(sentence)
    inside = [m for m in words if span[0] <= m.start() and m.end() <= span[1]]
    after = next((m for m in words if m.start() >= span[1]), None)
    if not inside or normalize(inside[-1].group()) not in _NAME_LINKS or after is None \
            or sentence[span[1] : after.start()].strip():
        return span
    return span[0], after.end()


def _name_after_inner_title(sentence: str, span: tuple[int, int], question: str) -> tuple[int, int] | None:
    """For a who-question, the name after the last word of the question inside the trimmed span,
    where one follows it there: the copy ran from the title asked about to the name.
    """
    known = _question_stems(question)
    words = [m for m in _words(sentence) if span[0] <= m.start() and m.end() <= span[1]]
    inner = [m for m in words[:-1] if content_tokens(m.group()) and not _adds_to(m.group(), known)]
    name = inner and name_after(sentence, (span[0], inner[-1].end()), question)
    return name if name and name[1] <= span[1] else None


def number_in(sentence: str, span: tuple[int, int]) -> tuple[int, int] | None:
    """The span's one number (digits), for an answer in another language than the source."""
    numbers = list(_NUMBER.finditer(sentence, span[0], span[1]))
    return (numbers[0].start(), numbers[0].end()) if len(numbers) == 1 else None


def reply_start(assistant: Assistant, turn: Turn) -> str:
    """The check's reply as the copy begins it, by the kind of phrase asked for ("نعم. العدد:"),
    or by the noun asked for ("نعم. الشعار:" for "ما الشعار…؟") where the question names one and
    no kind; for a generator that continues a begun reply; else "" (a model server may answer a
    begun reply with a new one).
    """
    if not assistant.generator.continues_replies:
        return ""
    language = assistant.settings.generation.corpus_language
    if turn.language != language:
        kind = "count" if asks_number(turn.question) else "name" if asks_name(turn.question) else "any"
        return assistant.prompts.render(f"direct_{kind}", language)
    kind = answer_kind(turn.question)
    if kind == "any" and (noun := asked_noun(turn.question)):
        return assistant.prompts.render("direct_noun", language, noun=noun)
    return assistant.prompts.render(f"direct_{kind}", language)


def _copy_turns(assistant: Assistant, turn: Turn, language: str) -> list[dict]:
    """What follows the check's conversation to ask for the copy: the begun reply, or a yes and
    the copy instruction as a new turn.
    """
    if begun := reply_start(assistant, turn):
        return [{"role": "assistant", "content": begun}]
    return [{"role": "assistant", "content": "نعم" if language == "ar" else "yes"},
            {"role": "user", "content": assistant.prompts.render("direct_user", language)}]


def extract(assistant: Assistant, turn: Turn) -> DirectAnswer | None:
    """Ask the model for the answer phrase of the checked sentence; None when it writes
    nothing that the sentence holds or nothing the question does not already say. With an
    answer, the quoted evidence keeps only the sentences that support it. A copy
    instruction as a new turn cost ~1 s of reading and copied no better (docs/experiments.md).
    """
    best = turn.best
    language = assistant.settings.generation.corpus_language
    messages = check_messages(assistant.prompts, language, turn.question, best.text) + \
        _copy_turns(assistant, turn, language)
    written = assistant.generator.copy(messages, best.text, MAX_WORDS).strip()
    span = answer_span(written, best.text, turn.question)
    if span and turn.language != language:  # digits read the same in both; a name is rendered beside it
        span = number_in(best.text, span) if asks_number(turn.question) else span if asks_name(turn.question) else None
    if span is None or not fits(turn.question, best.text[span[0] : span[1]]) \
            or titled_otherwise(best.text, span, turn.question) or dated_count(best.text, span, turn.question):
        span = counted_in_dual(best.text, turn.question)  # the copy found no number; a dual is one
        if span is None:
            return None
    turn.chosen = evidence(turn.chosen, best.text[span[0] : span[1]])
    return span_answer(turn, best, span)


def evidence(chosen: list[ScoredSentence], answer: str) -> list[ScoredSentence]:
    """The sentences quoted under a direct answer: the checked one (first) and those of its
    article, and another article's only where it holds the answer too; else it supports nothing
    the answer says (in an archive, most such runners-up come from another story).
    """
    source, said = chosen[0].hit.chunk.source, normalize(answer)
    return [s for s in chosen if s.hit.chunk.source == source or said in normalize(s.text)]


def span_answer(turn: Turn, sentence, span: tuple[int, int]) -> DirectAnswer:
    """The span of a checked sentence as a direct answer citing the passage that holds it."""
    n = next((p.n for p in merge_into_passages(turn.chosen) if p.start <= sentence.start and sentence.end <= p.end), 1)
    return DirectAnswer(sentence.text[span[0] : span[1]], n, sentence.start + span[0], sentence.start + span[1])
