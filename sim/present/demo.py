"""The classroom demo: both policing models side by side in the browser.

``policesim demo`` calls :func:`run_demo`, which serves this module's :func:`Page` with Solara.
The page is built on Mesa's visualization toolkit (``mesa.visualization.solara_viz``): its
``ModelController`` gives play, pause, step and reset exactly as in ``SolaraViz``, and the
parameters take ``ModelCreator``'s format. The page lays things out itself rather than through
``SolaraViz``'s draggable grid, whose half-width tiles are too small for two maps on a classroom
projector, and labels each slider with its value so the back row can read it. The model is
:class:`~sim.present.demo_model.DemoPair`: the old model and the reform built from one base
scenario and one seed, advanced together by a fixed simulated interval.
"""

from __future__ import annotations

import math
import os
import socket
import warnings
from pathlib import Path
from typing import Any

import solara
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from sim.present.assets import offline_note
from sim.present.demo_draw import OLD_COLOUR, REFORM_COLOUR, draw_charts, draw_maps, png
from sim.present.demo_model import DemoPair, knob_defaults
from sim.scenario import Scenario, load_scenario


class DemoError(RuntimeError):
    """The demo server cannot start (e.g. the port is taken); the message says why."""


#: Environment variable through which :func:`run_demo` hands the scenario file to the page.
SCENARIO_ENV = "POLICESIM_DEMO_SCENARIO"
#: Simulated days run before the page opens. Assumption: after a week disputes are flaring and
#: calls coming in on both sides (a run starts from no open dispute, so its first week is quiet).
WARMUP_DAYS = 7.0
COMPONENT_LABELS = {
    "dedicated_community_officers": "Reform: dedicated community officers",
    "village_auxiliaries": "Reform: an auxiliary living in each village",
    "center_offices": "Reform: 24-hour center offices",
    "screening": "Reform: screening visits",
    "joint_mediation": "Reform: joint mediation",
    "smart_alerts": "Reform: smart alerts (elderly living alone)",
}


def base_scenario() -> Scenario:
    """Load the scenario named by ``$POLICESIM_DEMO_SCENARIO`` (default: the schema's)."""
    path = os.environ.get(SCENARIO_ENV)
    return load_scenario(path) if path else Scenario()


def model_params(base: Scenario) -> dict[str, Any]:
    """Describe Mesa ``ModelCreator`` sliders and checkboxes, starting at ``base``'s values.

    Slider ranges are teaching ranges (about 0 to 3 times the defaults), not validated limits.
    """
    k = knob_defaults(base)
    params: dict[str, Any] = {
        "base": base, "step_minutes": 60,  # fixed here; step_minutes has its own live slider
        "warmup_days": WARMUP_DAYS,
        "seed": {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1,
                 "label": "Seed (run number, shared by both sides)"},
        "dispute_rate": {"type": "SliderFloat", "value": k["dispute_rate"], "min": 0,
                         "max": max(120.0, k["dispute_rate"]), "step": 5,
                         "label": "New disputes per 1,000 residents per year"},
        "auxiliaries": {"type": "SliderInt", "value": k["auxiliaries"], "min": 0,
                        "max": max(72, k["auxiliaries"]), "step": 1,
                        "label": "Auxiliary officers"},
        # step 0.01: a coarser step would snap the scenario's 1/3 to a share it does not have
        "community_share": {"type": "SliderFloat", "value": k["community_share"], "min": 0.0,
                            "max": 0.8, "step": 0.01,
                            "label": "Community officers' share of officers"},
        "screening_days": {"type": "SliderFloat", "value": k["screening_days"], "min": 1,
                           "max": max(30.0, k["screening_days"]), "step": 1,
                           "label": "Days between screening visits"},
    }
    for name, label in COMPONENT_LABELS.items():
        params[name] = {"type": "Checkbox", "value": bool(k[name]), "label": label}
    return params


@solara.component
def Clock(pair: DemoPair):
    """Show the simulated time, in words a student can read aloud."""
    update_counter.get()
    with solara.Row(style={"align-items": "baseline"}):
        solara.Text(f"Simulated time: {pair.clock()}",
                    style={"font-size": "1.4em", "font-weight": "bold"},
                    classes=["policesim-clock"])
        solara.Text(f"step {pair.steps} · {pair.step_minutes:g} simulated minutes per step · "
                    f"seed {pair.seed}" + ("" if pair.running else " · end of the horizon"),
                    style={"color": "#555"})
    # always there (empty once stepping), so the page's structure never changes under play
    hint = (f"Press ▶ (Play, top left) to start; the first {pair.warmup_days:g} simulated days "
            "have already run, so disputes are under way." if pair.steps == 0 else "")
    solara.Text(hint, classes=["policesim-hint"],
                style={"font-size": "1.15em", "color": "#8a5a00", "display": "block",
                       "min-height": "1.4em" if hint else "0"})


