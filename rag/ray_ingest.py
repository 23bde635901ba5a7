"""Ingest spread over a Ray cluster (`rag ingest --ray [ADDRESS]`), the only module importing ray.
Two Ray Data pipelines do the work: files are parsed into articles by Ray tasks (one file per
row, results streamed back in order), and each committed batch of articles is chunked and embedded
by a pool of embedder actors (one CPU each). The driver keeps what needs one writer: deduplicating
articles across files and committing segments to the catalogue (then Qdrant, with that backend).
Without an address a local Ray is started on this machine; with one, the same code runs on that
cluster. Every node needs this package's environment, the models in `models.models_dir`, and the
ingested paths at the same place (shared storage).
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .archive import Article, Skipped, read_articles
from .chunking import Chunk
from .ingest import IngestOptions, chunk_article
from .settings import Settings

BATCH_ARTICLES = 2048  # per Ray Data job: actors load the model once per job, so jobs are large
ARTICLES_PER_CALL = 16  # articles an actor chunks and embeds per call (~80 chunks)


def _node() -> str:
    import ray

    return ray.get_runtime_context().get_node_id()


def _read_file(row: dict, mapping: dict) -> list[dict]:
    """A Ray task: one file or export parsed into its articles (and skip reasons), in order."""
    node = _node()
    return [{"item": pickle.dumps(item), "node": node} for item in read_articles(Path(row["path"]), mapping)]


class _ChunkEmbedActor:
    """One embedder per actor, built from the settings on whichever node it lands."""

    def __init__(self, settings_json: str, options: bytes):
        from .factory import build_embedder

        self.embedder = build_embedder(Settings.model_validate_json(settings_json))
        self.options: IngestOptions = pickle.loads(options)

    def __call__(self, batch: dict) -> dict:
        rows, chunks = [], []
        for i, article in zip(batch["i"], batch["article"], strict=True):
            for chunk in chunk_article(pickle.loads(article), self.options):
                rows.append(int(i))
                chunks.append(chunk)
        vectors = self.embedder.embed([c.text for c in chunks], "passage") if chunks else \
            np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return {"i": np.array(rows, dtype=np.int64), "chunk": np.array([pickle.dumps(c) for c in chunks], dtype=object),
                "vector": vectors, "node": np.array([_node()] * len(chunks), dtype=object)}


class RayWork:
    """The ingest work seam (see `ingest.LocalWork`) on Ray: parsing in tasks, chunking and
    embedding in actors. `nodes` counts, per step, the rows each Ray node produced.
    """

    def __init__(self, settings: Settings, dimension: int, address: str | None, workers: int | None = None):
        import ray

        if not ray.is_initialized():
            package = str(Path(__file__).resolve().parent)
            ray.init(address=address or None, include_dashboard=False, log_to_driver=False,
                     runtime_env={"py_modules": [package]} if address else None)
        ray.data.DataContext.get_current().execution_options.preserve_order = True  # dedupe keeps the first copy
        self.dimension = dimension
        self.workers = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        # One thread per actor: the actors, not the threads, use the cores.
        self.settings_json = settings.with_overrides({"models.threads": 1}).model_dump_json()
        self.nodes: dict[str, Counter] = {"parsed": Counter(), "embedded": Counter()}

    def read(self, files: list[Path], mapping) -> Iterator[Article | Skipped]:
        if not files:
            return
        import ray

        rows = ray.data.from_items([{"path": str(p)} for p in files],
                                   override_num_blocks=min(len(files), self.workers * 8))
        for row in rows.flat_map(_read_file, fn_kwargs={"mapping": mapping}, num_cpus=1).iter_rows():
            self.nodes["parsed"][row["node"]] += 1
            yield pickle.loads(row["item"])

    def chunk_and_embed(self, articles: list[Article], options: IngestOptions) -> tuple[list[list[Chunk]], np.ndarray]:
        pieces: list[list[Chunk]] = [[] for _ in articles]
        if not articles:
            return pieces, np.zeros((0, self.dimension), dtype=np.float32)
        import ray

        per_call = max(1, min(ARTICLES_PER_CALL, -(-len(articles) // self.workers)))  # every worker gets a share
        data = ray.data.from_items([{"i": i, "article": pickle.dumps(a)} for i, a in enumerate(articles)])
        embedded = data.map_batches(_ChunkEmbedActor, fn_constructor_kwargs={"settings_json": self.settings_json,
                                                                              "options": pickle.dumps(options)},
                                    concurrency=min(self.workers, -(-len(articles) // per_call)),
                                    batch_size=per_call, num_cpus=1, batch_format="numpy")
        vectors: list[list[np.ndarray]] = [[] for _ in articles]
        for row in embedded.iter_rows():  # an article's chunks come in order, from one actor call
            pieces[int(row["i"])].append(pickle.loads(row["chunk"]))
            vectors[int(row["i"])].append(np.asarray(row["vector"], dtype=np.float32))
            self.nodes["embedded"][row["node"]] += 1
        flat = [v for article_vectors in vectors for v in article_vectors]
        return pieces, np.vstack(flat) if flat else np.zeros((0, self.dimension), dtype=np.float32)

    def summary(self) -> str:
        return "Ray: " + "; ".join(f"{step} {sum(c.values())} rows on {len(c)} node(s)" for step, c in self.nodes.items())

    def close(self) -> None:
        import ray

        ray.shutdown()
