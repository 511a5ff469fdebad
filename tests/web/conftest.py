"""Fixtures of the web tests: one Campus service per test module, over real HTTP."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.support.web_site import start_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A synced sandbox network served by Campus (waitress) with the sandbox as provider."""
    website = start_site(tmp_path_factory.mktemp("web"))
    yield website
    website.stop()


@pytest.fixture
def browser(tmp_path):
    """Debian's headless chromium driven by Selenium and chromium-driver, console logs kept.

    Without them the test is skipped, visibly; with `CAMPUS_REQUIRE_CHROMIUM=1` (`.ci/run`,
    which installs them) it fails instead."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not (chromium and driver_path):
        reason = "chromium and chromium-driver are not installed (.ci/run installs them)"
        if os.environ.get("CAMPUS_REQUIRE_CHROMIUM") == "1":
            pytest.fail(reason + " but CAMPUS_REQUIRE_CHROMIUM=1")
        pytest.skip(reason)
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--window-size=1200,1400",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(driver_path))
    yield driver
    driver.quit()
