"""The columns of ``personas.parquet``."""

from __future__ import annotations

from synthsoc.persona import params as P

# Output columns in order; categorical ones carry their category list (stored as polars Enum).
CATEGORICAL: dict[str, tuple[str, ...]] = {
    "dialect": P.DIALECTS,
    "dialect_strength": P.DIALECT_STRENGTHS,
    "register_elders": P.REGISTERS,
    "register_peers": P.REGISTERS,
    "register_juniors": P.REGISTERS,
    "communication_style": P.COMMUNICATION_STYLES,
    "messenger": P.MESSENGERS,
    "sns_main": P.SNS_PLATFORMS,
    "video_platform": P.VIDEO_PLATFORMS,
    "portal": P.PORTALS,
    "consumption_style": P.CONSUMPTION_STYLES,
    "online_shopping": P.ONLINE_SHOPPING,
    "weekday_activity": P.WEEKDAY_ACTIVITIES,
    "weekend_activity": P.WEEKEND_ACTIVITIES,
    "decision_heuristic": P.DECISION_HEURISTICS,
    "interest_topic": P.INTEREST_TOPICS,
}
COLUMNS: tuple[str, ...] = (
    "person_id",
    "dialect",
    "dialect_is_origin",
    "dialect_strength",
    "register_elders",
    "register_peers",
    "register_juniors",
    "communication_style",
    "messenger",
    "uses_sns",
    "sns_main",
    "sns_minutes_per_day",
    "video_platform",
    "portal",
    "consumption_style",
    "online_shopping",
    "weekday_activity",
    "wake_weekday",
    "leave_weekday",
    "return_weekday",
    "sleep_weekday",
    "weekend_activity",
    "wake_weekend",
    "sleep_weekend",
    *P.BIG_FIVE,
    "risk_tolerance",
    "value_conservation",
    "value_self_transcendence",
    "value_materialism",
    "value_family",
    "decision_heuristic",
    "reshare_propensity",
    "prosociality",
    "interest_topic",
)

# column -> (group, what it is and how it is drawn, demographic inputs it depends on)
DESCRIPTIONS: dict[str, tuple[str, str, str]] = {
    "person_id": ("key", "person identifier from persons.parquet", "-"),
    "dialect": ("linguistic", "dialect zone spoken: the zone of the si-do of residence, or for "
                "persons drawn as migrants the zone of origin", "si-do, age"),
    "dialect_is_origin": ("linguistic", "True when the dialect comes from a region of origin in "
                          "another zone (modelled migration)", "si-do, age"),
    "dialect_strength": ("linguistic", "standard (Seoul/Gyeonggi speakers), else light / moderate "
                         "/ strong by birth cohort; one level weaker outside the dialect zone",
                         "age, dialect"),
    "register_elders": ("linguistic", "speech level used with elders (hasipsio = 하십시오체, "
                        "haeyo = 해요체, hae = 해체, haera = 해라체)", "age, sex"),
    "register_peers": ("linguistic", "speech level used with peers", "age"),
    "register_juniors": ("linguistic", "speech level used with juniors", "age"),
    "communication_style": ("linguistic", "softmax choice from Big Five and conservation scores",
                            "traits"),
    "messenger": ("behavioural", "main messenger (kakaotalk / other / none)", "age"),
    "uses_sns": ("behavioural", "uses any SNS: Bernoulli with the KISDI 2018 rate for the age "
                 "group times the sex ratio", "age, sex"),
    "sns_main": ("behavioural", "main SNS of users (none for non-users)", "age, uses_sns"),
    "sns_minutes_per_day": ("behavioural", "SNS minutes per day (0 for non-users): log-normal "
                            "around the KISDI 2018 mean of the age group", "age, uses_sns"),
    "video_platform": ("behavioural", "main video source", "age"),
    "portal": ("behavioural", "main web portal / search engine", "age"),
    "consumption_style": ("behavioural", "frugal / value_seeking / convenience / premium / "
                          "experience", "household income bracket, age"),
    "online_shopping": ("behavioural", "online shopping frequency", "age"),
    "weekday_activity": ("schedule", "main weekday activity from age, economic activity "
                         "(serving conscripts: military_service, barracks life) and "
                         "household role (head/spouse)", "age, sex, economic_activity, "
                         "relationship"),
    "wake_weekday": ("schedule", "weekday wake time, minutes after midnight", "weekday_activity, "
                     "age, occupation"),
    "leave_weekday": ("schedule", "weekday time leaving home (null when the day is spent at "
                      "home)", "weekday_activity"),
    "return_weekday": ("schedule", "weekday time back home (null when at home all day)",
                       "weekday_activity, age"),
    "sleep_weekday": ("schedule", "weekday bedtime, minutes after midnight (over 1440 = after "
                      "midnight)", "weekday_activity, age"),
    "weekend_activity": ("schedule", "main weekend activity by life stage", "age, "
                         "weekday_activity, occupation"),
    "wake_weekend": ("schedule", "weekend wake time", "wake_weekday"),
    "sleep_weekend": ("schedule", "weekend bedtime", "sleep_weekday"),
    "openness": ("cognitive", "Big Five T-score (mean 50, SD 10)", "age, sex"),
    "conscientiousness": ("cognitive", "Big Five T-score", "age, sex"),
    "extraversion": ("cognitive", "Big Five T-score", "age, sex"),
    "agreeableness": ("cognitive", "Big Five T-score", "age, sex"),
    "neuroticism": ("cognitive", "Big Five T-score", "age, sex"),
    "risk_tolerance": ("cognitive", "0-10 general risk willingness", "age, sex, traits"),
    "value_conservation": ("cognitive", "Schwartz conservation vs openness to change (z units)",
                           "age, sex"),
    "value_self_transcendence": ("cognitive", "Schwartz self-transcendence vs self-enhancement "
                                 "(z units)", "age, sex"),
    "value_materialism": ("cognitive", "Inglehart materialism vs post-materialism (z units)",
                          "age"),
    "value_family": ("cognitive", "family orientation (z units)", "age, marital_status"),
    "decision_heuristic": ("cognitive", "softmax choice from traits and conservation",
                           "traits, value_conservation"),
    "reshare_propensity": ("social", "probability of resharing a seen post (simulations)",
                           "age, extraversion"),
    "prosociality": ("social", "0-1 prosociality: normal CDF of agreeableness and "
                     "self-transcendence plus noise (public-goods games)",
                     "agreeableness, value_self_transcendence"),
    "interest_topic": ("social", "main interest topic (online homophily in simulations)",
                       "age, sex"),
}
