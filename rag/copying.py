"""What the direct answer lets the model write: a run of a sentence's words, in order, one space
between them. Model servers get it as a GBNF grammar; the in-process model checks its likeliest
tokens against the runs itself (llama.cpp's grammar sampler tests the whole vocabulary at every
token: ~30 ms of the ~100 a copied token took, docs/benchmarks.md).
"""

from __future__ import annotations

import re

WORD = re.compile("\\w[\\w\\u0610-\\u061a\\u064b-\\u065f\\u0670\\u0640]*")  # a word with its diacritics


def words(text: str) -> list[str]:
    return WORD.findall(text)


def copy_grammar(sentence: str, lead: str = "") -> str:
    """GBNF allowing only a run of the sentence's words, in order, after `lead`: the model can
    choose where the answer starts and stops, not what it says (unconstrained, it translated,
    prefixed "the answer:" or invented numbers).
    """
    escaped = [w.replace("\\", "\\\\").replace('"', '\\"') for w in words(sentence)]
    rules = [f'w{i} ::= "{w}"' + (f' (" " w{i + 1})?' if i + 1 < len(escaped) else "") for i, w in enumerate(escaped)]
    starts = " | ".join(f"w{i}" for i in range(len(escaped)))
    return "\n".join([f'root ::= "{lead}" ({starts})' if lead else f"root ::= {starts}", *rules])


def first_words(text: str, n: int) -> str:
    """The first `n` words of a copy, as the copy wrote them."""
    found = list(WORD.finditer(text))
    return text if len(found) <= n else text[: found[n - 1].end()]


class WordRuns:
    """The copies a sentence allows, as UTF-8 bytes (a model token may end inside a character),
    each after `lead`: the space that a begun reply "العدد:" leaves for the copy's first token.
    """

    def __init__(self, sentence: str, lead: str = ""):
        found = words(sentence)
        self.runs = [(lead + " ".join(found[i:])).encode("utf-8") for i in range(len(found))]

    def allows(self, written: bytes) -> bool:
        """`written` can still become a copy."""
        return bool(self.rests(written))

    def complete(self, written: bytes) -> bool:
        """`written` is a copy: a non-empty run ending at a word's end."""
        return bool(written) and any(rest[:1] in (b"", b" ") for rest in self.rests(written))

    def rests(self, written: bytes) -> list[bytes]:
        """What may still follow `written`: the rest of each run it begins."""
        return [run[len(written):] for run in self.runs if run.startswith(written)]

    @staticmethod
    def words_in(written: bytes) -> int:
        return len(words(written.decode("utf-8", "ignore")))
