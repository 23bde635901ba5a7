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
from ..prompting import neutralise
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


def locate(phrase: str, sentence: str) -> tuple[int, int] | None:
    """Where `phrase` occurs in `sentence` as whole words, compared after normalisation and light
    stemming (the model may drop a proclitic or add a case ending): character offsets into
    `sentence`, or None when its words do not occur there in a row.
    """
    wanted = [light_stem(normalize(w)) for w in _WORD.findall(phrase)]
    if not wanted or len(wanted) > MAX_WORDS:
        return None
    words = list(_WORD.finditer(sentence))
    stems = [light_stem(normalize(m.group())) for m in words]
    for i in range(len(stems) - len(wanted) + 1):
        if stems[i : i + len(wanted)] == wanted:
            return words[i].start(), words[i + len(wanted) - 1].end()
    return None


def adds_to_question(phrase: str, question: str) -> bool:
    """The phrase says something the question does not (a name the question already holds is
    no answer to it).
    """
    return bool(set(content_tokens(phrase)) - set(content_tokens(question)))


def extract(assistant: Assistant, turn: Turn) -> DirectAnswer | None:
    """Ask the model for the answer phrase of the checked sentence; None when it writes
    nothing that the sentence holds or nothing the question does not already say.
    """
    best = turn.best
    language = assistant.settings.generation.corpus_language
    prompts = assistant.prompts
    messages = [
        {"role": "system", "content": prompts.render("check_system", language)},
        {"role": "user", "content": prompts.render("check_user", language, text=neutralise(best.text),
                                                   question=neutralise(turn.question))},
        {"role": "assistant", "content": "نعم" if language == "ar" else "yes"},
        {"role": "user", "content": prompts.render("direct_user", language)},
    ]
    written = "".join(assistant.generator.stream(messages, 32, 0.0)).strip()
    span = locate(written, best.text)
    if span is None or not adds_to_question(best.text[span[0] : span[1]], turn.question):
        return None
    n = next((p.n for p in merge_into_passages(turn.chosen) if p.start <= best.start and best.end <= p.end), 1)
    return DirectAnswer(best.text[span[0] : span[1]], n, best.start + span[0], best.start + span[1])
