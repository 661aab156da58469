"""Depictions: every character of a legend is drawn, Greek letters included."""

from __future__ import annotations

import re

from subsmatch.reports.depict import LEGEND_FONT, svg


def legend_glyphs(picture: str) -> list[str]:
    return re.findall(r"class='legend' d='([^']*)'", picture)


def test_greek_letters_are_drawn_in_legends():
    assert LEGEND_FONT, "matplotlib's DejaVu Sans is a dependency of the report"
    glyphs = legend_glyphs(svg(["CCCCCC(N1CCCC1)C(=O)c1ccccc1"], ["α-PHP"]))
    assert glyphs and all(glyphs), "a glyph was drawn empty (RDKit's own font has no α)"
