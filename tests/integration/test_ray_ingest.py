"""`rag ingest --ray ADDRESS` on a two-node Ray cluster started here on 127.0.0.1 (a head and a
second node with its own ports and temp dir), against a single-process ingest of the same files:
files parsed and chunks embedded by Ray, the same chunk ids, and vectors equal within int8 tolerance. Bounded waits; the cluster is stopped.
"""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import pytest
from ports import free_port

from rag.settings import PROJECT_ROOT

pytest.importorskip("ray")
RAY = str(Path(sys.executable).with_name("ray"))
PAGES = PROJECT_ROOT / "tests" / "fixtures" / "pages"



def _ray(*args: str, timeout: int = 120) -> None:
    done = subprocess.run([RAY, *args], capture_output=True, text=True, timeout=timeout, env=_env())
    assert done.returncode == 0, done.stdout[-1500:] + done.stderr[-1500:]


TOKEN = uuid.uuid4().hex + uuid.uuid4().hex  # the cluster admits only processes holding it


def _env() -> dict:
    return dict(os.environ, RAY_USAGE_STATS_ENABLED="0", RAY_ENABLE_UV_RUN_RUNTIME_ENV="0", RAY_AUTH_MODE="token",
                RAY_AUTH_TOKEN=TOKEN)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    root = Path("/tmp") / f"rayt{os.getpid()}"  # Ray's socket paths must stay short
    port = free_port()
    common = ["--node-ip-address=127.0.0.1", "--num-cpus=1", "--disable-usage-stats"]
    try:
        _ray("start", "--head", f"--port={port}", f"--temp-dir={root}/head", "--include-dashboard=false",
             f"--dashboard-agent-listen-port={free_port()}", *common)
        _ray("start", f"--address=127.0.0.1:{port}", f"--temp-dir={root}/second",
             f"--dashboard-agent-listen-port={free_port()}", *common)
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([RAY, "stop", "--force"], capture_output=True, timeout=120, env=_env())
        shutil.rmtree(root, ignore_errors=True)


def _ingest(corpus: Path, index: Path, *extra: str) -> str:
    # int8 activations are quantised over a whole forward batch, so a text's vector depends on its
    # batch-mates (cosine ~0.997 in batches of 2): one text per batch makes both runs comparable.
    env = dict(_env(), RAG_INDEX_DIR=str(index), RAG_CORPUS_DIR=str(corpus), RAG_UPLOAD_DIR=str(index / "none"),
               RAG_MODELS__EMBED_BATCH_SIZE="1")
    done = subprocess.run([str(Path(sys.executable).with_name("rag")), "ingest", *extra], capture_output=True,
                          text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_ray_ingest_on_two_nodes_equals_a_single_process_ingest(cluster, tmp_path):
    from rag.store import load_index

    nodes = subprocess.run([sys.executable, "-c", f"import ray; ray.init(address='{cluster}', log_to_driver=False); "
                            "print(sum(n['Alive'] for n in ray.nodes()))"], capture_output=True, text=True, timeout=120, env=_env())
    assert nodes.stdout.strip().endswith("2"), nodes.stderr[-1500:]
    corpus = tmp_path / "corpus"
    shutil.copytree(PROJECT_ROOT / "seeds", corpus)
    shutil.copy(PAGES / "ar-news.html", corpus)
    _ingest(corpus, tmp_path / "single")
    ray_report = _ingest(corpus, tmp_path / "ray", "--ray", cluster)
    single, distributed = load_index(tmp_path / "single"), load_index(tmp_path / "ray")
    files = len(list(corpus.iterdir()))  # parsing and embedding ran in Ray, one row per file and per chunk
    assert f"parsed {files} rows" in ray_report and f"embedded {len(single.chunks)} rows" in ray_report, ray_report
    assert [c.chunk_id for c in distributed.chunks] == [c.chunk_id for c in single.chunks]
    assert [(c.start, c.end) for c in distributed.chunks] == [(c.start, c.end) for c in single.chunks]
    a, b = single.vectors, distributed.vectors
    cosine = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    assert cosine.min() > 0.99999 and np.abs(a - b).max() < 1e-4, (cosine.min(), np.abs(a - b).max())
    print(f"ray vs single process: {len(a)} chunks, min cosine {cosine.min():.6f}, max |diff| {np.abs(a - b).max():.5f}")
