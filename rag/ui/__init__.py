"""The Gradio chat: pure rendering (`render`), bilingual labels (`labels`), handlers on an object
holding the services (`handlers`), and the Blocks layout (`layout`, the only gradio import).
"""

from .layout import build_app, launch, server_address
from .render import render_answer_markdown, render_citation_panel
from .services import Services, create_services

__all__ = ["Services", "build_app", "create_services", "launch", "render_answer_markdown", "render_citation_panel", "server_address"]
