"""The network report as PDF, printed by the system Chromium (headless `--print-to-pdf`).

The HTML report is self-contained (charts inline, no external address), so Chromium prints it
without any network access; the page's print styles give A4 pages. Chromium gets the page's text,
written in a private temporary folder removed afterwards: the page given is the one rendered for
print, whose links go to the web pages (or nowhere), never to a file, and no folder of the
server is named in the PDF.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from core.errors import CampusError, InputError
from core.i18n import _

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_SECONDS = 120


def find_chromium() -> str:
    """The Chromium executable, or an `InputError` (exit 2) saying how to install it."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise InputError(
        _(
            "--pdf a besoin de Chromium, introuvable sur cette machine : installez-le "
            "(apt-get install chromium) ou relancez sans --pdf."
        )
    )


def print_pdf(html: str, target: Path) -> None:
    """Print the HTML page `html` to the PDF `target` (A4, no header or footer)."""
    chromium = find_chromium()
    with tempfile.TemporaryDirectory(prefix="campus-chromium-") as folder:
        profile = Path(folder) / "profile"
        page = Path(folder) / "report.html"
        page.write_text(html, encoding="utf-8")
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
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            page.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired:
            done = None
    if done is None or done.returncode != 0 or not target.exists():
        raise CampusError(
            _(
                "Chromium n'a pas pu imprimer le rapport en PDF ({page}) : relancez sans --pdf "
                "ou vérifiez l'installation de Chromium.",
                page=target.name,
            )
        )
