# The two commands of the README: `make chat` and `make test`.
.PHONY: setup chat test test-unit lint eval bench

setup:
	bash scripts/setup.sh

chat: setup
	HF_HUB_OFFLINE=1 .venv/bin/python app.py

test: setup
	bash scripts/test.sh

test-unit:
	.venv/bin/python -m pytest -m "not integration and not browser" -q

lint:
	.venv/bin/ruff check rag tests app.py

eval: setup
	.venv/bin/rag eval evals/seeds.jsonl --out runs/seeds

bench: setup
	.venv/bin/rag bench --json
