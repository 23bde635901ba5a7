"""The code stays readable: short functions and classes in rag/, and nothing speaks of how the
work was organised (figures are dated or tied to a commit instead).
"""

import ast
import re

from rag.settings import PROJECT_ROOT

MAX_FUNCTION_LINES, MAX_CLASS_LINES = 60, 150


def test_no_long_functions_or_classes():
    too_long = []
    for path in sorted((PROJECT_ROOT / "rag").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            limit = MAX_CLASS_LINES if isinstance(node, ast.ClassDef) else MAX_FUNCTION_LINES
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > limit:
                    too_long.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    assert not too_long


def test_the_repository_speaks_of_the_product():
    files = [p for pattern in ("rag/**/*.py", "tests/**/*.py", "docs/*.md", "scripts/*", "prompts/*", "*.md", "Makefile")
             for p in PROJECT_ROOT.glob(pattern) if p.is_file() and p.name != "test_code_shape.py"]
    found = [f"{p.relative_to(PROJECT_ROOT)}" for p in files
             if re.search(r"\bsessions?\s+\d", p.read_text(encoding="utf-8", errors="ignore"), re.IGNORECASE)]
    assert not found
