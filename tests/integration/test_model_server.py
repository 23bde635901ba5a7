"""The model behind an OpenAI-compatible server: `python -m llama_cpp.server` with the 0.5B model,
started here on 127.0.0.1 and stopped after (bounded waits). Ask, stream, check and abstain
through it, the check's log-odds equal to the in-process model's, and 8 users × 5 questions at once
against the chat.
"""

import json
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from ports import free_port

from rag.answering import Final, Token
from rag.settings import PROJECT_ROOT
from rag.text import contains_normalized

SMALL = "qwen2.5-coder-0.5b-instruct-q4_k_m"
NICE_Q = "كم شخصاً قتل في اعتداء نيس؟"
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"



@pytest.fixture(scope="module")
def model_server(real_settings, tmp_path_factory):
    model = real_settings.models.models_dir / f"{SMALL}.gguf"
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "llama_cpp.server.log"  # a file: a full pipe would stall it
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
                                    "--port", str(port), "--n_ctx", "4096", "--n_threads", str(real_settings.models.threads)],
                                   stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            assert process.poll() is None, log.read_text()[-2000:]
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("llama_cpp.server did not start within 120 s")
        yield f"openai:{url}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def server_settings(real_settings, model_server):
    return real_settings.with_overrides({"models.generator": model_server})


@pytest.fixture(scope="module")
def server_assistant(server_settings, real_index, real_embedder):
    from rag.factory import build_generator, make_assistant

    return make_assistant(server_settings, real_index, real_embedder, build_generator(server_settings))


def test_ask_is_checked_and_cited_through_the_server(server_assistant, real_index):
    answer = server_assistant.ask(NICE_Q, mode="extractive")
    assert answer.answer_check is not None and abs(answer.answer_check) != 3.0  # read from real log-probabilities
    if not answer.abstained:
        assert contains_normalized(answer.answer, "84")
        for c in answer.citations():
            assert real_index.article(c["source"]).text[c["start"]:c["end"]] == c["text"]


def test_the_check_equals_the_in_process_model(server_assistant, real_settings):
    from rag.factory import build_generator
    from rag.grounding import check_answer

    local = build_generator(real_settings.with_overrides({"models.generator": SMALL}))
    sentence = "أسفر اعتداء نيس عن مقتل 84 شخصاً."
    for question in (NICE_Q, "كم بلغت تكلفة الهجوم؟"):
        remote = check_answer(server_assistant.generator, server_assistant.prompts, "ar", question, sentence)
        here = check_answer(local, server_assistant.prompts, "ar", question, sentence)
        assert remote == pytest.approx(here, abs=0.35), question  # top-20 log-probabilities vs the full softmax


def test_a_written_answer_streams_through_the_server(server_assistant):
    events = list(server_assistant.stream("What did Theresa May say about the terrorists?", mode="generative"))
    final = [e for e in events if isinstance(e, Final)][-1].answer
    tokens = [e for e in events if isinstance(e, Token)]
    assert final.answer and (tokens or final.quoted or final.abstained)
    assert final.timings["total_ms"] > 0


def test_unanswerable_question_abstains_through_the_server(server_assistant):
    assert server_assistant.ask("من فاز بكأس العالم لكرة القدم عام 2014؟").abstained


def test_eight_users_at_once_against_the_chat(server_settings, tmp_path):
    """8 simulated users × 5 questions, each a session of its own, on loopback: no error, every
    answer its own question's, latency percentiles written to tests/artifacts/load-server.json.
    """
    from gradio_client import Client

    from rag.ui import build_app, create_services, launch

    services = create_services(server_settings.with_overrides({"upload_dir": tmp_path / "uploads"}))
    assert services.parallel_answers > 1
    demo = build_app(services)
    port = free_port()
    launch(demo, port=port, prevent_thread_lock=True)
    questions = ["كم شخصاً قتل في اعتداء نيس؟", "من هو وزير الدفاع الفرنسي الذي زار موسكو؟",
                 "في أي منطقة من بغداد تقع السفارة الفرنسية؟", "ما اسم حاملة الطائرات النووية التي أرسلتها فرنسا؟",
                 "من هو المبعوث الأمريكي لدى التحالف الدولي؟"]

    def user(i: int) -> list[tuple[str, dict, float]]:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        out = []
        for round_ in range(5):
            question = questions[(i + round_) % len(questions)]
            started = time.perf_counter()
            out.append((question, client.predict(question, 5, "hybrid", "extractive", api_name="/ask"),
                        time.perf_counter() - started))
        return out

    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:
            runs = [r for session in pool.map(user, range(8), timeout=1200) for r in session]
        wall = time.perf_counter() - started
    finally:
        demo.close()
    assert len(runs) == 40
    for question, result, _ in runs:
        assert "error" not in result and result["question"] == question
        assert {c["chunk_id"] for c in result["citations"]} <= {p["chunk_id"] for p in result["passages"]}
    seconds = sorted(s for _, _, s in runs)
    report = {"users": 8, "questions_each": 5, "wall_s": round(wall, 1), "answers_per_s": round(40 / wall, 2),
              "p50_s": round(statistics.median(seconds), 2), "p95_s": round(seconds[int(0.95 * len(seconds)) - 1], 2),
              "abstained": sum(r["abstained"] for _, r, _ in runs), "model": SMALL, "server": "llama_cpp.server"}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "load-server.json").write_text(json.dumps(report, indent=2))
    print(report)
