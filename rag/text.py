"""Arabic-aware text handling, owned in one place: normalisation for matching, tokenization for
BM25 and scoring, sentence spans with offsets, and the language of a question.

Normalised text is only ever used for matching; the original text is kept for display and offsets.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

# Harakat, tanween, shadda, sukun, superscript alef, Quranic annotation marks.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")
_TATWEEL = "\u0640"
_CHAR_MAP = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Extended (Persian) digits
        "\u0640": "",
    }
)
# Invisible and direction-control characters: zero-width, bidi embeddings/overrides/isolates.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad]")
_TOKEN = re.compile(r"\w+", re.UNICODE)
_ARABIC_LETTER = re.compile("[\u0621-\u064a\u0671-\u06d3]")
_LATIN_LETTER = re.compile("[A-Za-z]")

# Light10-style (Larkey et al.): the article and its fused forms, and the conjunction و; single
# ب/ك/ل/ف are left alone because too many names and stems begin with them.
_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال", "و")
# One suffix: pronoun and plural endings, then ه/ي, then a final alef (accusative tanween: شخصاً).
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "هم", "كم", "نا", "ه", "ي", "ا")

# Sentence ends: Latin and Arabic full stop/question/exclamation, Arabic semicolon, newlines.
_SENTENCE_END = re.compile(r"[.!?؟!؛]+[\"'”»)\]]*\s+|\n+")
# An abbreviation is a chain of one- or two-letter dotted tokens: «سي. إن. إن», «لـبي. بي. سي», "U.S.".
_SHORT_DOTTED = re.compile(r"(?:^|[\s(«\"“.])(?:[وفبلك]ـ?)?[^\W\d_]{1,2}\.$")
_SHORT_NEXT = re.compile(r"\s*[^\W\d_]{1,2}(?:[.\s،,]|$)")
_SHORT_CHAIN = re.compile(r"[^\W\d_]{1,2}\.\s*[^\W\d_]{1,2}\.$")


def strip_invisible(text: str) -> str:
    """Remove zero-width and bidi-override characters (they hide text and reorder display)."""
    return _INVISIBLE.sub("", text)


def normalize(text: str) -> str:
    """Normalise for matching: NFKC, no diacritics or tatweel, one alef, ى→ي, ة→ه, ASCII digits, lower case."""
    text = unicodedata.normalize("NFKC", text)
    text = strip_invisible(text)
    text = _DIACRITICS.sub("", text)
    return text.translate(_CHAR_MAP).lower()


def light_stem(token: str) -> str:
    """Strip one Arabic proclitic and one suffix (Light10-style), keeping at least three letters."""
    if not _ARABIC_LETTER.match(token):
        return token
    for prefix in _PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 3:
            token = token[len(prefix):]
            break
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            token = token[: -len(suffix)]
            break
    return token


def tokenize(text: str, stem: bool = True) -> list[str]:
    """Normalised word tokens (punctuation split off), optionally light-stemmed."""
    tokens = _TOKEN.findall(normalize(text).replace("_", " "))
    return [light_stem(t) for t in tokens] if stem else tokens


def numbers(text: str) -> set[str]:
    """The numbers written in a text, digits normalised (١٢٩ and 129 are the same)."""
    return {t for t in _TOKEN.findall(normalize(text)) if t.isdigit()}


_PROCLITICS = "(?:و|ف|ب|ل|ك|ال|وال|بال|فال|كال|لل|وب|ول|وك|فب|فل)?"


def folded(text: str) -> str:
    """Normalised tokens joined by single spaces: the form used for answer matching."""
    return " ".join(tokenize(text, stem=False))


def answer_pattern(needle: str) -> re.Pattern | None:
    """A pattern finding `needle` as whole words in folded text; the first word may carry an
    Arabic proclitic in the haystack (الرقة matches والرقة). None for an empty needle.
    """
    needle_f = folded(needle)
    if not needle_f:
        return None
    return re.compile(rf"(?:^| ){_PROCLITICS}{re.escape(needle_f)}(?= |$)")


def contains_normalized(haystack: str, needle: str) -> bool:
    """True when `needle` occurs in `haystack` as whole words after normalisation (see answer_pattern)."""
    pattern = answer_pattern(needle)
    return pattern is not None and pattern.search(folded(haystack)) is not None


@dataclass(frozen=True)
class Span:
    """A piece of a text with its character offsets in that text."""

    start: int
    end: int
    text: str


def sentence_spans(text: str, offset: int = 0) -> list[Span]:
    """Split into sentences, each stripped of surrounding space, with offsets (plus `offset`).
    A full stop right after a word of one or two letters is an abbreviation («سي. إن. إن»,
    «بي. بي. سي», "U.S."), not a sentence end.
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
    return bool(_SHORT_DOTTED.search(before)) and bool(
        _SHORT_NEXT.match(text, after) or _SHORT_CHAIN.search(before))


def _append_stripped(spans: list[Span], text: str, start: int, end: int, offset: int) -> None:
    piece = text[start:end]
    left = len(piece) - len(piece.lstrip())
    right = len(piece.rstrip())
    if right > left:
        spans.append(Span(offset + start + left, offset + start + right, piece[left:right]))


def language(text: str) -> str:
    """'ar' when Arabic letters dominate the letters of `text`, else 'en'."""
    arabic = len(_ARABIC_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    return "ar" if arabic >= latin and arabic > 0 else "en"


# Function words that carry no evidence (normalised forms). Used for support scoring and
# sentence selection, never for BM25 (whose idf already discounts them).
STOPWORDS = frozenset(
    normalize(w)
    for w in (
        "في من على إلى الى عن أن إن ان التي الذي الذين هذا هذه ذلك تلك هو هي هم كان كانت قد لا ما لم لن "
        "مع بعد قبل ثم أو او و ف ب ل ك كل بين حتى إذا اذا أي اي عند منذ لقد وقد كما أيضا ايضا غير بل "
        "فيه فيها منه منها عليه عليها له لها هل كم متى أين اين كيف لماذا ماذا من ما التي "
        "the a an of in on at to for by with from and or is are was were be been has have had "
        "that this these those it its as not no do does did what which who whom when where why how"
    ).split()
)


def content_tokens(text: str) -> list[str]:
    """Stemmed tokens of `text` without function words: what a claim's evidence must contain."""
    return [light_stem(t) for t in tokenize(text, stem=False) if t not in STOPWORDS]


class TermWeights:
    """Inverse document frequencies of content words over a collection: a word that few
    passages contain (a name, a place) says more about a match than a common one.
    With no collection (`TermWeights({}, 0)`) every word weighs the same.
    """

    def __init__(self, df: dict[str, int], n_docs: int):
        self.df = df
        self.n_docs = n_docs

    @classmethod
    def from_texts(cls, texts: list[str]) -> TermWeights:
        df: dict[str, int] = {}
        for text in texts:
            for token in set(content_tokens(text)):
                df[token] = df.get(token, 0) + 1
        return cls(df, len(texts))

    def __call__(self, token: str) -> float:
        df = self.df.get(token, 0)
        return math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))

    def coverage(self, needed: set[str], present: set[str]) -> float:
        """Weighted share of `needed` words found in `present` (0..1)."""
        total = sum(self(t) for t in needed)
        return sum(self(t) for t in needed & present) / total if total else 0.0
