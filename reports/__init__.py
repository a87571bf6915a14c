"""Report renderers: ``analysis.json`` (schema ``pcd-analysis/1``) to Markdown and HTML."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reports.render import render_html, render_markdown

__all__ = ["render_html", "render_markdown"]


def __getattr__(name: str) -> Any:
    # loaded on first use: importing reports.worker or reports.terminal must not load jinja2
    if name in __all__:
        from reports import render

        return getattr(render, name)
    raise AttributeError(f"module 'reports' has no attribute {name!r}")
