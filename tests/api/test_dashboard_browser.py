"""The dashboard and the HTML report in a real browser (Debian's chromium, driven by
playwright), against a real server on localhost holding the demo world."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from api.main import create_app
from cxtext.report import build_report
from tests.api.conftest import KEYS, World
from tests.fakes import FakeEncoder

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (make test installs Debian's package)"
)
# Chromium as the machine allows it: no sandbox as root, no GPU, no calls home.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Drawn marks: a driver's bar, the NPS line.
MARKS = "#drivers-chart .point path"
LINE = "#nps-chart .scatterlayer .js-line"
ARABIC_RTL = """() => {
  const arabic = [...document.querySelectorAll('#detail [dir=auto]')]
    .filter((e) => /^[\\u0600-\\u06FF]/.test(e.textContent.trim()));
  return [arabic.length, arabic.every((e) => e.matches(':dir(rtl)'))];
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(world: World) -> Iterator[str]:
    port = _free_port()
    app = create_app(world.settings, encoder=FakeEncoder())
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


class Watch:
    """A page's console errors and uncaught exceptions, the addresses it requested and the
    statuses of the answers it got. The browser also logs every answer of 4xx as a console
    error; those are counted by status instead, as the test expects some (a wrong key)."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        self.urls: list[str] = []
        self.statuses: list[int] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.urls.append(r.url))
        page.on("response", lambda r: self.statuses.append(r.status))

    def _console(self, message: Any) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)


def _api(server: str, path: str, **params: Any) -> Any:
    response = httpx.get(f"{server}/v1{path}", params=params, headers={"X-API-Key": KEYS["read"]})
    response.raise_for_status()
    return response.json()


def test_the_dashboard_shows_filters_and_drills_down(
    server: str, browser: Any, tmp_path: Path
) -> None:
    themes = _api(server, "/themes", period="month", periods=8)
    dutch = next(v for v in _api(server, "/facets")["dimensions"]["language"] if v["value"] == "nl")
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    watch = Watch(page)
    page.goto(server + "/")

    page.fill("#key", "not-a-key")
    page.click("#login-form button")
    sync_api.expect(page.locator("#login-error")).to_have_text("unknown API key")
    assert page.evaluate("sessionStorage.getItem('cxtext.apiKey')") is None
    assert "not-a-key" not in page.url

    page.fill("#key", KEYS["read"])
    page.click("#login-form button")
    page.wait_for_selector(MARKS)
    assert page.locator(LINE).count() >= 1
    rows = page.locator("#themes-table tbody tr")
    assert rows.count() == len(themes["themes"])
    meta = page.locator("#meta")
    sync_api.expect(meta).to_contain_text(f"{themes['overall']['comments']} comments")
    impacts = [t["impact"] for t in themes["themes"] if t["impact"] is not None]
    worst = next(t for t in themes["themes"] if t["impact"] == min(impacts))
    sync_api.expect(rows.first.locator("td").first).to_contain_text(worst["label"])
    # Each theme's stability as trained: its score (with "unstable" below 0.6) or why not.
    column = page.locator("#themes-table thead th").all_inner_texts().index("Stability")
    shown = dict(
        rows.evaluate_all(
            f"rs => rs.map(r => [Number(r.dataset.theme), r.cells[{column}].textContent])"
        )
    )
    for theme in themes["themes"]:
        text, stability = shown[theme["theme_id"]], theme["stability"]
        if stability["score"] is None:
            assert text == "not measured"
        else:
            assert text.startswith(f"{stability['score']:.2f}")
            assert text.endswith("unstable") == (stability["status"] == "unstable")

    page.select_option("#filters select[name=language]", "nl")
    page.click("#filters button[type=submit]")
    sync_api.expect(meta).to_contain_text(f"{dutch['comments']} comments")

    rows.first.click()
    detail = page.locator("#detail")
    sync_api.expect(detail).to_be_visible()
    label = rows.first.locator("td").first.inner_text()
    assert detail.locator("h2").inner_text() in label
    page.wait_for_selector("#segment-chart .point path")
    page.select_option("#filters select[name=language]", "")
    page.click("#filters button[type=submit]")
    page.wait_for_selector(MARKS)
    for k in range(rows.count()):  # a theme with Arabic keywords reads right to left
        rows.nth(k).click()
        page.wait_for_selector("#detail h2")
        arabic, rtl = page.evaluate(ARABIC_RTL)
        if arabic:
            assert rtl
            break
    else:
        pytest.fail("no theme shows Arabic keywords")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    page.select_option("#filters select[name=language]", "ar")  # no Arabic in the Netherlands
    page.select_option("#filters select[name=segment]", "country:NL")
    page.click("#filters button[type=submit]")
    sync_api.expect(page.locator("#empty")).to_be_visible()
    assert page.locator("#themes-section").is_hidden()

    assert watch.errors == []
    # 401: the wrong key; 422: too few periods to test for emerging themes in an empty slice.
    assert set(watch.statuses) <= {200, 401, 422}
    assert all(url.startswith(server) or url.startswith("data:") for url in watch.urls)
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000


def test_the_html_report_opens_with_no_network(world: World, browser: Any, tmp_path: Path) -> None:
    report = build_report(world.store, tmp_path / "report.html", by="country")
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    watch = Watch(page)
    page.route(
        "**/*",
        lambda route: (
            route.abort() if not route.request.url.startswith("file:") else route.continue_()
        ),
    )
    page.goto(report.path.as_uri())
    page.wait_for_selector(MARKS)
    assert page.locator(LINE).count() >= 1
    assert page.locator("#filters-section").is_hidden()
    assert page.locator("#themes-table tbody tr").count() == report.themes
    page.locator("#themes-table tbody tr").first.click()
    page.wait_for_selector("#segment-chart .point path")
    assert page.locator("#detail .quotes li").count() >= 1
    sync_api.expect(page.locator("#methods")).to_contain_text("adjusted-Wald")
    sync_api.expect(page.locator("#methods")).to_contain_text("clusterboot")
    sync_api.expect(page.locator("#detail .stability")).to_contain_text("tability")
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert watch.errors == []
    assert all(url.startswith("file:") for url in watch.urls)
