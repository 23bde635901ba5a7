"""Names in English answers, traced to their Arabic source spelling. The direct answer that a
name gives: the name as the verified answer wrote it with its Arabic spelling ("Theresa May
(تيريسا ماي)"), or else the name copied from the checked sentence, as for Arabic questions, with
the model's English spelling of it beside it. The Arabic span is the traceable part; the English
spelling must sound like it, or there is no direct answer. And every other name the answer
writes without its source spelling gets it from the passage it cites (`gloss_names`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from ..asking import asks_name
from ..citations import AnswerSentence
from ..context import Passage
from ..grounding import check_messages
from ..text import normalize
from .direct import DirectAnswer, extract, locate, span_answer

if TYPE_CHECKING:
    from .assistant import Assistant
    from .turn import Turn

# "Theresa May (تيريسا ماي)": a capitalised name (with its particles) and its Arabic spelling
_NAME_PARTICLES = r"(?:al|el|bin|ibn|bint|abu|de|du|da|di|la|le|van|von|der)"
_NAME_WORD = rf"(?:[A-Z][\w'’.]*(?:-[\w'’.]+)*|{_NAME_PARTICLES}-[A-Z][\w'’.]*)"
_GLOSSED_NAME = re.compile(rf"({_NAME_WORD}(?:[ -](?:{_NAME_PARTICLES}[ -])?{_NAME_WORD}){{0,4}})\s*"
                           r"\(([^()A-Za-z]*[\u0621-\u064a][^()A-Za-z]*)\)")
# Capitalised words of a title before a name ("Prime Minister David Cameron"): not the name.
_TITLE_WORDS = frozenset("""the a an us uk un eu mr mrs ms dr sir sheikh king prince crown president vice prime minister
    ministers secretary state foreign interior defence defense home justice attorney general chief deputy envoy
    ambassador spokesman spokeswoman director commander mayor senator governor chancellor emir""".split())
# A run of capitalised words, and the capitalised function words that may open it ("The", "On").
_NAME_RUN = re.compile(rf"{_NAME_WORD}(?:[ -](?:{_NAME_PARTICLES}[ -])?{_NAME_WORD})*")
_LEADS = frozenset("""in on at of for to by from with and or but as after before since during according there it
    its this that these those he she they we his her their what which who when where how some all one""".split())
_OPENERS = _TITLE_WORDS | _LEADS
# Capitalised words that an answer translates rather than spells ("Islamic State", "Central
# Command", "January"): no source spelling sounds like them, and short ones find false matches.
_TERM_WORDS = frozenset("""state states united islamic army secret kingdom republic ministry council union party forces
    force guard national international security police court agency organisation organization company bank university
    museum festival league cup championship group committee authority office department federation association gulf sea
    ocean river mountains central command north south east west middle new day airport mosque stadium club
    january february march april june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday""".split())
_GLOSS = re.compile(r"\s*\(([^()]*)\)")  # what follows a name in parentheses
_ARABIC_WORDS = re.compile(r"[\u0621-\u064a\u0640\u064b-\u0652]+(?: [\u0621-\u064a\u0640\u064b-\u0652]+)*")
_DIACRITICS = re.compile(r"[\u064b-\u0652\u0640]")
# Letters as an English spelling writes them, vowels included (ا a, و u, ي i), for `sounds_alike`.
_ARABIC_LETTERS = str.maketrans({**dict.fromkeys("اأآىة", "a"), **dict.fromkeys("إيئ", "i"), **dict.fromkeys("وؤ", "u"),
                                 **dict.fromkeys("بپ", "b"), **dict.fromkeys("تطث", "t"), **dict.fromkeys("دضذ", "d"),
                                 **dict.fromkeys("جگ", "g"), "غ": "g", **dict.fromkeys("كقخ", "k"),
                                 **dict.fromkeys("سصش", "s"), **dict.fromkeys("زظ", "z"), **dict.fromkeys("فڤ", "f"),
                                 **dict.fromkeys("حه", "h"), "ل": "l", "م": "m", "ن": "n", "ر": "r", "ع": "a", "ء": ""})
_LATIN_LETTERS = str.maketrans({"p": "b", "v": "f", **dict.fromkeys("cqx", "k"), "j": "g",
                                **dict.fromkeys("eyi", "i"), **dict.fromkeys("ouw", "u")})
MIN_SOUND = 0.75  # `sounds_alike`: "Syria"/سوريا 0.80, "Paris"/باريس 1.0; "British"/باريس 0.73
_LATIN_NAME = re.compile(r"[A-Z][A-Za-z'’.-]*(?: [A-Za-z'’.-]+){0,5}")
# Consonant classes shared by an Arabic name and its English spelling; vowels, alef, waw, ya,
# ha and ain are left out (English writes them as vowels, h or nothing).
_ARABIC_SOUND = str.maketrans({**dict.fromkeys("بپ", "B"), **dict.fromkeys("تطث", "T"), **dict.fromkeys("دضذ", "D"),
                               **dict.fromkeys("جغگ", "G"), **dict.fromkeys("كقخ", "K"), **dict.fromkeys("سصشزظ", "S"),
                               **dict.fromkeys("فڤ", "F"), "ل": "L", "م": "M", "ن": "N", "ر": "R"})
_LATIN_DIGRAPHS = (("sh", "S"), ("ch", "S"), ("kh", "K"), ("gh", "G"), ("th", "T"), ("dh", "D"), ("ph", "F"))
_LATIN_SOUND = str.maketrans({**dict.fromkeys("bp", "B"), "t": "T", "d": "D", **dict.fromkeys("gj", "G"),
                              **dict.fromkeys("kcqx", "K"), **dict.fromkeys("sz", "S"), **dict.fromkeys("fv", "F"),
                              "l": "L", "m": "M", "n": "N", "r": "R"})


def glossed(turn: Turn, sentences: list) -> DirectAnswer | None:
    """For an English question that a name answers: the first name the verified answer writes
    with its source spelling, "Theresa May (تيريسا ماي)", that the question does not already
    name, whose spelling is found, word for word, in a checked sentence and sounds like the
    English: that span is the direct answer, the English name its rendering. No model call.
    """
    if not asks_name(turn.question):
        return None
    for sentence in (s for s in sentences if s.supported):
        for m in _GLOSSED_NAME.finditer(sentence.text):
            words, spelling = m.group(1).split(" "), m.group(2).strip()
            name = " ".join(words[next((i for i, w in enumerate(words) if w.lower() not in _TITLE_WORDS), len(words)):])
            if said_in(turn.question, spelling):
                continue
            for checked in turn.chosen:
                span = locate(spelling, checked.text)
                if span is not None:
                    found = span_answer(turn, checked, span)
                    if spelt_alike(name, found.text):
                        return replace(found, rendering=name)
    return None


def rendered(assistant: Assistant, turn: Turn, sentences: list) -> DirectAnswer | None:
    """The name copied from the checked sentence (its reply begun "نعم. الاسم:"), and then, in
    the same conversation, the model's English spelling of it; None unless that spelling is a
    name in Latin letters that sounds like the copy. Without that test, 16 of 27 English name
    answers on the seeds set were wrong: a number or a clause copied for "where", or a name the
    model made up ("Manuel Serrano" for مانويل فالس). None too when the copy is a name the
    question already says (كيري for "…did Kerry say…"), or the verified answer names someone
    else: the reader would see two answers.
    """
    found = extract(assistant, turn)
    verified = " ".join(s.text for s in sentences if s.supported)
    if found is None or said_in(turn.question, found.text) or (verified and not said_in(verified, found.text)):
        return None
    language = assistant.settings.generation.corpus_language
    messages = check_messages(assistant.prompts, language, turn.question, turn.best.text) + [
        {"role": "assistant", "content": assistant.prompts.render("direct_name", language) + " " + found.text},
        {"role": "user", "content": assistant.prompts.render("name_in_english", "en")}]
    written = "".join(assistant.generator.stream(messages, 16, 0.0)).strip().split("\n")[0].strip(" .\"'")
    return replace(found, rendering=written) if _LATIN_NAME.fullmatch(written) and spelt_alike(written, found.text) \
        else None


def spelt_alike(english: str, arabic: str) -> bool:
    """Whether an English name can be a spelling of the Arabic one: roughly the same consonants
    in the same order, over the whole name and in its last word. "Manuel Serrano" is not مانويل
    فالس, "Paris" is not فرنسا, "James K. Allbritton" is not جيمس كلابر; "Sharrl Di-Goul" is شارل ديغول.
    """
    ours = [_skeleton(w.translate(_ARABIC_SOUND)) for w in arabic.split()]
    theirs = [_latin_skeleton(w) for w in english.split()]
    ours, theirs = [w for w in ours if w], [w for w in theirs if w]
    if not ours or not theirs:
        return False
    return SequenceMatcher(None, "".join(ours), "".join(theirs)).ratio() >= 0.75 and \
        SequenceMatcher(None, ours[-1], theirs[-1]).ratio() >= 0.75


def gloss_names(sentences: list[AnswerSentence], passages: list[Passage]) -> list[AnswerSentence]:
    """Each name an English answer writes without its source spelling, with it ("Paris" →
    "Paris (باريس)"): the words of a passage the sentence cites that sound most like the name, or
    its last word ("Ben Rhodes (رودس)"); no spelling where none sounds alike. The model's own
    glosses stay where a cited passage holds them; one it does not is replaced by the passage's spelling
    (or dropped). A reader can search the archive for what the answer names.
    """
    texts = {p.n: p.text for p in passages}
    glossed_sentences = []
    for sentence in sentences:
        cited = [texts[n] for n in sentence.cited if n in texts]
        text = _glossed_text(sentence.text, cited) if sentence.supported and cited else sentence.text
        glossed_sentences.append(replace(sentence, text=text))
    return glossed_sentences


def _glossed_text(text: str, sources: list[str]) -> str:
    edits = []  # (start, end, replacement), in the order of the text
    for m in _NAME_RUN.finditer(text):
        run = m.group().rstrip(".'’")
        end = m.start() + len(run)
        gloss = _GLOSS.match(text, end)
        if gloss and (not _ARABIC_WORDS.search(gloss.group(1)) or _found_in(gloss.group(1), sources)):
            continue
        if gloss:  # the model's own spelling, not in the passage: no reader could search for it
            edits.append((end, gloss.end(), ""))
        for name, name_end in _names_in(run, m.start()):
            spelling = source_spelling(name, sources) or (" " in name and source_spelling(name.split()[-1], sources))
            if spelling:
                edits.append((name_end, name_end, f" ({spelling})"))
    parts, done = [], 0
    for start, end, replacement in sorted(edits):
        parts.append(text[done:start] + replacement)
        done = end
    return "".join(parts) + text[done:]


def _found_in(gloss: str, sources: list[str]) -> bool:
    """Whether a spelling the model wrote is one the cited passages hold, in Arabic letters only."""
    said = normalize(gloss.strip())
    return not re.search(r"[A-Za-z]", gloss) and any(said in normalize(source) for source in sources)


def _names_in(run: str, offset: int) -> list[tuple[str, int]]:
    """The names of a run of capitalised words, each with where it ends: the run without its
    leading titles and function words, split at translated terms ("Gulf of Syria" → "Syria").
    """
    names, current, end = [], [], offset
    for m in re.finditer(r"\S+", run):
        word = m.group()
        if word.lower() in _TERM_WORDS or (not current and word.lower() in _OPENERS):
            if current:
                names.append((" ".join(current), end))
            current = []
            continue
        current.append(word)
        end = offset + m.end()
    if current:
        names.append((" ".join(current), end))
    return names


def source_spelling(name: str, sources: list[str]) -> str | None:
    """The run of one word fewer to one more than `name` in `sources` that sounds most like it."""
    n_words = len(name.split())
    best: tuple[float, int, str] | None = None
    for source in sources:
        for m in _ARABIC_WORDS.finditer(source):
            words = m.group().split(" ")
            for n in range(max(1, n_words - 1), n_words + 2):
                for i in range(len(words) - n + 1):
                    candidate = " ".join(words[i : i + n])
                    score = sounds_alike(name, candidate)
                    if score and (best is None or (score, -n) > best[:2]):
                        best = (score, -n, candidate)
    return best[2] if best else None


def sounds_alike(english: str, arabic: str) -> float:
    """How closely an Arabic spelling writes an English name, 0 when it cannot: the consonants
    agree (`spelt_alike`), starting alike, and the letters with their vowels agree to
    `MIN_SOUND` ("Syria" is سوريا, not وأشار; "Paris" is not رئيس). The Arabic article is
    left out unless the English writes it ("Mosul" is الموصل).
    """
    if not english.lower().startswith(("al", "el")):
        arabic = re.sub(r"^(?:ال|وال|بال|لل)(?=\S\S)", "", arabic)
    english = re.sub(r"[cC](?=[eiy])", "s", english)  # a soft c: "Nice" is نيس
    ours, theirs = _skeleton(arabic.split()[0].translate(_ARABIC_SOUND)), _latin_skeleton(english.split()[0])
    if not ours or ours[0] != theirs[:1] or not spelt_alike(english, arabic):
        return 0.0
    score = SequenceMatcher(None, _latin_letters(english), _arabic_letters(arabic)).ratio()
    return score if score >= MIN_SOUND else 0.0


def _arabic_letters(arabic: str) -> str:
    return re.sub(r"(.)\1+", r"\1", _DIACRITICS.sub("", arabic).translate(_ARABIC_LETTERS).replace(" ", ""))


def _latin_letters(english: str) -> str:
    word = re.sub(r"e\b", "", english.lower())  # a silent e
    for pair, sound in (*_LATIN_DIGRAPHS, ("ck", "K")):
        word = word.replace(pair, sound.lower())
    word = re.sub(r"(?<=[bdfgklmnrstz])h", "", word.translate(_LATIN_LETTERS))
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[^a-z]", "", word))


def said_in(text: str, arabic: str) -> bool:
    """Whether `text` has, in one to three Latin words in a row, a spelling of the Arabic name."""
    found = re.findall(r"[A-Za-z][A-Za-z'’-]*", text)
    return any(spelt_alike(" ".join(found[i : i + n]), arabic) for n in (1, 2, 3) for i in range(len(found) - n + 1))


def _latin_skeleton(word: str) -> str:
    word = re.sub(r"^(al|el)-", "", word.lower()).replace("-", "")  # al-Souf: the Arabic article's L stays
    for pair, sound in _LATIN_DIGRAPHS:
        word = word.replace(pair, sound)
    return _skeleton(word.translate(_LATIN_SOUND))


def _skeleton(word: str) -> str:
    """The consonant classes in order, a doubled one once ("Valls" → FLS)."""
    kept = [c for c in word if c in "BTDGKSFLMNR"]
    return "".join(c for i, c in enumerate(kept) if i == 0 or c != kept[i - 1])
