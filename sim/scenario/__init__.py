"""The scenario schema: the one owner of every parameter's name, unit, default and provenance.

A scenario is a TOML file checked by the pydantic models of this package, one module per
section (``township``, ``roads``, ``residents``, ``disputes``, ``mediation``, ``calls``, ``staff``,
``reform``, ``costs``, ``rhythm``, ``reporting``,
``households``, ``acute``), joined in :mod:`sim.scenario.schema`. Every parameter is declared with
:func:`~sim.scenario.parameters.param`, which records its unit, a one-line description, its
provenance (``seed: ...`` when the value reproduces a figure of the source report (SEED_FACTS,
Xiangyang 2021-2023), ``calibrated: ...`` when it was set to meet a reported figure,
``assumption: ...`` with a literature range where one exists, ``run: ...`` for the user's
choice) and a plausible range. Other layers read parameter metadata from here (docs, the CLI's
``--set``, sweeps, robustness designs), never from a list of their own.
"""

from sim.scenario.acute import Acute
from sim.scenario.calls import Calls
from sim.scenario.community import CommunityWork
from sim.scenario.costs import Costs
from sim.scenario.dispatch import Dispatch
from sim.scenario.disputes import Disputes
from sim.scenario.duty import Duty
from sim.scenario.households import Households
from sim.scenario.limits import (
    MAX_CASEWORK_BLOCKS,
    MAX_GRID_CELLS,
    MAX_SCENARIO_BYTES,
    MIN_DURATION_MIN,
)
from sim.scenario.loading import (
    CSV_ONLY,
    GENERATED_ONLY,
    apply_overrides,
    format_validation_error,
    load_scenario,
    parse_set_value,
    read_toml,
    scenario_from_mapping,
)
from sim.scenario.mediation import Mediation
from sim.scenario.parameters import (
    COMPONENTS,
    DISPUTE_KINDS,
    POLICIES,
    PROVENANCE_KINDS,
    ScenarioError,
    Section,
    param,
    provenance_kind,
)
from sim.scenario.reform import Reform, Screening
from sim.scenario.reporting import Reporting
from sim.scenario.residents import Residents
from sim.scenario.rhythm import Rhythm
from sim.scenario.roads import Roads
from sim.scenario.schema import Scenario, iter_parameters, parameter_table, staffing_warnings
from sim.scenario.staff import Shifts, Staff
from sim.scenario.township import Township, Travel, generated_grid_cells

__all__ = [
    "COMPONENTS",
    "CSV_ONLY",
    "DISPUTE_KINDS",
    "GENERATED_ONLY",
    "MAX_CASEWORK_BLOCKS",
    "MAX_GRID_CELLS",
    "MAX_SCENARIO_BYTES",
    "MIN_DURATION_MIN",
    "POLICIES",
    "PROVENANCE_KINDS",
    "Acute",
    "Calls",
    "CommunityWork",
    "Costs",
    "Dispatch",
    "Disputes",
    "Duty",
    "Households",
    "Mediation",
    "Reform",
    "Reporting",
    "Residents",
    "Rhythm",
    "Roads",
    "Scenario",
    "ScenarioError",
    "Screening",
    "Section",
    "Shifts",
    "Staff",
    "Township",
    "Travel",
    "apply_overrides",
    "format_validation_error",
    "generated_grid_cells",
    "iter_parameters",
    "load_scenario",
    "param",
    "parameter_table",
    "parse_set_value",
    "provenance_kind",
    "read_toml",
    "scenario_from_mapping",
    "staffing_warnings",
]
