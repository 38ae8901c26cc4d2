"""The Korean font for every chart and map synthsoc draws, shared by all layers.

NanumGothic as shipped in the ``koreanize-matplotlib`` wheel (a project dependency) is
registered with matplotlib directly, so no system font is needed and Hangul never renders as
empty boxes.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


def korean_font_path() -> Path:
    """NanumGothic.ttf inside the koreanize-matplotlib wheel (also served to the dashboard)."""
    # locate the wheel's font without importing the package (its import changes rcParams)
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or spec.origin is None:
        raise RuntimeError("koreanize-matplotlib (the Korean font) is not installed; "
                           "run `pip install -e .`")
    return Path(spec.origin).parent / "fonts" / "NanumGothic.ttf"


def use_korean_font() -> str:
    """Register NanumGothic and make it matplotlib's sans-serif font; returns its name."""
    import matplotlib
    from matplotlib import font_manager

    path = korean_font_path()
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    matplotlib.rcParams["font.family"] = name
    matplotlib.rcParams["axes.unicode_minus"] = False
    return name
