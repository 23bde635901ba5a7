"""The question-answering service: retrieve, assemble context, generate (or extract), verify
citations, abstain when the sources do not say. UI, CLI and evaluation all call `Assistant`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .citations import AnswerSentence, citation_grammar, parse_answer
from .context import Passage, ScoredSentence, answer_sentences, assemble_context, estimate_tokens, merge_into_passages, score_sentences
from .generation import Generator
from .grounding import AnswerCheck, check_answer, is_abstention, missing_question_words, question_coverage, verify
from .prompting import PromptPassage, Prompts, build_messages
from .retrieval import Hit, Retriever
from .settings import Settings
from .text import language as detect_language
from .text import strip_invisible


class QuestionError(ValueError):
    """A question that cannot be asked (empty, only punctuation); the message is for the user."""


@dataclass
class Answer:
    question: str
    language: str
    mode: str
    answer: str
    raw_answer: str
    abstained: bool
    sentences: list[AnswerSentence]
    passages: list[Passage]
    hits: list[Hit]
    timings: dict
    notices: list[str] = field(default_factory=list)
    prompt_tokens: int = 0
    check: AnswerCheck | None = None  # the answer check, when the model was asked

    @property
    def answer_check(self) -> float | None:
        """The model's answer-check log-odds (None when it was not asked)."""
        return None if self.check is None else self.check.model

    def citations(self) -> list[dict]:
        """The verified citations: one entry per passage that a supported sentence cites."""
        cited = sorted({n for s in self.sentences if s.supported for n in s.cited})
        by_n = {p.n: p for p in self.passages}
        return [_passage_dict(by_n[n]) for n in cited if n in by_n]

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.answer,
            "language": self.language,
            "mode": self.mode,
            "abstained": self.abstained,
            "citations": self.citations(),
            "sentences": [
                {"text": s.text, "citations": s.cited, "supported": bool(s.supported), "support": round(s.support, 3),
                 "invalid_citations": s.invalid}
                for s in self.sentences
            ],
            "passages": [_passage_dict(p) for p in self.passages],
            "retrieved": [
                {"chunk_id": h.chunk.chunk_id, "source": h.chunk.source, "score": round(h.score, 5),
                 "dense_score": round(h.dense_score, 4), "bm25_score": round(h.bm25_score, 3)}
                for h in self.hits
            ],
            "raw_answer": self.raw_answer,
            "notices": self.notices,
            "prompt_tokens": self.prompt_tokens,
            "answer_check": None if self.check is None else round(self.check.model, 3),
            "question_coverage": None if self.check is None or self.check.coverage is None
            else round(self.check.coverage, 3),
            "answer_score": None if self.check is None else round(self.check.score, 3),
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
        }


def _passage_dict(p: Passage) -> dict:
    return {"n": p.n, "chunk_id": p.chunk.chunk_id, "source": p.chunk.source, "title": p.chunk.title,
            "start": p.start, "end": p.end, "text": p.text, "score": round(p.score, 4)}


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