@solara.component
def Picture(pair: DemoPair, kind: str):
    """Show the maps or the charts as an image, redrawn after every rendered step."""
    counter = update_counter.get()
    draw = draw_maps if kind == "map" else draw_charts
    data = solara.use_memo(lambda: png(draw(pair)), [counter, pair])
    solara.Image(data, width="100%", classes=[f"policesim-{kind}"])


def _fmt(v: float, pattern: str) -> str:
    return "–" if math.isnan(v) else pattern.format(v)


@solara.component
def Summary(pair: DemoPair):
    """Show headline counts of both sides so far."""
    update_counter.get()
    a, b = (t.summary() for t in pair.tallies)
    rows = [("Disputes so far", "disputes", "{:.0f}"),
            ("Still open", "open", "{:.0f}"),
            ("Turned into a fight", "escalated", "{:.0f}"),
            ("Injury crimes", "injuries", "{:.0f}"),
            ("Police calls", "calls", "{:.0f}"),
            ("Settled by mediation", "resolved", "{:.0f}"),
            ("Met before anyone called", "proactive_share", "{:.0%}"),
            ("Median response time (min)", "response_median_min", "{:.0f}")]
    cell = 'style="text-align:right"'
    body = "".join(f"<tr><td>{label}</td><td {cell}>{_fmt(a[k], p)}</td>"
                   f"<td {cell}>{_fmt(b[k], p)}</td></tr>" for label, k, p in rows)
    head = (f'<tr><th></th><th style="text-align:right;color:{OLD_COLOUR}">Old model</th>'
            f'<th style="text-align:right;color:{REFORM_COLOUR}">Reform</th></tr>')
    solara.HTML(tag="table", unsafe_innerHTML=head + body, classes=["policesim-summary"],
                style="font-size: 0.95em; border-collapse: collapse")


def _label(text: str) -> None:
    """A slider's label, on its own line above it."""
    solara.Text(text, style={"display": "block", "margin-top": "10px", "font-size": "0.95em"})


@solara.component
def Knobs(params: dict[str, Any], model_parameters: solara.Reactive[dict]):
    """Sliders and checkboxes for the parameters, each with its value in words.

    Works like Mesa's ``ModelCreator`` (it fills the same ``model_parameters`` that Mesa's
    ``ModelController`` passes to the model on Reset) but puts each label above its slider
    and shows the value, so a class can read it from the back of the room.
    """
    fixed = {k: v for k, v in params.items() if not isinstance(v, dict)}
    inputs = {k: v for k, v in params.items() if isinstance(v, dict)}

    def init() -> None:
        model_parameters.set({**fixed, **{k: v["value"] for k, v in inputs.items()},
                              **model_parameters.value})

    solara.use_effect(init, [])
    current = {**{k: v["value"] for k, v in inputs.items()}, **model_parameters.value}
    for name, spec in inputs.items():

        def on_value(value, name=name) -> None:
            model_parameters.value = {**model_parameters.value, name: value}

        value = current[name]
        if spec["type"] == "Checkbox":
            solara.Checkbox(label=spec["label"], value=bool(value), on_value=on_value)
            continue
        shown = f"{value:.0%}" if name == "community_share" else f"{value:g}"
        _label(f"{spec['label']}: {shown}")
        slider = solara.SliderInt if spec["type"] == "SliderInt" else solara.SliderFloat
        slider("", value=value, on_value=on_value, min=spec["min"], max=spec["max"],
               step=spec["step"])


