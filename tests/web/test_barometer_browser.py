"""A member answers the barometer in a real browser with the keyboard only (Tab, Space, arrows,
Enter; Selenium + Debian's chromium and chromium-driver), on a desktop and on a 390-px phone,
through the sandbox's DiscourseConnect login: an untouched form is refused without spending the
month, then the filled one is thanked with what happens next; axe-core finds nothing serious on
any of these pages, nothing is wider than the screen, and the console stays clean.

Without chromium-driver (or axe-core's npm package) the test is skipped, visibly (a failure with
CAMPUS_REQUIRE_CHROMIUM=1). Screenshots go to `$CAMPUS_SCREENSHOTS_DIR` (docs/ for the guides:
`barometre.png`, `barometre-merci.png` and their `-390` phone versions).
"""

from __future__ import annotations

import pytest

from core.vocabulary import AXES
from sync.mirror import barometer_store
from tests.support.accessibility import (
    DESKTOP,
    PHONE,
    axe_violations,
    focused,
    full_page_shot,
    horizontal_overflow,
    narrowest_text_column,
    press,
    require_axe,
    set_width,
    tab_to,
)
from tests.support.web_site import start_site

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CHOICES = {  # axis -> value chosen with the keyboard (None: « je préfère ne pas répondre »)
    "intensite": 2,
    "exigences_emotionnelles": 4,
    "autonomie": 5,
    "rapports_sociaux": 3,
    "conflits_valeurs": 1,
    "insecurite": None,
}


SEND = "Envoyer ma réponse"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    website = start_site(tmp_path_factory.mktemp("barometer-browser"))
    campus = website.services.campus
    barometer_store.open_month(website.services.engine, campus.current_month(), campus.today())
    yield website
    website.stop()


def checked(browser, axis: str) -> str | None:
    """The value of the checked choice of `axis`, or None when none is."""
    return browser.execute_script(
        "const e = document.querySelector(`input[name='${arguments[0]}']:checked`);"
        " return e ? e.value : null;",
        axis,
    )


def page_is_sound(browser) -> None:
    """No serious or critical WCAG 2.1 AA violation, nothing wider than the window."""
    assert axe_violations(browser) == [], browser.current_url
    assert horizontal_overflow(browser) == [], browser.current_url


@pytest.mark.parametrize(
    ("size", "who", "suffix"),
    [(DESKTOP, "entrepreneur-2", ""), (PHONE, "entrepreneur-3", "-390")],
    ids=["desktop", "phone"],
)
def test_a_member_answers_with_the_keyboard_only(site, browser, shots, size, who, suffix):
    from selenium.webdriver.common.keys import Keys

    require_axe()
    engine, month = site.services.engine, site.services.campus.current_month()
    user_id = site.sandbox.state.user_by_username(site.roles[who]).id
    set_width(browser, size)
    site.browser_login(browser, site.roles[who], "/barometre")
    assert "Qui voit quoi" in browser.page_source
    assert all(checked(browser, axis) is None for axis in AXES)  # nothing chosen for them
    page_is_sound(browser)
    assert narrowest_text_column(browser, "dl.facts dd") > min(size[0], 900) / 2  # readable

    # « Envoyer » on the untouched form: shown again, naming the six statements, nothing spent
    tab_to(browser, "BUTTON", SEND)
    press(browser, Keys.ENTER)
    assert "Il manque 6 réponses : rien n'a été enregistré." in browser.page_source
    assert not barometer_store.has_answered(engine, month, user_id)
    page_is_sound(browser)

    browser.get(site.url + "/barometre")  # the form afresh, answered with the keyboard
    for axis in AXES:
        tab_to(browser, axis)
        assert focused(browser) == (axis, "1")  # Tab enters a group on its first choice
        press(browser, Keys.SPACE)
        if CHOICES[axis] is None:
            press(browser, Keys.ARROW_LEFT)  # from 1 back round to « je préfère ne pas… »
        for _ in range((CHOICES[axis] or 1) - 1):
            press(browser, Keys.ARROW_RIGHT)
        assert checked(browser, axis) == str(CHOICES[axis] or "")
    full_page_shot(browser, shots / f"barometre{suffix}.png", size)

    tab_to(browser, "BUTTON", SEND)
    press(browser, Keys.ENTER)
    assert "Merci, votre réponse est enregistrée" in browser.page_source
    assert "/barometre/resultats" in browser.page_source
    assert barometer_store.has_answered(engine, month, user_id)
    page_is_sound(browser)
    tab_to(browser, "A", site.services.forum_root)  # the way back to the forum, by keyboard
    full_page_shot(browser, shots / f"barometre-merci{suffix}.png", size)

    browser.get(site.url + "/barometre")  # coming back: already answered, not thanked again
    assert "Vous avez déjà répondu ce mois-ci" in browser.page_source
    assert "Merci, votre réponse est enregistrée" not in browser.page_source
    page_is_sound(browser)
    errors = [
        entry
        for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE"
        and not entry["message"].startswith(site.sandbox.url)
        and "400 (BAD REQUEST)" not in entry["message"]  # the refused untouched form
    ]
    assert errors == []
