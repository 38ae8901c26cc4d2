"""A chart of the network's statistics beside the published figures and their bands."""

from __future__ import annotations

from typing import Any


def published_comparison_chart(comparison: list[dict[str, Any]], title: str) -> Any:
    """One panel per statistic that has a band (``network_report(...)["comparison"]``): the
    simulated value, the published one and the accepted band, with the source below."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in comparison if r.get("band")]
    if not rows:
        raise ValueError("no statistic with a published band to chart")
    fig, axes = plt.subplots(1, len(rows), figsize=(3.2 * len(rows), 3.6), squeeze=False)
    for ax, r in zip(axes[0], rows, strict=True):
        low, high = r["band"]
        ax.axhspan(low, high, color="tab:green", alpha=0.2, label=f"band ({r['band_rule']})")
        ax.bar([0], [r["published"]], width=0.35, color="tab:grey", label="published")
        ax.bar([0.4], [r["simulated"]], width=0.35, color="tab:blue", label="simulated")
        ax.set_xticks([0, 0.4], ["published", "simulated"])
        verdict = "in band" if r["within"] else "OUTSIDE band"
        ax.set_title(f"{r['layer']}: {r['statistic']}\n{r['simulated']:.3g} ({verdict})",
                     fontsize=8)
        ax.set_ylim(0, max(high, r["simulated"], r["published"]) * 1.25)
        ax.legend(fontsize=6, loc="upper left")
    sources = sorted({r["source"].split(":")[0] for r in rows})
    fig.suptitle(title, fontsize=9)
    fig.text(0.01, 0.01, "source: " + "; ".join(sources), fontsize=6)
    fig.tight_layout(rect=(0, 0.05, 1, 0.95))
    return fig
