"""What a client may ask for: typed request bodies (pydantic, so the OpenAPI schema states every
bound) and the synthsoc commands each job runs."""

from __future__ import annotations

from dataclasses import dataclass
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


class ShareRequest(BaseModel):
    """Share a run read-only with one other user of the server."""

    model_config = ConfigDict(extra="forbid")
    user: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$", description="The other user's name.")


class SimulationRequest(BaseModel):
    """A built-in scenario run R times on a population (``synthsoc simulate``)."""

    model_config = ConfigDict(extra="forbid")
    population: str = Field(pattern=r"^[0-9a-f]{32}$")
    scenario: str = Field(min_length=1, max_length=60)
    replicates: int = Field(10, ge=1, le=50, description="10 or more for a verdict.")
    seed: int = Field(0, ge=0, le=MAX_SEED)
    steps: int | None = Field(None, ge=2, le=1000)
    charts: bool = Field(False, description="Also write the PNG charts.")


SurveyEngine = Literal["calibrated", "llm", "hybrid"]
KGSS_YEARS = r"^(20(0[3-9]|1[0-2]))-(20(0[3-9]|1[0-2]))$"  # the packaged waves: 2003-2012


@dataclass(frozen=True)
class SurveyInputs:
    """What one survey job answers from: the stored uploads and the chosen answer source."""

    questionnaire: Path
    engine: SurveyEngine
    pilot: Path | None = None
    data_map: Path | None = None
    tables: Path | None = None
    label_map: Path | None = None
    table_n: int = 1000
    kgss: bool = False
    kgss_years: str | None = None
    seed: int = 0
    sample: int = 100
    replicates: int = 1

    def source_error(self) -> str | None:
        """Why this combination cannot run (the command line's rules), or None."""
        sources = [n for n, given in (("a pilot CSV", self.pilot), ("tables", self.tables),
                                      ("kgss", self.kgss)) if given]
        if self.engine == "llm":
            if sources:
                return (f"engine llm answers with personas only; leave out {sources[0]} or use "
                        "engine calibrated or hybrid")
        elif len(sources) != 1:
            return (f"engine {self.engine}: give exactly one answer source: a pilot CSV (real "
                    "respondents), published tables with their label map, or kgss=true "
                    f"(given: {', '.join(sources) or 'none'})")
        if self.tables is not None and self.label_map is None:
            return "tables need a label_map (YAML: group label -> population attribute)"
        if self.label_map is not None and self.tables is None:
            return "label_map maps the groups of tables; upload the tables too"
        if self.data_map is not None and self.pilot is None:
            return "column_map maps the columns of a pilot CSV; upload the pilot too"
        if self.kgss_years is not None and not self.kgss:
            return "kgss_years chooses KGSS waves; set kgss=true too"
        if self.kgss_years is not None and self.kgss_years[:4] > self.kgss_years[5:]:
            return f"kgss_years {self.kgss_years!r}: {self.kgss_years[:4]} is after " \
                   f"{self.kgss_years[5:]}"
        if self.engine == "calibrated" and self.replicates > 1:
            return ("replicates repeat the llm and hybrid engines; the calibrated engine is "
                    "deterministic (its intervals come from posterior draws)")
        return None

    @property
    def llm_calls(self) -> int:
        """The most LLM calls per question and replicate (personas asked), before questions."""
        return self.sample * self.replicates if self.engine != "calibrated" else 0


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


def survey_steps(inputs: SurveyInputs, population: Path, out: Path) -> list[list[str]]:
    argv = ["survey", "run", str(inputs.questionnaire), "--population", str(population),
            "--engine", inputs.engine, "--seed", str(inputs.seed), "--out", str(out)]
    if inputs.pilot is not None:
        argv += ["--data", str(inputs.pilot)]
    if inputs.data_map is not None:
        argv += ["--map", str(inputs.data_map)]
    if inputs.tables is not None and inputs.label_map is not None:
        argv += ["--tables", str(inputs.tables), "--label-map", str(inputs.label_map),
                 "--table-n", str(inputs.table_n)]
    if inputs.kgss:
        argv += ["--kgss", *(["--kgss-years", inputs.kgss_years] if inputs.kgss_years else [])]
    if inputs.engine != "calibrated":
        argv += ["--sample", str(inputs.sample), "--replicates", str(inputs.replicates)]
    return [argv]


class TownRequest(BaseModel):
    """A town of generative agents in one eup-myeon-dong (``synthsoc town run``)."""

    model_config = ConfigDict(extra="forbid")
    population: str = Field(pattern=r"^[0-9a-f]{32}$")
    emd: str = Field(min_length=2, max_length=40, description="Eup-myeon-dong code or name.")
    agents: int = Field(6, ge=1, le=30, description="Agents (whole households).")
    hours: float = Field(14.0, ge=0.5, le=48.0, description="Game hours.")
    seed: int = Field(1, ge=0, le=MAX_SEED)
    scenario: Literal["gathering", "vote"] = "gathering"
    llm: Literal["none", "local"] = Field(
        "none", description="none: judgments by rule; local: the embedded model (counted by "
        "the user's LLM budget).")
    embedder: Literal["e5", "hash"] = Field("e5", description="hash: logic tests only.")


Assistant = Literal["scripted-good", "scripted-banmal", "scripted-standard-only",
                    "scripted-budget-blind", "scripted-app-only", "llm-plain", "llm-persona"]
Stratum = Literal["age_group", "dialect", "income", "education", "digital"]


def _default_assistants() -> list[Assistant]:
    return ["scripted-good"]


def _default_strata() -> list[Stratum]:
    return ["age_group", "dialect"]


class SandboxRequest(BaseModel):
    """Assistants evaluated against personas sampled by segment (``synthsoc sandbox run``)."""

    model_config = ConfigDict(extra="forbid")
    population: str = Field(pattern=r"^[0-9a-f]{32}$")
    assistants: list[Assistant] = Field(default_factory=_default_assistants, min_length=1,
                                        max_length=4)
    per_stratum: int = Field(2, ge=1, le=10, description="Personas per stratum.")
    strata: list[Stratum] = Field(default_factory=_default_strata, min_length=1, max_length=5)
    seed: int = Field(0, ge=0, le=MAX_SEED)
    max_turns: int = Field(3, ge=1, le=10)


def town_steps(req: TownRequest, population: Path, out: Path) -> list[list[str]]:
    return [["town", "run", "--population", str(population), "--emd", req.emd, "--out",
             str(out), "--agents", str(req.agents), "--hours", repr(req.hours), "--seed",
             str(req.seed), "--scenario", req.scenario, "--llm", req.llm, "--embedder",
             req.embedder]]


def sandbox_steps(req: SandboxRequest, population: Path, out: Path) -> list[list[str]]:
    argv = ["sandbox", "run", str(population), "--out", str(out), "--per-stratum",
            str(req.per_stratum), "--strata", ",".join(dict.fromkeys(req.strata)), "--seed",
            str(req.seed), "--max-turns", str(req.max_turns)]
    for name in dict.fromkeys(req.assistants):
        argv += ["--assistant", name]
    return [argv]


def policy_steps(population: Path, reform: Path | None, out: Path, draws: int, seed: int,
                 takeup: bool) -> list[list[str]]:
    return [["policy", "run", "--population", str(population), "--out", str(out), "--draws",
             str(draws), "--seed", str(seed), "--no-charts",
             "--takeup" if takeup else "--no-takeup",
             *(["--reform", str(reform)] if reform is not None else [])]]
