"""Report renderers: ``analysis.json`` (schema ``pcd-analysis/1``) to Markdown and HTML."""

from reports.render import render_html, render_markdown

__all__ = ["render_html", "render_markdown"]
