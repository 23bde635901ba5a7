"""The chat's words in Arabic and English, in one table; `label(key, lang)` picks one."""

from __future__ import annotations

LABELS = {
    "searching": ("🔎 أبحث في المصادر…", "🔎 Searching the sources…"),
    "reading": ("📖 أقرأ {n} مقاطع…", "📖 Reading {n} passages…"),
    "checking": ("⏳ النموذج يتحقق من أن المقطع يجيب عن السؤال…", "⏳ The model is checking that the passage answers the question…"),
    "writing": ("⏳ النموذج يقرأ المقاطع…", "⏳ The model is reading the passages…"),
    "closest": ("أقرب المقاطع:", "Closest passages:"),
    "unsupported": ("غير مدعوم بالمصادر، حُذف:", "Not supported by the sources, left out:"),
    "whole_article": ("المقال كاملاً", "Whole article"),
    "also_in": ("وردت أيضاً في:", "Also in:"),
}


def label(key: str, lang: str, **values) -> str:
    arabic, english = LABELS[key]
    return (arabic if lang == "ar" else english).format(**values)
