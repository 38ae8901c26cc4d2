"""synthsoc: a statistically faithful synthetic society of South Korea.

Layers, in data-flow order (a layer imports only layers before it):
``data`` -> ``synth`` -> ``persona`` -> ``llm`` -> ``sim`` -> ``policy`` -> ``agents`` ->
``survey`` -> ``evaluate`` -> ``sandbox`` -> ``service``.
The command line (``synthsoc.cli`` and ``synthsoc.commands``) sits on top of all of them.
"""

__version__ = "0.1.0"

LAYERS: tuple[str, ...] = (
    "data", "synth", "persona", "llm", "sim", "policy", "agents", "survey", "evaluate", "sandbox",
    "service",
)
