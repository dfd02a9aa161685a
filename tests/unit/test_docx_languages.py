"""The consolidated text in the draft's language (SPEC section 12): the DOCX export's labels,
headings and group names in French, Arabic set right to left with an Arabic font, Chinese with
an East Asian font; the stakeholders' own text untouched."""

from __future__ import annotations

import dataclasses
import zipfile
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import docx
import pytest

from bot.domain.draftdoc import ParsedDraft, parse_draft_markdown, render_docx, to_consolidated

C11 = Path(__file__).resolve().parents[2] / "data" / "C11.md"
GEN = datetime(2014, 1, 24, 18, 0, tzinfo=UTC)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def c11() -> ParsedDraft:
    return parse_draft_markdown(C11.read_text(encoding="utf-8"))[0]


def export(c11: ParsedDraft, lang: str) -> bytes:
    draft = to_consolidated(c11, generated_at=GEN, created_at=GEN)
    return render_docx(dataclasses.replace(draft, language=lang))


def texts(data: bytes) -> list[str]:
    document = docx.Document(BytesIO(data))
    return [p.text for p in document.paragraphs]


def body_xml(data: bytes) -> str:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return archive.read("word/document.xml").decode("utf-8")


@pytest.mark.parametrize(
    ("lang", "group", "generated", "kind"),
    [
        ("en", "Civil Society (", "Consolidated text generated", "(comment, "),
        ("fr", "Société civile (", "Texte consolidé généré le", "(commentaire, "),
        ("es", "Sociedad civil (", "Texto consolidado generado el", "(comentario, "),
        ("ru", "Гражданское общество (", "Сводный текст сформирован", "(комментарий, "),
        ("zh", "民间社会 (", "汇编文本生成于", "(评论, "),
        ("ar", "المجتمع المدني (", "أُعدّ النص الموحد في", "(تعليق, "),
    ],
)
def test_labels_headings_and_groups_are_in_the_drafts_language(
    c11: ParsedDraft, lang: str, group: str, generated: str, kind: str
) -> None:
    paragraphs = texts(export(c11, lang))
    assert any(p.startswith(group) for p in paragraphs), paragraphs
    assert any(generated in p for p in paragraphs)
    assert any(kind in p for p in paragraphs)
    english = export(c11, "en")
    # The stakeholders' text is theirs, in every language.
    comment = next(p for p in texts(english) if p.startswith("ISOC, Civil Society"))
    said = comment.split("): ", 1)[1]
    assert any(said in p for p in paragraphs)


def test_arabic_is_right_to_left_with_an_arabic_font(c11: ParsedDraft) -> None:
    data = export(c11, "ar")
    document = docx.Document(BytesIO(data))
    for paragraph in document.paragraphs:
        ppr = paragraph._p.find(f"{W}pPr")
        assert ppr is not None and ppr.find(f"{W}bidi") is not None, paragraph.text
        for run in paragraph.runs:
            rpr = run._r.find(f"{W}rPr")
            assert rpr is not None and rpr.find(f"{W}rtl") is not None
            assert rpr.find(f"{W}rFonts").get(f"{W}cs") == "Arial"
    assert 'w:bidi="ar-SA"' in body_xml(data)
    footer = document.sections[0].footer.paragraphs[0]
    assert footer.text.startswith("الصفحة")


def test_chinese_has_an_east_asian_font_and_no_right_to_left(c11: ParsedDraft) -> None:
    data = export(c11, "zh")
    xml = body_xml(data)
    assert 'w:eastAsia="SimSun"' in xml and 'w:eastAsia="zh-CN"' in xml
    assert "<w:bidi/>" not in xml and "<w:rtl/>" not in xml


def test_an_english_draft_is_exported_as_before(c11: ParsedDraft) -> None:
    xml = body_xml(export(c11, "en"))
    assert "<w:bidi/>" not in xml and "SimSun" not in xml
    paragraphs = texts(export(c11, "en"))
    assert any(p.startswith("Version ") or "Consolidated text generated" in p for p in paragraphs)
