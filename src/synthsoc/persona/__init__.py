"""Layer: persona. Each synthetic person gets a linguistic profile, behavioural templates,
cognitive traits and, on request, a first-person Korean narrative checked against them.

This layer never calls a language model: narratives take a ``generate`` callable, and the
command line (``synthsoc personas``) wires the LLM layer in.
"""

from synthsoc.persona.audit import audit_personas
from synthsoc.persona.build import build_personas, iter_persona_chunks, write_personas
from synthsoc.persona.checker import check_narrative
from synthsoc.persona.narratives import (
    NarrativePrompt,
    build_narrative_requests,
    generate_narratives,
    narrative_facts,
    template_narrative,
)

__all__ = [
    "NarrativePrompt",
    "audit_personas",
    "build_narrative_requests",
    "build_personas",
    "check_narrative",
    "generate_narratives",
    "iter_persona_chunks",
    "narrative_facts",
    "template_narrative",
    "write_personas",
]
