"""Context assembly: the sentences of the retrieved chunks that best answer the question, fitted
into a token budget, most relevant first, as numbered passages with exact source offsets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .asking import asks_count, asks_date, holds_date, holds_number
from .chunking import Chunk
from .retrieval import Hit
from .sentences import sentence_spans
from .terms import TermWeights, content_tokens

# Sentence score = semantic (0..1.5) + LEXICAL_WEIGHT × weighted word coverage + what-is-asked
# bonuses + RANK_WEIGHT / chunk rank (docs/calibration.md#answer-sentences).
LEXICAL_WEIGHT = 0.5
RANK_WEIGHT = 0.1


@dataclass
class Passage:
    """A numbered passage shown to the model and the user: an excerpt of one chunk."""

    n: int
    chunk: Chunk
    start: int  # offsets into the source text
    end: int
    text: str
    score: float
    dense_score: float
    also: tuple[Chunk, ...] = ()  # the same text in other articles (`Hit.also`)


@dataclass
class ScoredSentence:
    hit_rank: int
    hit: Hit
    index: int  # position of the sentence in its chunk
    start: int  # source offsets
    end: int
    text: str
    score: float


def estimate_tokens(text: str) -> int:
    """About three characters per token for Arabic with Qwen's tokenizer (measured on the seeds)."""
    return max(1, len(text) // 3)


SentenceSimilarity = Callable[[str, list[str]], list[float]]


def score_sentences(question: str, hits: list[Hit], weights: TermWeights | None = None,
                    similarity: SentenceSimilarity | None = None) -> list[ScoredSentence]:
    """Every sentence of the hits, scored by its meaning's closeness to the question
    (`similarity`, 0..1), the question words it contains (weighted by rarity), what the question
    asks for (a number, a date) and the rank of its chunk.
    """
    weights = weights or TermWeights({}, 0)
    q_terms = set(content_tokens(question))
    wants_number, wants_date = asks_count(question), asks_date(question)
    candidates = _distinct([(rank, hit, i, span) for rank, hit in enumerate(hits, 1)
                            for i, span in enumerate(sentence_spans(hit.chunk.text, offset=hit.chunk.start))])
    semantic = similarity(question, [c[3].text for c in candidates]) if similarity and candidates else None
    scored: list[ScoredSentence] = []
    for j, (rank, hit, i, span) in enumerate(candidates):
        s_terms = set(content_tokens(span.text))
        if not s_terms - q_terms:  # only the question's own words (a headline "جون كيري"): it cannot answer
            continue
        score = LEXICAL_WEIGHT * weights.coverage(q_terms, s_terms) + RANK_WEIGHT / rank
        if semantic is not None:
            score += semantic[j]
        if wants_number and holds_number(span.text):
            score += 0.25
        if wants_date and holds_date(span.text):
            score += 0.2
        scored.append(ScoredSentence(rank, hit, i, span.start, span.end, span.text, score))
    return scored


def _distinct(candidates: list[tuple]) -> list[tuple]:
    """Each sentence of a source once: overlapping chunks repeat the sentences they share, and a
    chunk that starts or ends mid-sentence holds part of one. A span lying within another span of
    the same source is dropped (of equal spans, the one from the better-ranked chunk is kept).
    """
    kept = []
    for j, (rank, hit, i, span) in enumerate(candidates):
        within_other = any(
            other.start <= span.start and span.end <= other.end
            and (other.end - other.start > span.end - span.start or k < j)
            for k, (_, other_hit, _, other) in enumerate(candidates)
            if k != j and other_hit.chunk.source == hit.chunk.source
        )
        if not within_other:
            kept.append((rank, hit, i, span))
    return kept


def answer_sentences(scored: list[ScoredSentence], limit: int, margin: float) -> list[ScoredSentence]:
    """The best-scored sentence and, up to `limit` in all, the runners-up within `margin` of it."""
    ranked = sorted(scored, key=lambda s: -s.score)[: max(1, limit)]
    return [s for s in ranked if ranked[0].score - s.score <= margin]


def assemble_context(question: str, hits: list[Hit], budget_tokens: int,
                     count_tokens: Callable[[str], int] = estimate_tokens,
                     select_sentences: bool = True, weights: TermWeights | None = None,
                     similarity: SentenceSimilarity | None = None,
                     scored: list[ScoredSentence] | None = None) -> list[Passage]:
    """Numbered passages for the prompt, within `budget_tokens` (`scored`: sentences already
    scored by `score_sentences`, to score them once per question).

    With sentence selection, the best sentences across all hits are taken greedily (whole
    sentences only) and contiguous sentences of one chunk are merged into one passage; without
    it, whole chunks are taken in rank order.
    """
    if not select_sentences:
        passages, used = [], 0
        for hit in hits:
            cost = count_tokens(hit.chunk.text)
            if passages and used + cost > budget_tokens:
                break
            passages.append(Passage(len(passages) + 1, hit.chunk, hit.chunk.start, hit.chunk.end,
                                    hit.chunk.text, hit.score, hit.dense_score, hit.also))
            used += cost
        return passages

    chosen: list[ScoredSentence] = []
    used = 0
    if scored is None:
        scored = score_sentences(question, hits, weights, similarity)
    for sentence in sorted(scored, key=lambda s: -s.score):
        cost = count_tokens(sentence.text) + 4
        if chosen and used + cost > budget_tokens:
            continue
        chosen.append(sentence)
        used += cost
        if used >= budget_tokens:
            break
    return merge_into_passages(chosen)


def merge_into_passages(chosen: list[ScoredSentence]) -> list[Passage]:
    """Group chosen sentences by chunk, merge runs of neighbours, order by best score."""
    groups: dict[tuple[str, int], list[ScoredSentence]] = {}
    by_chunk: dict[str, list[ScoredSentence]] = {}
    for s in chosen:
        by_chunk.setdefault(s.hit.chunk.chunk_id, []).append(s)
    for chunk_id, sentences in by_chunk.items():
        sentences.sort(key=lambda s: s.index)
        run_start = 0
        for j in range(1, len(sentences) + 1):
            if j == len(sentences) or sentences[j].index != sentences[j - 1].index + 1:
                groups[(chunk_id, run_start)] = sentences[run_start:j]
                run_start = j
    ordered = sorted(groups.values(), key=lambda run: -max(s.score for s in run))
    passages = []
    for run in ordered:
        hit = run[0].hit
        start, end = run[0].start, run[-1].end
        text = hit.chunk.text[start - hit.chunk.start : end - hit.chunk.start]
        passages.append(Passage(len(passages) + 1, hit.chunk, start, end, text,
                                max(s.score for s in run), hit.dense_score, hit.also))
    return passages
