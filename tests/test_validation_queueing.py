"""M/M/c validation: with scenarios/validation/mmc.toml the engine is an Erlang C queue.

Two kinds of check, at several (lambda, mu, c) up to utilisation 0.85:

* exact: every call's wait equals that of a first-come-first-served c-server queue fed with
  the engine's own arrival and on-scene times (the Kiefer-Wolfowitz recursion), and every trip
  takes zero minutes. Any error in queueing, dispatch or the zero-length trips shows here at
  any run length, not by chance;
* statistical: the metrics ``p_wait`` and ``queue_wait_mean_min`` within 3% of Erlang C,
  computed below from the formula (REFERENCES: P0, P(wait), Wq).

Run lengths come from the known variance of the estimators, so that 3% is at least 4 standard
errors. For M/M/1 the asymptotic variance of the mean wait is (REFERENCES)
``rho (2 + 5 rho - 4 rho^2 + rho^3) / (mu^2 (1 - rho)^4) / n``: relative to Wq^2 that is
29.0 / n at rho = 0.5, so n = 560,000 calls give a standard error of 0.72% (3% = 4.2 SE). For
the other estimators, ``n x (relative variance)`` was measured once from 150 replications of
100,000 customers of an independent FCFS simulation (numbers below); the tests also estimate
their own standard error by batch means and fail if 3% is less than 3 of them.

The mean wait of M/M/c at rho = 0.85 needs 3.7-5.3 million calls for the same precision
(n x relative variance 205-295): several minutes, too long for the suite. It is checked by the
long run of ``scripts/validation_report.py`` (docs/validation.md); here the exact recursion
covers those points.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments.validation import QueuePoint, simulate_mmc
from sim.scenario import parameter_table

MMC = Path(__file__).resolve().parents[1] / "scenarios" / "validation" / "mmc.toml"
TOL = 0.03


def erlang_c(lam: float, mu: float, c: int) -> tuple[float, float, float]:
    """P0, P(wait > 0), Wq of M/M/c (REFERENCES), written out here independently."""
    a = lam / mu
    rho = a / c
    assert rho < 1
    last = a ** c / (math.factorial(c) * (1 - rho))
    p0 = 1.0 / (sum(a ** k / math.factorial(k) for k in range(c)) + last)
    p_wait = last * p0
    return p0, p_wait, p_wait / (c * mu - lam)


def test_erlang_c_formula_matches_the_reference_check_value():
    p0, pw, wq = erlang_c(1.5, 1.0, 3)  # REFERENCES: c=3, lambda=1.5/h, mu=1/h
    assert (round(p0, 4), round(pw, 4), round(wq, 4)) == (0.2105, 0.2368, 0.1579)


def test_header_names_existing_set_keys():
    line = next(x for x in MMC.read_text().splitlines() if x.startswith("# mmc-knobs:"))
    knobs = dict(kv.split("=") for kv in line.split(":", 1)[1].split())
    assert set(knobs) == {"arrivals_per_hour", "service_mean_min", "servers", "days"}
    keys = {p["key"] for p in parameter_table()}
    assert set(knobs.values()) <= keys


# (lambda per hour, mean on-scene minutes, c, calls): n x relative variance of p_wait measured
# as 2.26, 5.39 and 8.35, so these lengths give standard errors of 0.67%, 0.70% and 0.70%.
POINTS = [(0.85, 60.0, 1, 50_000), (1.4, 60.0, 2, 110_000), (2.55, 60.0, 3, 170_000)]


@pytest.mark.parametrize(("lam", "service", "c", "n"), POINTS,
                         ids=["c1-rho0.85", "c2-rho0.70", "c3-rho0.85"])
def test_fcfs_exact_and_p_wait_erlang_c(lam, service, c, n):
    res = simulate_mmc(QueuePoint(lam, service, c, n))
    assert res.travel_max == 0.0  # the zero-length trips really are zero
    assert res.pathwise_max_dev < 1e-6, "engine waits differ from the FCFS c-server queue"
    _, pw, wq = erlang_c(lam / 60.0, 1.0 / service, c)
    assert res.calls >= 0.97 * n
    assert 3 * res.p_wait_se <= TOL * pw, "run too short for a 3% check"
    assert abs(res.p_wait - pw) <= TOL * pw, (res.p_wait, pw)
    # the mean wait is the mean of exact FCFS waits; its Erlang C value is checked by the
    # long report run. Here only a sanity bound of 5 standard errors.
    assert abs(res.wait_mean - wq) <= 5 * res.wait_se + 1e-9, (res.wait_mean, wq, res.wait_se)


def test_mean_wait_and_p_wait_through_the_cli():
    """M/M/1 at rho = 0.5 as a user would run it: ``policesim run mmc.toml --set ... --json``."""
    line = next(x for x in MMC.read_text().splitlines() if x.startswith("# mmc-knobs:"))
    knob = dict(kv.split("=") for kv in line.split(":", 1)[1].split())
    lam, service, c, reps, n = 1.0, 30.0, 1, 8, 560_000
    rho = lam * service / 60.0
    rel_var = rho * (2 + 5 * rho - 4 * rho ** 2 + rho ** 3) / (1 - rho) ** 4 / (
        rho / (1 - rho)) ** 2  # REFERENCES' M/M/1 variance over Wq^2 (mu cancels): 29.0
    assert 4 * math.sqrt(rel_var / n) <= TOL  # the run length is enough for 3% at 4 SE
    warm = 3  # days: ten relaxation times 1/(mu (1 - sqrt(rho))^2) = 350 min each
    days = n / reps / (lam * 24)  # measured days, after the warm-up
    args = ["run", str(MMC), "--reps", str(reps), "--json",
            "--set", f"{knob['arrivals_per_hour']}={lam}",
            "--set", f"{knob['service_mean_min']}={service}",
            "--set", f"{knob['servers']}={c}", "--set", f"{knob['days']}={days:.0f}",
            "--set", f"warmup_days={warm}"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    _, pw, wq = erlang_c(lam / 60.0, 1.0 / service, c)  # Wq = 30 min, P(wait) = 0.5
    assert sum(r["calls"] for r in out["replications"]) >= 0.98 * n
    assert abs(out["queue_wait_mean_min"] - wq) <= TOL * wq, (out["queue_wait_mean_min"], wq)
    assert abs(out["p_wait"] - pw) <= TOL * pw, (out["p_wait"], pw)
