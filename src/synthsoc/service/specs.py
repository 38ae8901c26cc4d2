"""What a client may ask for: typed request bodies (pydantic, so the OpenAPI schema states every
bound) and the synthsoc commands each job runs."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_SEED = 2**31 - 1


class PopulationRequest(BaseModel):
    """A population to synthesise: ``synthsoc populate`` then ``synthsoc personas``."""

    model_config = ConfigDict(extra="forbid")
    scale: float = Field(0.002, ge=0.001, le=0.05, description="Share of the population.")
    region: str | None = Field(None, min_length=1, max_length=40,
                               description="A si-do or si-gun-gu, by code or name.")
    seed: int = Field(1, ge=0, le=MAX_SEED)
    personas: bool = Field(True, description="Also build personas (needed for narratives).")
    narratives: int = Field(5, ge=0, le=50, description="Template narratives to write.")


class SimulationRequest(BaseModel):
    """A built-in scenario run R times on a population (``synthsoc simulate``)."""

    model_config = ConfigDict(extra="forbid")
    population: str = Field(pattern=r"^[0-9a-f]{32}$")
    scenario: str = Field(min_length=1, max_length=60)
    replicates: int = Field(10, ge=1, le=50, description="10 or more for a verdict.")
    seed: int = Field(0, ge=0, le=MAX_SEED)
    steps: int | None = Field(None, ge=2, le=1000)
    charts: bool = Field(False, description="Also write the PNG charts.")


SurveyEngine = Literal["calibrated", "llm"]


def population_steps(req: PopulationRequest, out: Path) -> list[list[str]]:
    steps = [["populate", "--scale", repr(req.scale), "--seed", str(req.seed), "--out", str(out),
              "--no-html", *(["--region", req.region] if req.region else [])]]
    if req.personas:
        steps.append(["personas", str(out), "--seed", str(req.seed), "--narratives",
                      str(req.narratives), "--llm", "none"])
    return steps


def simulation_steps(req: SimulationRequest, population: Path, out: Path) -> list[list[str]]:
    return [["simulate", req.scenario, "--population", str(population), "--replicates",
             str(req.replicates), "--seed", str(req.seed), "--workers", "1", "--out", str(out),
             *(["--steps", str(req.steps)] if req.steps else []),
             "--charts" if req.charts else "--no-charts"]]


def survey_steps(questionnaire: Path, population: Path, out: Path, engine: SurveyEngine,
                 pilot: Path | None, data_map: Path | None, seed: int, sample: int,
                 replicates: int) -> list[list[str]]:
    argv = ["survey", "run", str(questionnaire), "--population", str(population), "--engine",
            engine, "--seed", str(seed), "--out", str(out)]
    if pilot is not None:
        argv += ["--data", str(pilot)]
    if data_map is not None:
        argv += ["--map", str(data_map)]
    if engine == "llm":
        argv += ["--sample", str(sample), "--replicates", str(replicates)]
    return [argv]
