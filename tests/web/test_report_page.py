"""`GET /rapports/<YYYY-MM>/<scope>`: the report itself, one page under Campus's bar, no frame."""

from __future__ import annotations

import pytest

from tests.support.web_site import REPORT_MONTH

pytestmark = pytest.mark.integration


def test_the_report_page_is_the_report_with_campus_bar_and_no_frame(site):
    session = site.login(site.roles["director"])
    response = session.get(f"{site.url}/rapports/{REPORT_MONTH}/reseau", timeout=30)
    page = response.text
    assert response.status_code == 200
    assert "<iframe" not in page and "<script" not in page
    assert page.index('<nav class="campus-bar"') < page.index("<h1")  # the bar comes first
    assert '<a href="/rapports">Rapports QVT</a>' in page
    assert '<link rel="stylesheet" href="/static/report-bar.css">' in page
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "frame-ancestors 'none'" in policy
    alone = session.get(f"{site.url}/rapports/{REPORT_MONTH}/reseau/document", timeout=30)
    assert "campus-bar" not in alone.text  # the file alone, to print, is left as written


def test_the_bar_is_not_offered_to_those_who_may_not_read_the_report(site):
    session = site.login(site.roles["entrepreneur"])
    response = session.get(f"{site.url}/rapports/{REPORT_MONTH}/reseau", timeout=30)
    assert response.status_code == 403 and "campus-bar" not in response.text
