"""A member answers the barometer in a real browser, with the keyboard only (Selenium + Debian's
chromium and chromium-driver), through the sandbox's DiscourseConnect login; no console error.

Without chromium-driver the test is skipped, visibly (a failure with CAMPUS_REQUIRE_CHROMIUM=1):
the `browser` fixture of tests/web/conftest.py.
`CAMPUS_BAROMETER_SCREENSHOT=docs/barometre.png` also keeps the screenshot of the filled form.
"""

from __future__ import annotations

import os
import shutil
from datetime import date

import pytest

from core.vocabulary import AXES, current_month
from sync.mirror import barometer_store
from tests.support.web_site import TZ, start_site

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CHOICES = {  # axis -> value chosen (None: keep « je préfère ne pas répondre »)
    "intensite": 2,
    "exigences_emotionnelles": 4,
    "autonomie": 5,
    "rapports_sociaux": 3,
    "conflits_valeurs": 1,
    "insecurite": None,
}


@pytest.fixture
def site(tmp_path):
    website = start_site(tmp_path)
    barometer_store.open_month(website.services.engine, current_month(TZ), date.today())
    yield website
    website.stop()


def focused(browser) -> tuple[str, str]:
    """The name and value of the element that has the keyboard focus."""
    name, value = browser.execute_script(
        "const e = document.activeElement; return [e.name || e.tagName, e.value || ''];"
    )
    return name, value


def press(browser, *keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(browser).send_keys(*keys).perform()


def tab_to(browser, name: str, limit: int = 60) -> None:
    """Press Tab until the element named `name` has the focus."""
    from selenium.webdriver.common.keys import Keys

    for _ in range(limit):
        if focused(browser)[0] == name:
            return
        press(browser, Keys.TAB)
    raise AssertionError(f"Tab never reached {name}")


def test_a_member_answers_with_the_keyboard_only(site, browser, tmp_path):
    from selenium.webdriver.common.keys import Keys

    site.sandbox.login_as(site.roles["entrepreneur"])
    browser.set_window_size(1100, 2000)  # the whole form in one screenshot
    browser.get(site.url + "/barometre")  # → /login → the forum's provider → back here
    assert browser.current_url == site.url + "/barometre"
    assert "Qui voit quoi" in browser.page_source
    for axis in AXES:
        tab_to(browser, axis)
        assert focused(browser) == (axis, "")  # the group is entered on its checked choice
        for _ in range(CHOICES[axis] or 0):
            press(browser, Keys.ARROW_RIGHT)  # from the abstention, wraps to 1, 2, …
        assert focused(browser) == (axis, str(CHOICES[axis] or ""))
    shot = tmp_path / "barometre.png"
    browser.save_screenshot(str(shot))
    if os.environ.get("CAMPUS_BAROMETER_SCREENSHOT"):
        shutil.copyfile(shot, os.environ["CAMPUS_BAROMETER_SCREENSHOT"])
    tab_to(browser, "BUTTON")
    press(browser, Keys.ENTER)
    assert "Merci, votre réponse est enregistrée" in browser.page_source
    assert barometer_store.has_answered(
        site.services.engine,
        current_month(TZ),
        site.sandbox.state.user_by_username(site.roles["entrepreneur"]).id,
    )
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
