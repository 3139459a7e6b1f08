"""Renderers: Review -> annotated DOCX, JSON, Markdown."""
