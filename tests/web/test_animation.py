"""The animators' web home (DESIGN §10): `/animation` for Discourse admins only, the reports
table they can search and sort, a home page and a barometer page that speak to them, and every
page of their menu answering — over real HTTP, then in a real browser as an animator, a director
and a member."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
import requests

from sync.mirror.relay_inputs import record_suggestion
from tests.support.web_site import REPORT_MONTH

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sessions(site):
    return {role: site.login(username) for role, username in site.roles.items()}


def _rows(page: str, section: str) -> list[str]:
    """The text of each body row of the table inside `<section id=section>`."""
    block = page.split(f'<section id="{section}"', 1)[1].split("</section>", 1)[0]
    body = block.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip())
        for row in body.split("</tr>")[:-1]
    ]


def test_the_dashboard_is_the_animators_only(site, sessions):
    assert sessions["animator"].get(site.url + "/animation").status_code == 200
    for role in ("director", "entrepreneur"):
        refused = sessions[role].get(site.url + "/animation")
        assert refused.status_code == 403
        assert "réservé aux animateur·rices du réseau" in refused.text
    response = requests.get(site.url + "/animation", allow_redirects=False, timeout=30)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_the_dashboard_shows_freshness_runs_barometer_relay_candidates_and_reports(site, sessions):
    page = sessions["animator"].get(site.url + "/animation").text
    # freshness from the health check, the sync the site ran, its outcome in words
    assert "Dernière synchronisation réussie" in page
    assert "Dernier webhook reçu" in page and "jamais" in page
    assert "complète" in page and "réussie" in page
    # the barometer's participation by cooperative, k-safe, with the month in words
    names = site.services.groups.cooperatives
    barometer = _rows(page, "barometre")
    assert len(barometer) == len(names)
    k = site.services.min_group_size
    assert all(row.endswith(f"moins de {k}") for row in barometer)
    # the reports of the last month, with their vigilance counts
    reports = _rows(page, "rapports")
    assert any(row.startswith("octobre 2026 Rapport du réseau") for row in reports) or any(
        "Réseau" in row for row in reports
    )
    assert len(reports) == len(names) + 1
    assert all(re.search(r"\d+ \d+$", row) for row in reports)


def test_the_week_s_relay_suggestions_name_the_volunteer_for_the_animator_only(site, sessions):
    services = site.services
    now = services.campus.now()
    volunteer = site.roles["entrepreneur"]
    user_id = _user_id(site, volunteer)
    topic_id = _a_topic(site)
    record_suggestion(services.engine, topic_id, user_id, now - timedelta(days=1), None)
    page = sessions["animator"].get(site.url + "/animation").text
    suggestions = page.split("Suggestions des 7 derniers jours", 1)[1].split("</section>", 1)[0]
    assert volunteer in suggestions
    assert volunteer not in sessions["director"].get(site.url + "/animation").text


def test_the_dashboard_s_tables_are_searched_and_sorted_on_the_server(site, sessions):
    names = site.services.groups.cooperatives
    wanted = names[site.cooperative_b]
    found = sessions["animator"].get(
        site.url + "/animation", params={"barometre_q": wanted.upper()}
    )
    rows = _rows(found.text, "barometre")
    assert rows and all(wanted in row for row in rows)
    assert names[site.cooperative_a] not in " ".join(rows)
    by_name_desc = sessions["animator"].get(
        site.url + "/animation", params={"barometre_tri": "name", "barometre_ordre": "desc"}
    )
    shown = [row.rsplit(" moins de", 1)[0] for row in _rows(by_name_desc.text, "barometre")]
    assert shown == sorted(names.values(), key=_folded, reverse=True)
    assert 'aria-sort="descending"' in by_name_desc.text
    # a hand-made parameter falls back to the default instead of failing
    odd = sessions["animator"].get(
        site.url + "/animation", params={"barometre_tri": "x'); drop", "rapports_ordre": "?"}
    )
    assert odd.status_code == 200


def test_the_animators_reports_list_is_a_searchable_sortable_table(site, sessions):
    names = site.services.groups.cooperatives
    page = sessions["animator"].get(site.url + "/rapports").text
    rows = _rows(page, "rapports")
    assert len(rows) == len(names) + 1  # one month: the network and every cooperative
    assert rows[0].startswith("octobre 2026 Rapport du réseau")
    wanted = names[site.cooperative_b]
    searched = sessions["animator"].get(site.url + "/rapports", params={"rapports_q": wanted})
    only = _rows(searched.text, "rapports")
    assert only == [row for row in rows if wanted in row]
    assert f"/rapports/{REPORT_MONTH}/{site.cooperative_b}" in searched.text
    by_vigilance = sessions["animator"].get(
        site.url + "/rapports", params={"rapports_tri": "active", "rapports_ordre": "desc"}
    )
    counts = [int(row.split()[-2]) for row in _rows(by_vigilance.text, "rapports")]
    assert counts == sorted(counts, reverse=True)
    # the director's list keeps to what they may open
    mine = _rows(sessions["director"].get(site.url + "/rapports").text, "rapports")
    assert len(mine) == 2


def test_every_page_of_the_animators_menu_answers_and_speaks_to_them(site, sessions):
    home = sessions["animator"].get(site.url + "/").text
    assert "votre coopérative" not in home
    assert "Animation du réseau" in home
    nav = home.split("<nav", 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'<a href="(/[^"]*)"', nav)
    assert {"/animation", "/rapports", "/moi", "/barometre"} <= set(links)
    for link in links:
        assert sessions["animator"].get(site.url + link).status_code == 200, link
    barometer = sessions["animator"].get(site.url + "/barometre").text
    assert "côté animation" in barometer and "campus pulse post" in barometer
    member_nav = sessions["entrepreneur"].get(site.url + "/").text.split("<nav", 1)[1]
    assert "/animation" not in member_nav.split("</nav>", 1)[0]


def test_the_refusal_of_the_barometer_names_the_contact_once(site):
    # a member of no cooperative (new on the forum)
    site.sandbox.state.add_user("nouvelle.venue", "nouvelle.venue@example.org")
    page = site.login("nouvelle.venue").get(site.url + "/barometre")
    assert page.status_code == 403
    text = html.unescape(page.text)
    assert "l'animation du réseau (l'animation du réseau" not in text
    assert "demandez à l'animation du réseau (voir la catégorie Campus du forum) de vous" in text


@pytest.mark.browser
def test_in_a_browser_the_animator_sorts_and_searches_a_director_and_a_member_are_refused(
    site, browser, shots
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def login(username: str) -> None:
        browser.delete_all_cookies()
        site.sandbox.login_as(None)
        browser.get(site.url + "/login?next=/animation")
        browser.find_element(By.CSS_SELECTOR, f'button[value="{username}"]').click()
        WebDriverWait(browser, 20).until(lambda driver: driver.current_url.startswith(site.url))

    login(site.roles["animator"])
    assert browser.current_url.endswith("/animation")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Animation du réseau"
    browser.save_screenshot(str(shots / "web-animation.png"))
    header = browser.find_element(By.CSS_SELECTOR, "#barometre th[aria-sort] a")
    header.click()  # sorted by name already: the click reverses it
    WebDriverWait(browser, 10).until(
        lambda driver: (
            driver.find_element(By.CSS_SELECTOR, "#barometre th").get_attribute("aria-sort")
            == "descending"
        )
    )
    wanted = site.services.groups.cooperatives[site.cooperative_b]
    box = browser.find_element(By.ID, "barometre-q")
    box.send_keys(wanted)
    box.submit()
    WebDriverWait(browser, 10).until(lambda driver: "barometre_q=" in driver.current_url)
    cells = browser.find_elements(By.CSS_SELECTOR, "#barometre tbody tr td:first-child")
    assert [cell.text for cell in cells] == [wanted]
    browser.get(site.url + "/rapports")
    browser.save_screenshot(str(shots / "web-animator-reports.png"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#rapports tbody tr")) == (
        len(site.services.groups.cooperatives) + 1
    )
    for link in [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "nav a")]:
        browser.get(link)
        assert "Accès refusé" not in browser.title, link
    browser.set_window_size(390, 844)  # a phone: the page never scrolls sideways
    for path in ("/animation", "/rapports", "/barometre"):
        browser.get(site.url + path)
        width = browser.execute_script("return document.documentElement.scrollWidth")
        wider = browser.execute_script(
            "return [...document.querySelectorAll('main *')].filter(e =>"
            " e.getBoundingClientRect().right > window.innerWidth"
            " && !e.closest('.table-wrap')).map(e => e.tagName + '.' + e.className)"
        )
        assert width <= browser.execute_script("return window.innerWidth"), (path, wider)
    browser.set_window_size(1200, 1400)
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not [e for e in errors if not e["message"].startswith(site.sandbox.url)]

    for role in ("director", "entrepreneur"):
        login(site.roles[role])
        assert browser.find_element(By.TAG_NAME, "h1").text == "Accès refusé"
        assert "réservé aux animateur·rices" in browser.find_element(By.TAG_NAME, "main").text
        assert not browser.find_elements(By.CSS_SELECTOR, 'nav a[href="/animation"]')


def _folded(text: str) -> str:
    from web.tables import folded

    return folded(text)


def _user_id(site, username: str) -> int:
    from sqlalchemy import text

    with site.services.engine.connect() as conn:
        return conn.execute(
            text("SELECT id FROM users WHERE username = :u"), {"u": username}
        ).scalar_one()


def _a_topic(site) -> int:
    from sqlalchemy import text

    with site.services.engine.connect() as conn:
        return conn.execute(
            text("SELECT id FROM topics WHERE archetype = 'regular' ORDER BY id LIMIT 1")
        ).scalar_one()


def test_the_dashboard_s_data_on_the_network_s_last_days(site):
    """At the sandbox's last days (FIXTURE_NOW), the score has candidates, ranked, with their
    cooperative's name, and the relay queue says how long each question waited."""
    from app import animation
    from app.context import Campus
    from tests.support.clock import FIXTURE_NOW

    campus = Campus(
        site.services.campus.config, clock=lambda: FIXTURE_NOW, engine=site.services.engine
    )
    names = site.services.groups.cooperatives
    data = animation.dashboard(campus, names)
    recognition = campus["recognition"].top
    assert 0 < len(data.candidates) <= recognition
    ranks = [row["rank"] for row in data.candidates]
    assert ranks[0] == 1 and ranks == sorted(ranks)  # ties share a rank
    assert all(row["cooperative_name"] in {*names.values(), ""} for row in data.candidates)
    assert any(row["cooperative_name"] for row in data.candidates)
    assert data.month_label == "novembre 2026" and data.reminder == "24 novembre 2026"
    assert all(row["waited_hours"] >= 0 for row in data.queue)
    assert all(row["due"] == (row["waited_hours"] >= data.wait_hours) for row in data.queue)
