"""Embedders: one seam (`embed`) with two implementations of the same sentence-transformers model:
torch through sentence-transformers, and ONNX Runtime on an export of that model (models.export_onnx),
which runs 2-3x faster on a 2-core CPU. Both keep a small cache for repeated queries.
Heavy libraries (torch, onnxruntime, tokenizers) are imported lazily, here only.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; `kind` is "query" or "passage"."""

    model_id: str
    dimension: int

    def embed(self, texts: list[str], kind: str) -> np.ndarray: ...


class _QueryCache:
    """Single-query results are kept (LRU, 512 entries): chat follow-ups and evals repeat them."""

    def __init__(self):
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed(self, texts: list[str], kind: str) -> np.ndarray:
        if kind == "query" and len(texts) == 1 and texts[0] in self._query_cache:
            self._query_cache.move_to_end(texts[0])
            return self._query_cache[texts[0]][None, :]
        vectors = self._encode(texts, kind).astype(np.float32)
        if kind == "query" and len(texts) == 1:
            self._query_cache[texts[0]] = vectors[0]
            if len(self._query_cache) > 512:
                self._query_cache.popitem(last=False)
        return vectors

    def _encode(self, texts: list[str], kind: str) -> np.ndarray:
        raise NotImplementedError


class SentenceTransformerEmbedder(_QueryCache):
    """A sentence-transformers model on torch, using its own query/passage prompts when it has them."""

    def __init__(self, path_or_id: str, model_id: str, threads: int, batch_size: int = 16):
        import torch
        from sentence_transformers import SentenceTransformer

        super().__init__()
        torch.set_num_threads(threads)
        self.model = SentenceTransformer(path_or_id, device="cpu")
        self.model_id = model_id
        self.dimension = int(self.model.get_embedding_dimension())
        self.batch_size = batch_size

    def _encode(self, texts: list[str], kind: str) -> np.ndarray:
        prompt_name = kind if kind in (self.model.prompts or {}) else None
        return self.model.encode(texts, prompt_name=prompt_name, batch_size=self.batch_size,
                                 normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)


class OnnxEmbedder(_QueryCache):
    """The same sentence-transformers folder run by ONNX Runtime: its tokenizer.json, prompts,
    max_seq_length and pooling (mean or cls) with L2 normalisation, on an exported encoder graph.
    Texts are sorted by length and run in small batches, so little time goes into padding.
    """

    def __init__(self, folder: str, onnx_file: str, model_id: str, threads: int, batch_size: int = 2):
        import onnxruntime
        from tokenizers import Tokenizer

        super().__init__()
        spec = read_sentence_transformers_folder(Path(folder))
        self.prompts, self.pooling, self.dimension = spec["prompts"], spec["pooling"], spec["dimension"]
        self.tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(spec["max_seq_length"])
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(onnx_file, options, providers=["CPUExecutionProvider"])
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.model_id = model_id
        self.batch_size = max(1, batch_size)

    def _encode(self, texts: list[str], kind: str) -> np.ndarray:
        prefix = self.prompts.get(kind, "")
        encodings = self.tokenizer.encode_batch([(prefix + t).strip() for t in texts])  # as sentence-transformers
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            out[rows] = self._run([encodings[i].ids for i in rows])
        return out

    def _run(self, id_lists: list[list[int]]) -> np.ndarray:
        width = max(len(ids) for ids in id_lists)
        input_ids = np.zeros((len(id_lists), width), dtype=np.int64)
        mask = np.zeros_like(input_ids)
        for row, ids in enumerate(id_lists):
            input_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self.input_names:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        hidden = self.session.run(None, feeds)[0]
        if self.pooling == "cls":
            pooled = hidden[:, 0]
        else:
            pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def read_sentence_transformers_folder(folder: Path) -> dict:
    """What OnnxEmbedder needs from a sentence-transformers folder; ValueError when it cannot run it."""
    modules = json.loads((folder / "modules.json").read_text())
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    if kinds[:2] != ["Transformer", "Pooling"] or any(k not in ("Transformer", "Pooling", "Normalize") for k in kinds):
        raise ValueError(f"{folder}: modules {kinds} are not Transformer + Pooling (+ Normalize); use embedder runtime 'torch'")
    pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text())
    if pooling.get("pooling_mode_mean_tokens"):
        mode = "mean"
    elif pooling.get("pooling_mode_cls_token"):
        mode = "cls"
    else:
        raise ValueError(f"{folder}: pooling {pooling} is neither mean nor cls; use embedder runtime 'torch'")
    st_config = folder / "config_sentence_transformers.json"
    prompts = json.loads(st_config.read_text()).get("prompts", {}) if st_config.exists() else {}
    bert_config = folder / "sentence_bert_config.json"
    max_len = json.loads(bert_config.read_text()).get("max_seq_length", 512) if bert_config.exists() else 512
    return {"prompts": prompts or {}, "pooling": mode, "dimension": int(pooling["word_embedding_dimension"]),
            "max_seq_length": int(max_len or 512)}


def embed_in_batches(embedder: Embedder, texts: list[str], kind: str, progress=None, step: int = 64) -> np.ndarray:
    """Embed many texts, `step` at a time, calling `progress(n)` after each step. The embedder
    sorts each step by length into its own forward batches, so a step is larger than a batch.
    """
    if not texts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    out = []
    for start in range(0, len(texts), step):
        part = texts[start : start + step]
        out.append(embedder.embed(part, kind))
        if progress:
            progress(len(part))
    return np.vstack(out).astype(np.float32)
