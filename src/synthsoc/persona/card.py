"""``persona_card.md``: every attribute, how it is drawn, its source and every assumption.

Generated from :mod:`synthsoc.persona.params` and :mod:`synthsoc.persona.columns`, never
written by hand, so the card describes exactly what the code does.
"""

from __future__ import annotations

from typing import Any

from synthsoc.persona import params as P
from synthsoc.persona.columns import COLUMNS, DESCRIPTIONS

MAX_FLAGS_LISTED = 20


def _bases(column: str) -> str:
    found = sorted({p.basis for p in P.PARAMETERS if column in p.used_by})
    return ", ".join(found) if found else "derived"


def _value(value: object) -> str:
    if isinstance(value, P.ByAge):
        rows = [
            f"{label}: "
            + ", ".join(f"{c} {p:.2f}" for c, p in zip(value.categories, row, strict=True))
            for label, row in zip(value.band_labels(), value.probs, strict=True)
        ]
        return "<br>".join(rows)
    if isinstance(value, dict):
        return "<br>".join(f"{k}: {_value(v)}" for k, v in value.items())
    return str(value).replace("|", "/")


def _attribute_table() -> list[str]:
    lines = ["| column | group | what and how | depends on | basis |", "|---|---|---|---|---|"]
    for column in COLUMNS:
        group, what, inputs = DESCRIPTIONS[column]
        lines.append(f"| `{column}` | {group} | {what} | {inputs} | {_bases(column)} |")
    return lines


def _parameter_table(basis: str) -> list[str]:
    lines = ["| parameter | what | value | source | used by |", "|---|---|---|---|---|"]
    for p in P.PARAMETERS:
        if p.basis != basis:
            continue
        used = ", ".join(f"`{c}`" for c in p.used_by)
        lines.append(f"| `{p.key}` | {p.description} | {_value(p.value)} | {p.source} | {used} |")
    return lines


def _audit_section(report: dict[str, Any]) -> list[str]:
    flags = report["flags"]
    stereotypes = [f for f in flags if f["stereotype"]]
    lines = [
        "## Stereotype audit",
        "",
        f"Cells: {report['cell']}; cells with at least {report['min_cell_size']} persons are "
        "audited. Entropy is the normalised Shannon entropy of the attribute inside the cell "
        "(0 = everybody the same, 1 = all categories equally common). Full per-cell figures: "
        "`persona_audit.json`.",
        "",
        f"Fixed cells: {len(flags)}; of which {len(stereotypes)} are unlikely by chance "
        f"(p < {report['stereotype_p']} under the distribution of their age decade and sex "
        "nationally, or within the dialect zone for the dialect attributes: fixed by the "
        "model rather than by chance).",
        "",
        "| attribute | categories | mean entropy | min entropy | fixed cells |",
        "|---|---|---|---|---|",
    ]
    for name, s in report["attributes"].items():
        lines.append(
            f"| `{name}` | {s['categories']} | {s['mean_entropy']} | {s['min_entropy']} | "
            f"{s['cells_fixed']} |"
        )
    if flags:
        shown = sorted(flags, key=lambda f: (not f["stereotype"], f["p_fixed_by_chance"]))
        lines += ["", "| cell | n | attribute | fixed value | p by chance | stereotype |",
                  "|---|---|---|---|---|---|"]
        for f in shown[:MAX_FLAGS_LISTED]:
            cell = f"{f['age_decade']} {f['sex']} {f['sido_code']}"
            lines.append(
                f"| {cell} | {f['n']} | `{f['attribute']}` | {f['value']} | "
                f"{f['p_fixed_by_chance']} | {'yes' if f['stereotype'] else 'no'} |"
            )
        if len(flags) > MAX_FLAGS_LISTED:
            lines.append(f"\n({len(flags) - MAX_FLAGS_LISTED} more in persona_audit.json)")
    return lines + _rich_section(report.get("rich", {}))


def _rich_section(rich: dict[str, Any]) -> list[str]:
    if "skipped" in rich or not rich:
        return ["", f"Richer cells: not audited ({rich.get('skipped', 'no data')})."]
    defined = sum(f["by_definition"] is not None for f in rich["flags"])
    lines = [
        "",
        "### Richer cells and attribute pairs",
        "",
        f"Cells: {rich['cell']} (at least {rich['min_cell_size']} persons). Fixed cells: "
        f"{len(rich['flags'])}, of which {defined} by definition (the attribute is defined from "
        f"a cell variable) and {rich['stereotypes']} unlikely by chance otherwise.",
        "",
        f"Attribute pairs with Cramér's V >= {rich['pair_v_flag']}: "
        f"{len(rich['pairs_near_deterministic'])}, of which "
        f"{len(rich['pairs_unexplained'])} not tied by construction.",
    ]
    for p in rich["pairs_near_deterministic"][:MAX_FLAGS_LISTED]:
        why = p["by_construction"] or "**not by construction**"
        lines.append(f"- `{p['a']}` x `{p['b']}`: V = {p['cramers_v']} ({why})")
    return lines


def render_card(report: dict[str, Any], *, seed: int, n_persons: int) -> str:
    """The persona card as Markdown, with the audit summary of this run."""
    lines = [
        "# Persona card",
        "",
        f"Personas for {n_persons:,} persons, seed {seed}. One row per person in "
        "`personas.parquet` (`person_id` plus the columns below). Names come from the "
        "population (`persons.parquet`, column `name`) and are not regenerated.",
        "",
        "Basis: **data** = an official table bundled in `synthsoc/persona/data` (source line in "
        "the file); **literature** = a published effect whose magnitude is a rounded summary "
        "(direction as published, size approximate; check before relying on it); "
        "**assumption** = a modelling choice with no table behind it.",
        "",
        "## Attributes",
        "",
        *_attribute_table(),
        "",
        "## Parameters from data",
        "",
        *_parameter_table("data"),
        "",
        "## Parameters from the literature",
        "",
        *_parameter_table("literature"),
        "",
        "## Parameters that are assumptions",
        "",
        *_parameter_table("assumption"),
        "",
        "## Attributes assumed independent",
        "",
        *[f"- {text}" for text in P.INDEPENDENCE_ASSUMPTIONS],
        "",
        *_audit_section(report),
        "",
    ]
    return "\n".join(lines)
