"""Households section: repeat risk after a dispute."""

from __future__ import annotations

from sim.scenario.parameters import Section, param


class Households(Section):
    """Repeat disputes of the same household (off by default: disputes are independent)."""

    repeat: bool = param(False, "bool", "a dispute raises its household's risk of another "
                         "(off: disputes are independent)", "run: user's choice")
    repeat_expected: float = param(
        0.25, "disputes", "expected repeat disputes of a household triggered by each dispute "
        "(the integral of the decaying excess hazard)", "assumption: repeat victimisation "
        "(Farrell & Pease 1993) puts repeats at a quarter to a third of incidents", ge=0,
        lt=0.95, plausible=(0.1, 0.4))
    repeat_decay_days: float = param(
        30.0, "days", "mean delay of a repeat (the excess hazard decays exponentially with this "
        "mean)", "assumption: the raised risk is highest in the first weeks and fades within "
        "one to two months (Farrell & Pease 1993; Johnson 2008 near-repeat decay)", gt=0,
        le=3650, plausible=(7, 90))
    failed_mediation_repeats: float = param(
        0.3, "disputes", "extra expected repeat disputes after each failed mediation",
        "assumption: a failed settlement leaves the grievance open", ge=0, le=5,
        plausible=(0.0, 0.6))
    frailty_cv: float = param(
        0.0, "-", "coefficient of variation of a household's dispute proneness (gamma "
        "distributed, mean 1; 0: every household alike): the first party of a dispute is drawn "
        "in proportion to it", "assumption: incidents concentrate on few households "
        "(Farrell & Pease 1993); no published value for rural disputes", ge=0, le=5,
        plausible=(0.0, 1.5))
    keep_total_rate: bool = param(True, "bool", "the calibrated dispute rate counts repeats: "
                                  "first disputes arise at rate x (1 - repeat_expected)",
                                  "assumption: the reported rate includes repeats")
