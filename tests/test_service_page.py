"""The web page in Debian's headless chromium (Playwright): log in, check, upload."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from subsmatch.service.testing import running_server
from subsmatch.store.access import create_token
from subsmatch.store.engine import make_engine

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FIELD_CSV = Path(__file__).resolve().parents[1] / "subsmatch" / "examples" / "trunarc_raman.csv"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("page")
    url = f"sqlite:///{folder / 'x.sqlite'}"
    token = create_token(make_engine(url), "lab-page", "lab")
    with running_server(url, log=folder / "server.log") as base:
        yield {"base": base, "token": token}


@pytest.fixture(scope="module")
def page(site: dict) -> Iterator:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        yield context.new_page()
        browser.close()


def screenshot(page, tmp_path: Path, name: str) -> None:
    """A full-page screenshot in the test's folder, copied to /tmp for people to look at."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    shutil.copyfile(path, f"/tmp/{name}.png")


def test_login_check_and_upload(site: dict, page, tmp_path: Path) -> None:
    page.goto(f"{site['base']}/")
    assert page.locator("#token").is_visible()  # the login form, answered with 401
    page.fill("#token", "smt_wrong")
    page.click("button[type=submit]")
    assert "not valid" in page.locator(".error").inner_text()
    page.fill("#token", site["token"])
    page.click("button[type=submit]")
    page.wait_for_url(f"{site['base']}/")
    assert "lab-page (lab)" in page.locator("header").inner_text()

    page.fill("#query", "4-CMC")
    page.click("#check button[type=submit]")
    verdict = page.locator("#verdict")
    assert "controlled" in verdict.locator("h3 .status").inner_text().lower()
    assert "Clephedrone" in verdict.inner_text()
    assert verdict.locator("figure.depiction svg").count() == 1
    assert "since 2015-10-01" in verdict.inner_text()  # the CN listing date
    screenshot(page, tmp_path, "subsmatch_page_check")

    page.set_input_files("#file", str(FIELD_CSV))
    page.click("#upload button[type=submit]")
    summary = page.locator("#summary")
    assert "trunarc_raman.csv: new" in summary.inner_text()
    rows = summary.locator("tbody tr")
    assert rows.count() >= 1
    assert "DOU-24-0311" in rows.first.inner_text() and "3-MMC" in summary.inner_text()
    screenshot(page, tmp_path, "subsmatch_page_upload")

    page.click("header button")  # log out
    page.wait_for_url(f"{site['base']}/login")
    page.goto(f"{site['base']}/")
    assert page.locator("#token").is_visible()
