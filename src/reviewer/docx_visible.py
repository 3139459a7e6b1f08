"""Whether a reader can see a run of a Word document: its properties resolved through the styles, and its
colour against what is behind it.

A run is hidden (:func:`hidden_reason`) when it is

* ``vanish``: Word's Hidden font setting (``w:vanish``, ``w:specVanish``);
* ``tiny``: under 4 pt (``w:sz``);
* ``squeezed``: character scale under :data:`MIN_SCALE` percent (``w:w``), or letters condensed
  (``w:spacing``) until they overlap;
* ``white`` / ``color``: a text colour a reader cannot tell from its background (CIE76 colour difference
  under :data:`MIN_DELTA_E`; ``white`` when that background is white). The background is the first of:
  the run's highlight, the run's shading, the paragraph's shading (direct or from its style), the table
  cell's, the table's, a text box's solid fill, the page colour (``w:background``), white. Shading patterns
  are mixed as Word draws them (``clear`` is the fill, ``solid`` the pattern colour, ``pctN`` a mix).

Colours may name the document theme (``w:themeColor`` with ``w:themeTint``/``w:themeShade``, ``w:themeFill``);
they are resolved through the theme part when it is available, else the colour's own ``w:val`` is used.
``auto`` text is drawn by Word in black or white, whichever shows, so it is always visible.

DOCX ingest and the DOCX renderer both decide through :class:`StyleSheet` and :func:`hidden_reason`, so they
agree on every character (see :mod:`reviewer.docx_xml`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
VML = "urn:schemas-microsoft-com:vml"

TINY_HALF_POINTS = 8  # 4 pt
MIN_SCALE = 25  # percent of the normal character width
CONDENSED_PER_HALF_POINT = -4  # twips of w:spacing per half-point of size: letters then overlap almost entirely
DEFAULT_HALF_POINTS = 20  # Word's size when nothing sets one
MIN_DELTA_E = 10.0  # CIE76: ~2 is a just-noticeable difference; under 10 text is a faint ghost at best
WHITE = "FFFFFF"
BLACK = "000000"

HIGHLIGHTS = {
    "black": "000000", "blue": "0000FF", "cyan": "00FFFF", "green": "00FF00", "magenta": "FF00FF", "red": "FF0000",
    "yellow": "FFFF00", "white": "FFFFFF", "darkBlue": "000080", "darkCyan": "008080", "darkGreen": "008000",
    "darkMagenta": "800080", "darkRed": "800000", "darkYellow": "808000", "darkGray": "808080",
    "lightGray": "C0C0C0",
}
# w:themeColor names -> a:clrScheme element names (Word's default colour-scheme mapping)
THEME_NAMES = {
    "dark1": "dk1", "light1": "lt1", "dark2": "dk2", "light2": "lt2", "text1": "dk1", "background1": "lt1",
    "text2": "dk2", "background2": "lt2", "accent1": "accent1", "accent2": "accent2", "accent3": "accent3",
    "accent4": "accent4", "accent5": "accent5", "accent6": "accent6", "hyperlink": "hlink",
    "followedHyperlink": "folHlink",
}
_HEX = re.compile(r"^#?([0-9A-Fa-f]{6})$")
_PCT = re.compile(r"^pct(\d{1,3})$")
Theme = dict[str, str]


def q(tag: str) -> str:
    """Clark name for a ``w:`` tag."""
    return f"{{{W}}}{tag}"


def _hex(value: str | None) -> str | None:
    m = _HEX.match(value.strip()) if value else None
    return m.group(1).upper() if m else None


def _adjust(hex_color: str, tint: str | None, shade: str | None) -> str:
    """Word's ``themeTint`` (towards white) and ``themeShade`` (towards black), each a hex byte."""
    rgb = [int(hex_color[i : i + 2], 16) for i in (0, 2, 4)]
    try:
        if shade:
            rgb = [round(c * int(shade, 16) / 255) for c in rgb]
        if tint:
            rgb = [round(255 - (255 - c) * int(tint, 16) / 255) for c in rgb]
    except ValueError:
        return hex_color
    return "".join(f"{min(max(c, 0), 255):02X}" for c in rgb)


def _colour(el: Any, theme: Theme, val: str, theme_attr: str, tint_attr: str, shade_attr: str) -> str | None:
    """A colour attribute of ``el``: the theme colour when named and resolvable, else its hex value, else
    ``auto`` for ``auto``; None when unset or unreadable."""
    name = el.get(q(theme_attr))
    if name and THEME_NAMES.get(name) in theme:
        return _adjust(theme[THEME_NAMES[name]], el.get(q(tint_attr)), el.get(q(shade_attr)))
    raw = el.get(q(val))
    if raw is not None and raw.strip().lower() == "auto":
        return "auto"
    return _hex(raw)


