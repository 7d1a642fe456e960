"""Briefings as PDF, made by fpdf2 (pure Python: no browser, nothing beyond what pip installs).

The same content as :func:`app.exports.briefing_html`: a title, who prepared it and when, and one
table per section, with the handling marking at the head and foot of every page. Text is set in
DejaVu Sans (the copy matplotlib installs), so any name in the data prints as it is written, and it
is only ever text: nothing in a value is read as markup.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace, TTFFont

from app import labels
from app.exports import cell_text, prepared_line

FONT = "DejaVu"
_MARKING_RED = (150, 0, 0)


class BriefingFontMissing(RuntimeError):
    """The Unicode font the PDF needs is not installed; the message says what to install."""


@lru_cache(maxsize=1)
def font_files() -> tuple[Path, Path]:
    """DejaVu Sans regular and bold, from matplotlib's package data (found without importing it)."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        raise BriefingFontMissing("PDF briefings need matplotlib's DejaVu fonts: pip install matplotlib")
    folder = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"
    regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        raise BriefingFontMissing(f"no DejaVu Sans in {folder}; reinstall matplotlib")
    return regular, bold


class _Briefing(FPDF):
    def __init__(self, marking: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.marking = marking
        regular, bold = font_files()
        self.add_font(FONT, "", str(regular))
        self.add_font(FONT, "B", str(bold))
        faces = [self.fonts[FONT.lower()], self.fonts[FONT.lower() + "B"]]
        self.printable = set.intersection(*(set(f.cmap) for f in faces if isinstance(f, TTFFont)))
        self.replaced = 0  # characters the font has no glyph for, printed as U+FFFD instead of left out
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 18, 15)

    def shown(self, text: str) -> str:
        """The text with every character the font lacks (Chinese, say) as a visible replacement mark."""
        out = "".join(ch if ord(ch) in self.printable or ch in "\n\t" else "\ufffd" for ch in text)
        self.replaced += sum(1 for a, b in zip(text, out, strict=True) if a != b)
        return out

    def header(self) -> None:
        self.set_y(7)
        self._mark()

    def footer(self) -> None:
        self.set_y(-13)
        self._mark(f"  ·  page {self.page_no()} of {{nb}}")

    def _mark(self, suffix: str = "") -> None:
        self.set_font(FONT, "B", 9)
        self.set_text_color(*_MARKING_RED)
        self.cell(0, 5, self.marking + suffix, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)


_PADDING = 2.5  # mm a cell's padding and rules take beside its text


def _widths(pdf: FPDF, titles: Sequence[str], cells: Sequence[Sequence[str]]) -> tuple[float, ...]:
    """Column widths in mm from the text they hold, measured in the font they print in.

    Each column first gets room for its longest word (heading in bold), so "0.128" or "Score" never
    breaks inside a word, however long a reason beside it; what is left of the page goes to the columns
    whose typical text (the 90th percentile, not one outlier) is longer than that.
    """
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    least, wanted = [], []
    for i, title in enumerate(titles):
        pdf.set_font(FONT, "B", 8)
        head = max((pdf.get_string_width(w) for w in title.split()), default=0.0)
        pdf.set_font(FONT, "", 8)
        column = [line[i] for line in cells]
        word = max((pdf.get_string_width(w) for text in column for w in text.split()), default=0.0)
        lengths = sorted(pdf.get_string_width(text) for text in column)
        typical = lengths[len(lengths) * 9 // 10] if lengths else 0.0
        least.append(max(head, word) + _PADDING)
        wanted.append(max(least[-1], min(typical + _PADDING, 70.0)))
    spare = usable - sum(least)
    if spare <= 0:  # even the longest words do not fit side by side: shrink them all alike
        return tuple(w * usable / sum(least) for w in least)
    extra = [w - m for w, m in zip(wanted, least, strict=True)]
    share = min(1.0, spare / sum(extra)) if sum(extra) else 0.0
    widths = [m + e * share for m, e in zip(least, extra, strict=True)]
    rest = usable - sum(widths)  # the page's width left over: to the widest columns, in proportion
    return tuple(w + rest * w / sum(widths) for w in widths)


def briefing_pdf(
    title: str,
    sections: Iterable[tuple[str, Sequence[Mapping[str, Any]], Sequence[str]]],
    *,
    prepared_by: str,
    purpose: str = "",
    marking: str = "OFFICIAL-SENSITIVE",
) -> bytes:
    """A PDF briefing: title, marking on every page, who prepared it and when, one table per section.

    Raises:
        BriefingFontMissing: matplotlib's DejaVu fonts are not installed.
    """
    pdf = _Briefing(marking)
    pdf.set_title(title)
    pdf.set_author(prepared_by)
    pdf.set_subject(marking)
    pdf.set_creator("Disrupt")
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, pdf.shown(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(
        0,
        5,
        pdf.shown(prepared_line(prepared_by, purpose) + " ")
        + "Scores and flags inform professional judgement; they do not replace it.",
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for heading, rows, columns in sections:
        pdf.ln(4)
        pdf.set_font(FONT, "B", 12)
        pdf.multi_cell(0, 6, pdf.shown(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 8)
        if not rows:
            pdf.multi_cell(0, 5, "None.", new_x="LMARGIN", new_y="NEXT")
            continue
        cells = [[pdf.shown(cell_text(c, row.get(c))) for c in columns] for row in rows]
        titles = [pdf.shown(labels.column_title(c)) for c in columns]
        with pdf.table(
            col_widths=_widths(pdf, titles, cells),
            width=pdf.w - pdf.l_margin - pdf.r_margin,
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
            line_height=4,
            padding=1,
            text_align="LEFT",
            markdown=False,
        ) as table:
            for line in [titles, *cells]:
                out = table.row()
                for text in line:
                    out.cell(text)
    if pdf.replaced:
        pdf.ln(4)
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(
            0,
            5,
            f"{pdf.replaced} character(s) of the data are not in this PDF's font and print as \ufffd; "
            "the HTML briefing shows them as written.",
            align="L",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(pdf.output())


__all__ = ["BriefingFontMissing", "briefing_pdf", "font_files"]
