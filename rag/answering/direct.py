"""The direct answer: the shortest phrase of the checked sentence that answers the question
(a name, a number, a date), shown before the quoted evidence. The model is asked to copy it,
as the next turn of the answer check's conversation (so its prompt is already read); what it
writes counts only where it is found, word for word, in the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..context import merge_into_passages
from ..grounding import check_messages
from ..terms import content_tokens
from ..text import light_stem, normalize

if TYPE_CHECKING:
    from .assistant import Assistant
    from .turn import Turn

_WORD = re.compile("\\w[\\w\\u0610-\\u061a\\u064b-\\u065f\\u0670\\u0640]*")  # a word with its diacritics
MAX_WORDS = 12  # longer than this is a sentence, not a direct answer


@dataclass(frozen=True)
class DirectAnswer:
    """A span of the cited source: passage `n`, character offsets into the article."""

    text: str
    n: int
    start: int
    end: int


def _words(text: str) -> list[re.Match]:
    return list(_WORD.finditer(text))


def _stem(word: str) -> str:
    return light_stem(normalize(word))


def copy_grammar(sentence: str) -> str:
    """GBNF allowing only a run of the sentence's words, in order: the model can choose where
    the answer starts and stops, not what it says (unconstrained, it translated, prefixed
    "the answer:" or invented numbers).
    """
    words = [m.group().replace("\\", "\\\\").replace('"', '\\"') for m in _words(sentence)]
    rules = [f'w{i} ::= "{w}"' + (f' (" " w{i + 1})?' if i + 1 < len(words) else "") for i, w in enumerate(words)]
    return "\n".join([f"root ::= {' | '.join(f'w{i}' for i in range(len(words)))}", *rules])


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


def trimmed(sentence: str, span: tuple[int, int], question: str) -> tuple[int, int] | None:
    """The span without the question's own words and function words at its edges ("وزيرة
    الداخلية تيريسا ماي" → "تيريسا ماي"); None when nothing else is left: the copy added
    nothing to the question.
    """
    known = set(content_tokens(question))
    words = [m for m in _words(sentence) if span[0] <= m.start() and m.end() <= span[1]]
    keep = [not (set(content_tokens(m.group())) <= known) for m in words]
    if not any(keep):
        return None
    first, last = keep.index(True), len(keep) - 1 - keep[::-1].index(True)
    return words[first].start(), words[last].end()


def extract(assistant: Assistant, turn: Turn) -> DirectAnswer | None:
    """Ask the model for the answer phrase of the checked sentence; None when it writes
    nothing that the sentence holds or nothing the question does not already say.
    """
    best = turn.best
    language = assistant.settings.generation.corpus_language
    messages = check_messages(assistant.prompts, language, turn.question, best.text) + [
        {"role": "assistant", "content": "نعم" if language == "ar" else "yes"},
        {"role": "user", "content": assistant.prompts.render("direct_user", language)},
    ]
    written = "".join(assistant.generator.stream(messages, 32, 0.0, copy_grammar(best.text))).strip()
    span = locate(written, best.text)
    span = span and trimmed(best.text, span, turn.question)
    if span is None:
        return None
    n = next((p.n for p in merge_into_passages(turn.chosen) if p.start <= best.start and best.end <= p.end), 1)
    return DirectAnswer(best.text[span[0] : span[1]], n, best.start + span[0], best.start + span[1])
