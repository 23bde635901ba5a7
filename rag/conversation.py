"""Follow-up questions: detect a question that leans on the chat history ("ومتى حدث ذلك؟") and
rewrite it into a standalone question before retrieval.
"""

from __future__ import annotations

import re

from .generation import Generator
from .prompting import Prompts, neutralise
from .terms import content_tokens
from .text import language, normalize

_REFERRING = re.compile(
    r"\b(ذلك|هذا|هذه|هذان|هاتان|هؤلاء|تلك|اولئك|عنه|عنها|عنهم|منه|منها|فيه|فيها|له|لها|لهم|"
    r"it|its|that|this|those|these|they|them|their|he|she|him|her|his|there)\b"
)
_SUFFIX_PRONOUN = re.compile(r"\w{2,}(ها|هم|هما)\b")


def needs_rewrite(question: str, history: list[tuple[str, str]]) -> bool:
    """A follow-up: there is history, and the question refers back or is too short to stand alone."""
    if not history:
        return False
    norm = normalize(question)
    return bool(_REFERRING.search(norm)) or len(content_tokens(question)) <= 2 or bool(_SUFFIX_PRONOUN.search(norm))


def rewrite_question(generator: Generator, prompts: Prompts, question: str, history: list[tuple[str, str]],
                     max_turns: int = 3) -> str:
    """The standalone form of `question`, written by the model from the last turns of history."""
    lang = language(question)
    turns = "\n".join(f"- {neutralise(q)}\n  {neutralise(a)[:300]}" for q, a in history[-max_turns:])
    prompt = prompts.render("rewrite", lang, history=turns, question=neutralise(question))
    text = "".join(generator.stream([{"role": "user", "content": prompt}], max_tokens=80, temperature=0.0))
    text = text.strip().splitlines()[0].strip(' "«»') if text.strip() else ""
    return text if len(text) >= 3 else question
