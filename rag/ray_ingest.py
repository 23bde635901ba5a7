"""Ingest embedding spread over a Ray cluster (`rag ingest --ray [ADDRESS]`), the only module
importing ray. Each committed batch of chunks becomes a Ray Data dataset mapped over a pool of
embedder actors, one CPU each; the driver keeps what needs one writer: reading and deduplicating
articles, chunking, and committing to the catalogue (then Qdrant, with that backend). Without an
address a local Ray is started on this machine; with one, the same code runs on that cluster.
Every node needs this package's environment and the models in `models.models_dir`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .settings import Settings

BATCH_ARTICLES = 2048  # per Ray Data job: actors load the model once per job, so jobs are large


class _EmbedActor:
    """One embedder per actor, built from the settings on whichever node it lands."""

    def __init__(self, settings_json: str):
        from .factory import build_embedder

        self.embedder = build_embedder(Settings.model_validate_json(settings_json))

    def __call__(self, batch: dict) -> dict:
        return {"i": batch["i"], "vector": self.embedder.embed(list(batch["text"]), "passage")}


class RayEmbedder:
    """The Embedder seam for ingest: passages go to the Ray actors, queries stay local."""

    whole_batches = True  # embed_in_batches hands over each commit batch in one call

    def __init__(self, local, settings: Settings, address: str | None, workers: int | None = None,
                 batch_size: int = 64):
        import ray

        if not ray.is_initialized():
            package = str(Path(__file__).resolve().parent)
            ray.init(address=address or None, include_dashboard=False, log_to_driver=False,
                     runtime_env={"py_modules": [package]} if address else None)
        self.local, self.model_id, self.dimension = local, local.model_id, local.dimension
        self.workers = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.batch_size = batch_size
        # One thread per actor: the actors, not the threads, use the cores.
        self.settings_json = settings.with_overrides({"models.threads": 1}).model_dump_json()

    def embed(self, texts: list[str], kind: str) -> np.ndarray:
        if kind != "passage" or not texts:
            return self.local.embed(texts, kind)
        import ray

        batch = max(1, min(self.batch_size, -(-len(texts) // self.workers)))  # every worker gets a share
        data = ray.data.from_items([{"i": i, "text": t} for i, t in enumerate(texts)])
        embedded = data.map_batches(_EmbedActor, fn_constructor_kwargs={"settings_json": self.settings_json},
                                    concurrency=min(self.workers, -(-len(texts) // batch)),
                                    batch_size=batch, num_cpus=1, batch_format="numpy")
        rows = embedded.take_all()
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row in rows:
            vectors[int(row["i"])] = row["vector"]
        return vectors

    def close(self) -> None:
        import ray

        ray.shutdown()