def _mix(top: str, bottom: str, share: float) -> str:
    a = [int(top[i : i + 2], 16) for i in (0, 2, 4)]
    b = [int(bottom[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(x * share + y * (1 - share)):02X}" for x, y in zip(a, b, strict=True))


def shading(shd: Any | None, theme: Theme) -> str | None:
    """The colour a ``w:shd`` paints: a hex colour, ``""`` when it paints nothing (``nil``, ``clear`` with an
    ``auto`` fill), None when there is no ``w:shd``."""
    if shd is None:
        return None
    pattern = (shd.get(q("val")) or "clear").strip()
    if pattern in ("nil", "none"):
        return ""
    fill = _colour(shd, theme, "fill", "themeFill", "themeFillTint", "themeFillShade")
    fill = None if fill in (None, "auto") else fill
    if pattern == "clear":
        return fill or ""
    ink = _colour(shd, theme, "color", "themeColor", "themeTint", "themeShade")
    ink = BLACK if ink in (None, "auto") else ink
    if pattern == "solid":
        return ink
    m = _PCT.match(pattern)
    share = min(int(m.group(1)), 100) / 100 if m else 0.5  # stripes, crosses: about half and half
    return _mix(ink, fill or WHITE, share)


def _int(el: Any | None) -> int | None:
    if el is None:
        return None
    try:
        return int(float(el.get(q("val"), "")))
    except ValueError:
        return None


def _on(el: Any) -> bool:
    val = el.get(q("val"))
    return val is None or val.lower() not in ("0", "false", "off")


@dataclass(frozen=True)
class RunProps:
    """The visibility-relevant run properties; None inherits from the layer below."""

    vanish: bool | None = None
    color: str | None = None  # hex, or "auto"
    size: int | None = None  # half-points
    scale: int | None = None  # percent (w:w)
    spacing: int | None = None  # twips (w:spacing), negative = condensed
    shading: str | None = None  # hex, or "" for none
    highlight: str | None = None  # hex, or "" for none

    def over(self, base: RunProps) -> RunProps:
        """These properties layered over ``base`` (None inherits)."""
        return RunProps(**{k: (v if v is not None else getattr(base, k)) for k, v in self.__dict__.items()})


def props_of(rpr: Any | None, theme: Theme | None = None) -> RunProps:
    """Read the visibility-relevant properties of one ``w:rPr`` (or None)."""
    if rpr is None:
        return RunProps()
    theme = theme or {}
    vanish = None
    for tag in ("vanish", "specVanish"):
        el = rpr.find(q(tag))
        if el is not None:
            vanish = _on(el)
    color_el = rpr.find(q("color"))
    hl = rpr.find(q("highlight"))
    highlight = None
    if hl is not None:
        name = hl.get(q("val"), "none")
        highlight = HIGHLIGHTS.get(name, "")
    return RunProps(
        vanish=vanish,
        color=_colour(color_el, theme, "val", "themeColor", "themeTint", "themeShade") if color_el is not None
        else None,
        size=_int(rpr.find(q("sz"))),
        scale=_int(rpr.find(q("w"))),
        spacing=_int(rpr.find(q("spacing"))),
        shading=shading(rpr.find(q("shd")), theme),
        highlight=highlight,
    )


def theme_colors(theme_root: Any | None) -> Theme:
    """``{"dk1": "000000", "lt1": "FFFFFF", "accent1": ...}`` from a theme part's colour scheme."""
    if theme_root is None:
        return {}
    scheme = next(theme_root.iter(f"{{{A}}}clrScheme"), None)
    out: Theme = {}
    for slot in scheme if scheme is not None else ():
        name = str(slot.tag).rsplit("}", 1)[-1]
        for value in slot:
            tag = str(value.tag).rsplit("}", 1)[-1]
            hex_color = _hex(value.get("val")) if tag == "srgbClr" else _hex(value.get("lastClr")) if tag == "sysClr" \
                else None
            if hex_color:
                out[name] = hex_color
    return out


class StyleSheet:
    """Resolves run properties through character and paragraph styles (with ``basedOn``) and defaults, and
    paragraph shading through paragraph styles; colours through the theme when it is given."""

    def __init__(self, styles_root: Any | None, theme_root: Any | None = None) -> None:
        self.theme = theme_colors(theme_root)
        self._styles: dict[str, tuple[RunProps, str | None, str | None]] = {}
        self._default = RunProps()
        self._default_para: str | None = None
        self._cache: dict[str, RunProps] = {}
        self._shade_cache: dict[str, str | None] = {}
        if styles_root is None:
            return
        defaults = styles_root.find(f"{q('docDefaults')}/{q('rPrDefault')}/{q('rPr')}")
        self._default = props_of(defaults, self.theme)
        for st in styles_root.iter(q("style")):
            sid = st.get(q("styleId"))
            if not sid:
                continue
            based = st.find(q("basedOn"))
            para_shd = shading(st.find(f"{q('pPr')}/{q('shd')}"), self.theme)
            self._styles[sid] = (props_of(st.find(q("rPr")), self.theme),
                                 based.get(q("val")) if based is not None else None, para_shd)
            if st.get(q("type")) == "paragraph" and st.get(q("default")) in ("1", "true"):
                self._default_para = sid

    def style(self, sid: str | None, depth: int = 0) -> RunProps:
        if not sid or sid not in self._styles or depth > 20:
            return RunProps()
        if sid not in self._cache:
            own, based, _ = self._styles[sid]
            self._cache[sid] = own.over(self.style(based, depth + 1))
        return self._cache[sid]

    def style_shading(self, sid: str | None, depth: int = 0) -> str | None:
        """The paragraph shading a paragraph style gives (through ``basedOn``)."""
        if not sid or sid not in self._styles or depth > 20:
            return None
        if sid not in self._shade_cache:
            _, based, own = self._styles[sid]
            self._shade_cache[sid] = own if own is not None else self.style_shading(based, depth + 1)
        return self._shade_cache[sid]

    def effective(self, run: Any, para_style: str | None) -> RunProps:
        rpr = run.find(q("rPr"))
        direct = props_of(rpr, self.theme)
        rstyle = None
        if rpr is not None and rpr.find(q("rStyle")) is not None:
            rstyle = rpr.find(q("rStyle")).get(q("val"))
        pstyle = self.style(para_style or self._default_para)
        return direct.over(self.style(rstyle).over(pstyle.over(self._default)))

    def paragraph_background(self, p: Any, para_style: str | None) -> str:
        """What is behind the runs of paragraph ``p`` before their own shading: its shading, its table cell's,
        its table's, its text box's fill, the page colour, white."""
        own = shading(p.find(f"{q('pPr')}/{q('shd')}"), self.theme)
        if own is None:
            own = self.style_shading(para_style or self._default_para)
        if own:
            return own
        anc = p.getparent()
        while anc is not None:
            tag = anc.tag
            if tag == q("tc"):
                cell = shading(anc.find(f"{q('tcPr')}/{q('shd')}"), self.theme)
                if cell:
                    return cell
            elif tag == q("tbl"):
                table = shading(anc.find(f"{q('tblPr')}/{q('shd')}"), self.theme)
                if table:
                    return table
            elif tag == f"{{{WPS}}}wsp":
                fill = _drawing_fill(anc.find(f"{{{WPS}}}spPr"), self.theme)
                if fill:
                    return fill
            elif tag in (f"{{{VML}}}shape", f"{{{VML}}}rect", f"{{{VML}}}roundrect"):
                fill = _hex(anc.get("fillcolor")) if anc.get("filled", "t") not in ("f", "false") else None
                if fill:
                    return fill
            anc = anc.getparent()
        return _page_colour(p, self.theme) or WHITE


def _drawing_fill(sppr: Any | None, theme: Theme) -> str | None:
    solid = sppr.find(f"{{{A}}}solidFill") if sppr is not None else None
    if solid is None or not len(solid):
        return None
    clr = solid[0]
    tag = str(clr.tag).rsplit("}", 1)[-1]
    if tag == "srgbClr":
        return _hex(clr.get("val"))
    if tag == "schemeClr":
        return theme.get(THEME_NAMES.get(str(clr.get("val")), str(clr.get("val"))))
    return None


def _page_colour(p: Any, theme: Theme) -> str | None:
    root = p.getroottree().getroot()
    bg = root.find(q("background")) if root is not None and root.tag == q("document") else None
    if bg is None:
        return None
    colour = _colour(bg, theme, "color", "themeColor", "themeTint", "themeShade")
    return None if colour in (None, "auto") else colour


@functools.lru_cache(maxsize=4096)
def _lab(hex_color: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour."""

    def linear(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(hex_color[i : i + 2], 16)) for i in (0, 2, 4))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(a: str, b: str) -> float:
    """CIE76 colour difference of two hex colours."""
    la, lb = _lab(a), _lab(b)
    return float(sum((x - y) ** 2 for x, y in zip(la, lb, strict=True)) ** 0.5)


def hidden_reason(p: RunProps, background: str = WHITE) -> str | None:
    """Why a run with properties ``p`` over ``background`` (a paragraph's, :meth:`StyleSheet.paragraph_background`)
    cannot be seen: ``vanish`` | ``tiny`` | ``squeezed`` | ``white`` | ``color``; None when it can."""
    if p.vanish:
        return "vanish"
    if p.size is not None and 0 < p.size < TINY_HALF_POINTS:
        return "tiny"
    if p.scale is not None and 0 < p.scale < MIN_SCALE:
        return "squeezed"
    if p.spacing is not None and p.spacing < CONDENSED_PER_HALF_POINT * (p.size or DEFAULT_HALF_POINTS):
        return "squeezed"
    if p.color is None or p.color == "auto":
        return None
    behind = p.highlight or p.shading or background
    if delta_e(p.color, behind) < MIN_DELTA_E:
        return "white" if delta_e(behind, WHITE) < MIN_DELTA_E else "color"
    return None


__all__ = ["RunProps", "StyleSheet", "delta_e", "hidden_reason", "props_of", "shading", "theme_colors"]
