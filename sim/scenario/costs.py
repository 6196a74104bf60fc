"""The costs section: annual cost of each role, office and vehicle (all assumptions).

The sources give no cost figures, so every number here is an assumption, stated in yuan (CNY)
per year at 2021-2023 prices, with a wide plausible range for sensitivity work. Costs common
to both policing models (the station building, the county's overheads) are left out: the
totals compare set-ups, they are not budgets.
"""

from __future__ import annotations

from sim.scenario.parameters import Section, param


class Costs(Section):
    """Annual costs: staff (salary, allowances, social insurance), offices and vehicles."""

    station_officer_cny_year: float = param(
        150000.0, "CNY/year", "a station officer (also a district chief): salary, allowances "
        "and employer's social insurance", "assumption: no figure in the sources; the order "
        "of a county civil servant's total pay in central China", ge=0, le=1e8,
        plausible=(100000.0, 220000.0))
    community_officer_cny_year: float = param(
        150000.0, "CNY/year", "a community officer: salary, allowances, social insurance",
        "assumption: paid like a station officer", ge=0, le=1e8,
        plausible=(100000.0, 220000.0))
    auxiliary_cny_year: float = param(
        50000.0, "CNY/year", "an auxiliary officer: wage, allowances, social insurance",
        "assumption: no figure in the sources; auxiliaries are contract staff paid well "
        "below officers", ge=0, le=1e8, plausible=(36000.0, 70000.0))
    center_office_cny_year: float = param(
        40000.0, "CNY/year", "a center office: rent or the annualised cost of a room in a "
        "village, utilities and equipment", "assumption: a village building, not new-built",
        ge=0, le=1e8, plausible=(10000.0, 80000.0))
    vehicle_cny_year: float = param(
        40000.0, "CNY/year", "a patrol vehicle: annualised purchase, fuel, insurance, upkeep",
        "assumption: a small car over 8 years plus running costs", ge=0, le=1e8,
        plausible=(25000.0, 60000.0))
    station_vehicles: int = param(4, "vehicles", "vehicles kept at the station",
                                  "assumption: one per duty crew plus one", ge=0, le=100000,
                                  plausible=(2, 6))
    vehicles_per_center_office: int = param(1, "vehicles", "vehicles kept at each center office",
                                            "assumption", ge=0, le=100, plausible=(1, 2))
