"""The seeded news over replicates with synthsoc.evaluate's verdict, through the command line
`synthsoc town spread` (judgments by rule unless --llm says otherwise): the invitation (who
heard, how, who came; bench/results/town_spread.json) or, with --scenario vote, a candidacy and
each teller's lean before a neighbourhood vote (who heard, how the adults voted;
bench/results/town_vote.json). Prints the command's table.

Usage: PYTHONPATH=src python bench/bench_town_spread.py --population DIR [--emd 평창동]
       [--agents 30] [--replicates 10] [--hours 14] [--llm none] [--scenario gathering|vote]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from typer.testing import CliRunner

from synthsoc.cli import app

RESULTS = {"gathering": Path(__file__).resolve().parent / "results" / "town_spread.json",
           "vote": Path(__file__).resolve().parent / "results" / "town_vote.json"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=Path, required=True)
    parser.add_argument("--emd", default="평창동")
    parser.add_argument("--agents", type=int, default=30)
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--hours", type=float, default=14.0)
    parser.add_argument("--llm", default="none")
    parser.add_argument("--scenario", default="gathering", choices=sorted(RESULTS))
    args = parser.parse_args()
    result = CliRunner().invoke(app, [
        "town", "spread", "--population", str(args.population), "--emd", args.emd,
        "--agents", str(args.agents), "--replicates", str(args.replicates), "--hours",
        str(args.hours), "--llm", args.llm, "--embedder", "e5" if args.llm != "none" else "hash",
        "--scenario", args.scenario, "--out", str(RESULTS[args.scenario])])
    print(result.output)
    sys.exit(result.exit_code)


if __name__ == "__main__":
    main()
