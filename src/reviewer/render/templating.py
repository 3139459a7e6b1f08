"""What the HTML renderers share: the templates folder, a Jinja2 environment set up one way (autoescaped,
strict about undefined names), and the CSP hash of an inline element (the pages allow only what they carry)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def csp_hash(text: str) -> str:
    """The Content-Security-Policy source for an inline ``<style>``/``<script>`` holding exactly ``text``."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def new_environment() -> Any:
    """A fresh Jinja2 environment over :data:`TEMPLATES` (each renderer adds its own globals to its own)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
