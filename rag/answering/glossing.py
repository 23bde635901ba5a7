"""English direct answers that a name gives: the name as the verified answer wrote it with its
Arabic spelling ("Theresa May (تيريسا ماي)"), or else the name copied from the checked sentence,
as for Arabic questions, with the model's English spelling of it beside it. The Arabic span is
the traceable part; the English spelling must sound like it, or there is no direct answer.
"""

from __future__ import annotations

import re
from dataclasses import replace
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from ..asking import asks_name
from ..grounding import check_messages
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
