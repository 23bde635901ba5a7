"""The extractive flow (questions in the corpus language): the best source sentences, cited,
shown at once; then the model checks that the best one states the answer, or the assistant
abstains with the closest passages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from . import checking, direct, policy
from .events import Draft, Event, Final, Passages
from .turn import Turn

if TYPE_CHECKING:
    from .assistant import Assistant


def answer(assistant: Assistant, turn: Turn) -> Iterator[Event]:
    g = assistant.settings.grounding
    draft = turn.draft()
    yield Passages(draft.passages)
    if not policy.checks_answers(g, assistant.generator is not None):
        yield Final(turn.quote("No model loaded: the answer was not checked." if g.check_answers else None))
        return
    turn.timings["draft_ms"] = turn.timings["ttft_ms"] = draft.timings["total_ms"]  # the user reads from here on
    yield Draft(draft, "checking")
    # The check reads the best sentence alone: with the runner-up too, it said yes more often to
    # unanswerable questions (docs/experiments.md#what-the-check-reads).
    checking.check(assistant, turn, then=direct.reply_start(assistant, turn))
    turn.mark("check_ms")
    turn.raw = draft.raw_answer
    if policy.check_declines(turn.check, g):
        yield Final(checking.declined(assistant, turn))
        return
    turn.direct = direct.extract(assistant, turn)
    turn.mark("direct_ms")
    if policy.uncopied_declines(turn.question, turn.direct is not None, turn.check, g):
        yield Final(checking.uncopied(assistant, turn))
        return
    yield Final(turn.quote())
