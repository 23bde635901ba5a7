"""Shared fixtures: a deterministic fake embedder, a canned generator, settings in tmp_path."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from rag.settings import PROJECT_ROOT, Settings
from rag.text import tokenize

SEEDS = PROJECT_ROOT / "seeds"


class FakeEmbedder:
    """Bag-of-words hashed into 64 dimensions, L2-normalised: texts sharing words are close."""

    model_id = "fake-embedder"
    dimension = 64

    def __init__(self):
        self.calls: list[tuple[str, int]] = []

    def embed(self, texts: list[str], kind: str) -> np.ndarray:
        self.calls.append((kind, len(texts)))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for token in tokenize(text):
                out[i, int(hashlib.md5(token.encode()).hexdigest(), 16) % self.dimension] += 1.0
            out[i, 0] += 0.01  # never the zero vector
        return out / np.linalg.norm(out, axis=1, keepdims=True)


class CannedGenerator:
    """Replies with queued texts, token by token (split on spaces), and records every call."""

    model_id = "canned"
    continues_replies = True  # as the in-process model does

    def __init__(self):
        self.replies: list[str] = []
        self.history: list[dict] = []
        self.checks: list[float] = []  # answer-check log-odds to return; 3.0 (a clear yes) when empty

    def enqueue(self, *replies: str) -> None:
        self.replies.extend(replies)

    def count_tokens(self, text: str) -> int:
        return max(1, len(text) // 3)

    def yes_no(self, messages, then="") -> float:
        self.history.append({"messages": messages, "yes_no": True, "then": then})
        return self.checks.pop(0) if self.checks else 3.0

    def copy(self, messages, sentence, max_words):
        self.history.append({"messages": messages, "copy": sentence, "max_words": max_words})
        return self.replies.pop(0) if self.replies else ""

    def stream(self, messages, max_tokens, temperature, grammar=None, repeat_penalty=1.0):
        self.history.append({"messages": messages, "grammar": grammar, "temperature": temperature})
        reply = self.replies.pop(0) if self.replies else ""
        for i, word in enumerate(reply.split(" ")):
            yield word if i == 0 else " " + word


@pytest.fixture
def embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def generator() -> CannedGenerator:
    return CannedGenerator()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A private copy of the seed articles."""
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture
def settings(tmp_path: Path, corpus: Path) -> Settings:
    # The retrieval gate is calibrated on e5 cosines; the fake embedder's scale is different.
    # Tests of the generative path ask without a mode; extractive tests name theirs. The canned
    # generator's check scores are compared as they are (question coverage is tested on its own).
    return Settings().with_overrides({"corpus_dir": corpus, "index_dir": tmp_path / "index", "upload_dir": tmp_path / "uploads",
                                      "models.models_dir": tmp_path / "models",
                                      "grounding.min_retrieval_score": 0.0, "generation.mode": "generative",
                                      "grounding.coverage_weight": 0.0})


@pytest.fixture
def built(settings, embedder):
    """The seeds ingested with the fake embedder: (settings, index)."""
    from rag.factory import ingest_corpus

    index, _ = ingest_corpus(settings, embedder)
    return settings, index


@pytest.fixture
def assistant(built, embedder, generator):
    from rag.factory import make_assistant

    settings, index = built
    return make_assistant(settings, index, embedder, generator)
