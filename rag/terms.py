"""Content words (no function words, light-stemmed) and their rarity weights over a collection:
what a claim's evidence must contain, and how much each word of a question says about a match.
"""

from __future__ import annotations

import math

from .text import light_stem, normalize, tokenize

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
