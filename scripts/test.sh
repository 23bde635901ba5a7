#!/usr/bin/env bash
# Run the whole suite: unit tests (fakes), integration tests (real offline models), browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/python -m pytest -q "$@"
