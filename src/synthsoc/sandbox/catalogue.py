"""The sandbox's bundled tables: budgets by income bracket, the item catalogue, loanwords."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import polars as pl

UNKNOWN_INCOME = "unknown"  # households without an income bracket (institutions)


def _csv(name: str) -> pl.DataFrame:
    with resources.as_file(resources.files("synthsoc.sandbox").joinpath("data", name)) as path:
        return pl.read_csv(path, comment_prefix="#")


@dataclass(frozen=True)
class Item:
    item_id: str
    category: str
    name: str
    price_manwon: int


@lru_cache(maxsize=1)
def budgets() -> dict[tuple[str, str], int]:
    """(income bracket, category) -> budget in 만 원 (data/budgets.csv; an ASSUMPTION table)."""
    frame = _csv("budgets.csv")
    return {(str(r["income_bracket"]), str(r["category"])): int(r["budget_manwon"])
            for r in frame.iter_rows(named=True)}


def budget_for(income_bracket: str, category: str) -> int:
    table = budgets()
    key = (income_bracket, category)
    if key not in table:
        raise KeyError(f"synthsoc/sandbox/data/budgets.csv: no budget for income bracket "
                       f"{income_bracket!r} and category {category!r}")
    return table[key]


@lru_cache(maxsize=1)
def catalogue() -> tuple[Item, ...]:
    """The invented example catalogue (data/catalogue.csv), cheapest first within a category."""
    frame = _csv("catalogue.csv").sort(["category", "price_manwon"])
    return tuple(Item(str(r["item_id"]), str(r["category"]), str(r["name"]),
                      int(r["price_manwon"])) for r in frame.iter_rows(named=True))


def items_in(category: str) -> tuple[Item, ...]:
    return tuple(item for item in catalogue() if item.category == category)


@lru_cache(maxsize=1)
def loanwords() -> tuple[str, ...]:
    text = resources.files("synthsoc.sandbox").joinpath("data", "loanwords.txt").read_text(
        encoding="utf-8")
    return tuple(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))
