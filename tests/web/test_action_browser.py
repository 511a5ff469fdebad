"""The action log in a real browser (Selenium + Debian's chromium and chromium-driver): a director
of cooperative A records an action with the keyboard only and sees it listed; the next month's
report of A shows it with its indicator's course; a director of cooperative B gets 403 on A's
log; the page fits 390 px; no console error.

Without chromium-driver the test is skipped, visibly (a failure with CAMPUS_REQUIRE_CHROMIUM=1):
the `browser` fixture of tests/web/conftest.py.
"""

from __future__ import annotations

import pytest

from app import actions
from app import report as report_run
from tests.web.test_barometer_browser import focused, press, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.integration]

LOG_MONTH = "2026-09"  # the log opened from September's cards …
NEXT_MONTH = "2026-10"  # … and October's report re-measures it
TITLE = "Pas de messages le soir entre collègues"


def choose(browser, name: str, value: str) -> None:
    """Tab to the select `name` and pick the option `value` with the arrow keys only."""
    from selenium.webdriver.common.keys import Keys

    tab_to(browser, name)
    options = browser.execute_script(
        "return Array.from(document.activeElement.options).map(o => o.value);"
    )
    target = options.index(value)
    press(browser, Keys.HOME)
    for _ in range(target):
        press(browser, Keys.ARROW_DOWN)
    assert focused(browser) == (name, value)


def type_date(browser, name: str, day: str) -> None:
    """Tab to the date field `name` and type `day` (YYYY-MM-DD) in the browser's own order."""
    tab_to(browser, name)
    year, month, dom = day.split("-")
    english = browser.execute_script("return navigator.language").lower() == "en-us"
    press(browser, *(month + dom + year if english else dom + month + year))
    assert focused(browser) == (name, day)


def test_a_director_records_an_action_with_the_keyboard_and_the_next_report_shows_it(site, browser):
    from selenium.webdriver.common.keys import Keys

    slug = site.cooperative_a
    log = f"{site.url}/rapports/{LOG_MONTH}/{slug}/actions"
    site.sandbox.login_as(site.roles["director"])
    browser.set_window_size(1100, 1800)
    browser.get(log)  # → /login → the forum's provider → back here
    assert browser.current_url == log
    assert "Pas de rapport pour ce mois" in browser.page_source  # every axis offered

    choose(browser, "axis", "intensite")
    choose(browser, "indicator", "after_hours")
    choose(browser, "kind", "deconnexion")
    tab_to(browser, "title")
    press(browser, TITLE)
    type_date(browser, "started", "2026-09-07")
    choose(browser, "status", "en_cours")
    press(browser, Keys.TAB)
    assert focused(browser)[0] == "BUTTON"
    press(browser, Keys.ENTER)

    assert browser.current_url.startswith(log)  # the 303 back to the log
    assert TITLE in browser.page_source
    (recorded,) = [
        a for a in actions.cooperative_actions(site.services.campus, slug) if a.title == TITLE
    ]
    assert (recorded.axis, recorded.indicator, recorded.kind) == (
        "intensite",
        "after_hours",
        "deconnexion",
    )
    assert (recorded.started.isoformat(), recorded.status) == ("2026-09-07", "en_cours")
    width = browser.execute_script("return document.documentElement.scrollWidth")
    browser.set_window_size(390, 1800)
    narrow = browser.execute_script("return document.documentElement.scrollWidth")
    assert narrow <= 390, (width, narrow)

    # October's report, written now, shows the action beside its axis with its course
    report_run.run(site.services.campus, NEXT_MONTH)
    browser.set_window_size(1100, 1800)
    browser.get(f"{site.url}/rapports/{NEXT_MONTH}/{slug}/document")
    page = browser.page_source
    assert TITLE in page
    assert "Droit à la déconnexion, en cours (début le 7 septembre 2026)" in page
    assert "Messages en soirée, la nuit ou le week-end : " in page
    assert "août 2026" in page or "trimestre" in page  # the month before the start
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def test_a_director_of_another_cooperative_gets_403_in_the_browser(site, browser):
    site.sandbox.login_as(site.roles["director_b"])
    browser.get(f"{site.url}/rapports/{NEXT_MONTH}/{site.cooperative_a}/actions")

    assert "Accès refusé" in browser.page_source
    assert "réservé à sa direction" in browser.page_source
    assert "Nouvelle action" not in browser.page_source
