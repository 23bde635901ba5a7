"""Sentences with exact character offsets, for answer scoring, quoting and parsing answers."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Sentence ends: Latin and Arabic full stop/question/exclamation, Arabic semicolon, newlines.
_SENTENCE_END = re.compile(r"[.!?؟!؛]+[\"'”»)\]]*\s+|\n+")
# An abbreviation is a chain of one- or two-letter dotted tokens: «سي. إن. إن», «لـبي. بي. سي», "U.S.".
_SHORT_DOTTED = re.compile(r"(?:^|[\s(«\"“.])(?:[وفبلك]ـ?)?[^\W\d_]{1,2}\.$")
_SHORT_NEXT = re.compile(r"\s*[^\W\d_]{1,2}(?:[.\s،,]|$)")
_SHORT_CHAIN = re.compile(r"[^\W\d_]{1,2}\.\s*[^\W\d_]{1,2}\.$")
# A dotted Arabic letter is a title before a name, «العقيد د. عاطي القرشي», «م. عادل»; after a
# number it marks the era and may end a sentence, «عام 2015 م.» (tatweel excluded: «ـ حفظه الله ـ.»).
_ARABIC_INITIAL = re.compile(r"(?:^|[\s(«\"“])[\u0621-\u063a\u0641-\u064a]\.$")
_AFTER_NUMBER = re.compile(r"\d\s*\S\.$")


@dataclass(frozen=True)
class Span:
    """A piece of a text with its character offsets in that text."""

    start: int
    end: int
    text: str


def sentence_spans(text: str, offset: int = 0) -> list[Span]:
    """Split into sentences, each stripped of surrounding space, with offsets (plus `offset`).
    A full stop right after a word of one or two letters is an abbreviation («سي. إن. إن»,
    «بي. بي. سي», "U.S.", «د. عاطي»), not a sentence end.
    """
    spans: list[Span] = []
    cursor = 0
    for match in _SENTENCE_END.finditer(text):
        if match.group().startswith(".") and _is_abbreviation(text, match.start(), match.end()):
            continue
        _append_stripped(spans, text, cursor, match.start() + len(match.group().rstrip()), offset)
        cursor = match.end()
    _append_stripped(spans, text, cursor, len(text), offset)
    return spans


def _is_abbreviation(text: str, dot: int, after: int) -> bool:
    before = text[max(0, dot - 12) : dot + 1]
    if _AFTER_NUMBER.search(before):
        return False
    if _ARABIC_INITIAL.search(before):
        return True
    return bool(_SHORT_DOTTED.search(before)) and bool(
        _SHORT_NEXT.match(text, after) or _SHORT_CHAIN.search(before))


def _append_stripped(spans: list[Span], text: str, start: int, end: int, offset: int) -> None:
    piece = text[start:end]
    left = len(piece) - len(piece.lstrip())
    right = len(piece.rstrip())
    if right > left:
        spans.append(Span(offset + start + left, offset + start + right, piece[left:right]))
