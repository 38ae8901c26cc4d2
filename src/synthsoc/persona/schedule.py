"""Daily schedules: the weekday activity and clock times, and the weekend pattern."""

from __future__ import annotations

import numpy as np

from synthsoc.persona import params as P
from synthsoc.persona.inputs import Demographics
from synthsoc.persona.sampling import choose_rows, times
from synthsoc.synth import schema

ACT = {name: i for i, name in enumerate(P.WEEKDAY_ACTIVITIES)}
ECON = {name: i for i, name in enumerate(schema.ECONOMIC_ACTIVITIES)}
OCC = {code: i for i, code in enumerate(schema.OCCUPATION_GROUPS)}
WEEKEND_GROUPS = tuple(P.WEEKEND_BY_GROUP)


def weekday_activity(d: Demographics, rng: np.random.Generator) -> np.ndarray:
    """Main weekday activity from age, economic activity, household role and sex; a serving
    conscript's weekday is his service (he is neither a student nor at home)."""
    employed = d.activity == ECON["employed"]
    inactive = ~employed & (d.activity != ECON["unemployed"])
    p_house = np.where(d.female, P.HOUSEWORK_SHARE_INACTIVE["F"], P.HOUSEWORK_SHARE_INACTIVE["M"])
    housework = d.head_or_spouse & (rng.random(d.n) < p_house)
    lo, hi = P.UNIVERSITY_AGES
    conditions = [
        d.activity == ECON["military_service"],
        d.age < 7,
        (d.age < lo) & ~employed,
        employed,
        ~inactive,
        (d.age <= hi),
        d.age >= 65,
        housework,
    ]
    choices = [
        ACT["military_service"],
        ACT["preschool_care"],
        ACT["school"],
        ACT["work"],
        ACT["job_search"],
        ACT["university"],
        ACT["home_retired"],
        ACT["housework_childcare"],
    ]
    return np.select(conditions, choices, default=ACT["home"])


def _stage_value(ages: np.ndarray, table: dict[int, int]) -> np.ndarray:
    starts = np.array(sorted(table))
    values = np.array([table[s] for s in sorted(table)], dtype=np.float64)
    return values[np.clip(np.searchsorted(starts, ages, side="right") - 1, 0, len(starts) - 1)]


def schedule(d: Demographics, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Weekday activity and wake/leave/return/sleep minutes; weekend activity and times."""
    activity = weekday_activity(d, rng)
    means = np.array([P.SCHEDULE_WEEKDAY[a] for a in P.WEEKDAY_ACTIVITIES], dtype=np.float64)
    mean = means[activity]
    school = activity == ACT["school"]
    mean[:, 2] = np.where(school, _stage_value(d.age, P.SCHOOL_RETURN_BY_AGE), mean[:, 2])
    mean[:, 3] = np.where(school, _stage_value(d.age, P.SCHOOL_SLEEP_BY_AGE), mean[:, 3])
    workers = activity == ACT["work"]
    shift_share = np.array([share for share, _ in P.WORK_SHIFTS.values()])
    shift_times = np.array([t for _, t in P.WORK_SHIFTS.values()], dtype=np.float64)
    boost = np.where(np.isin(d.occupation, [OCC[c] for c in P.SHIFT_OCCUPATIONS]), 2.0, 1.0)
    weights = np.tile(shift_share, (d.n, 1))
    weights[:, 1:] *= boost[:, None]
    shift = choose_rows(weights, rng)
    mean[workers] = shift_times[shift[workers]]
    serving = activity == ACT["military_service"]
    at_home = (mean[:, 1] < 0) & (d.age >= P.SNS_MIN_AGE) & ~serving
    outing = at_home & (rng.random(d.n) < P.HOME_OUTING_SHARE)
    mean[outing, 1:3] = np.array(P.HOME_OUTING_TIMES, dtype=np.float64)
    farm = workers & (d.occupation == OCC["6"])
    mean[farm] = np.array(P.AGRICULTURE_WORK, dtype=np.float64)

    spread = np.where(serving[:, None], float(P.CONSCRIPT_SD_MINUTES),
                      np.array(P.SCHEDULE_SD_MINUTES, dtype=np.float64)[None, :])
    wake, leave, back, sleep = (times(mean[:, k], spread[:, k], rng) for k in range(4))
    sd = P.SCHEDULE_SD_MINUTES[0]
    out_day = leave >= 0
    leave = np.where(out_day, np.maximum(leave, wake + 15), -1).astype(np.int16)
    back = np.where(out_day, np.maximum(back, leave + 60), -1).astype(np.int16)
    sleep = np.maximum(sleep, np.maximum(back, wake) + 120).astype(np.int16)

    lie_in = np.where(out_day, P.WEEKEND_LIE_IN["working_or_school"], P.WEEKEND_LIE_IN["home"])
    lie_in = np.where(serving, P.CONSCRIPT_WEEKEND_LIE_IN, lie_in)
    weekend_sd = np.where(serving, float(P.CONSCRIPT_SD_MINUTES), float(sd))
    wake_weekend = times(wake.astype(np.float64) + lie_in, weekend_sd, rng)
    late = np.where(serving, 0, P.WEEKEND_LATE_NIGHT)  # lights out is the same every night
    sleep_weekend = np.maximum(
        times(sleep.astype(np.float64) + late, weekend_sd, rng), wake_weekend + 600
    ).astype(np.int16)

    employed = activity == ACT["work"]
    group = np.select(
        [serving, d.age < 13, d.age < 19, d.age < 30, (d.age < 65) & employed, d.age < 65],
        [WEEKEND_GROUPS.index(g) for g in ("conscript", "child", "teen", "young_adult",
                                           "adult_employed", "adult_other")],
        default=WEEKEND_GROUPS.index("older"),
    )
    weights = np.array([P.WEEKEND_BY_GROUP[g] for g in WEEKEND_GROUPS])[group]
    shift_jobs = np.isin(d.occupation, [OCC[c] for c in P.WEEKEND_SHIFT_OCCUPATIONS]) & employed
    weights[:, P.WEEKEND_ACTIVITIES.index("work_shift")] += np.where(
        shift_jobs, P.WEEKEND_SHIFT_EXTRA, 0.0
    )
    return {
        "weekday_activity": activity,
        "wake_weekday": wake,
        "leave_weekday": leave,
        "return_weekday": back,
        "sleep_weekday": sleep,
        "weekend_activity": choose_rows(weights, rng),
        "wake_weekend": wake_weekend,
        "sleep_weekend": sleep_weekend,
    }