@solara.component
def Page():
    """Lay out the page: controls and parameters on the left, maps and charts on the right."""
    base = solara.use_memo(base_scenario, [])
    params = solara.use_memo(lambda: model_params(base), [])
    first = solara.use_memo(lambda: DemoPair(base=base, warmup_days=WARMUP_DAYS), [])
    model = solara.use_reactive(first)
    model_parameters = solara.use_reactive({})
    play_interval = solara.use_reactive(100)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    step_minutes = solara.use_reactive(60)

    def set_step_minutes(value: int) -> None:
        step_minutes.set(value)
        model.value.step_minutes = float(value)  # live: the next step uses it
        model_parameters.value = {**model_parameters.value, "step_minutes": value}

    solara.Style(_CSS)
    with solara.AppBar():
        solara.AppBarTitle("policesim: the same quarrels, two ways of policing")
    with solara.Sidebar():
        with solara.Card("Run"):
            ModelController(model, model_parameters=model_parameters,
                            play_interval=play_interval, render_interval=render_interval,
                            use_threads=use_threads)
            _label(f"Simulated minutes per step: {step_minutes.value}")
            solara.SliderInt("", value=step_minutes, on_value=set_step_minutes, min=10,
                             max=720, step=10)
            _label(f"Pause between steps: {play_interval.value} ms")
            solara.SliderInt("", value=play_interval, min=1, max=1000, step=10)
            _label(f"Steps per picture: {render_interval.value}")
            solara.SliderInt("", value=render_interval, min=1, max=24)
        with solara.Card("Parameters (press Reset to apply)"):
            Knobs(params, model_parameters)
    with solara.Column(style={"padding": "0 8px"}):
        Clock(model.value)
        Picture(model.value, "map")
        with solara.Row(style={"align-items": "flex-start"}):
            with solara.Column(style={"flex": "5 1 0", "min-width": "0"}):
                Picture(model.value, "chart")
            with solara.Column(style={"flex": "2 1 0"}):
                Summary(model.value)
        solara.Text("Built with Mesa and Solara. Model: policesim (see README); every number "
                    "not from the seed report is an assumption.", style={"color": "#777"})


#: Maps, charts and table on one projector screen without scrolling: 1600 x 1000 px or more,
#: and a 1280 x 720 projector (pictures a little smaller, the table's text larger).
_CSS = """
.policesim-map { max-height: 52vh; object-fit: contain; }
.policesim-chart { max-height: 29vh; object-fit: contain; object-position: left top; }
@media (max-width: 1400px) {  /* a narrower sidebar leaves the maps room on a projector */
  nav.v-navigation-drawer.solara-content-main { min-width: 320px !important;
    width: 320px !important; }
  main.v-content.solara-content-main { padding-left: 320px !important; }
}
@media (max-height: 800px) {
  .policesim-map { max-height: 45vh; }
  .policesim-chart { max-height: 26vh; }
  .policesim-clock { font-size: 1.15em !important; }
  .policesim-summary { font-size: 0.8em !important; line-height: 1.25; }
  .policesim-summary td, .policesim-summary th { padding: 0 6px !important;
    white-space: nowrap; }
}
.policesim-summary td { padding: 2px 8px; border-bottom: 1px solid #eee; }
.policesim-summary td + td { white-space: nowrap; }
.policesim-summary th { padding: 2px 8px; white-space: nowrap; }
"""


def _check_address(host: str, port: int) -> None:
    """Fail early, with a plain message, if the server could not listen on ``host:port``."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise DemoError(f"--host {host}: unknown address ({e.strerror})") from None
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as s:
        try:
            s.bind(addr)
        except OSError as e:
            raise DemoError(f"cannot listen on {host}:{port} ({e.strerror}); is another demo "
                            f"running? Try --port {port + 1}") from None


def run_demo(scenario: Path | None = None, port: int = 8765, host: str = "127.0.0.1") -> None:
    """Serve the demo page until interrupted (Ctrl+C).

    Args:
        scenario: Base scenario file (township, rates, staff, seed); the schema's defaults when
            omitted. Its policy and ``[reform]`` table only set the reform side's checkboxes.
        port: TCP port.
        host: Address to listen on; loopback unless a classroom network needs otherwise.

    Raises:
        ScenarioError: if the scenario file is invalid (checked before the server starts).
        DemoError: if the address cannot be used.

    """
    if scenario is not None:
        load_scenario(scenario)  # fail now, in the terminal, not in the browser
        os.environ[SCENARIO_ENV] = str(Path(scenario).resolve())
    else:
        os.environ.pop(SCENARIO_ENV, None)
    _check_address(host, port)
    # No telemetry and no version check: classrooms are often offline (and it is polite).
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    from solara.__main__ import run  # noqa: PLC0415 (heavy; only when serving)
    from solara.server import settings  # noqa: PLC0415

    settings.telemetry.mixpanel_enable = False
    settings.theme.show_banner = False  # Solara's corner banner would cover the charts' axis
    # Solara warns on every page load over plain http to 127.0.0.1 that it falls back to
    # samesite=lax cookies, which is what a single-machine classroom needs anyway.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    print(offline_note(), flush=True)
    print(f"policesim demo: open http://{host}:{port} in a browser (Ctrl+C stops)", flush=True)
    run.main(["sim.present.demo", "--host", host, "--port", str(port), "--no-open",
              "--no-check-version", "--production", "--log-level-uvicorn", "warning"],
             standalone_mode=False)
