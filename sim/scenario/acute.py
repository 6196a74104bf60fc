"""Acute-phase section: how flares and fights run when nobody (or somebody) arrives."""

from __future__ import annotations

from sim.scenario.parameters import Section, param


class Acute(Section):
    """Acute-phase rules consistent with the ODD (all off by default)."""

    age_hazard: bool = param(False, "bool", "the unprompted-violence hazard rises with the "
                             "dispute's age across episodes (off: it restarts each episode)",
                             "run: user's choice")
    quarrel_clocks: bool = param(False, "bool", "an unattended quarrel calms down by its own "
                                 "clock (off: it waits for the police)", "run: user's choice")
    calm_mean_min: float = param(180.0, "min", "mean time for an unattended quarrel to calm "
                                 "down and the dispute to return to latent", "assumption",
                                 gt=0, le=100000, plausible=(60, 600))
    fight_duration: bool = param(False, "bool", "fights last a while; a responder arriving "
                                 "during one ends it (off: instantaneous)", "run: user's choice")
    fight_mean_min: float = param(15.0, "min", "mean duration of an unattended fight",
                                  "assumption: DeAngelo et al. 2023 (slower response, more "
                                  "injury) imply fights last into the response window", gt=0,
                                  le=1440, plausible=(5, 45))
