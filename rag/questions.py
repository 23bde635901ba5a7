"""Question sets for evaluation: JSONL (one question a line, validated line by line) and SQuAD
v1.1 JSON (ARCD, XQuAD), whose paragraphs become a corpus of their own.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Question:
    id: str
    question: str
    answers: list[str]
    sources: list[str]
    type: str = ""
    judge: str = "answer"  # retrieval relevance: "answer" (a chunk holding a gold answer) or "source+answer"
    # the gold with an archive indexed beside the set's articles, where the archive answers what they do not
    in_haystack: Question | None = None

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


@dataclass
class QuestionSet:
    questions: list[Question]
    problems: list[str] = field(default_factory=list)  # "line 7: answers must be a list of strings"
    corpus: dict[str, str] | None = None  # SQuAD: source id -> paragraph text


class QuestionSetError(ValueError):
    """The file is not a question set at all."""


def load_question_set(path: Path) -> QuestionSet:
    """Read JSONL or SQuAD JSON; bad JSONL lines are reported by number and skipped."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise QuestionSetError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QuestionSetError(f"{path} is not UTF-8 text") from exc
    stripped = text.lstrip()
    if stripped.startswith("{") and '"data"' in stripped[:2000] and path.suffix.lower() == ".json":
        return _load_squad(text, path)
    return _load_jsonl(text)


def _load_jsonl(text: str) -> QuestionSet:
    questions, problems, seen = [], [], set()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not valid JSON ({exc.msg})")
            continue
        reason = _invalid(obj)
        if reason:
            problems.append(f"line {number}: {reason}")
            continue
        qid = str(obj.get("id") or f"line-{number}")
        if qid in seen:
            problems.append(f"line {number}: duplicate id '{qid}'")
            continue
        seen.add(qid)
        question = _question(qid, obj["question"].strip(), obj)
        if "haystack" in obj:
            question.in_haystack = _question(qid, question.question, obj["haystack"])
        questions.append(question)
    if not questions and not problems:
        raise QuestionSetError("the file holds no questions")
    return QuestionSet(questions, problems)


def _question(qid: str, text: str, gold: dict) -> Question:
    return Question(qid, text, [a for a in gold.get("answers", []) if a.strip()], list(gold.get("sources", [])),
                    str(gold.get("type", "")), "source+answer" if gold.get("judge") == "source+answer" else "answer")


def in_haystack(question: Question) -> Question:
    """The question as asked with an archive beside its articles."""
    return question.in_haystack or question


def _invalid(obj) -> str | None:
    if not isinstance(obj, dict):
        return "each line must be a JSON object"
    if not isinstance(obj.get("question"), str) or not obj["question"].strip():
        return "'question' must be a non-empty string"
    if "haystack" in obj:
        reason = _invalid({**obj["haystack"], "question": obj["question"]}) if isinstance(obj["haystack"], dict) else \
            "'haystack' must be an object"
        if reason:
            return f"haystack gold: {reason}"
    for key in ("answers", "sources"):
        value = obj.get(key, [])
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            return f"'{key}' must be a list of strings"
    if "id" in obj and not isinstance(obj["id"], (str, int)):
        return "'id' must be a string"
    return None


def _load_squad(text: str, path: Path) -> QuestionSet:
    try:
        data = json.loads(text)["data"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise QuestionSetError(f"{path} is not SQuAD v1.1 JSON ({exc})") from exc
    questions, corpus, problems = [], {}, []
    for a, article in enumerate(data):
        for p, paragraph in enumerate(article.get("paragraphs", [])):
            source = f"p{a:03d}_{p:03d}"
            context = paragraph.get("context", "")
            if not context.strip():
                problems.append(f"article {a} paragraph {p}: empty context")
                continue
            corpus[source] = context
            for qa in paragraph.get("qas", []):
                answers = sorted({x.get("text", "") for x in qa.get("answers", []) if x.get("text", "").strip()})
                questions.append(Question(str(qa.get("id", f"{source}-{len(questions)}")), qa.get("question", "").strip(),
                                          answers, [source], "squad"))
    return QuestionSet(questions, problems, corpus)


def sample(questions: list[Question], limit: int | None, seed: int) -> list[Question]:
    """A reproducible random sample of at most `limit` questions (all, in order, without limit)."""
    if not limit or limit >= len(questions):
        return questions
    return random.Random(seed).sample(questions, limit)


def write_corpus(corpus: dict[str, str], folder: Path) -> Path:
    """Write SQuAD paragraphs as one text file per source; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for source, text in corpus.items():
        target = folder / f"{source}.txt"
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    return folder


def corpus_key(corpus: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for source in sorted(corpus):
        digest.update(source.encode())
        digest.update(corpus[source].encode("utf-8"))
    return digest.hexdigest()[:12]
