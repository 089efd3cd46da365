"""The one way to shorten a text for a chat line."""
from __future__ import annotations


def shorten(text: str | None, limit: int) -> str:
    """Spaces collapsed; at most `limit` characters, cut at a word boundary when one is in the
    second half, with an ellipsis when cut: shorten("Báo cáo kết quả thực hiện", 16) → "Báo cáo kết…"."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–") + "…"
