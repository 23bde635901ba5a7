"""Gradio entry point: `python app.py` serves the chat over the corpus (seeds/ by default) on
http://127.0.0.1:7860 (or GRADIO_SERVER_NAME / GRADIO_SERVER_PORT), building the index on first run.
"""

import sys

from rag.settings import load_settings
from rag.ui import build_app, create_services, launch


def main() -> None:
    from tqdm import tqdm

    from rag.model_files import ModelMissing
    from rag.store import IndexUnavailable

    settings = load_settings()
    print("loading models and index…", file=sys.stderr)
    try:
        services = create_services(settings, progress=lambda n: tqdm(total=n, desc="embedding", file=sys.stderr))
    except (ModelMissing, IndexUnavailable) as exc:
        sys.exit(f"error: {exc}")
    launch(build_app(services), announce=lambda url: print(f"ready: {url}", file=sys.stderr, flush=True))


if __name__ == "__main__":
    main()
