"""Derive the Big Five inter-trait correlations bundled in persona/data/big_five_correlations.csv.

Reads the KGSS microdata of the shared reference pack (waves 2009, 2011, 2012 asked the Korean
Ten-Item Personality Inventory, TIPI; Gosling, Rentfrow & Swann 2003), scores each trait as the
mean of its two items (one reversed), and writes the weighted (FINALWT) Pearson correlations of
respondents who answered all ten items. Usage:
    python scripts/derive_big_five_correlations.py \
        /work/shared/data/korea/microdata/kgss_2003_2012.csv.gz
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl

# trait -> (item, reversed item), KGSS variable names
TIPI: dict[str, tuple[str, str]] = {
    "openness": ("OPEN", "CLOSED"),
    "conscientiousness": ("CONSCNTS", "HASTY"),
    "extraversion": ("EXTROVRT", "INTROVRT"),
    "agreeableness": ("AGREEALE", "CRITICAL"),
    "neuroticism": ("EMOTIONL", "EVENTMPD"),
}
OUT = Path(__file__).resolve().parents[1] / "src/synthsoc/persona/data/big_five_correlations.csv"


def trait_scores(path: Path) -> tuple[pl.DataFrame, np.ndarray]:
    items = [v for pair in TIPI.values() for v in pair]
    frame = pl.read_csv(path, columns=["YEAR", "FINALWT", *items], infer_schema_length=0)
    frame = frame.with_columns(pl.all().cast(pl.Float64, strict=False))
    valid = frame.filter(pl.all_horizontal(pl.col(c).is_between(1, 7) for c in items))
    scores = valid.select(
        ((pl.col(a) + (8 - pl.col(b))) / 2).alias(t) for t, (a, b) in TIPI.items())
    return scores, valid["FINALWT"].to_numpy()


def weighted_correlation(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    mean = (x * w[:, None]).sum(0) / w.sum()
    cov = ((x - mean) * w[:, None]).T @ (x - mean) / w.sum()
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd)


def main(path: Path) -> None:
    scores, weights = trait_scores(path)
    r = weighted_correlation(scores.to_numpy(), weights)
    traits = list(TIPI)
    lines = [
        "# source: Korean General Social Survey (KGSS) 2009, 2011 and 2012, Ten-Item Personality "
        "Inventory items EXTROVRT CRITICAL CONSCNTS EMOTIONL OPEN INTROVRT AGREEALE HASTY EVENTMPD "
        "CLOSED; Kim, Jibum et al. (2017) Korean General Social Survey 2003-2016, Sungkyunkwan "
        "University; microdata from GitHub mrchypark/KGSS (CC0) commit "
        "b5d6d6c4d9c84b913051dc9bfe75f6b709c88641 via the synthsoc reference pack",
        f"# derived: weighted (FINALWT) Pearson correlations of two-item trait means, "
        f"{scores.height} respondents aged 18+ answering all ten items; "
        "scripts/derive_big_five_correlations.py. TIPI scales are short: correlations are "
        "attenuated by their low reliability (not corrected here)",
        "trait_a,trait_b,r",
    ]
    for i, a in enumerate(traits):
        for b in traits[i + 1:]:
            lines.append(f"{a},{b},{r[i, traits.index(b)]:.3f}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[2:]))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
