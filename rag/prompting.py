"""Prompt templates from files under prompts/, rendered with named variables; passages are
numbered and neutralised so document text cannot pose as instructions or citation markers.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

from .text import strip_invisible

_BRACKETED_NUMBER = re.compile(r"\[\s*([0-9٠-٩۰-۹]+(?:\s*[,،]\s*[0-9٠-٩۰-۹]+)*)\s*\]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ROLE_TOKENS = re.compile(r"<\|[^|>]{1,40}\|>")


class PromptError(KeyError):
    """A template asked for a variable that was not given."""


class Prompts:
    """Loads `{name}.{language}.txt` templates from a folder; English is the fallback language."""

    def __init__(self, folder: Path):
        self.folder = folder

    def template(self, name: str, language: str) -> str:
        for lang in (language, "en"):
            path = self.folder / f"{name}.{lang}.txt"
            if path.exists():
                return path.read_text(encoding="utf-8")
        raise FileNotFoundError(f"no prompt template {name}.{language}.txt in {self.folder}")

    def render(self, name: str, language: str, **variables: str) -> str:
        return render(self.template(name, language), **variables)

    def abstain_message(self, language: str) -> str:
        return self.template("abstain", language).strip()


def render(template: str, **variables: str) -> str:
    """Fill `{name}` fields; a field with no value raises PromptError (fail loudly, never blank)."""
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    missing = fields - variables.keys()
    if missing:
        raise PromptError(f"prompt variables missing: {', '.join(sorted(missing))}")
    return template.format(**variables).strip()


def neutralise(text: str) -> str:
    """Make passage text safe to quote: no control or bidi characters, no chat-role tokens, and
    bracketed numbers turned into parentheses so they cannot pass for our [n] citations.
    """
    text = strip_invisible(_CONTROL.sub(" ", text))
    text = _ROLE_TOKENS.sub(" ", text)
    return _BRACKETED_NUMBER.sub(r"(\1)", text)


@dataclass(frozen=True)
class PromptPassage:
    n: int
    text: str


def format_passages(passages: list[PromptPassage]) -> str:
    return "\n".join(f"[{p.n}] {neutralise(p.text)}" for p in passages)


def answer_system(prompts: Prompts, language: str, checked: bool = False) -> str:
    """The writer's static system prompt: what `build_messages` sends and a warm-up reads first.
    Once the answer check has found that the passages state the answer, the prompt says so and
    gives no way to decline: told how, the 1.5B model declined for 21 of 74 checked English
    questions and the reader got Arabic quotes (docs/results.md).
    """
    if checked:
        return prompts.render("answer_checked_system", language)
    return prompts.render("answer_system", language, abstain=prompts.abstain_message(language))


def build_messages(prompts: Prompts, language: str, question: str, passages: list[PromptPassage],
                   checked: bool = False) -> list[dict]:
    """Chat messages: a static system prompt (cacheable prefix) and the passages + question."""
    system = answer_system(prompts, language, checked)
    user = prompts.render("answer_user", language, passages=format_passages(passages), question=neutralise(question))
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]
