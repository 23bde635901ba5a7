"""The answer stream's vocabulary, shared by the CLI, the chat and the evaluation: the passages
being read, an instant draft, the model's tokens, and the final answer. `AnswerStream` is iterated
for events and `.final()` gives the answer (consuming what is left).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from ..context import Passage
from .answer import Answer


@dataclass(frozen=True)
class Passages:
    passages: list[Passage]


@dataclass(frozen=True)
class Draft:
    """The cited source sentences, shown while the model checks them or writes its own answer."""

    answer: Answer
    next_step: Literal["checking", "writing"]


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class Final:
    answer: Answer


Event = Passages | Draft | Token | Final


class AnswerStream:
    """One question's events, produced lazily as they are iterated."""

    def __init__(self, events: Iterator[Event]):
        self._events = events
        self._final: Answer | None = None

    def __iter__(self) -> Iterator[Event]:
        for event in self._events:
            if isinstance(event, Final):
                self._final = event.answer
            yield event

    def final(self) -> Answer:
        for _ in self:
            pass
        if self._final is None:  # every flow ends with Final
            raise RuntimeError("the answer stream ended without an answer")
        return self._final
