"""Layer: policy. Korean tax and benefit rules applied to every household of a population.

Rules as code in OpenFisca (``rules.py``) with cited parameters by year (``parameters/``);
money the population cannot know (earnings, assets) drawn from stated distributions
(``imputation.py``); reforms as YAML (``reform.py``); results by group with intervals across
draws (``report.py``); take-up spreading through the social network and spending from a cited
marginal propensity to consume (``behaviour.py``) or through the marketplace of ``sim``
(``spending.py``); comparison with official totals (``validation.py``).
"""
