import json
from pathlib import Path

import numpy as np
import pytest

from rag.embedding import _QueryCache, read_sentence_transformers_folder


def _folder(tmp_path: Path, pooling: dict, modules=("Transformer", "Pooling", "Normalize"), prompts=None) -> Path:
    paths = {"Transformer": "", "Pooling": "1_Pooling", "Normalize": "2_Normalize"}
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "modules.json").write_text(json.dumps(
        [{"idx": i, "name": str(i), "path": paths.get(m, m), "type": f"sentence_transformers.models.{m}"}
         for i, m in enumerate(modules)]))
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": 8, **pooling}))
    if prompts is not None:
        (tmp_path / "config_sentence_transformers.json").write_text(json.dumps({"prompts": prompts}))
    (tmp_path / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 128}))
    return tmp_path


def test_folder_reader_takes_prompts_pooling_and_length(tmp_path):
    spec = read_sentence_transformers_folder(
        _folder(tmp_path, {"pooling_mode_mean_tokens": True}, prompts={"query": "query: ", "passage": "passage: "}))
    assert spec == {"prompts": {"query": "query: ", "passage": "passage: "}, "pooling": "mean", "dimension": 8,
                    "max_seq_length": 128}


def test_folder_reader_supports_cls_pooling_without_prompts(tmp_path):
    spec = read_sentence_transformers_folder(_folder(tmp_path, {"pooling_mode_cls_token": True}))
    assert spec["pooling"] == "cls" and spec["prompts"] == {}


@pytest.mark.parametrize("pooling, modules", [
    ({"pooling_mode_max_tokens": True}, ("Transformer", "Pooling", "Normalize")),
    ({"pooling_mode_mean_tokens": True}, ("Transformer", "Pooling", "Dense", "Normalize")),
])
def test_folder_reader_refuses_what_onnx_cannot_run(tmp_path, pooling, modules):
    with pytest.raises(ValueError, match="runtime 'torch'"):
        read_sentence_transformers_folder(_folder(tmp_path, pooling, modules))


class _Counting(_QueryCache):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def _encode(self, texts, kind):
        self.calls += 1
        return np.ones((len(texts), 2))


def test_single_queries_are_cached_and_passages_are_not():
    embedder = _Counting()
    first = embedder.embed(["سؤال"], "query")
    again = embedder.embed(["سؤال"], "query")
    assert embedder.calls == 1 and np.array_equal(first, again) and again.dtype == np.float32
    embedder.embed(["نص"], "passage")
    embedder.embed(["نص"], "passage")
    assert embedder.calls == 3
