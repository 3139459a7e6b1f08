"""The template a new feedback document starts from (for sources that are not Word documents).

python-docx's default template carries two 430 KB style parts (``styles.xml`` and Word 2010's
``stylesWithEffects.xml``: 166 styles, mostly table designs), a thumbnail and a custom-XML item. Parsing
and re-compressing them is most of the cost of every new document. This module derives, once per
process, a lean copy of that template: the same ``document.xml``, settings, numbering, fonts and theme,
and only the styles a feedback document uses (those named in :data:`STYLES`, the default style of each
type, and whatever those are based on, linked to or followed by). Nothing is shipped as a binary file:
the template is built from python-docx's own, so it follows python-docx upgrades.
"""

from __future__ import annotations

import functools
import io
from typing import Any

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.styles import BabelFish

# UI names of the styles a new feedback document uses: block headings, and the scorecard's styles.
STYLES = frozenset({"Normal", "Heading 1", "Heading 2", "List Bullet", "Table Grid"})

# Parts a feedback document never needs.
_DROP_FROM_DOCUMENT = frozenset({"http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
                                 RT.CUSTOM_XML})
_DROP_FROM_PACKAGE = frozenset({RT.THUMBNAIL})
_LINKS = ("w:basedOn", "w:link", "w:next")


def new_document() -> Any:
    """A new python-docx Document from the lean template."""
    return docx.Document(io.BytesIO(lean_template()))


@functools.lru_cache(maxsize=1)
def lean_template() -> bytes:
    """The lean template's bytes (built on first use, then kept for the life of the process)."""
    doc = docx.Document()
    for rels, drop in ((doc.part.rels, _DROP_FROM_DOCUMENT), (doc.part.package.rels, _DROP_FROM_PACKAGE)):
        for r_id in [r_id for r_id, rel in rels.items() if rel.reltype in drop]:
            del rels[r_id]
    prune_styles(doc.styles.element, STYLES)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def prune_styles(styles: Any, keep: frozenset[str]) -> None:
    """Keep, in ``styles`` (a ``w:styles`` element), the styles named in ``keep``, each type's default
    style and the styles those refer to; drop the others and the latent-style table."""
    by_id = {s.get(qn("w:styleId")): s for s in styles.iterchildren(qn("w:style"))}
    wanted = [s for s in by_id.values() if _name(s) in keep or s.get(qn("w:default")) in ("1", "true", "on")]
    kept: set[str] = set()
    while wanted:
        style = wanted.pop()
        style_id = style.get(qn("w:styleId"))
        if style_id in kept:
            continue
        kept.add(style_id)
        for tag in _LINKS:
            ref = style.find(qn(tag))
            target = by_id.get(ref.get(qn("w:val"))) if ref is not None else None
            if target is not None:
                wanted.append(target)
    for style_id, style in by_id.items():
        if style_id not in kept:
            styles.remove(style)
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)


def _name(style: Any) -> str | None:
    name = style.find(qn("w:name"))
    if name is None:
        return None
    return str(BabelFish.internal2ui(name.get(qn("w:val"))))  # "heading 1" is "Heading 1"
