"""Pure rendering of answers, citations and index status to HTML/Markdown (tested without a
browser). All article-derived and user text is HTML-escaped.
"""

from __future__ import annotations

import html
import re

from ..answering import Answer
from ..store import Index
from ..text import language
from .labels import label

_CITATION_MARK = re.compile(r"\[(\d+)\]")


def text_direction(text: str) -> str:
    return "rtl" if language(text) == "ar" else "ltr"


def citation_target(chunk_id: str, start: int, end: int) -> str:
    return f"{chunk_id}|{start}|{end}"


def _cite_link(n: int, chunk_id: str, start: int, end: int) -> str:
    return f'<a class="cite-link" href="#cite-{html.escape(citation_target(chunk_id, start, end))}">[{n}]</a>'


def render_user_text(question: str) -> str:
    """The user's words exactly as typed: escaped, so markup and Markdown show as text."""
    escaped = html.escape(question).replace("\n", "<br>")
    return f'<p class="user-text" dir="{text_direction(question)}">{escaped}</p>'


def render_answer_markdown(answer: Answer) -> str:
    """The answer with [n] turned into citation links, unsupported sentences marked, and the
    sources by headline, outlet and date.
    """
    parts = [f'<div dir="{text_direction(answer.question)}">']
    if answer.abstained:
        parts.append(f"<p><b>{html.escape(answer.answer)}</b></p>")
        if answer.passages:
            parts.append(f"<p>{label('closest', answer.language)}</p>")
    else:
        if answer.direct is not None:
            d = answer.direct
            p = next((p for p in answer.passages if p.n == d.n), None)
            link = _cite_link(p.n, p.chunk.chunk_id, d.start, d.end) if p else ""
            parts.append(f'<p class="direct-answer"><b>{html.escape(d.shown)}</b> {link}</p>')
        parts.append(f"<p>{_linked(answer)}</p>")
        parts += [f'<p class="unsupported">⚠ {label("unsupported", answer.language)} {html.escape(s.text)}</p>'
                  for s in answer.sentences if not s.supported]
    if answer.passages:
        parts.append('<ol class="source-list">')
        parts += [f'<li value="{p.n}">{_cite_link(p.n, p.chunk.chunk_id, p.start, p.end)} {source_html(p.chunk)}'
                  f'{also_html(p.also, answer.language)}</li>' for p in answer.passages]
        parts.append("</ol>")
    parts += [f'<p dir="auto"><small>ℹ {html.escape(notice)}</small></p>' for notice in answer.notices]
    parts.append("</div>")
    return "".join(parts)


def _linked(answer: Answer) -> str:
    by_n = {p.n: p for p in answer.passages}

    def link(match: re.Match) -> str:
        p = by_n.get(int(match.group(1)))
        return match.group(0) if p is None else _cite_link(p.n, p.chunk.chunk_id, p.start, p.end)

    def linked(text: str) -> str:
        return _CITATION_MARK.sub(link, html.escape(text))

    parts = answer.around_direct()
    if parts is None:
        return linked(answer.answer)
    before, phrase, after = parts  # the direct answer highlighted inside its evidence
    return f"{linked(before)}<mark>{html.escape(phrase)}</mark>{linked(after)}"



def source_html(chunk) -> str:
    """Headline, outlet and date (and the link when known): how a journalist knows a source."""
    title = html.escape(chunk.title or chunk.source)
    if chunk.url and chunk.url.startswith(("http://", "https://")):
        title = f'<a href="{html.escape(chunk.url)}" target="_blank" rel="noopener noreferrer">{title}</a>'
    where = " · ".join(html.escape(x) for x in (chunk.outlet, chunk.date) if x)
    return f"<bdi>{title}</bdi>" + (f" <small>(<bdi>{where}</bdi>)</small>" if where else "")


def also_html(also, lang: str) -> str:
    """The other articles that ran the passage's text (a wire story in several outlets)."""
    if not also:
        return ""
    separator = "؛ " if lang == "ar" else "; "
    return f'<br><small class="also-in">{label("also_in", lang)} ' + separator.join(source_html(c) for c in also) + "</small>"


def render_draft(answer: Answer, doing: str) -> str:
    """The instant answer, with what the model is doing meanwhile."""
    return render_answer_markdown(answer) + f"<p><small>{doing}</small></p>"


def render_timings(answer: Answer) -> str:
    t = answer.timings
    return (f"✅ retrieve {t.get('retrieve_ms', 0):.0f} ms · first token {t.get('ttft_ms', 0) / 1000:.1f} s · "
            f"total {t.get('total_ms', 0) / 1000:.1f} s")


def render_citation_panel(found: dict) -> str:
    """Source title, the cited span highlighted inside its surrounding text, and the article."""
    esc = html.escape
    d = text_direction(found["text"] or found["article"][:200])
    return (
        f'<div class="passage" dir="{d}">'
        f'<h3 id="cite-title">{esc(found["title"])}</h3>'
        f'<p><small>{_where(found)}</small></p>'
        f'<p id="cite-context">…{esc(found["before"])}<mark id="cite-highlight">{esc(found["text"])}</mark>{esc(found["after"])}…</p>'
        f"<details><summary>{label('whole_article', 'ar' if d == 'rtl' else 'en')}</summary>"
        f'<div style="white-space: pre-wrap">{esc(found["article"])}</div></details>'
        "</div>"
    )


def _where(found: dict) -> str:
    parts = [f"<bdi>{html.escape(x)}</bdi>" for x in (found.get("outlet"), found.get("date"), found.get("author")) if x]
    url = found.get("url") or ""
    if url.startswith(("http://", "https://")):
        parts.append(f'<a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">{html.escape(url[:80])}</a>')
    return " · ".join(parts)


def render_upload_outcomes(results) -> str:
    """One line per file sent: what was indexed from it, or why it was refused."""
    lines = [f"- {'✅' if r.ok else '⚠'} <bdi>{html.escape(r.name)}</bdi>: {html.escape(r.detail)}" for r in results]
    return "\n".join(lines)


def index_status(index: Index) -> str:
    m = index.manifest
    return (f"**Index**: {index.n_articles} articles, {len(index.chunks)} chunks · embedder `{m.get('embedder')}` "
            f"· chunks {m.get('chunk_size')}/{m.get('chunk_overlap')} chars · {m.get('index_type', 'flat')} · "
            f"built {m.get('built_at', '?')}")
