"""Safe YAML loading, fast when it can be: the one place that picks ruamel.yaml's loader.

ruamel.yaml's C loader (``ruamel.yaml.clib``) reads a file several times faster than the pure-Python one,
but it recurses in C: a few hundred kilobytes of ``- - - …`` or ``[[[…`` crash the interpreter, where the
pure loader raises ``RecursionError``. :func:`load_safe` therefore takes the C loader only for text that is
provably shallow (:func:`shallow`) and the pure loader otherwise; both give the same values. A C loader
error is reported as the pure loader reports it, so messages do not depend on which one ran.
"""

from __future__ import annotations

import re
from typing import Any

# Nesting at most this deep goes to the C loader (it handles a thousand levels; ours need a handful).
MAX_FAST_DEPTH = 100
# A block collection nested in another starts further right: on a new, more indented line, or after a
# compact "- " / "? " indicator on the same line. So a line's indentation plus its indicators bound how
# deep block nesting can be there; flow brackets add their own depth.
_INDICATOR = re.compile(r"[-?](?=[ \t]|$)")
_BRACKET = re.compile(r"[\[\]{}]")


def shallow(text: str, limit: int = MAX_FAST_DEPTH) -> bool:
    """True when no node of ``text`` can be nested deeper than ``limit`` (conservative: brackets inside
    strings, and dashes in prose, count too; false only costs the slower loader)."""
    depth = 0
    for m in _BRACKET.finditer(text):
        depth += 1 if m.group() in "[{" else -1
        if depth > limit:
            return False
    for line in text.splitlines():
        body = line.lstrip(" ")
        if len(line) - len(body) > limit or len(_INDICATOR.findall(body, 0, 2 * limit + 2)) > limit // 2:
            return False
    return True


def load_safe(text: str) -> Any:
    """``text`` parsed by ruamel.yaml's safe loader (plain dicts, lists and scalars; YAML 1.2).

    Raises ``ruamel.yaml.error.YAMLError`` for invalid YAML and ``RecursionError`` for nesting too deep for
    the pure loader.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    if shallow(text):
        try:
            return YAML(typ="safe").load(text)
        except YAMLError:
            pass  # let the pure loader say what is wrong, as it would have anyway
    return YAML(typ="safe", pure=True).load(text)
