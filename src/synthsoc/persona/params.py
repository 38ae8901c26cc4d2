"""Every parameter the persona attributes are drawn from, in one place, with its basis and source.

Each parameter says whether it is ``data`` (copied from an official table bundled in
``persona/data``), ``literature`` (a published effect; magnitudes are rounded summaries and
should be checked against the paper before being relied on) or ``assumption`` (a modelling
choice with no table behind it). ``persona_card.md`` is generated from this module, so the card
and the code cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Basis = Literal["data", "literature", "assumption"]

# --------------------------------------------------------------------------------------------
# Category vocabularies (stored as polars Enums in personas.parquet)
# --------------------------------------------------------------------------------------------
DIALECTS: tuple[str, ...] = (
    "seoul_gyeonggi",
    "gangwon",
    "chungcheong",
    "gyeongsang",
    "jeolla",
    "jeju",
)
DIALECT_STRENGTHS: tuple[str, ...] = ("standard", "light", "moderate", "strong")
REGISTERS: tuple[str, ...] = ("hasipsio", "haeyo", "hae", "haera")
COMMUNICATION_STYLES: tuple[str, ...] = ("direct", "harmonising", "expressive", "reserved")
MESSENGERS: tuple[str, ...] = ("kakaotalk", "other", "none")
SNS_PLATFORMS: tuple[str, ...] = ("none", "instagram", "facebook", "kakaostory", "band", "twitter")
VIDEO_PLATFORMS: tuple[str, ...] = ("youtube", "netflix", "tv_broadcast", "none")
PORTALS: tuple[str, ...] = ("naver", "google", "daum", "none")
CONSUMPTION_STYLES: tuple[str, ...] = (
    "frugal",
    "value_seeking",
    "convenience",
    "premium",
    "experience",
)
ONLINE_SHOPPING: tuple[str, ...] = ("weekly", "monthly", "rarely", "never")
WEEKDAY_ACTIVITIES: tuple[str, ...] = (
    "preschool_care",
    "school",
    "university",
    "work",
    "job_search",
    "housework_childcare",
    "home",
    "home_retired",
    "military_service",
)
WEEKEND_ACTIVITIES: tuple[str, ...] = (
    "rest_home",
    "family_outing",
    "religious_social",
    "leisure_out",
    "study",
    "work_shift",
)
DECISION_HEURISTICS: tuple[str, ...] = (
    "deliberate",
    "intuitive",
    "social_proof",
    "authority",
    "habit",
)
BIG_FIVE: tuple[str, ...] = (
    "openness",
    "conscientiousness",
    "extraversion",
    "agreeableness",
    "neuroticism",
)


@dataclass(frozen=True)
class ByAge:
    """A categorical distribution that changes with age: one probability row per age band.

    ``bands`` are the lower age bounds of each band (the first is 0); ``probs[i]`` is the
    distribution over ``categories`` for band ``i``.
    """

    bands: tuple[int, ...]
    categories: tuple[str, ...]
    probs: tuple[tuple[float, ...], ...]

    def __post_init__(self) -> None:
        if len(self.bands) != len(self.probs) or self.bands[0] != 0:
            raise ValueError("ByAge: one probability row per band, first band starting at 0")
        for row in self.probs:
            if len(row) != len(self.categories) or abs(sum(row) - 1.0) > 1e-6:
                raise ValueError(
                    f"ByAge: row {row} must have {len(self.categories)} probs summing to 1"
                )

    def band_labels(self) -> list[str]:
        ends = [*self.bands[1:], None]
        return [
            f"{lo}-{hi - 1}" if hi is not None else f"{lo}+"
            for lo, hi in zip(self.bands, ends, strict=True)
        ]


@dataclass(frozen=True)
class Parameter:
    """One documented parameter: its value, its basis and where it comes from."""

    key: str
    description: str
    value: object
    basis: Basis
    source: str
    used_by: tuple[str, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------------------------
# Sources cited more than once
# --------------------------------------------------------------------------------------------
SRC_DIALECT = (
    "persona/data/dialect_zones.csv: Wikipedia 'Korean dialects' six-zone classification "
    "(Ogura 1944, adjusted), province-level simplification"
)
SRC_KISDI = (
    "persona/data/sns_use_2018.csv: KISDI STAT report 'SNS 이용추이 및 이용행태 분석' (2019), "
    "2018 Korea Media Panel Survey, via Segye Ilbo 2019-06-09"
)
SRC_SCHMITT = (
    "Schmitt, Realo, Voracek & Allik (2008) 'Why can't a man be more like a woman? Sex "
    "differences in Big Five personality traits across 55 cultures', J. Pers. Soc. Psychol. "
    "94(1):168-182; Costa, Terracciano & McCrae (2001) J. Pers. Soc. Psychol. 81(2):322-331"
)
SRC_AGE_TRAITS = (
    "McCrae et al. (1999) 'Age differences in personality across the adult life span: "
    "parallels in five cultures' (includes South Korea), Dev. Psychol. 35(2):466-477; "
    "Soto, John, Gosling & Potter (2011) J. Pers. Soc. Psychol. 100(2):330-348"
)
SRC_RISK = (
    "Dohmen, Falk, Huffman, Sunde, Schupp & Wagner (2011) 'Individual risk attitudes: "
    "measurement, determinants and behavioral consequences', J. Eur. Econ. Assoc. "
    "9(3):522-550 (0-10 general risk question; lower for women and with age); "
    "Nicholson et al. (2005) J. Risk Res. 8(2):157-176 (risk taking vs Big Five)"
)
SRC_VALUES = (
    "Schwartz & Rubel (2005) 'Sex differences in value priorities', J. Pers. Soc. Psychol. "
    "89(6):1010-1028; Robinson (2013) 'Value change over the life course', "
    "Soc. Indic. Res. (ESS: conservation rises with age)"
)
SRC_REGISTER = (
    "National Institute of Korean Language, 표준 언어 예절 (2011) for the speech levels "
    "(하십시오체, 해요체, 해체, 해라체); shares are assumptions"
)
ASSUMED = "assumption (no table found; chosen to be plausible, documented here)"

# --------------------------------------------------------------------------------------------
# Linguistic
# --------------------------------------------------------------------------------------------
# Probability that a person's dialect comes from a region of origin in another zone, by age
# band and by whether the residence is the capital region (Seoul/Incheon/Gyeonggi).
ORIGIN_MIGRANT_CAPITAL = ByAge(
    bands=(0, 20, 40, 60),
    categories=("native", "migrant"),
    probs=((0.95, 0.05), (0.88, 0.12), (0.75, 0.25), (0.65, 0.35)),
)
ORIGIN_MIGRANT_OTHER = ByAge(
    bands=(0, 20, 40, 60),
    categories=("native", "migrant"),
    probs=((0.96, 0.04), (0.90, 0.10), (0.90, 0.10), (0.93, 0.07)),
)
# Zone of origin for those whose dialect comes from elsewhere (weights, renormalised after
# removing the residence zone).
ORIGIN_ZONE_WEIGHTS: dict[str, float] = {
    "seoul_gyeonggi": 0.30,
    "gangwon": 0.06,
    "chungcheong": 0.18,
    "gyeongsang": 0.22,
    "jeolla": 0.22,
    "jeju": 0.02,
}
# Dialect strength of non-standard speakers living in their own zone.
DIALECT_STRENGTH_BY_AGE = ByAge(
    bands=(0, 20, 40, 60),
    categories=("light", "moderate", "strong"),
    probs=((0.55, 0.35, 0.10), (0.40, 0.40, 0.20), (0.20, 0.45, 0.35), (0.08, 0.32, 0.60)),
)
MIGRANT_STRENGTH_STEP_DOWN = 1  # levels lost by speakers living outside their dialect zone

# Everyday (private-setting) speech levels; persona/register_norms.py derives the level for
# other relations and settings. After the draw, juniors are never addressed more politely than
# peers, nor peers more politely than elders (linguistic.py enforces the order).
REGISTER_ELDERS = ByAge(
    bands=(0, 7, 13, 20, 30, 45, 60),
    categories=REGISTERS,
    probs=(
        (0.00, 0.45, 0.55, 0.00),
        (0.02, 0.70, 0.28, 0.00),
        (0.08, 0.84, 0.08, 0.00),
        (0.22, 0.76, 0.02, 0.00),
        (0.16, 0.82, 0.02, 0.00),
        (0.13, 0.85, 0.02, 0.00),
        (0.15, 0.83, 0.02, 0.00),
    ),
)
REGISTER_ELDERS_MALE_FORMAL_SHIFT = 0.12  # probability moved from 해요체 to 하십시오체 for men 20+
REGISTER_PEERS = ByAge(
    bands=(0, 13, 20, 30, 45, 60),
    categories=REGISTERS,
    probs=(
        (0.00, 0.03, 0.92, 0.05),
        (0.00, 0.04, 0.94, 0.02),
        (0.00, 0.12, 0.86, 0.02),
        (0.00, 0.22, 0.76, 0.02),
        (0.00, 0.32, 0.66, 0.02),
        (0.00, 0.38, 0.58, 0.04),
    ),
)
REGISTER_JUNIORS = ByAge(
    bands=(0, 13, 20, 30, 45, 60),
    categories=REGISTERS,
    probs=(
        (0.00, 0.01, 0.80, 0.19),
        (0.00, 0.02, 0.78, 0.20),
        (0.00, 0.10, 0.75, 0.15),
        (0.00, 0.12, 0.63, 0.25),
        (0.00, 0.08, 0.52, 0.40),
        (0.00, 0.05, 0.45, 0.50),
    ),
)
# Communication style: softmax over trait-based scores (z units), temperature below.
COMMUNICATION_STYLE_WEIGHTS: dict[str, dict[str, float]] = {
    "direct": {"extraversion": 0.6, "agreeableness": -0.8},
    "harmonising": {"agreeableness": 0.9, "value_conservation": 0.4},
    "expressive": {"extraversion": 0.9, "openness": 0.5},
    "reserved": {"extraversion": -0.9, "neuroticism": 0.4},
}
SOFTMAX_TEMPERATURE = 1.0

# --------------------------------------------------------------------------------------------
# Behavioural
# --------------------------------------------------------------------------------------------
SNS_AGE_BANDS: tuple[int, ...] = (0, 10, 20, 30, 40, 50, 60, 70)
SNS_AGE_LABELS: tuple[str, ...] = (
    "0-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70+",
)
SNS_MINUTES_SIGMA = 0.5  # log-normal spread of minutes around the age-group mean (mean-preserving)

# Nobody under SNS_MIN_AGE has a messenger, SNS or portal of their own (ASSUMPTION: the Korea
# Media Panel behind the KISDI rates interviews household members aged 6+, so its "0-9" rate is
# read as the rate of 6-9 year-olds).
SNS_MIN_AGE = 6
MESSENGER_USE = ByAge(
    bands=(0, SNS_MIN_AGE, 10, 20, 60, 70),
    categories=("kakaotalk", "other", "none"),
    probs=(
        (0.00, 0.00, 1.00),
        (0.45, 0.02, 0.53),
        (0.93, 0.03, 0.04),
        (0.95, 0.04, 0.01),
        (0.86, 0.02, 0.12),
        (0.50, 0.01, 0.49),
    ),
)
SNS_PLATFORM_BY_AGE = ByAge(
    bands=(0, 20, 30, 40, 50),
    categories=("instagram", "facebook", "kakaostory", "band", "twitter"),
    probs=(
        (0.45, 0.25, 0.05, 0.03, 0.22),
        (0.40, 0.33, 0.07, 0.05, 0.15),
        (0.25, 0.35, 0.20, 0.12, 0.08),
        (0.10, 0.30, 0.33, 0.22, 0.05),
        (0.04, 0.20, 0.40, 0.33, 0.03),
    ),
)
VIDEO_PLATFORM_BY_AGE = ByAge(
    bands=(0, 7, 20, 40, 60, 75),
    categories=VIDEO_PLATFORMS,
    probs=(
        (0.55, 0.05, 0.30, 0.10),
        (0.80, 0.10, 0.10, 0.00),
        (0.62, 0.28, 0.10, 0.00),
        (0.55, 0.15, 0.30, 0.00),
        (0.40, 0.03, 0.55, 0.02),
        (0.18, 0.00, 0.75, 0.07),
    ),
)
PORTAL_BY_AGE = ByAge(
    bands=(0, SNS_MIN_AGE, 10, 20, 40, 60, 75),
    categories=PORTALS,
    probs=(
        (0.00, 0.00, 0.00, 1.00),
        (0.30, 0.15, 0.01, 0.54),
        (0.70, 0.25, 0.03, 0.02),
        (0.62, 0.33, 0.05, 0.00),
        (0.72, 0.14, 0.13, 0.01),
        (0.70, 0.06, 0.16, 0.08),
        (0.40, 0.02, 0.10, 0.48),
    ),
)
# Income bracket used for persons whose household has none (e.g. group quarters).
MISSING_INCOME_BRACKET = "30_50m"
# Consumption style: base weights per household income bracket, with an age tilt.
CONSUMPTION_BY_INCOME: dict[str, tuple[float, ...]] = {
    "under_10m": (0.55, 0.30, 0.08, 0.02, 0.05),
    "10_30m": (0.42, 0.35, 0.12, 0.03, 0.08),
    "30_50m": (0.28, 0.38, 0.18, 0.05, 0.11),
    "50_70m": (0.20, 0.36, 0.22, 0.08, 0.14),
    "70_100m": (0.14, 0.32, 0.24, 0.13, 0.17),
    "100m_plus": (0.09, 0.25, 0.25, 0.22, 0.19),
}
# Multipliers on the weights above by age band (then renormalised).
CONSUMPTION_AGE_TILT = ByAge(
    bands=(0, 20, 40, 60),
    categories=CONSUMPTION_STYLES,
    probs=(
        (0.15, 0.25, 0.25, 0.15, 0.20),
        (0.12, 0.24, 0.26, 0.13, 0.25),
        (0.20, 0.30, 0.22, 0.12, 0.16),
        (0.36, 0.30, 0.12, 0.10, 0.12),
    ),
)
ONLINE_SHOPPING_BY_AGE = ByAge(
    bands=(0, 14, 20, 40, 60, 70),
    categories=ONLINE_SHOPPING,
    probs=(
        (0.00, 0.00, 0.05, 0.95),
        (0.15, 0.45, 0.30, 0.10),
        (0.45, 0.42, 0.11, 0.02),
        (0.38, 0.45, 0.14, 0.03),
        (0.12, 0.38, 0.35, 0.15),
        (0.03, 0.15, 0.37, 0.45),
    ),
)

# --------------------------------------------------------------------------------------------
# Daily schedule (minutes after midnight; values over 1440 mean after midnight)
# --------------------------------------------------------------------------------------------
UNIVERSITY_AGES = (19, 24)  # inactive persons in this age range are taken to be students
HOUSEWORK_SHARE_INACTIVE = {"F": 0.85, "M": 0.35}  # inactive 25-64 heads/spouses doing housework

# activity -> (wake, leave, return, sleep) mean minutes; leave/return -1 when staying home.
SCHEDULE_WEEKDAY: dict[str, tuple[int, int, int, int]] = {
    "preschool_care": (450, 540, 960, 1260),
    "school": (420, 470, 960, 1350),
    "university": (510, 570, 1110, 1500),
    "work": (400, 460, 1160, 1420),
    "job_search": (510, 600, 1020, 1470),
    "housework_childcare": (390, -1, -1, 1380),
    "home": (480, -1, -1, 1410),
    "home_retired": (350, -1, -1, 1310),
    # Serving conscripts live in barracks: reveille 06:30, lights out 22:00, no commute.
    "military_service": (390, -1, -1, 1320),
}
# Barracks days run to the bugle: conscripts' times spread far less than civilians'.
CONSCRIPT_SD_MINUTES = 10
CONSCRIPT_WEEKEND_LIE_IN = 30  # weekend reveille later; lights out unchanged
# Personal phones are handed out after duty hours (weekdays 18:00-21:00): at most 180
# minutes a day of SNS.
CONSCRIPT_PHONE_MINUTES = 180
# School return time by school stage (after-school academies, 야간자율학습).
SCHOOL_RETURN_BY_AGE: dict[int, int] = {7: 900, 13: 1080, 16: 1320}
SCHOOL_SLEEP_BY_AGE: dict[int, int] = {7: 1320, 13: 1410, 16: 1470}
AGRICULTURE_WORK = (300, 340, 1080, 1290)  # KSCO group 6 (agriculture/fishery) weekday
# Spread of (wake, leave, return, sleep) around the means, minutes (ASSUMPTION: wide enough for
# the early risers, long commutes, overtime and late evenings time-use surveys describe; the
# KOSTAT Time Use Survey is not bundled).
SCHEDULE_SD_MINUTES = (40, 35, 60, 50)
# Workers' shifts: share and (wake, leave, return, sleep) means; times past 1440 fall on the next
# day (night workers come home in the morning and sleep by day). ASSUMPTION shares; doubled for
# service, sales and machine-operator jobs (SHIFT_OCCUPATIONS), renormalised.
WORK_SHIFTS: dict[str, tuple[float, tuple[int, int, int, int]]] = {
    "day": (0.88, (400, 460, 1160, 1420)),
    "evening": (0.06, (560, 780, 1410, 1560)),
    "night": (0.06, (900, 1260, 1950, 2010)),
}
SHIFT_OCCUPATIONS = ("4", "5", "8")
# People whose weekday is spent at home still go out on a typical weekday (errands, care,
# classes, hospital): share who do and their mean (leave, return). ASSUMPTION.
HOME_OUTING_SHARE = 0.45
HOME_OUTING_TIMES = (630, 960)
WEEKEND_LIE_IN = {"working_or_school": 80, "home": 15}  # extra minutes of sleep on weekends
WEEKEND_LATE_NIGHT = 40

WEEKEND_BY_GROUP: dict[str, tuple[float, ...]] = {
    # rest_home, family_outing, religious_social, leisure_out, study, work_shift
    "child": (0.35, 0.45, 0.10, 0.10, 0.00, 0.00),
    "teen": (0.30, 0.15, 0.08, 0.17, 0.30, 0.00),
    "young_adult": (0.32, 0.10, 0.06, 0.37, 0.10, 0.05),
    "adult_employed": (0.33, 0.30, 0.12, 0.15, 0.02, 0.08),
    "adult_other": (0.38, 0.30, 0.15, 0.15, 0.02, 0.00),
    "older": (0.48, 0.20, 0.22, 0.10, 0.00, 0.00),
    # Serving conscripts: rest in barracks, religious services on base, passes and leave
    # (out), self-study, weekend guard duty; a family outing only on leave.
    "conscript": (0.45, 0.05, 0.15, 0.10, 0.15, 0.10),
}
WEEKEND_SHIFT_OCCUPATIONS = ("4", "5", "6")  # service, sales, agriculture: more weekend work
WEEKEND_SHIFT_EXTRA = 0.25  # probability moved to work_shift for those occupations

# --------------------------------------------------------------------------------------------
# Cognitive
# --------------------------------------------------------------------------------------------
# Female-minus-male difference in standard-deviation units (Cohen's d).
BIG_FIVE_SEX_D: dict[str, float] = {
    "openness": 0.05,
    "conscientiousness": 0.12,
    "extraversion": 0.10,
    "agreeableness": 0.15,
    "neuroticism": 0.40,
}
# Change per decade of age after 20 (SD units), applied between ages 20 and 70.
BIG_FIVE_AGE_PER_DECADE: dict[str, float] = {
    "openness": -0.06,
    "conscientiousness": 0.07,
    "extraversion": -0.04,
    "agreeableness": 0.07,
    "neuroticism": -0.06,
}
BIG_FIVE_T_MEAN = 50.0
BIG_FIVE_T_SD = 10.0

RISK_BASE = 5.0  # 0-10 scale, men aged 20
RISK_FEMALE_SHIFT = -0.6
RISK_PER_DECADE = -0.25
RISK_TRAIT_WEIGHTS: dict[str, float] = {
    "openness": 0.3,
    "extraversion": 0.3,
    "neuroticism": -0.25,
    "conscientiousness": -0.2,
}
RISK_NOISE_SD = 2.0

# Schwartz higher-order value dimensions (z units).
VALUE_CONSERVATION_PER_DECADE = 0.15
VALUE_CONSERVATION_FEMALE = 0.05
VALUE_SELF_TRANSCENDENCE_FEMALE = 0.25
VALUE_SELF_TRANSCENDENCE_PER_DECADE = 0.05
VALUE_MATERIALISM_PER_DECADE = 0.10
VALUE_FAMILY_MARRIED = 0.35
VALUE_FAMILY_PER_DECADE = 0.08

DECISION_HEURISTIC_WEIGHTS: dict[str, dict[str, float]] = {
    "deliberate": {"conscientiousness": 0.9, "neuroticism": 0.2},
    "intuitive": {"extraversion": 0.5, "openness": 0.5, "conscientiousness": -0.5},
    "social_proof": {"agreeableness": 0.6, "value_conservation": 0.3, "extraversion": 0.2},
    "authority": {"value_conservation": 0.8, "openness": -0.3},
    "habit": {"openness": -0.6, "value_conservation": 0.4},
}

# --------------------------------------------------------------------------------------------
# The registry the card is generated from
# --------------------------------------------------------------------------------------------
PARAMETERS: tuple[Parameter, ...] = (
    Parameter("DIALECT_ZONES", "si-do of residence -> dialect zone",
              "persona/data/dialect_zones.csv", "data", SRC_DIALECT, ("dialect",)),
    Parameter("ORIGIN_MIGRANT_CAPITAL", "share of capital-region residents whose dialect comes "
              "from another zone (migration of origin), by age", ORIGIN_MIGRANT_CAPITAL,
              "assumption", ASSUMED + "; reflects 1960s-1990s migration into Seoul/Gyeonggi",
              ("dialect", "dialect_is_origin")),
    Parameter("ORIGIN_MIGRANT_OTHER", "same share for residents outside the capital region",
              ORIGIN_MIGRANT_OTHER, "assumption", ASSUMED, ("dialect", "dialect_is_origin")),
    Parameter("ORIGIN_ZONE_WEIGHTS", "zone of origin of those whose dialect comes from elsewhere",
              ORIGIN_ZONE_WEIGHTS, "assumption", ASSUMED, ("dialect",)),
    Parameter("DIALECT_STRENGTH_BY_AGE", "dialect strength of non-standard speakers in their own "
              "zone, by birth cohort (older cohorts speak more strongly)", DIALECT_STRENGTH_BY_AGE,
              "assumption", ASSUMED, ("dialect_strength",)),
    Parameter("MIGRANT_STRENGTH_STEP_DOWN", "strength levels lost when living outside one's "
              "dialect zone", MIGRANT_STRENGTH_STEP_DOWN, "assumption", ASSUMED,
              ("dialect_strength",)),
    Parameter("REGISTER_ELDERS", "speech level used with elders, by age", REGISTER_ELDERS,
              "assumption", SRC_REGISTER, ("register_elders",)),
    Parameter("REGISTER_ELDERS_MALE_FORMAL_SHIFT", "extra 하십시오체 use with elders by men 20+ "
              "(military / workplace 다나까 speech)", REGISTER_ELDERS_MALE_FORMAL_SHIFT,
              "assumption", SRC_REGISTER, ("register_elders",)),
    Parameter("REGISTER_PEERS", "speech level used with peers, by age", REGISTER_PEERS,
              "assumption", SRC_REGISTER, ("register_peers",)),
    Parameter("REGISTER_JUNIORS", "speech level used with juniors, by age", REGISTER_JUNIORS,
              "assumption", SRC_REGISTER, ("register_juniors",)),
    Parameter("COMMUNICATION_STYLE_WEIGHTS", "trait weights of each communication style "
              "(softmax choice)", COMMUNICATION_STYLE_WEIGHTS, "assumption", ASSUMED,
              ("communication_style",)),
    Parameter("SNS_USE_RATE", "SNS use rate by 10-year age group; sex margins 49.1% (men) and "
              "47.3% (women) applied as multipliers 49.1/48.2 and 47.3/48.2",
              "persona/data/sns_use_2018.csv", "data", SRC_KISDI, ("uses_sns",)),
    Parameter("SNS_SEX_AGE_INDEPENDENCE", "the sex ratio of SNS use is the same at every age "
              "(no age x sex table was published)", "multiplicative", "assumption", ASSUMED,
              ("uses_sns",)),
    Parameter("SNS_MINUTES", "mean SNS minutes per day among users by age group (0-9 takes "
              "10-19, 70+ takes 60-69)", "persona/data/sns_use_2018.csv", "data", SRC_KISDI,
              ("sns_minutes_per_day",)),
    Parameter("SNS_MINUTES_SIGMA", "log-normal spread of minutes around the mean",
              SNS_MINUTES_SIGMA, "assumption", ASSUMED, ("sns_minutes_per_day",)),
    Parameter("SNS_PLATFORM_BY_AGE", "main SNS of users by age (ordered to agree with the 2018 "
              "national ranking Facebook 34.0 > KakaoStory 27.0 > Twitter 14.0 > Band 11.3 > "
              "Instagram 10.8, tilted to the young for Instagram/Twitter)", SNS_PLATFORM_BY_AGE,
              "assumption", ASSUMED + "; national shares: " + SRC_KISDI, ("sns_main",)),
    Parameter("MESSENGER_USE", "messenger use by age (82.2% of all persons used an instant "
              "messenger in 2018; no age breakdown found)", MESSENGER_USE, "assumption",
              ASSUMED + "; national level: " + SRC_KISDI, ("messenger",)),
    Parameter("VIDEO_PLATFORM_BY_AGE", "main video source by age", VIDEO_PLATFORM_BY_AGE,
              "assumption", ASSUMED + " (MSIT/NIA Internet Usage Survey not available offline)",
              ("video_platform",)),
    Parameter("PORTAL_BY_AGE", "main web portal / search engine by age", PORTAL_BY_AGE,
              "assumption", ASSUMED, ("portal",)),
    Parameter("CONSUMPTION_BY_INCOME", "consumption style weights by household income bracket",
              CONSUMPTION_BY_INCOME, "assumption", ASSUMED, ("consumption_style",)),
    Parameter("MISSING_INCOME_BRACKET", "income bracket assumed for persons whose household "
              "has none", MISSING_INCOME_BRACKET, "assumption", ASSUMED, ("consumption_style",)),
    Parameter("CONSUMPTION_AGE_TILT", "age multipliers on the consumption weights",
              CONSUMPTION_AGE_TILT, "assumption", ASSUMED, ("consumption_style",)),
    Parameter("ONLINE_SHOPPING_BY_AGE", "online shopping frequency by age",
              ONLINE_SHOPPING_BY_AGE, "assumption", ASSUMED, ("online_shopping",)),
    Parameter("UNIVERSITY_AGES", "economically inactive persons aged 19-24 are students",
              UNIVERSITY_AGES, "assumption", ASSUMED + " (attending school is the main "
              "reason for inactivity at these ages in the EAPS)", ("weekday_activity",)),
    Parameter("CONSCRIPT_SD_MINUTES", "spread of serving conscripts' wake and sleep times "
              "(barracks routine)", CONSCRIPT_SD_MINUTES, "assumption", ASSUMED,
              ("wake_weekday", "sleep_weekday")),
    Parameter("CONSCRIPT_WEEKEND_LIE_IN", "later weekend reveille of serving conscripts, "
              "minutes", CONSCRIPT_WEEKEND_LIE_IN, "assumption", ASSUMED, ("wake_weekend",)),
    Parameter("CONSCRIPT_PHONE_MINUTES", "most SNS minutes a day of a serving conscript "
              "(phones after duty hours, 18:00-21:00)", CONSCRIPT_PHONE_MINUTES, "assumption",
              ASSUMED + " (MND's soldier phone-use rule since 2020, not bundled)",
              ("sns_minutes_per_day",)),
    Parameter("HOUSEWORK_SHARE_INACTIVE", "inactive heads/spouses aged 25-64 whose day is "
              "housework/childcare (else at home), by sex", HOUSEWORK_SHARE_INACTIVE,
              "assumption", ASSUMED, ("weekday_activity",)),
    Parameter("SCHEDULE_WEEKDAY", "mean wake / leave / return / sleep minutes by weekday "
              "activity", SCHEDULE_WEEKDAY, "assumption", ASSUMED + " (KOSTAT Time Use Survey "
              "tables not available offline)", ("wake_weekday", "leave_weekday",
                                                "return_weekday", "sleep_weekday")),
    Parameter("SCHOOL_RETURN_BY_AGE", "school-day return time from age 7 / 13 / 16 "
              "(academies, evening self-study)", SCHOOL_RETURN_BY_AGE, "assumption", ASSUMED,
              ("return_weekday",)),
    Parameter("SCHOOL_SLEEP_BY_AGE", "school-night sleep time from age 7 / 13 / 16",
              SCHOOL_SLEEP_BY_AGE, "assumption", ASSUMED, ("sleep_weekday",)),
    Parameter("AGRICULTURE_WORK", "weekday times for agriculture/fishery workers",
              AGRICULTURE_WORK, "assumption", ASSUMED, ("wake_weekday",)),
    Parameter("SCHEDULE_SD_MINUTES", "normal spread of wake, leave, return and sleep times, "
              "rounded to 5 minutes", SCHEDULE_SD_MINUTES, "assumption", ASSUMED,
              ("wake_weekday", "leave_weekday", "return_weekday", "sleep_weekday")),
    Parameter("WORK_SHIFTS", "day / evening / night shift shares and times of workers",
              WORK_SHIFTS, "assumption", ASSUMED, ("wake_weekday", "leave_weekday",
                                                   "return_weekday", "sleep_weekday")),
    Parameter("HOME_OUTING", "share of stay-at-home persons (6+) who go out on a weekday, and "
              "their mean leave/return times", (HOME_OUTING_SHARE, HOME_OUTING_TIMES),
              "assumption", ASSUMED, ("leave_weekday", "return_weekday")),
    Parameter("SHIFT_OCCUPATIONS", "KSCO groups with twice the evening and night shares",
              SHIFT_OCCUPATIONS, "assumption", ASSUMED, ("leave_weekday",)),
    Parameter("SNS_MIN_AGE", "no messenger, SNS or portal below this age", SNS_MIN_AGE,
              "assumption", SRC_KISDI + " (panel of members aged 6+)",
              ("messenger", "uses_sns", "portal")),
    Parameter("WEEKEND_LIE_IN", "extra weekend sleep in minutes", WEEKEND_LIE_IN, "assumption",
              ASSUMED, ("wake_weekend",)),
    Parameter("WEEKEND_LATE_NIGHT", "later weekend bedtime in minutes", WEEKEND_LATE_NIGHT,
              "assumption", ASSUMED, ("sleep_weekend",)),
    Parameter("WEEKEND_BY_GROUP", "weekend main activity by life stage", WEEKEND_BY_GROUP,
              "assumption", ASSUMED, ("weekend_activity",)),
    Parameter("WEEKEND_SHIFT_EXTRA", "extra weekend work for service, sales and agriculture "
              "workers", WEEKEND_SHIFT_EXTRA, "assumption", ASSUMED, ("weekend_activity",)),
    Parameter("BIG_FIVE_SEX_D", "female-minus-male Big Five differences (Cohen's d)",
              BIG_FIVE_SEX_D, "literature", SRC_SCHMITT + "; rounded cross-cultural averages",
              BIG_FIVE),
    Parameter("BIG_FIVE_AGE_PER_DECADE", "Big Five change per decade between 20 and 70 (SD "
              "units); children take the age-20 level", BIG_FIVE_AGE_PER_DECADE, "literature",
              SRC_AGE_TRAITS + "; rounded, directions as published, magnitudes approximate",
              BIG_FIVE),
    Parameter("BIG_FIVE_CORRELATIONS", "inter-trait correlations of the Big Five residuals",
              "persona/data/big_five_correlations.csv", "data", "KGSS 2009/2011/2012 Ten-Item "
              "Personality Inventory, weighted correlations of Korean adults (derived by "
              "scripts/derive_big_five_correlations.py; attenuated by the short scales)",
              BIG_FIVE),
    Parameter("BIG_FIVE_T", "T-score scale (mean 50, SD 10)", (BIG_FIVE_T_MEAN, BIG_FIVE_T_SD),
              "assumption", "reporting convention", BIG_FIVE),
    Parameter("RISK", "0-10 risk willingness: base for men aged 20, female shift, change per "
              "decade, noise SD", (RISK_BASE, RISK_FEMALE_SHIFT, RISK_PER_DECADE, RISK_NOISE_SD),
              "literature", SRC_RISK + "; magnitudes approximate", ("risk_tolerance",)),
    Parameter("RISK_TRAIT_WEIGHTS", "Big Five weights on risk willingness (points per SD)",
              RISK_TRAIT_WEIGHTS, "literature", SRC_RISK + "; magnitudes are assumptions",
              ("risk_tolerance",)),
    Parameter("VALUE_CONSERVATION", "conservation vs openness to change: per decade, female "
              "shift", (VALUE_CONSERVATION_PER_DECADE, VALUE_CONSERVATION_FEMALE), "literature",
              SRC_VALUES + "; magnitudes approximate", ("value_conservation",)),
    Parameter("VALUE_SELF_TRANSCENDENCE", "self-transcendence vs self-enhancement: female shift, "
              "per decade", (VALUE_SELF_TRANSCENDENCE_FEMALE, VALUE_SELF_TRANSCENDENCE_PER_DECADE),
              "literature", SRC_VALUES + "; magnitudes approximate",
              ("value_self_transcendence",)),
    Parameter("VALUE_MATERIALISM_PER_DECADE", "materialism vs post-materialism per decade "
              "(older cohorts more materialist)", VALUE_MATERIALISM_PER_DECADE, "literature",
              "Inglehart (1997) Modernization and Postmodernization (World Values Survey "
              "cohort differences); magnitude approximate", ("value_materialism",)),
    Parameter("VALUE_FAMILY", "family orientation: married shift, per decade",
              (VALUE_FAMILY_MARRIED, VALUE_FAMILY_PER_DECADE), "assumption", ASSUMED,
              ("value_family",)),
    Parameter("DECISION_HEURISTIC_WEIGHTS", "trait/value weights of each decision heuristic "
              "(softmax choice)", DECISION_HEURISTIC_WEIGHTS, "assumption", ASSUMED,
              ("decision_heuristic",)),
    Parameter("SOFTMAX_TEMPERATURE", "temperature of every trait-based softmax choice",
              SOFTMAX_TEMPERATURE, "assumption", ASSUMED,
              ("communication_style", "decision_heuristic")),
)

# Pairs of attributes drawn independently of each other given the demographics they depend on.
INDEPENDENCE_ASSUMPTIONS: tuple[str, ...] = (
    "The five Big Five traits are independent given age and sex (published inter-trait "
    "correlations are not modelled).",
    "Value dimensions are independent of the Big Five traits given age, sex and marital status.",
    "Dialect, dialect strength and speech registers are independent of personality.",
    "Media use (messenger, SNS, video, portal) is independent of personality, education and "
    "income given age and sex.",
    "Consumption style depends on household income and age only (not on traits or region).",
    "Speech registers with elders, peers and juniors are drawn independently of one another.",
    "Nothing in the persona depends on the persona of other household members.",
)

# --------------------------------------------------------------------------------------------
# Social behaviour the simulations need (persona/social.py): resharing, prosociality, interests
# --------------------------------------------------------------------------------------------
INTEREST_TOPICS: tuple[str, ...] = (
    "news_politics",
    "economy_finance",
    "entertainment",
    "sports",
    "lifestyle_food",
    "technology",
    "culture_travel",
    "family_parenting",
)
RESHARE_BETA = (1.2, 20.0)  # base reshare probability per seen post: Beta(a, b), mean about 0.057
RESHARE_AGE = (1.3, 150.0)  # multiplier (intercept - age / scale): falls with age
RESHARE_PER_EXTRAVERSION_SD = 0.2  # log change of the reshare probability per SD of extraversion
PROSOCIAL_WEIGHTS = {"agreeableness": 0.3, "value_self_transcendence": 0.3}  # per SD / z unit
PROSOCIAL_NOISE_SD = 0.9  # individual variation beyond the traits (latent scale, SD units)
INTEREST_GEOMETRIC_P = 0.35  # topic = (age band + 3 x female + Geometric(p) - 1) mod 8
FEED_MINUTES_FOR_DAILY_USE = 70.0  # SNS minutes/day at which a user opens the feed every day
SRC_SHARING = (
    "Correa, Hinsley & de Zuniga (2010) 'Who interacts on the Web? The intersection of users' "
    "personality and social media use', Computers in Human Behavior 26(2):247-253 (extraversion "
    "predicts social media use); Vosoughi, Roy & Aral (2018) Science 359:1146-1151 (most posts "
    "are never reshared)"
)
SRC_PROSOCIAL = (
    "Thielmann, Spadaro & Balliet (2020) 'Personality and prosocial behavior: a theoretical "
    "framework and meta-analysis', Psychol. Bull. 146(1):30-90 (agreeableness relates to "
    "cooperation in economic games, r about 0.1-0.2); Schwartz (2010) 'Basic values: how they "
    "motivate and inhibit prosocial behavior' (self-transcendence)"
)
PARAMETERS = (
    *PARAMETERS,
    Parameter("RESHARE_BETA", "base probability of resharing a seen post: Beta(a, b)",
              RESHARE_BETA, "assumption", ASSUMED + "; low mean as " + SRC_SHARING,
              ("reshare_propensity",)),
    Parameter("RESHARE_AGE", "reshare multiplier (intercept - age / scale), falling with age",
              RESHARE_AGE, "assumption", ASSUMED, ("reshare_propensity",)),
    Parameter("RESHARE_PER_EXTRAVERSION_SD", "log change of the reshare probability per SD of "
              "extraversion", RESHARE_PER_EXTRAVERSION_SD, "literature",
              SRC_SHARING + "; magnitude assumed", ("reshare_propensity",)),
    Parameter("PROSOCIAL_WEIGHTS", "weights of agreeableness (per SD) and self-transcendence "
              "(per z unit) on the latent prosociality, mapped to 0-1 by the normal CDF",
              PROSOCIAL_WEIGHTS, "literature", SRC_PROSOCIAL + "; magnitudes assumed",
              ("prosociality",)),
    Parameter("PROSOCIAL_NOISE_SD", "individual variation of latent prosociality beyond traits",
              PROSOCIAL_NOISE_SD, "assumption", ASSUMED, ("prosociality",)),
    Parameter("INTEREST_GEOMETRIC_P", "main interest topic (for online homophily): age band and "
              "sex shift a geometric draw over the 8 topics", INTEREST_GEOMETRIC_P, "assumption",
              ASSUMED, ("interest_topic",)),
    Parameter("FEED_MINUTES_FOR_DAILY_USE", "SNS minutes per day at which a user opens the feed "
              "every day (simulations: daily opening probability = minutes / this, 0.05-1)",
              FEED_MINUTES_FOR_DAILY_USE, "assumption", ASSUMED, ("sns_minutes_per_day",)),
)
