"""Layer: agents. Generative agents in a real Korean neighbourhood (issue 10).

Residents are whole households of one eup-myeon-dong from a synthetic population, with their
persona attributes; they follow their persona schedule on a 10-minute clock, remember
(memory stream with time, importance and an offline e5 embedding), retrieve by recency x
importance x relevance, reflect past an importance threshold, revise their day plan, talk in the
speech level and dialect their relation calls for (the persona layer's language core) and pass
news on in family and workplace group chats. The model is asked only for judgments (topic and
passing on news, a plan change, a reflection, an interview answer), in batches, at most
``max_requests_per_agent_hour`` times per agent per game hour. See docs/agents.md.
"""

from synthsoc.agents.checkpoint import load_checkpoint, save_checkpoint, town_state
from synthsoc.agents.embedding import E5Embedder, Embedder, HashEmbedder
from synthsoc.agents.judgment import Judge, LLMJudge, RuleJudge
from synthsoc.agents.memory import Memory, MemoryStream
from synthsoc.agents.params import GatheringSeed, RetrievalWeights, TownParams
from synthsoc.agents.residents import Neighbourhood, Resident, load_neighbourhood
from synthsoc.agents.town import Town

__all__ = [
    "E5Embedder",
    "Embedder",
    "GatheringSeed",
    "HashEmbedder",
    "Judge",
    "LLMJudge",
    "Memory",
    "MemoryStream",
    "Neighbourhood",
    "Resident",
    "RetrievalWeights",
    "RuleJudge",
    "Town",
    "TownParams",
    "load_checkpoint",
    "load_neighbourhood",
    "save_checkpoint",
    "town_state",
]
