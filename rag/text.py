"""Arabic normalisation, owned in one place: normalised and light-stemmed tokens for BM25 and
scoring, answer matching, and the language of a text.

Normalised text is only ever used for matching; the original text is kept for display and offsets.
"""

from __future__ import annotations

import re
import unicodedata

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
# Markup is not words: tags, character references and links do not decide a language.
_MARKUP = re.compile(r"<[^<>]*>|&#?\w+;|(?:https?|ftp)://\S+|www\.\S+", re.IGNORECASE)

# Light10-style (Larkey et al.): the article and its fused forms, and the conjunction و; single
# ب/ك/ل/ف are left alone because too many names and stems begin with them.
_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال", "و")
# One suffix: pronoun and plural endings, then ه/ي, then a final alef (accusative tanween: شخصاً).
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "هم", "كم", "نا", "ه", "ي", "ا")



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


_TEENS = "eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_UNITS = "one two three four five six seven eight nine".split()
# English numbers 11-99 written in words, which a written answer may give where the source has
# digits ("Sixteen tonnes" for 190 طنًا). Smaller ones are left out: "the two countries".
_NUMBER_WORDS = {w: str(11 + i) for i, w in enumerate(_TEENS)} | {
    f"{ten}{sep}{unit}" if unit else ten: str(20 + 10 * i + j)
    for i, ten in enumerate(_TENS) for j, unit in enumerate(["", *_UNITS]) for sep in ("-", " ")}
_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True)) + r")\b",
                          re.IGNORECASE)


def numbers(text: str) -> set[str]:
    """The numbers written in a text, digits normalised (١٢٩ and 129 are the same), and English
    numbers from 11 to 99 written in words ("sixteen" is 16).
    """
    words = {_NUMBER_WORDS[m.group().lower()] for m in _NUMBER_WORD.finditer(text)}
    return {t for t in _TOKEN.findall(normalize(text)) if t.isdigit()} | words


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


def language(text: str) -> str:
    """'ar' when Arabic letters dominate the letters of the words of `text` (markup and links
    aside), else 'en'.
    """
    text = _MARKUP.sub(" ", text)
    arabic = len(_ARABIC_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    return "ar" if arabic >= latin and arabic > 0 else "en"
