"""In a real browser (Chromium via Selenium), a member of cooperative A logs in through the
sandbox's login page and reads « vous avez dit / nous avons fait » (DESIGN §14): A's and the
network's results of the closed month and the action A's direction decided, reached and left
with the keyboard only, with no console error."""

from __future__ import annotations

from datetime import date

import pytest

from app import actions
from sync.mirror import barometer_store
from tests.support.clock import FIXTURE_NOW
from tests.support.web_site import REPORT_MONTH

pytestmark = [pytest.mark.browser, pytest.mark.integration]

ANSWERS = [{"intensite": value, "autonomie": 4, "insecurite": 3} for value in (2, 3, 4, 3, 3)]


@pytest.fixture(scope="module")
def closed_month(site):
    campus = site.services.campus
    campus.clock = lambda: FIXTURE_NOW
    engine = campus.engine
    barometer_store.open_month(engine, REPORT_MONTH, date(2026, 10, 1))
    barometer_store.add_batch(engine, REPORT_MONTH, site.cooperative_a, "entrepreneur", ANSWERS)
    barometer_store.close_month(engine, REPORT_MONTH, date(2026, 11, 1))
    actions.record_action(
        campus,
        site.cooperative_a,
        REPORT_MONTH,
        axis="intensite",
        indicator=None,
        kind="edt",
        title="Un espace de discussion sur la charge",
        started="2026-10-20",
        status="en_cours",
        author=actions.Author(1, site.roles["director"]),
    )
    return site.services.groups.cooperatives[site.cooperative_a]


def test_a_member_reads_the_results_with_the_keyboard_only(site, browser, shots, closed_month):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    site.sandbox.login_as(site.roles["entrepreneur"])
    browser.get(site.url + "/login?next=/")
    WebDriverWait(browser, 20).until(lambda driver: driver.current_url == site.url + "/")
    # from the home page to the results with the keyboard only: Tab to the link, then Enter
    for _press in range(40):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        active = browser.switch_to.active_element
        if (active.get_attribute("href") or "").endswith("/barometre/resultats"):
            break
    else:
        pytest.fail("the results link cannot be reached with Tab")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    WebDriverWait(browser, 20).until(lambda driver: driver.current_url.endswith("/resultats"))
    browser.save_screenshot(str(shots / "web-member-barometer-results.png"))

    text = browser.find_element(By.TAG_NAME, "main").text
    headers = [
        cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "table.results th[scope=col]")
    ]
    assert headers == ["Axe", closed_month, "Réseau"]
    assert "Un espace de discussion sur la charge" in text
    assert "Espace de discussion sur le travail" in text
    assert site.roles["director"] not in browser.page_source
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert [e for e in errors if not e["message"].startswith(site.sandbox.url)] == []
