"""The network report opens in a real headless browser (Debian's chromium) without console errors.

Without chromium these tests are skipped, visibly; with `CAMPUS_REQUIRE_CHROMIUM=1` (set by
`.ci/run`, which installs it) a missing chromium is a failure instead. The screenshots (and the
PDF's first page, drawn by PDFium) go to `$CAMPUS_SCREENSHOTS_DIR` when it is set: the README's
come from `CAMPUS_SCREENSHOTS_DIR=docs`.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from bench.report_mirror import fill_mirror
from reports.render import build_report
from sync.discourse.client import DiscourseAPI
from sync.discourse.settings import DiscourseSettings
from sync.mirror import pull as mirror
from sync.mirror.db import connect
from sync.mirror.loader import load_forum
from sync.settings import ForumTemplate, SyncSettings

pytestmark = pytest.mark.browser

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def find_chromium(
    which: Callable[[str], str | None] = shutil.which,
    environ: Mapping[str, str] = os.environ,
) -> str:
    """The chromium executable; else skip the test, or fail it when CAMPUS_REQUIRE_CHROMIUM=1."""
    found = which("chromium") or which("chromium-browser")
    if found:
        return found
    reason = "chromium is not installed (.ci/run installs it)"
    if environ.get("CAMPUS_REQUIRE_CHROMIUM") == "1":
        pytest.fail(reason + " but CAMPUS_REQUIRE_CHROMIUM=1")
    pytest.skip(reason)


@pytest.fixture
def chromium() -> str:
    return find_chromium()


def screenshot(chromium: str, page: Path, png: Path, profile: Path, height: int = 2400) -> str:
    """Render `page` headless into `png`; return chromium's stderr (console messages are there)."""
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--screenshot={png}",
        f"--window-size=1200,{height}",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    return done.stderr


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def test_a_missing_chromium_fails_when_required():
    with pytest.raises(pytest.fail.Exception, match="CAMPUS_REQUIRE_CHROMIUM=1"):
        find_chromium(which=lambda name: None, environ={"CAMPUS_REQUIRE_CHROMIUM": "1"})


def test_a_missing_chromium_is_skipped_otherwise():
    with pytest.raises(pytest.skip.Exception):
        find_chromium(which=lambda name: None, environ={})


def test_console_errors_are_detected(chromium: str, tmp_path: Path):
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>missing()</script>")
    stderr = screenshot(chromium, page, tmp_path / "broken.png", tmp_path / "profile", height=300)
    assert any("missing is not defined" in line for line in console_lines(stderr))


def synthetic_network_mirror(server, url: str) -> None:
    """Sync the sandbox's synthetic network (small size) into the mirror at `url`."""
    api = DiscourseAPI(
        DiscourseSettings(url=server.url, api_key=server.api_key, requests_per_minute=100_000)
    )
    groups = {group["name"] for page in api.iter_groups() for group in page}
    slugs = sorted(
        c["slug"]
        for c in api.all_categories()
        if not c.get("parent_category_id") and c["slug"] in groups
    )
    mirror.run_sync(url, api, mirror.sync_options(ForumTemplate(), SyncSettings(), slugs))


@pytest.mark.integration
def test_network_report_renders_without_console_error(
    chromium: str, sandbox_server, tmp_path, shots
):
    url = f"sqlite:///{tmp_path / 'campus.db'}"
    synthetic_network_mirror(sandbox_server, url)
    folder = build_report(
        load_forum(connect(url)),
        "2026-10",
        tmp_path / "out",
        now=datetime(2026, 11, 1, 6, tzinfo=UTC),
    )
    png = shots / "report-network.png"
    stderr = screenshot(chromium, folder / "network.html", png, tmp_path / "profile")
    assert console_lines(stderr) == []
    data = png.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 50_000  # a real page with tables and charts, not a blank one


def pdf_links(document: pdfium.PdfDocument) -> list[str]:
    """The targets of every link annotation of the PDF (URIs, or where a local one points)."""
    targets = []
    for index in range(len(document)):
        page = document[index]
        position = ctypes.c_int(0)
        link = pdfium_c.FPDF_LINK()
        while pdfium_c.FPDFLink_Enumerate(page.raw, ctypes.byref(position), ctypes.byref(link)):
            action = pdfium_c.FPDFLink_GetAction(link)
            size = pdfium_c.FPDFAction_GetURIPath(document.raw, action, None, 0) if action else 0
            buffer = ctypes.create_string_buffer(size)
            if size:
                pdfium_c.FPDFAction_GetURIPath(document.raw, action, buffer, size)
            targets.append(buffer.value.decode("utf-8") if size else "(local)")
    return targets


def pdf_text(document: pdfium.PdfDocument) -> str:
    return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


BASE_URL = "https://campus.example.org"


def test_cooperative_report_and_pdf_render_in_chromium(chromium: str, tmp_path, shots):
    engine = connect(f"sqlite:///{tmp_path / 'campus.db'}")
    fill_mirror(engine)  # twelve cooperatives; Coopérative 2 has barometer results to draw
    folder = build_report(
        load_forum(engine),
        "2026-10",
        tmp_path / "out",
        now=datetime(2026, 11, 1, 6, tzinfo=UTC),
        with_pdf=True,
        base_url=BASE_URL,
    )
    page = folder / "cooperatives" / "coop-02.html"
    png = shots / "report-cooperative.png"
    stderr = screenshot(chromium, page, png, tmp_path / "profile", height=3400)
    assert console_lines(stderr) == []
    assert png.read_bytes().startswith(PNG_SIGNATURE)
    document = pdfium.PdfDocument(folder / "network.pdf")
    assert len(document) >= 3  # a multi-page report
    first = document[0].render(scale=1.5).to_pil().convert("L")
    first.save(shots / "report-network-pdf.png")
    ink = sum(first.histogram()[:128]) / (first.width * first.height)
    assert ink > 0.01  # the page is printed, not blank
    document[1].render(scale=1.5).to_pil().convert("L").save(shots / "report-network-pdf-2.png")


def test_the_pdf_links_to_the_web_pages_and_names_no_file(chromium: str, tmp_path):
    engine = connect(f"sqlite:///{tmp_path / 'campus.db'}")
    fill_mirror(engine)
    folder = build_report(
        load_forum(engine),
        "2026-10",
        tmp_path / "out",
        now=datetime(2026, 11, 1, 6, tzinfo=UTC),
        with_pdf=True,
        base_url=BASE_URL,
    )
    raw = (folder / "network.pdf").read_bytes()
    document = pdfium.PdfDocument(raw)
    links = pdf_links(document)
    assert links, "the cooperatives' names link to their pages"
    assert all(link.startswith(f"{BASE_URL}/rapports/2026-10/") for link in links), links
    assert f"{BASE_URL}/rapports/2026-10/coop-02" in links
    for found in (pdf_text(document), raw.decode("latin-1"), *links):
        assert "/tmp" not in found
        assert "file:" not in found
        assert str(tmp_path) not in found
