"""Compare HTML article extraction: trafilatura (the default) against the plain cleaner
(`html_to_text` + the furniture filter). On saved test pages: how many article passages each keeps
and how many pieces of page furniture (navigation, share bars, related links, comments, footers)
it lets through. On the seed articles (wrapped one paragraph per line in <p>): the lines each keeps.

    .venv/bin/python scripts/compare_extraction.py   # prints a Markdown table (docs/extraction.md)
"""

from __future__ import annotations

import html
import json

from rag.documents import content_blocks, html_to_text
from rag.extraction import html_article
from rag.settings import PROJECT_ROOT

PAGES = PROJECT_ROOT / "tests" / "fixtures" / "pages"


def plain_cleaner(markup: str) -> str:
    text, _ = html_to_text(markup)
    return "\n".join(block.text for block in content_blocks(text))


def with_trafilatura(markup: str) -> str:
    found = html_article(markup)
    return "\n".join(block.text for block in content_blocks(found.text)) if found else ""


EXTRACTORS = {"trafilatura": with_trafilatura, "plain cleaner": plain_cleaner}


def main() -> None:
    expected = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
    print("| page | extractor | article passages kept | furniture let through |")
    print("|---|---|---|---|")
    for page, want in expected.items():
        markup = (PAGES / page).read_text(encoding="utf-8")
        for name, extract in EXTRACTORS.items():
            text = extract(markup)
            kept = sum(snippet in text for snippet in want["article"])
            leaked = [snippet for snippet in want["furniture"] if snippet in text]
            print(f"| {page} | {name} | {kept}/{len(want['article'])} | {len(leaked)}/{len(want['furniture'])}"
                  f"{': ' + ', '.join(leaked) if leaked else ''} |")
    print()
    print("| seed article | lines | trafilatura keeps | plain cleaner keeps |")
    print("|---|---|---|---|")
    for seed in sorted((PROJECT_ROOT / "seeds").glob("*.txt")):
        lines = [line.strip() for line in seed.read_text(encoding="utf-8").splitlines() if line.strip()]
        markup = "<html><body><article>" + "".join(f"<p>{html.escape(line)}</p>" for line in lines) + "</article></body></html>"
        kept = {name: extract(markup) for name, extract in EXTRACTORS.items()}
        print(f"| {seed.name} | {len(lines)} | " + " | ".join(
            f"{sum(line in kept[name] for line in lines)}" + _dropped(lines, kept[name]) for name in EXTRACTORS) + " |")


def _dropped(lines: list[str], text: str) -> str:
    dropped = [line[:40] for line in lines if line not in text]
    return f" (drops: {'; '.join(dropped)})" if dropped else ""


if __name__ == "__main__":
    main()
