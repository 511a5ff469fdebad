"""A real browser (Debian's chromium, driven by Selenium and chromium-driver) logs in through the
sandbox's login page as a director and as a member, screenshots each page, and finds no console
error (a CSP violation would be one).

Screenshots go to a temporary folder, or to `$CAMPUS_SCREENSHOTS_DIR` (the README's come from
`CAMPUS_SCREENSHOTS_DIR=docs`). Without chromium or its driver the test is skipped, unless
`CAMPUS_REQUIRE_CHROMIUM=1` (`.ci/run`), where it fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.web_site import REPORT_MONTH

pytestmark = [pytest.mark.browser, pytest.mark.integration]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _login_through_the_picker(site, browser, username: str, shots: Path, name: str) -> None:
    """Click « Se connecter avec le forum », pick `username` on the sandbox's login page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(site.url + "/")
    browser.find_element(By.LINK_TEXT, "Se connecter avec le forum").click()
    assert browser.current_url.startswith(site.sandbox.url + "/session/sso_provider")
    browser.save_screenshot(str(shots / f"web-{name}-forum-login.png"))
    browser.find_element(By.CSS_SELECTOR, f'button[value="{username}"]').click()
    WebDriverWait(browser, 20).until(lambda driver: driver.current_url.startswith(site.url))


def _visit(site, browser, shots: Path, pages: dict[str, str]) -> list[dict]:
    errors = []
    for name, path in pages.items():
        browser.get(site.url + path)
        assert "Campus" in browser.title, path
        png = shots / f"web-{name}.png"
        browser.save_screenshot(str(png))
        assert png.read_bytes().startswith(PNG_SIGNATURE)
        errors += [
            entry
            for entry in browser.get_log("browser")
            if entry["level"] == "SEVERE" and not entry["message"].startswith(site.sandbox.url)
        ]  # the sandbox's own login page (its favicon) is not Campus's
    return errors


def test_director_logs_in_and_reads_reports_without_console_error(site, browser, shots):
    site.sandbox.login_as(None)  # nobody logged in to the forum: its login page shows
    browser.get(site.url + "/")
    browser.save_screenshot(str(shots / "web-home.png"))
    _login_through_the_picker(site, browser, site.roles["director"], shots, "director")
    errors = _visit(
        site,
        browser,
        shots,
        {
            "director-home": "/",
            "director-reports": "/rapports",
            "director-network-report": f"/rapports/{REPORT_MONTH}/reseau",
            "director-cooperative-report": f"/rapports/{REPORT_MONTH}/{site.cooperative_a}",
            "director-forbidden": f"/rapports/{REPORT_MONTH}/{site.cooperative_b}",
        },
    )
    errors = [e for e in errors if "403" not in e["message"]]  # the refusal itself is a 403
    assert errors == []


def test_member_logs_in_and_sees_their_data_without_console_error(site, browser, shots):
    site.sandbox.login_as(None)
    _login_through_the_picker(site, browser, site.roles["entrepreneur"], shots, "member")
    errors = _visit(site, browser, shots, {"member-home": "/", "member-my-data": "/moi"})
    assert errors == []