class Assistant:
    """Answers questions over one index with one embedder and (optionally) one generator."""

    def __init__(self, settings: Settings, retriever: Retriever, prompts: Prompts,
                 generator: Generator | None = None, similarity: Callable | None = None,
                 sentence_similarity: Callable | None = None):
        self.settings = settings
        self.retriever = retriever
        self.prompts = prompts
        self.generator = generator
        self.similarity = similarity  # answer sentence ↔ passages, for verification
        self.sentence_similarity = sentence_similarity  # question ↔ candidate sentences

    @property
    def weights(self):
        return self.retriever.index.term_weights

    @property
    def checks_before_writing(self) -> bool:
        """Generated answers are checked before the model writes (settings; README, "English questions")."""
        g = self.settings.grounding
        return g.check_answers and g.check_before_writing

    # -- input -----------------------------------------------------------------------------

    def clean_question(self, question: str) -> tuple[str, list[str]]:
        notices = []
        question = " ".join(strip_invisible(question or "").split())
        if not any(ch.isalnum() for ch in question):
            raise QuestionError("اكتب سؤالاً من فضلك. / Please type a question.")
        limit = self.settings.generation.max_question_chars
        if len(question) > limit:
            question = question[:limit]
            notices.append(f"The question was longer than {limit} characters and was truncated.")
        return question, notices

    # -- answering -------------------------------------------------------------------------

    def retrieve(self, question: str, k: int | None = None, mode: str | None = None) -> list[Hit]:
        return self.retriever.search(question, k or self.settings.retrieval.k, mode)

    def ask(self, question: str, **options) -> Answer:
        """Answer a question; consumes `stream` and returns its final Answer."""
        final = None
        for event, payload in self.stream(question, **options):
            if event == "answer":
                final = payload
        return final

    def stream(self, question: str, k: int | None = None, mode: str | None = None,
               retriever: str | None = None, select_sentences: bool = True,
               context_tokens: int | None = None, hits: list[Hit] | None = None,
               temperature: float | None = None) -> Iterator[tuple[str, object]]:
        """Yield ("passages", [Passage]), ("draft", Answer) — the instant extractive answer — when
        more is to come (the model's answer check or its generated answer), ("token", str)… in
        generative mode, then ("answer", Answer).
        `hits` skips retrieval (the evaluator retrieves once for both metrics and answer).
        """
        started = time.perf_counter()
        question, notices = self.clean_question(question)
        lang = detect_language(question)
        mode = mode or self.settings.generation.mode
        if mode == "auto":
            mode = "extractive" if lang == self.settings.generation.corpus_language else "generative"
        if mode == "generative" and self.generator is None:
            mode = "extractive"
            notices.append("No generator loaded: answering extractively.")
        if hits is None:
            hits = self.retrieve(question, k, retriever)
        timings = {"retrieve_ms": (time.perf_counter() - started) * 1000}

        if not hits or hits[0].dense_score < self.settings.grounding.min_retrieval_score:
            passages = _closest_passages(question, hits)
            yield "passages", passages
            yield "answer", self._abstain(question, lang, mode, passages, hits, timings, started, notices, "")
            return

        scored = score_sentences(question, hits, self.weights, self.sentence_similarity)
        g = self.settings.generation
        chosen = answer_sentences(scored, g.answer_sentences, g.sentence_margin)
        if mode == "extractive":
            yield from self._extractive(question, lang, chosen, hits, timings, started, notices)
            return

        grounding = self.settings.grounding
        if self.checks_before_writing and select_sentences:
            yield from self._checked_then_written(question, lang, chosen, hits, timings, started, notices, temperature)
            return

        count = self.generator.count_tokens if self.generator else estimate_tokens
        budget = context_tokens or self.settings.generation.context_tokens
        passages = assemble_context(question, hits, budget, count, select_sentences, self.weights,
                                    self.sentence_similarity, scored)
        yield "passages", passages
        # The instant extractive answer, shown while the model reads (labelled with this answer's mode).
        draft = self._extractive_answer(question, lang, chosen, hits, dict(timings), started, notices, "generative")
        timings["draft_ms"] = draft.timings["total_ms"]
        yield "draft", draft
        raw, prompt_tokens = yield from self._write(question, lang, passages, timings, started, temperature)
        answer = self._finish(question, lang, mode, raw, passages, hits, timings, started, notices)
        if answer.abstained and grounding.min_quote_score is not None and grounding.check_answers and select_sentences:
            # The model declined (or wrote what could not be verified), yet the best sentence may
            # state the answer: the same check as for extractive answers decides whether to quote it.
            check = self._check(question, chosen[0])
            if check.score >= grounding.min_quote_score:
                answer = self._quoted_instead(question, lang, chosen, hits, timings, started, notices, raw,
                                              "The model wrote no verifiable answer; it found that the quoted "
                                              "source sentence states it.")
            answer.check = check
        elif (not answer.abstained and grounding.prefer_best_passage and select_sentences
                and not _cites_best(answer, chosen[0])):
            answer = self._quoted_instead(question, lang, chosen, hits, timings, started, notices, raw,
                                          "The model's answer did not rest on the most relevant article; "
                                          "showing its most relevant sentence instead.")
        answer.prompt_tokens = prompt_tokens
        yield "answer", answer

    def _checked_then_written(self, question, lang, chosen, hits, timings, started, notices,
                              temperature) -> Iterator[tuple[str, object]]:
        """Generated answers, checked first: the answer check decides, as for quoted answers,
        whether the best sentence answers the question; only then does the model write the answer
        in the question's language, from the checked sentences alone. What it writes is verified;
        when it declines or nothing it wrote can be verified, the checked sentences are quoted.
        """
        draft = self._extractive_answer(question, lang, chosen, hits, dict(timings), started, notices, "generative")
        passages = draft.passages
        yield "passages", passages
        timings["draft_ms"] = draft.timings["total_ms"]
        yield "draft", draft
        check = self._check(question, chosen[0])
        if check.score < self.settings.grounding.min_answer_score:
            answer = self._declined_by_check(question, lang, "generative", check, chosen[0], hits, timings, started,
                                             notices, "")
        else:
            raw, prompt_tokens = yield from self._write(question, lang, passages, timings, started, temperature)
            answer = self._finish(question, lang, "generative", raw, passages, hits, timings, started, notices)
            if answer.abstained:
                answer = self._quoted_instead(question, lang, chosen, hits, timings, started, notices, raw,
                                              "The model wrote no verifiable answer in the question's language; "
                                              "the quoted source sentence was checked to state it.")
            elif self.settings.grounding.prefer_best_passage and not _cites_best(answer, chosen[0]):
                answer = self._quoted_instead(question, lang, chosen, hits, timings, started, notices, raw,
                                              "The model's answer did not rest on the checked sentence's article; "
                                              "showing that sentence instead.")
            answer.prompt_tokens = prompt_tokens
        answer.check = check
        yield "answer", answer

    def _write(self, question, lang, passages, timings, started, temperature) -> Iterator[tuple[str, object]]:
        """Stream the model's answer from `passages` as ("token", str) events; returns (raw, prompt tokens)."""
        g = self.settings.generation
        messages = build_messages(self.prompts, lang, question, [PromptPassage(p.n, p.text) for p in passages])
        grammar = citation_grammar(len(passages), self.prompts.abstain_message(lang)) if g.grammar else None
        raw = ""
        for piece in self.generator.stream(messages, g.max_tokens, g.temperature if temperature is None else temperature,
                                           grammar, g.repeat_penalty):
            if not raw:
                timings["ttft_ms"] = (time.perf_counter() - started) * 1000
            raw += piece
            yield "token", piece
        return raw, sum(self.generator.count_tokens(m["content"]) for m in messages)

    def _check(self, question: str, best: ScoredSentence) -> AnswerCheck:
        """The answer check of the best sentence, always with the corpus language's prompt: the
        sentence is in that language, and English questions checked with the English prompt
        separated about as well but scored far lower, declining most answerable ones at the
        calibrated threshold (README, "English questions"). Its score also weighs how much of the
        question the sentence's passage covers, when both are in one language.
        """
        g = self.settings.grounding
        model = check_answer(self.generator, self.prompts, self.settings.generation.corpus_language, question, best.text)
        coverage = question_coverage(question, best.hit.chunk.text, self.weights)
        return AnswerCheck.combine(model, coverage, g.coverage_weight, g.coverage_neutral)

    def _finish(self, question, lang, mode, raw, passages, hits, timings, started, notices) -> Answer:
        if is_abstention(raw, self.prompts.abstain_message(lang)):
            return self._abstain(question, lang, mode, passages, hits, timings, started, notices, raw)
        sentences = parse_answer(raw, len(passages))
        if self.settings.grounding.verify:
            # Word overlap verifies answers in the corpus language; others also need embeddings.
            similarity = self.similarity if lang != self.settings.generation.corpus_language else None
            verify(sentences, [p.text for p in passages], self.settings.grounding.min_support, similarity,
                   self.weights, question)
        else:
            for s in sentences:
                s.supported = bool(s.cited)
        if not any(s.supported for s in sentences):
            answer = self._abstain(question, lang, mode, passages, hits, timings, started, notices, raw)
            answer.sentences = sentences
            return answer
        timings["total_ms"] = (time.perf_counter() - started) * 1000
        return Answer(question, lang, mode, render_answer(sentences), raw, False, sentences, passages, hits,
                      timings, notices)

    def _abstain(self, question, lang, mode, passages, hits, timings, started, notices, raw) -> Answer:
        timings.setdefault("ttft_ms", (time.perf_counter() - started) * 1000)
        timings["total_ms"] = (time.perf_counter() - started) * 1000
        return Answer(question, lang, mode, self.prompts.abstain_message(lang), raw, True, [], passages, hits,
                      timings, notices)

    def _extractive(self, question, lang, chosen, hits, timings, started, notices) -> Iterator[tuple[str, object]]:
        """The best sentence of the top passages, with any close runner-up, cited; with a model
        loaded, shown as a draft until the model confirms that the best sentence states the answer.
        """
        g = self.settings.grounding
        draft = self._extractive_answer(question, lang, chosen, hits, dict(timings), started, notices, "extractive")
        yield "passages", draft.passages
        if self.generator is None or not g.check_answers:
            if g.check_answers:
                draft.notices.append("No model loaded: the answer was not checked.")
            yield "answer", draft
            return
        timings["draft_ms"] = timings["ttft_ms"] = draft.timings["total_ms"]  # the user reads from here on
        yield "draft", draft
        # The check reads the best sentence alone: measured on XQuAD, adding the runner-up to what
        # it reads made it say yes more often to unanswerable questions (README, "Answer sentences").
        check = self._check(question, chosen[0])
        if check.score < g.min_answer_score:
            answer = self._declined_by_check(question, lang, "extractive", check, chosen[0], hits, timings, started,
                                             notices, draft.raw_answer)
        else:
            answer = self._extractive_answer(question, lang, chosen, hits, timings, started, notices, "extractive")
        answer.check = check
        yield "answer", answer

    def _declined_by_check(self, question, lang, mode, check, best, hits, timings, started, notices, raw) -> Answer:
        """The abstention when the answer check finds the best sentence does not answer: the
        closest passages, for the user to read, and why (the model said no, or its passage lacks
        words of the question the model's yes could not make up for).
        """
        answer = self._abstain(question, lang, mode, _closest_passages(question, hits), hits, timings, started,
                               notices, raw)
        # Only when the model's yes alone would have passed did the missing words decide.
        missing = (missing_question_words(question, best.hit.chunk.text)
                   if check.model >= self.settings.grounding.min_answer_score else [])
        if missing:
            answer.notices.append(f"The closest passage does not contain {', '.join(missing)} from the question, "
                                  "and the model's yes was not sure enough to make up for it.")
        else:
            answer.notices.append("The model found that the closest sentence does not state the answer.")
        return answer

    def _quoted_instead(self, question, lang, chosen, hits, timings, started, notices, raw, notice) -> Answer:
        """The best sentences quoted in place of the model's answer, saying why."""
        answer = self._extractive_answer(question, lang, chosen, hits, timings, started, notices,
                                         "generative→extractive", raw)
        answer.notices.append(notice)
        return answer

    def _extractive_answer(self, question, lang, chosen, hits, timings, started, notices, mode, raw="") -> Answer:
        passages = merge_into_passages(chosen)
        sentences = [AnswerSentence(text=p.text, cited=[p.n], supported=True, support=1.0) for p in passages]
        timings.setdefault("ttft_ms", (time.perf_counter() - started) * 1000)
        timings["total_ms"] = (time.perf_counter() - started) * 1000
        quoted = " ".join(p.text for p in passages)
        return Answer(question, lang, mode, render_answer(sentences), raw or quoted, False, sentences,
                      passages, hits, timings, list(notices))


def _closest_passages(question: str, hits: list[Hit]) -> list[Passage]:
    """What an abstention shows the user to read: the top three chunks, whole."""
    return assemble_context(question, hits[:3], 10**6, select_sentences=False)


def _cites_best(answer: Answer, best) -> bool:
    """A supported sentence cites a passage from the article of the best-scored sentence."""
    cited = {n for s in answer.sentences if s.supported for n in s.cited}
    return any(p.n in cited and p.chunk.source == best.hit.chunk.source for p in answer.passages)
