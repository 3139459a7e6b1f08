"""What a reader can see in a Word run: shading patterns, theme colours, colour difference, and the
backgrounds that come from styles, text boxes and the page (the per-form canaries are in
tests/adversarial/test_hidden_text.py)."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.shared import RGBColor

from reviewer import docx_visible as dv
from reviewer.document import DocKind
from reviewer.ingest import load_document

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def shd(attrs: str):  # type: ignore[no-untyped-def]
    return parse_xml(f"<w:shd {W_NS} {attrs}/>")


@pytest.mark.parametrize("attrs, painted", [
    ('w:val="clear" w:color="auto" w:fill="1F3864"', "1F3864"),
    ('w:val="clear" w:fill="auto"', ""),
    ('w:val="nil" w:fill="000000"', ""),
    ('w:val="solid" w:color="FFFFFF" w:fill="000000"', "FFFFFF"),
    ('w:val="solid" w:color="auto" w:fill="FFFFFF"', "000000"),
    ('w:val="pct50" w:color="000000" w:fill="FFFFFF"', "808080"),
    ('w:val="pct10" w:color="000000" w:fill="auto"', "E6E6E6"),
])
def test_shading_paints_what_word_draws(attrs: str, painted: str) -> None:
    assert dv.shading(shd(attrs), {}) == painted


def test_theme_colours_with_tint_and_shade() -> None:
    theme = {"lt1": "FFFFFF", "dk1": "000000", "accent1": "4472C4"}
    assert dv.shading(shd('w:val="clear" w:fill="000000" w:themeFill="background1"'), theme) == "FFFFFF"
    # unresolvable theme: the colour's own value
    assert dv.shading(shd('w:val="clear" w:fill="123456" w:themeFill="background1"'), {}) == "123456"
    rpr = parse_xml(f'<w:rPr {W_NS}><w:color w:val="000000" w:themeColor="accent1" w:themeShade="80"/></w:rPr>')
    assert dv.props_of(rpr, theme).color == "223962"
    rpr = parse_xml(f'<w:rPr {W_NS}><w:color w:val="000000" w:themeColor="text1" w:themeTint="33"/></w:rPr>')
    assert dv.props_of(rpr, theme).color == "CCCCCC"


def test_colour_difference_threshold() -> None:
    assert dv.delta_e("FFFFFF", "FFFFFF") == 0
    assert dv.delta_e("F2F2F2", "FFFFFF") < dv.MIN_DELTA_E < dv.delta_e("D9D9D9", "FFFFFF")
    assert dv.delta_e("FF0000", "00A000") > 50  # same lightness, different hue: visible
    assert dv.hidden_reason(dv.RunProps(color="F2F2F2")) == "white"
    assert dv.hidden_reason(dv.RunProps(color="000000", shading="000000")) == "color"
    assert dv.hidden_reason(dv.RunProps(color="FFFFFF", shading="000000")) is None
    assert dv.hidden_reason(dv.RunProps(color="FFFFFF", shading="000000", highlight="FFFFFF")) == "white"
    assert dv.hidden_reason(dv.RunProps(color="auto", shading="000000")) is None
    assert dv.hidden_reason(dv.RunProps(color="000000"), background="0A0A0A") == "color"
    assert dv.hidden_reason(dv.RunProps(scale=30)) is None and dv.hidden_reason(dv.RunProps(scale=10)) == "squeezed"
    assert dv.hidden_reason(dv.RunProps(spacing=-20)) is None
    assert dv.hidden_reason(dv.RunProps(spacing=-100, size=20)) == "squeezed"


def _doc_with(tmp_path: Path, build) -> list[str]:  # type: ignore[no-untyped-def]
    d = docx.Document()
    d.add_paragraph("My Step 1 score was 196 and I own that result; I changed how I study.")
    build(d)
    path = tmp_path / "personal_statement.docx"
    d.save(str(path))
    doc = load_document(path, DocKind.PERSONAL_STATEMENT)
    return [doc.text, *(h.reason + ":" + h.text for h in doc.hidden)]


def test_paragraph_style_shading_hides_text_of_its_colour(tmp_path: Path) -> None:
    def build(d):  # type: ignore[no-untyped-def]
        style = d.styles.add_style("Dark box", 1)
        fill = parse_xml(f'<w:shd {W_NS} w:val="clear" w:color="auto" w:fill="101010"/>')
        style.element.get_or_add_pPr().append(fill)
        p = d.add_paragraph("Visible part of the box. ", style="Dark box")
        p.add_run("Styledcanary hides here.").font.color.rgb = RGBColor(0x10, 0x10, 0x10)
        p.add_run(" White text shows.").font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)

    text, *hidden = _doc_with(tmp_path, build)
    assert "Styledcanary" not in text and "White text shows." in text
    assert hidden == ["color:Styledcanary hides here."]


def test_page_colour_is_the_background(tmp_path: Path) -> None:
    def build(d):  # type: ignore[no-untyped-def]
        d.element.insert(0, parse_xml(f'<w:background {W_NS} w:color="000000"/>'))
        p = d.add_paragraph("Auto text shows. ")
        p.add_run("Pagecanary in black.").font.color.rgb = RGBColor(0, 0, 0)
        p.add_run(" White text shows on the black page.").font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)

    text, *hidden = _doc_with(tmp_path, build)
    assert "Pagecanary" not in text and "White text shows on the black page." in text
    assert hidden == ["color:Pagecanary in black."]


def test_text_box_fill_is_the_background(tmp_path: Path) -> None:
    box = f"""<w:r {W_NS} xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
      xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
      xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">
      <w:drawing><wp:anchor><wp:docPr id="1" name="Box"/><a:graphic>
        <a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">
        <wps:wsp><wps:spPr><a:solidFill><a:srgbClr val="1F3864"/></a:solidFill></wps:spPr>
          <wps:txbx><w:txbxContent>
            <w:p><w:r><w:rPr><w:color w:val="FFFFFF"/></w:rPr><w:t>White on the dark box shows.</w:t></w:r>
              <w:r><w:rPr><w:color w:val="1F3864"/></w:rPr>
                <w:t xml:space="preserve"> Boxcanary blends in.</w:t></w:r></w:p>
          </w:txbxContent></wps:txbx></wps:wsp>
        </a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>"""

    def build(d):  # type: ignore[no-untyped-def]
        d.add_paragraph("Before the box.")._p.append(parse_xml(box))

    text, *hidden = _doc_with(tmp_path, build)
    assert "White on the dark box shows." in text and "Boxcanary" not in text
    assert hidden == ["color:Boxcanary blends in."]
