"""Published figures for the market model and the event calendar (``data/market_reference.csv``):
the Chuseok week's spending over a normal week and a smartphone's retail price decline."""

from __future__ import annotations

import csv
import io
from importlib import resources


def market_reference() -> dict[str, float]:
    """The published figures of ``sim/data/market_reference.csv`` by statistic."""
    text = resources.files("synthsoc.sim").joinpath("data/market_reference.csv").read_text("utf-8")
    body = "\n".join(ln for ln in text.splitlines() if ln and not ln.startswith("#"))
    return {r["statistic"]: float(r["value"]) for r in csv.DictReader(io.StringIO(body))}


def annual_price_decline() -> float:
    """The yearly price decline implied by the published two-year decline, compounded."""
    return float(1.0 - (1.0 - market_reference()["smartphone_price_decline_two_years"]) ** 0.5)
