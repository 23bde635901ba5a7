"""The generator seam over any OpenAI-compatible chat-completions server (llama.cpp's server,
llama-cpp-python's `llama_cpp.server`, vLLM, TGI), the only module speaking HTTP to a model.

Every prompt goes to the server: answers, checks, follow-up rewrites. Requests from several chat
users run at once; the server queues or batches them. The answer check reads the yes/no
log-probabilities of the first reply token (`logprobs` / `top_logprobs`). A server that returns
none gets one logged warning, and the check then scores the reply word itself (±NO_LOGPROBS_SCORE).
A GBNF grammar is sent as llama.cpp's `grammar` field; servers that ignore it still have every
citation verified afterwards. Servers differ in whether they continue a begun reply (a last
assistant message), so the direct answer's copy is asked for in a turn of its own.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator

import httpx

from .copying import copy_grammar, first_words
from .model_files import SERVER_PREFIX

log = logging.getLogger(__name__)

YES, NO = {"yes", "نعم"}, {"no", "لا"}
NO_LOGPROBS_SCORE = 3.0  # a plain yes/no reply without probabilities: a firm but finite score
TOP_LOGPROBS = 20


class ServerError(RuntimeError):
    """The model server failed or answered in an unexpected shape; the message says how."""


class ServerGenerator:
    """A chat model behind an OpenAI-compatible `/v1` endpoint: `openai:http://HOST:PORT/v1`."""

    continues_replies = False  # see the module docstring

    def __init__(self, generator: str, model: str = "", api_key: str = "", timeout: float = 300.0, transport=None):
        self.base_url = generator.removeprefix(SERVER_PREFIX).rstrip("/")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"models.generator '{generator}' must be openai:http(s)://HOST:PORT/v1")
        self.model = model or "default"
        self.model_id = generator + (f" ({model})" if model else "")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0), headers=headers, transport=transport)
        self._can_count: bool | None = None
        self._warned = False

    def stream(self, messages: list[dict], max_tokens: int, temperature: float,
               grammar: str | None = None, repeat_penalty: float = 1.0) -> Iterator[str]:
        body = self._body(messages, max_tokens, temperature, stream=True)
        if grammar:
            body["grammar"] = grammar
        if repeat_penalty != 1.0:
            body["repeat_penalty"] = repeat_penalty
        try:
            with self.http.stream("POST", f"{self.base_url}/chat/completions", json=body) as response:
                _raise_for(response, read=True)
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    piece = (json.loads(data)["choices"] or [{}])[0].get("delta", {}).get("content")
                    if piece:
                        yield piece
        except httpx.HTTPError as exc:
            raise ServerError(f"model server {self.base_url}: {type(exc).__name__}: {exc}") from exc

    def copy(self, messages: list[dict], sentence: str, max_words: int) -> str:
        """The reply under the copy grammar, cut after one word more than `max_words`."""
        return first_words("".join(self.stream(messages, 32, 0.0, copy_grammar(sentence))), max_words + 1)

    def yes_no(self, messages: list[dict], then: str = "") -> float:
        """Log-odds that the reply starts with yes rather than no (English or Arabic, any case).
        The server is sent a copy's whole prompt when it comes, so `then` is not read ahead.
        """
        body = self._body(messages, 1, 0.0, stream=False) | {"logprobs": True, "top_logprobs": TOP_LOGPROBS}
        reply = self._post("/chat/completions", body)
        choice = (reply.get("choices") or [{}])[0]
        content = ((choice.get("logprobs") or {}).get("content")) or []
        if not content or not content[0].get("top_logprobs"):
            return self._without_logprobs(choice.get("message", {}).get("content") or "")
        yes = no = 0.0
        for candidate in content[0]["top_logprobs"]:
            word = candidate["token"].strip().lower()
            if word in YES:
                yes += math.exp(candidate["logprob"])
            elif word in NO:
                no += math.exp(candidate["logprob"])
        return math.log(yes + 1e-12) - math.log(no + 1e-12)

    def count_tokens(self, text: str) -> int:
        """The server's own count where it offers one (llama-cpp-python), else ~3 chars a token."""
        if self._can_count is not False:
            root = self.base_url.removesuffix("/v1")
            try:
                response = self.http.post(f"{root}/extras/tokenize/count", json={"input": text, "model": self.model})
                if response.status_code == 200:
                    self._can_count = True
                    return int(response.json()["count"])
            except (httpx.HTTPError, KeyError, ValueError):
                pass
            self._can_count = False
        return max(1, len(text) // 3)

    def warm(self, system_prompt: str) -> None:
        """Nothing to load here: the server keeps its own prompt cache."""

    def _body(self, messages: list[dict], max_tokens: int, temperature: float, stream: bool) -> dict:
        return {"model": self.model, "messages": messages, "max_tokens": max_tokens, "temperature": temperature,
                "stream": stream, "seed": 0}

    def _post(self, path: str, body: dict) -> dict:
        try:
            response = self.http.post(f"{self.base_url}{path}", json=body)
        except httpx.HTTPError as exc:
            raise ServerError(f"model server {self.base_url}: {type(exc).__name__}: {exc}") from exc
        _raise_for(response)
        try:
            return response.json()
        except ValueError as exc:
            raise ServerError(f"model server {self.base_url} returned no JSON: {response.text[:200]}") from exc

    def _without_logprobs(self, reply: str) -> float:
        if not self._warned:
            log.warning("model server %s returns no log-probabilities: the answer check scores its yes/no reply "
                        "as ±%.1f instead (less calibrated; docs/deploy.md#model-server)", self.base_url, NO_LOGPROBS_SCORE)
            self._warned = True
        word = reply.strip().split()[0].strip(".,!:،").lower() if reply.strip() else ""
        return NO_LOGPROBS_SCORE if word in YES else -NO_LOGPROBS_SCORE


def _raise_for(response: httpx.Response, read: bool = False) -> None:
    if response.status_code >= 400:
        if read:
            response.read()
        raise ServerError(f"model server answered {response.status_code}: {response.text[:300]}")
