"""The dashboard in Debian's Chromium (playwright-core) against the local front and sample state.

The browser run (dashboard/e2e/run.mjs) reports what it saw as JSON; this test compares it with
the API's own answers. The dashboard is built from the lock file when `dist/` is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from nexus_api.local_auth import DEMO_PASSWORD
from nexus_api.local_stack import LocalStack

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "dashboard"
CHROMIUM = Path(os.environ.get("NEXUS_CHROMIUM", "/usr/bin/chromium"))
USER = "admin@nexus.local"

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("api-stack")]


def ensure_built() -> None:
    """npm ci from the lock and vite build, only when missing (make dashboard-test does both)."""
    if not (DASHBOARD / "node_modules" / ".package-lock.json").is_file():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=DASHBOARD, check=True)
    if not (DASHBOARD / "dist" / "index.html").is_file():
        subprocess.run(["npm", "run", "build"], cwd=DASHBOARD, check=True)


@cache
def stack() -> LocalStack:
    from tests.integration.test_api_http import stack as shared

    return shared()


def browser(mode: str, out: Path, url: str | None = None, **env: str) -> dict[str, Any]:
    """What dashboard/e2e/run.mjs saw at `url` (default: the front over the sample state)."""
    if not CHROMIUM.is_file():
        pytest.fail(f"Chromium missing at {CHROMIUM}: apt-get install -y chromium")
    ensure_built()
    run_env = os.environ | {
        "NEXUS_E2E_URL": url or stack().server.url,
        "NEXUS_E2E_USER": USER,
        "NEXUS_E2E_PASSWORD": DEMO_PASSWORD,
        "NEXUS_E2E_OUT": str(out),
        "NEXUS_E2E_MODE": mode,
        "NEXUS_CHROMIUM": str(CHROMIUM),
        **env,
    }
    done = subprocess.run(
        ["node", "e2e/run.mjs"], cwd=DASHBOARD, env=run_env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def api(path: str) -> Any:
    from tests.integration.test_api_http import call, login

    status, _, body = call(f"/api{path}", login(USER))
    assert status == 200, body
    return json.loads(body)


def test_dashboard_user_journey(tmp_path: Path):
    # Given the local front over the sample state and a signed-in admin in Chromium
    seen = browser("flow", tmp_path)
    assert seen["errors"] == []
    # Then the Overview shows the latest week's numbers exactly as the API serves them
    week = api("/analyses")[0]["week"]
    expected = {
        f"kpi-{area}-{key}": f"{api(f'/markets/{area}/summary?week={week}')['stats'][key]:.2f}"
        for area in stack().state.areas
        for key in ("base", "peak", "min", "max")
    }
    assert seen["week"] == week
    assert seen["banner"] is True
    assert {k: seen["overview"].get(k) for k in expected} == expected
    # And switching market and resolution shows the API's number of points for that range
    catalog = {s["series_id"]: s for s in api("/series")}
    last = date.fromisoformat(catalog["sim:DE_LU:day_ahead_price"]["last_interval_utc"][:10])
    query = f"from={last - timedelta(days=13)}&to={last}"
    hourly = api(f"/series/sim:DE_LU:day_ahead_price/observations?{query}&resolution=PT1H")["points"]
    daily = api(f"/series/sim:DE_LU:day_ahead_price/observations?{query}&resolution=P1D")["points"]
    assert (seen["hourly"], seen["daily"]) == (len(hourly), len(daily))
    # And the PDF download is a PDF of that week
    assert seen["pdf"] == {"name": f"nexus-{week}.pdf", "head": "%PDF-"}
    # And no page overflows horizontally at 1280 px or 375 px
    assert seen["wide"]["scrollWidth"] <= seen["wide"]["clientWidth"]
    for page, size in seen["narrow"].items():
        assert size["scrollWidth"] <= size["clientWidth"] == 375, page
    assert {p.name for p in tmp_path.glob("*.png")} >= {
        "overview-1280.png",
        "overview-375.png",
        "markets-375.png",
    }
    # And signing out returns to the login form
    assert seen["signedOut"] is True


def test_static_front_serves_the_built_dashboard_and_config():
    # Given the built dashboard / When the front is asked for / and /config.json
    ensure_built()
    with urllib.request.urlopen(stack().server.url + "/", timeout=10) as resp:
        html = resp.read().decode()
    with urllib.request.urlopen(stack().server.url + "/config.json", timeout=10) as resp:
        config = json.loads(resp.read())
    # Then it serves the app shell and the client id of the provisioned pool
    assert '<div id="root">' in html
    assert config["clientId"] == stack().server.auth.client_id
    assert shutil.which("node") is not None
