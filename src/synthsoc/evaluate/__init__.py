"""Layer: evaluate."""

from synthsoc.evaluate.compare import compare_to_reference, reference_from_microdata
from synthsoc.evaluate.distance import kl_divergence, tvd, wasserstein_ordinal
from synthsoc.evaluate.holdout import holdout_benchmark, read_microdata
from synthsoc.evaluate.replicates import replicate_survey, replicate_verdicts
from synthsoc.evaluate.tables_holdout import microdata_to_kosis, tables_holdout

__all__ = [
    "compare_to_reference",
    "holdout_benchmark",
    "kl_divergence",
    "microdata_to_kosis",
    "read_microdata",
    "reference_from_microdata",
    "replicate_survey",
    "replicate_verdicts",
    "tables_holdout",
    "tvd",
    "wasserstein_ordinal",
]
