"""Citation markers in generated answers: parsing `[n]` (also `[1, 2]`, `[١]`) back to the
numbered passages, sentence by sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .sentences import sentence_spans
from .text import normalize

CITATION = re.compile(r"\[\s*([0-9٠-٩۰-۹]+(?:\s*[,،]\s*[0-9٠-٩۰-۹]+)*)\s*\]")


@dataclass
class AnswerSentence:
    """One sentence of an answer: its text without markers, the passages it cites, and the
    numbers it cited that point at no passage.
    """

    text: str
    cited: list[int] = field(default_factory=list)
    invalid: list[int] = field(default_factory=list)
    supported: bool | None = None
    support: float = 0.0


def citation_numbers(marker_body: str) -> list[int]:
    return [int(x) for x in re.split(r"\s*[,،]\s*", normalize(marker_body)) if x.isdigit()]


def strip_markers(text: str) -> str:
    text = re.sub(r"\s+", " ", CITATION.sub("", text))
    return re.sub(r"\s+([.،,؟?!؛])", r"\1", text).strip()


_LEADING_MARKERS = re.compile(r"^(?:\s*" + CITATION.pattern + r")+")


def parse_answer(answer: str, n_passages: int) -> list[AnswerSentence]:
    """Split an answer into sentences with their citations. Markers that open a segment
    (`… قتيلا. [1] ثم …`) belong to the sentence before them.
    """
    sentences: list[AnswerSentence] = []
    for span in sentence_spans(answer):
        segment = span.text
        leading = _LEADING_MARKERS.match(segment)
        if leading and sentences:
            _add_citations(sentences[-1], leading.group(0), n_passages)
            segment = segment[leading.end():]
        text = strip_markers(segment)
        if not text.strip(" .،,؟?!؛"):
            continue
        sentence = AnswerSentence(text=text)
        _add_citations(sentence, segment, n_passages)
        sentences.append(sentence)
    return sentences


def _add_citations(sentence: AnswerSentence, text: str, n_passages: int) -> None:
    for match in CITATION.finditer(text):
        for n in citation_numbers(match.group(1)):
            bucket = sentence.cited if 1 <= n <= n_passages else sentence.invalid
            if n not in bucket:
                bucket.append(n)


def citation_grammar(n_passages: int, abstain_message: str, max_claims: int = 3) -> str:
    """GBNF that allows only "claim [n]" sentences citing an existing passage, or the exact
    abstention message. Claim text cannot contain brackets, so no stray markers appear.
    """
    numbers_rule = " | ".join(f'"{n}"' for n in range(1, max(1, n_passages) + 1))
    abstain = abstain_message.replace("\\", "\\\\").replace('"', '\\"')
    return "\n".join([
        f"root ::= abstain | claim (\" \" claim){{0,{max_claims - 1}}}",
        f'abstain ::= "{abstain}"',
        'claim ::= text " [" num "]" "."?',
        "text ::= [^\\[\\]\\n]{2,300}",
        f"num ::= {numbers_rule}",
    ])
