"""End to end: serve the demo, drive Debian's chromium with playwright, with no internet.

Every request to anything but the demo's loopback address is aborted and counted, so the test
fails if the page needs a CDN, even on a machine that has internet. Never downloads a browser:
it uses ``/usr/bin/chromium`` and is skipped when that is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sim.present.demo import WARMUP_DAYS

WARM = int(WARMUP_DAYS * 1440)  # the page opens after the warm-up: day 8, 00:00
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="/usr/bin/chromium is missing (apt-get install chromium); "
                                       "this test never downloads a browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_served(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the demo server exited ({proc.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the demo server did not answer within {timeout} s:\n{log.read_text()}")


@pytest.fixture
def server(tmp_path):
    """A demo server on a free loopback port, stopped after the test."""
    port = _free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "sim", "demo", "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path, env=env)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_served(url, proc, log)
        yield url, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def _clock(page) -> str:
    return page.locator(".policesim-clock").inner_text()


def _minutes(clock: str) -> int:
    day, hh, mm = map(int, re.search(r"day (\d+), (\d\d):(\d\d)", clock).groups())
    return (day - 1) * 1440 + hh * 60 + mm


def _settled_minutes(page, quiet_ms: int = 2500, tries: int = 12) -> int:
    """The clock's minutes once it has stopped changing for ``quiet_ms``."""
    last = _minutes(_clock(page))
    for _ in range(tries):
        page.wait_for_timeout(quiet_ms)
        now = _minutes(_clock(page))
        if now == last:
            return now
        last = now
    pytest.fail("the clock kept moving after Pause")


def test_demo_page_steps_and_plays_offline(server, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, log = server
    host = urlsplit(url).netloc
    errors: list[str] = []
    outside: list[str] = []
    failed: list[str] = []

    def route(r):
        if urlsplit(r.request.url).netloc == host:
            r.continue_()
        else:  # the classroom has no internet: nothing may leave the machine
            outside.append(r.request.url)
            r.abort()

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(60_000)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
            page.route("**/*", route)
            page.goto(url)
            page.wait_for_selector(".policesim-map", state="visible")
            page.wait_for_selector(".policesim-chart", state="visible")
            assert _minutes(_clock(page)) == WARM
            assert "Press ▶" in page.locator(".policesim-hint").inner_text()
            map_before = page.locator(".policesim-map").screenshot()
            chart_before = page.locator(".policesim-chart").screenshot()

            page.get_by_role("button", name="Step").click()
            page.wait_for_function(
                "() => document.querySelector('.policesim-clock').innerText.includes('01:00')")
            assert _minutes(_clock(page)) == WARM + 60
            assert page.locator(".policesim-hint").inner_text().strip() == ""  # gone on stepping

            page.get_by_role("button", name="▶").click()
            day = int(WARMUP_DAYS) + 1
            page.wait_for_function(
                f"() => (e => e && !/day {day}, 0[0-3]:/.test(e.innerText))("
                "document.querySelector('.policesim-clock'))")  # three more steps while playing
            page.get_by_role("button", name="❚❚").click()
            played = _settled_minutes(page)  # the step under way when paused may still land
            assert played >= WARM + 4 * 60
            page.wait_for_timeout(2000)
            assert _minutes(_clock(page)) == played  # paused: time stands still

            assert page.locator(".policesim-map").screenshot() != map_before
            assert page.locator(".policesim-chart").screenshot() != chart_before
            shot = tmp_path / "demo.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            if os.environ.get("POLICESIM_SCREENSHOT_DIR"):
                shutil.copy(shot, Path(os.environ["POLICESIM_SCREENSHOT_DIR"]) / "demo.png")

            page.get_by_role("button", name="Reset").click()  # a fresh pair, back to the start
            page.wait_for_function("() => document.querySelector('.policesim-clock')"
                                   f".innerText.includes('day {day}, 00:00')")

            page.set_viewport_size({"width": 1280, "height": 720})  # a classroom projector
            page.wait_for_timeout(1500)
            for sel in (".policesim-map", ".policesim-chart", ".policesim-summary"):
                box = page.locator(sel).bounding_box()
                assert box and box["y"] >= 0 and box["y"] + box["height"] <= 720 + 1, (sel, box)
                assert box["x"] + box["width"] <= 1280 + 1, (sel, box)
            label = page.get_by_text("Community officers' share of officers:").inner_text()
            assert label.endswith("33%"), label
        finally:
            browser.close()
    assert outside == [], f"the page asked for the internet: {outside}"
    assert errors == [], f"page errors: {errors}\nserver log:\n{log.read_text()}"
    assert failed == [], f"failed requests: {failed}"
