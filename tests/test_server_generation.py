"""The model-server generator against a fake OpenAI-compatible endpoint (httpx's mock transport):
streaming, the yes/no check from log-probabilities, servers without them, and errors.
"""

import json
import math

import httpx
import pytest

from rag.factory import build_generator
from rag.server_generation import NO_LOGPROBS_SCORE, ServerError, ServerGenerator

URL = "openai:http://127.0.0.1:9/v1"


def server(handler) -> ServerGenerator:
    return ServerGenerator(URL, model="qwen", transport=httpx.MockTransport(handler))


def sse(*pieces: str) -> bytes:
    events = [json.dumps({"choices": [{"delta": {"content": p}}]}) for p in pieces]
    return "".join(f"data: {e}\n\n" for e in events + ["[DONE]"]).encode()


def test_stream_sends_the_request_and_yields_the_pieces():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.update(json.loads(request.content), path=request.url.path)
        return httpx.Response(200, content=sse("قتل ", "84 ", "شخصاً [1]"), headers={"content-type": "text/event-stream"})

    pieces = list(server(handler).stream([{"role": "user", "content": "كم؟"}], 32, 0.0, grammar='root ::= "x"'))
    assert "".join(pieces) == "قتل 84 شخصاً [1]"
    assert seen["path"] == "/v1/chat/completions" and seen["model"] == "qwen" and seen["stream"] is True
    assert seen["grammar"] == 'root ::= "x"' and seen["max_tokens"] == 32 and "repeat_penalty" not in seen


def test_copy_asks_for_a_run_of_the_sentence_and_cuts_one_word_past_the_limit():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.update(json.loads(request.content))
        return httpx.Response(200, content=sse("قتل ", "84 ", "شخصاً ", "في نيس"), headers={"content-type": "text/event-stream"})

    assert server(handler).copy([{"role": "user", "content": "كم؟"}], "قتل 84 شخصاً في نيس", 2) == "قتل 84 شخصاً"
    assert seen["grammar"].startswith("root ::= w0 | w1") and seen["temperature"] == 0.0


def test_yes_no_reads_the_top_logprobs():
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert body["logprobs"] is True and body["max_tokens"] == 1
        top = [{"token": "نعم", "logprob": math.log(0.6)}, {"token": " Yes", "logprob": math.log(0.2)},
               {"token": "لا", "logprob": math.log(0.1)}, {"token": "maybe", "logprob": math.log(0.1)}]
        return httpx.Response(200, json={"choices": [{"message": {"content": "نعم"},
                                                      "logprobs": {"content": [{"token": "نعم", "top_logprobs": top}]}}]})

    assert server(handler).yes_no([{"role": "user", "content": "?"}]) == pytest.approx(math.log(0.8 / 0.1))


def test_a_server_without_logprobs_scores_the_reply_word(caplog):
    replies = iter(["No.", "yes"])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"choices": [{"message": {"content": next(replies)}}]})

    generator = server(handler)
    assert generator.yes_no([]) == -NO_LOGPROBS_SCORE
    assert generator.yes_no([]) == NO_LOGPROBS_SCORE
    assert sum("no log-probabilities" in r.message for r in caplog.records) == 1  # said once


def test_server_errors_say_what_happened():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, text="loading model")

    with pytest.raises(ServerError, match="503: loading model"):
        list(server(handler).stream([], 8, 0.0))
    with pytest.raises(ServerError, match="503"):
        server(handler).yes_no([])


def test_unreachable_server_and_token_count_fallback():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    generator = server(handler)
    with pytest.raises(ServerError, match="ConnectError"):
        list(generator.stream([], 8, 0.0))
    assert generator.count_tokens("x" * 30) == 10  # no tokenizer endpoint: about three characters a token


def test_settings_pick_the_server(settings):
    generator = build_generator(settings.with_overrides({"models.generator": URL, "models.server_model": "m"}))
    assert isinstance(generator, ServerGenerator) and generator.base_url == "http://127.0.0.1:9/v1"
    with pytest.raises(ValueError, match="openai:http"):
        ServerGenerator("openai:127.0.0.1:9")
