"""The dashboard's Korean font: NanumGothic from the koreanize-matplotlib wheel, served to the
browser without its VTT hinting-source tables (``TSI0``..``TSI5``): Chromium's font sanitiser
(OTS) rejects the file with them ("TSI3: zero-length table") and would fall back to a system
font, which may have no Hangul. The glyphs and metrics are unchanged."""

from __future__ import annotations

import io
from pathlib import Path

from synthsoc.atomic import write_bytes
from synthsoc.korean_font import korean_font_path

VTT_TABLES = ("TSI0", "TSI1", "TSI2", "TSI3", "TSI5")
WEB_FONT = "NanumGothic.ttf"


def web_font(cache_dir: Path) -> Path:
    """NanumGothic without the VTT tables, written once to ``cache_dir``."""
    target = cache_dir / WEB_FONT
    if target.is_file():
        return target
    from fontTools.ttLib import TTFont

    font = TTFont(korean_font_path())
    for tag in VTT_TABLES:
        if tag in font:
            del font[tag]
    buffer = io.BytesIO()
    font.save(buffer)
    write_bytes(target, buffer.getvalue())
    return target
