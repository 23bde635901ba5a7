"""What a question gets back: the answer text, its sentences and their verified citations, the
passages shown, timings and notices. Built once per question and serialised once (`to_dict`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..citations import AnswerSentence
from ..context import Passage
from ..grounding import AnswerCheck
from ..retrieval import Hit
from .direct import DirectAnswer


class QuestionError(ValueError):
    """A question that cannot be asked (empty, only punctuation); the message is for the user."""


@dataclass(frozen=True)
class Answer:
    question: str
    language: str
    mode: str  # the flow that answered: "extractive" or "generative"
    answer: str
    raw_answer: str
    abstained: bool
    sentences: list[AnswerSentence]
    passages: list[Passage]
    hits: list[Hit]
    timings: dict
    notices: list[str] = field(default_factory=list)
    quoted: bool = False  # the answer quotes source sentences (extractive, or quoted instead of a written one)
    prompt_tokens: int = 0
    check: AnswerCheck | None = None  # the answer check, when the model was asked
    direct: DirectAnswer | None = None  # the short answer phrase, a span of passage `direct.n`

    @property
    def answer_check(self) -> float | None:
        """The model's answer-check log-odds (None when it was not asked)."""
        return None if self.check is None else self.check.model

    def around_direct(self) -> tuple[str, str, str] | None:
        """The answer text split around the direct answer's phrase (before, phrase, after), for
        marking it inside its evidence; None when there is none.
        """
        at = self.answer.find(self.direct.text) if self.direct else -1
        if at < 0:
            return None
        end = at + len(self.direct.text)
        return self.answer[:at], self.answer[at:end], self.answer[end:]

    def citations(self) -> list[dict]:
        """The verified citations: one entry per passage that a supported sentence or the direct
        answer cites (a written answer may cite another passage than the one the number is from).
        """
        cited = sorted({n for s in self.sentences if s.supported for n in s.cited} |
                       ({self.direct.n} if self.direct else set()))
        by_n = {p.n: p for p in self.passages}
        return [passage_dict(by_n[n]) for n in cited if n in by_n]

    def to_dict(self) -> dict:
        check = self.check
        return {
            "question": self.question,
            "answer": self.answer,
            "direct": None if self.direct is None else {"text": self.direct.text, "citation": self.direct.n,
                                                        "start": self.direct.start, "end": self.direct.end,
                                                        "rendering": self.direct.rendering, "shown": self.direct.shown},
            "language": self.language,
            "mode": self.mode,
            "quoted": self.quoted,
            "abstained": self.abstained,
            "citations": self.citations(),
            "sentences": [
                {"text": s.text, "citations": s.cited, "supported": bool(s.supported), "support": round(s.support, 3),
                 "invalid_citations": s.invalid}
                for s in self.sentences
            ],
            "passages": [passage_dict(p) for p in self.passages],
            "retrieved": [
                {"chunk_id": h.chunk.chunk_id, "source": h.chunk.source, "score": round(h.score, 5),
                 "dense_score": round(h.dense_score, 4), "bm25_score": round(h.bm25_score, 3)}
                for h in self.hits
            ],
            "raw_answer": self.raw_answer,
            "notices": self.notices,
            "prompt_tokens": self.prompt_tokens,
            # Unrounded: the evaluation's threshold table compares these.
            "answer_check": None if check is None else check.model,
            "question_coverage": None if check is None else check.coverage,
            "answer_score": None if check is None else check.score,
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
        }


def passage_dict(p: Passage) -> dict:
    return {"n": p.n, **_article_of(p.chunk), "start": p.start, "end": p.end, "text": p.text,
            "score": round(p.score, 4), "also": [_article_of(a) for a in p.also]}


def _article_of(c) -> dict:
    """What a journalist knows a chunk's article by."""
    return {"chunk_id": c.chunk_id, "source": c.source, "title": c.title, "outlet": c.outlet, "date": c.date,
            "url": c.url}


def also_in(source: dict) -> str:
    """Where else the passage's text ran ("… okaz, 2015-07-22; alwatan, 2015-07-23"), or ""."""
    def place(a: dict) -> str:
        return ", ".join(x for x in (a["outlet"] or a["title"] or a["source"], a["date"]) if x)

    places = [p for p in dict.fromkeys(place(a) for a in source.get("also", [])) if p != place(source)]  # reprints once
    return f"وردت أيضاً في · also in: {'; '.join(places)}" if places else ""


def render_answer(sentences: list[AnswerSentence]) -> str:
    """Supported sentences with their verified [n] markers."""
    parts = []
    for s in sentences:
        if not s.supported:
            continue
        marks = "".join(f"[{n}]" for n in s.cited)
        text = s.text.rstrip()
        end = text[-1] if text and text[-1] in ".؟?!" else ""
        parts.append(f"{text[:-1] if end else text} {marks}{end}")
    return " ".join(parts)
