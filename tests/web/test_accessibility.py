"""Every page, for each role (anonymous, member, director, animator), in a real browser on a
desktop (1280 px) and a phone (390 px): axe-core finds no serious or critical WCAG 2.1 AA
violation, and nothing is wider than the screen (DESIGN §10).

Chromium and chromium-driver drive the pages (the `browser` fixture), axe-core comes from npm
(`npm ci`; tests/support/accessibility.py). Without them the tests are skipped with a message,
unless CAMPUS_REQUIRE_CHROMIUM=1 (.ci/run). `/moi`'s screenshots for the guides go to
`$CAMPUS_SCREENSHOTS_DIR` (`web-member-my-data-1280.png`, `web-member-my-data-390.png`).
"""

from __future__ import annotations

import pytest

from sync.mirror import barometer_store
from tests.support.accessibility import (
    DESKTOP,
    PHONE,
    axe_violations,
    full_page_shot,
    horizontal_overflow,
    require_axe,
    set_width,
)
from tests.support.web_site import REPORT_MONTH, start_site

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SIZES = {"1280": DESKTOP, "390": PHONE}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The sandbox site with this month's barometer open."""
    website = start_site(tmp_path_factory.mktemp("accessibility"))
    campus = website.services.campus
    barometer_store.open_month(website.services.engine, campus.current_month(), campus.today())
    yield website
    website.stop()


def pages_of(site, role: str) -> list[str]:
    """The pages `role` can reach from its menu, and the refusals it may meet."""
    month, a, b = REPORT_MONTH, site.cooperative_a, site.cooperative_b
    reports = ["/rapports", f"/rapports/{month}/reseau", f"/rapports/{month}/{a}"]
    actions = f"/rapports/{month}/{a}/actions"
    member = ["/", "/moi", "/barometre", "/barometre/resultats"]
    return {
        "anonymous": ["/", "/page-inconnue"],
        "member": [*member, "/rapports", actions, "/animation"],
        "director": [*member, *reports, actions, f"/rapports/{month}/{b}", "/animation"],
        "animator": [*member, *reports, actions, f"/rapports/{month}/{b}", "/animation"],
    }[role]


def check(browser, url: str) -> list[str]:
    """What is wrong with the page at `url`, one line per problem."""
    browser.get(url)
    problems = [f"{url}: {line}" for line in axe_violations(browser)]
    problems += [f"{url}: too wide: {line}" for line in horizontal_overflow(browser)]
    return problems


@pytest.mark.parametrize("width", SIZES)
@pytest.mark.parametrize("role", ["anonymous", "member", "director", "animator"])
def test_every_page_of_each_role_is_accessible_and_fits(site, browser, shots, role, width):
    from selenium.webdriver.support.ui import WebDriverWait

    require_axe()
    set_width(browser, SIZES[width])
    username = (
        None if role == "anonymous" else site.roles["entrepreneur" if role == "member" else role]
    )
    site.browser_login(browser, username, "/")
    problems = []
    for path in pages_of(site, role):
        problems += check(browser, site.url + path)
        if role == "member" and path == "/moi":
            suffix = "-1280" if width == "1280" else "-390"
            full_page_shot(browser, shots / f"web-member-my-data{suffix}.png", SIZES[width])
    if role == "member":  # the barometer refusing an untouched form (nothing is spent)
        browser.get(site.url + "/barometre")
        browser.find_element("css selector", "form.barometer button[type=submit]").click()
        WebDriverWait(browser, 20).until(lambda driver: "rien n'a été" in driver.page_source)
        problems += [f"/barometre (refused): {line}" for line in axe_violations(browser)]
        problems += [f"/barometre (refused): {line}" for line in horizontal_overflow(browser)]
    assert problems == [], "\n".join(problems)


def test_the_report_is_one_page_without_a_frame(site, browser):
    """The report's page is the report itself under Campus's bar: no nested scroll on a phone."""
    require_axe()
    set_width(browser, PHONE)
    site.browser_login(browser, site.roles["director"], f"/rapports/{REPORT_MONTH}/reseau")
    assert browser.find_elements("css selector", "iframe") == []
    assert browser.find_elements("css selector", "nav.campus-bar a[href='/rapports']")
    assert "Rapport du réseau" in browser.find_element("css selector", "nav.campus-bar").text
    scrollers = browser.execute_script(
        "return Array.from(document.querySelectorAll('body *')).filter(e => {"
        " const s = getComputedStyle(e); return /(auto|scroll)/.test(s.overflowY)"
        " && e.scrollHeight > e.clientHeight + 1; }).length;"
    )
    assert scrollers == 0
