"""One question on its way through the answer path: what was asked, what was retrieved and
chosen, the check and the timings so far. The flows decide; the turn builds their `Answer`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..citations import AnswerSentence
from ..context import Passage, ScoredSentence, assemble_context, merge_into_passages
from ..grounding import AnswerCheck
from ..retrieval import Hit
from .answer import Answer, render_answer
from .direct import DirectAnswer


@dataclass
class Turn:
    question: str
    language: str
    mode: str
    hits: list[Hit]
    started: float
    abstain_message: str
    notices: list[str] = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    temperature: float | None = None
    context_tokens: int | None = None
    scored: list[ScoredSentence] = field(default_factory=list)
    chosen: list[ScoredSentence] = field(default_factory=list)  # best sentence first
    check: AnswerCheck | None = None
    raw: str = ""  # what the model wrote
    direct: DirectAnswer | None = None  # the answer phrase of the checked sentence
    prompt_tokens: int = 0

    @property
    def best(self) -> ScoredSentence:
        return self.chosen[0]

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000

    def mark(self, name: str) -> None:
        self.timings[name] = self.elapsed_ms()

    def closest_passages(self) -> list[Passage]:
        """What an abstention shows the user to read: the top three chunks, whole."""
        return assemble_context(self.question, self.hits[:3], 10**6, select_sentences=False)

    # -- the answers a flow can end with -----------------------------------------------------

    def draft(self) -> Answer:
        """The chosen sentences quoted, timed as of now, while the flow goes on."""
        return self._quote(dict(self.timings), list(self.notices))

    def quote(self, notice: str | None = None) -> Answer:
        """The chosen sentences quoted and cited: traceable by construction."""
        return self._quote(self.timings, self._notices(notice))

    def written(self, sentences: list[AnswerSentence], passages: list[Passage]) -> Answer:
        """The model's verified sentences with their citations."""
        direct = self.direct if self.direct and any(p.n == self.direct.n for p in passages) else None
        return self._build(render_answer(sentences), self.raw, False, sentences, passages, self.timings,
                           list(self.notices), quoted=False, direct=direct)

    def abstain(self, passages: list[Passage], notice: str | None = None,
                sentences: list[AnswerSentence] | None = None) -> Answer:
        """"The sources do not say", with passages to read (and any unsupported sentences)."""
        return self._build(self.abstain_message, self.raw, True, sentences or [], passages, self.timings,
                           self._notices(notice), quoted=False)

    def _quote(self, timings: dict, notices: list[str]) -> Answer:
        passages = merge_into_passages(self.chosen)
        sentences = [AnswerSentence(text=p.text, cited=[p.n], supported=True, support=1.0) for p in passages]
        quoted = " ".join(p.text for p in passages)
        return self._build(render_answer(sentences), self.raw or quoted, False, sentences, passages, timings,
                           notices, quoted=True, direct=self.direct)

    def _notices(self, notice: str | None) -> list[str]:
        return self.notices + ([notice] if notice else [])

    def _build(self, text: str, raw: str, abstained: bool, sentences: list[AnswerSentence],
               passages: list[Passage], timings: dict, notices: list[str], quoted: bool,
               direct: DirectAnswer | None = None) -> Answer:
        timings.setdefault("ttft_ms", self.elapsed_ms())
        timings["total_ms"] = self.elapsed_ms()
        return Answer(self.question, self.language, self.mode, text, raw, abstained, sentences, passages,
                      self.hits, dict(timings), notices, quoted, self.prompt_tokens, self.check, direct)
