"""Precision and recall of the speech-level and dialect classifier on hand-written sentences.

Reads the development set (the rules were tuned on it) and the held-out set (never used for
tuning) from tests/persona/data, prints a table per set and writes
bench/results/speech_classifier.json.
"""

from __future__ import annotations

import csv
from pathlib import Path

from synthsoc.atomic import write_json
from synthsoc.persona.speech import labels, score

DATA = Path(__file__).resolve().parents[1] / "tests" / "persona" / "data"
OUT = Path(__file__).resolve().parent / "results" / "speech_classifier.json"


def read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def evaluate(rows: list[dict[str, str]]) -> dict[str, object]:
    got = [labels(r["sentence"]) for r in rows]
    result: dict[str, object] = {"n_sentences": len(rows)}
    for axis, index in (("level", 0), ("dialect", 1)):
        scores = score([r[axis] for r in rows], [g[index] for g in got])
        result[axis] = [{"label": s.label, "support": s.support, "precision": round(s.precision, 3),
                         "recall": round(s.recall, 3)} for s in scores]
        result[f"{axis}_accuracy"] = round(
            sum(r[axis] == g[index] for r, g in zip(rows, got, strict=True)) / len(rows), 3)
    result["misclassified"] = [
        {"sentence": r["sentence"], "truth": [r["level"], r["dialect"]], "got": list(g)}
        for r, g in zip(rows, got, strict=True) if (r["level"], r["dialect"]) != g
    ]
    return result


def main() -> None:
    report = {name: evaluate(read(f"speech_{name}.csv")) for name in ("dev", "heldout")}
    for name, result in report.items():
        print(f"\n{name}: {result['n_sentences']} sentences, level accuracy "
              f"{result['level_accuracy']}, dialect accuracy {result['dialect_accuracy']}")
        for axis in ("level", "dialect"):
            print(f"  {axis:<8} {'class':<16} {'n':>3} {'precision':>9} {'recall':>7}")
            for row in result[axis]:  # type: ignore[attr-defined]
                print(f"  {'':<8} {row['label']:<16} {row['support']:>3} "
                      f"{row['precision']:>9.3f} {row['recall']:>7.3f}")
    write_json(OUT, report)
    print(f"\nwrote {OUT}")


if __name__ == "__main__":
    main()
