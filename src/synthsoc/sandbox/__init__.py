"""Layer: sandbox. Test and train assistants and recommenders against the synthetic population.

Sampled personas bring tasks from a Korean scenario library (bank, clinic, shopping within a
budget, public services, delivery complaints, telecom), phrased in their own speech level and
dialect by the persona layer's language core; the assistant under test (an OpenAI-compatible
endpoint through :mod:`synthsoc.llm`, a Python callable, or a scripted baseline) answers over
several turns; rule-based checks and an optional LLM judge score every answer; the scorecard
gives each metric per segment with bootstrap intervals; conversations become SFT and DPO
JSONL. The layer sits last (after ``evaluate``, whose bootstrap it uses).
"""

from synthsoc.sandbox.assistants import (
    PLAIN_PROMPT,
    Assistant,
    CallableAssistant,
    LLMAssistant,
    persona_aware_prompt,
)
from synthsoc.sandbox.judge import LLMJudge, judge_agreement, judge_run
from synthsoc.sandbox.outputs import write_run
from synthsoc.sandbox.recommender import (
    PopularityRecommender,
    RandomRecommender,
    Recommender,
    SegmentPopularityRecommender,
    evaluate_recommender,
    simulate_choices,
)
from synthsoc.sandbox.run import RunConfig, SandboxRun, run_sandbox
from synthsoc.sandbox.scenarios import ScenarioError, load_scenarios
from synthsoc.sandbox.scorecard import METRICS, scorecard, scorecard_markdown
from synthsoc.sandbox.scripted import SCRIPTED
from synthsoc.sandbox.segments import SampleSpec, load_users, sample_users

__all__ = [
    "METRICS",
    "PLAIN_PROMPT",
    "SCRIPTED",
    "Assistant",
    "CallableAssistant",
    "LLMAssistant",
    "LLMJudge",
    "PopularityRecommender",
    "RandomRecommender",
    "Recommender",
    "RunConfig",
    "SampleSpec",
    "SandboxRun",
    "ScenarioError",
    "SegmentPopularityRecommender",
    "evaluate_recommender",
    "judge_agreement",
    "judge_run",
    "load_scenarios",
    "load_users",
    "persona_aware_prompt",
    "run_sandbox",
    "sample_users",
    "scorecard",
    "scorecard_markdown",
    "simulate_choices",
    "write_run",
]
