"""Grounding: check each answer sentence against the passages, re-attach it to the passage that
really supports it, mark what nothing supports, and decide when to abstain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .citations import AnswerSentence
from .prompting import neutralise
from .terms import TermWeights, content_tokens
from .text import language, normalize, numbers, tokenize

_GLOSS = re.compile(r"\(([^()A-Za-z]*[\u0621-\u064a][^()A-Za-z]*)\)")  # (Arabic words) in an English sentence


def lexical_support(sentence: str, passage: str, weights: TermWeights | None = None, question: str = "") -> float:
    """Share of the sentence's content words found in the passage, weighted by rarity (a missing
    name costs more than a missing common word); 0 if it states a number the passage does not
    contain (numbers are the claims most often invented). Words the sentence repeats from the
    question are not evidence of anything, so only what the sentence adds must be in the passage;
    a sentence that adds nothing is not an answer (support 0).
    """
    claim_numbers = numbers(sentence)
    if claim_numbers and not claim_numbers <= numbers(passage):
        return 0.0
    words = set(content_tokens(sentence)) - set(content_tokens(question))
    if not words:
        return 0.0
    return (weights or TermWeights({}, 0)).coverage(words, set(content_tokens(passage)))


def verify(sentences: list[AnswerSentence], passages: list[str], min_support: float,
           similarity=None, weights: TermWeights | None = None, question: str = "") -> list[AnswerSentence]:
    """Set `supported`/`support` on each sentence and make its citations the verified ones.

    `similarity(sentence, passages) -> list[float]` (embedding cosine mapped to 0..1) is used
    alongside word overlap, so answers in another language than the passages can be verified.
    """
    for sentence in sentences:
        scores = [lexical_support(sentence.text, p, weights, question) for p in passages]
        if similarity is not None and passages:
            semantic = similarity(sentence.text, passages)
            claim_numbers = numbers(sentence.text)
            glosses = source_spellings(sentence.text)
            scores = [
                max(lex, sem if (not claim_numbers or claim_numbers <= numbers(p))
                    and _spelled_in(glosses, p) else 0.0)
                for lex, sem, p in zip(scores, semantic, passages)
            ]
        cited_ok = [n for n in sentence.cited if scores[n - 1] >= min_support]
        if cited_ok:
            sentence.cited = cited_ok
            sentence.support = max(scores[n - 1] for n in cited_ok)
            sentence.supported = True
            continue
        best = max(range(len(passages)), key=lambda i: scores[i], default=None)
        if best is not None and scores[best] >= min_support:
            sentence.cited = [best + 1]
            sentence.support = scores[best]
            sentence.supported = True
        else:
            sentence.cited = []
            sentence.support = scores[best] if best is not None else 0.0
            sentence.supported = False
    return sentences


def source_spellings(sentence: str) -> list[str]:
    """The Arabic spellings an English sentence gives its names in, "Theresa May (تيريزا ماي)":
    each must be found in the passage that supports the sentence, as its numbers must.
    """
    if language(sentence) != "en":
        return []
    return [m.group(1).strip() for m in _GLOSS.finditer(sentence)]


def _spelled_in(glosses: list[str], passage: str) -> bool:
    """Every word of every spelling is in the passage: its light stem within one of the
    passage's words (الألمانية holds ألمانيا, whose stem is ماني).
    """
    words = set(tokenize(passage, stem=False))
    return all(any(stem in word for word in words) for g in glosses for stem in tokenize(g))


def is_abstention(answer: str, abstain_message: str) -> bool:
    """The model said the sources do not contain the answer (or said nothing)."""
    body = normalize(answer).strip(" .،,")
    return not body or normalize(abstain_message).strip(" .،,") in body


def check_answer(generator, prompts, language: str, question: str, text: str, then: str = "") -> float:
    """How sure the model is that `text` states the answer to `question`: the log-odds of its
    replying yes rather than no to the answer-check prompt in the question's language
    (prompts/check_*.txt). One forward pass over a short prompt, no sampling; `then`, the reply
    a copy would continue, is read in the same pass.
    """
    return generator.yes_no(check_messages(prompts, language, question, text), then)


def check_messages(prompts, language: str, question: str, text: str) -> list[dict]:
    """The answer check's conversation: its system prompt, then the sentence and the question."""
    return [{"role": "system", "content": prompts.render("check_system", language)},
            {"role": "user", "content": prompts.render("check_user", language, text=neutralise(text),
                                                       question=neutralise(question))}]


def question_coverage(question: str, passage: str, weights: TermWeights | None = None) -> float | None:
    """Weighted share of the question's content words that the passage contains (0..1): a passage
    holding the answer usually repeats the question's rarer words (its names, its subject).
    None when the two are in different languages, where shared words say nothing, or when the
    question has no content words.
    """
    needed = set(content_tokens(question))
    if not needed or language(question) != language(passage):
        return None
    return (weights or TermWeights({}, 0)).coverage(needed, set(content_tokens(passage)))


def missing_question_words(question: str, passage: str) -> list[str]:
    """The question's content words, as written, whose stems the passage lacks (in question order)."""
    present = set(content_tokens(passage))
    missing = []
    for word in question.split():
        stems = set(content_tokens(word))
        if stems and not stems <= present:
            missing.append(word.strip("؟?!.،,؛;:«»\"'()[]"))
    return missing


@dataclass(frozen=True)
class AnswerCheck:
    """The verdict on whether the best sentence answers the question. `score` is what the
    abstention thresholds compare: the model's yes/no log-odds (`model`), raised or lowered by how
    far the passage's question coverage lies from `neutral` (docs/calibration.md#question-coverage).
    """

    model: float
    coverage: float | None
    score: float

    @classmethod
    def combine(cls, model: float, coverage: float | None, weight: float, neutral: float) -> AnswerCheck:
        return cls(model, coverage, model if coverage is None else model + weight * (coverage - neutral))
