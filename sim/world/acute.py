"""Acute-phase rules: violence hazard by age, quarrels' own clocks, fights that last.

* **Age hazard.** The unprompted-violence clock of a latent dispute is Weibull in the
  dispute's *age* (time since it arose), not in the episode's: with shape ``k`` and scale
  ``s_T = escalate_scale x tension_factor ** (T - 1)`` at tension ``T``, an episode starting at
  age ``a`` turns violent after ``t`` with ``(a + t) ** k - a ** k = s_T ** k x E``, where
  ``E ~ Exp(1)`` is recovered from the episode's drawn clock (``E = (clock / scale) ** k``). The
  first episode (``a = 0``) gets exactly the clock it had before; later ones, a rising hazard.
* **Quarrel clocks.** An acute quarrel nobody has reached calms down after an exponential time
  of mean ``acute.calm_mean_min`` (the dispute's addressed draw ``CALM``), unless it
  turns violent first (the violent-flare clock, as before); a calmed quarrel returns to latent
  without a rise in tension, and a call already made still brings a responder.
* **Fight duration.** A fight lasts an exponential time of mean ``acute.fight_mean_min``; an
  injury happens at an exponential time of rate ``p / ((1 - p) x mean)`` into it, so that a
  fight nobody stops injures with the probability ``disputes.injury_prob = p`` of before. A
  responder who arrives during the fight ends it: the injury, if not yet happened, never does.
"""

from __future__ import annotations

import math


def escalate_after(clock: float, age: float, tension: int, scale: float, shape: float,
                   tension_factor: float) -> float:
    """Minutes until an unprompted fight, with the hazard rising in the dispute's age.

    Args:
        clock: The episode's drawn clock at tension 1 (Weibull(shape) x scale minutes).
        age: Minutes since the dispute arose.
        tension: Current tension level.
        scale: Weibull scale in minutes at tension 1.
        shape: Weibull shape.
        tension_factor: Each tension level multiplies the scale by this.

    """
    e = (clock / scale) ** shape
    s_t = scale * tension_factor ** (tension - 1)
    return s_t * (e + (age / s_t) ** shape) ** (1.0 / shape) - age


def injury_rate(injury_prob: float, fight_mean_min: float) -> float:
    """Injury hazard per minute of fight that gives ``injury_prob`` over a whole fight."""
    if injury_prob >= 1.0:
        return math.inf
    return injury_prob / ((1.0 - injury_prob) * fight_mean_min)
