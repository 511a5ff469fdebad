"""Browser checks of Campus's pages (DESIGN §10: WCAG 2.1 AA, usable at 390 px), through Selenium.

`axe_violations` runs axe-core (the npm package of package.json, installed by `npm ci` into
`node_modules/`) in the page through the WebDriver, so the page's CSP — no inline script — is left
as it is; `horizontal_overflow` says which elements stick out of a narrow screen; `focused`,
`press` and `tab_to` drive the keyboard. Without `node_modules/axe-core` the tests that need it
are skipped with a message, unless `CAMPUS_REQUIRE_CHROMIUM=1` (`.ci/run`), where they fail.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
PHONE = (390, 844)
DESKTOP = (1280, 1000)


@cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def require_axe() -> str:
    """axe-core's script, or skip (fail under `CAMPUS_REQUIRE_CHROMIUM=1`) saying how to get it."""
    if not AXE_SCRIPT.is_file():
        reason = (
            f"axe-core is not installed ({AXE_SCRIPT.relative_to(ROOT)} is missing): run "
            "`npm ci` at the repository's root (.ci/run does)"
        )
        if os.environ.get("CAMPUS_REQUIRE_CHROMIUM") == "1":
            pytest.fail(reason + " but CAMPUS_REQUIRE_CHROMIUM=1")
        pytest.skip(reason)
    return _axe_source()


def axe_violations(browser, impacts: tuple[str, ...] = BLOCKING) -> list[str]:
    """The WCAG 2.1 A/AA rules the current page breaks at `impacts`, one readable line each
    (rule, impact, help, the first offending elements)."""
    source = require_axe()
    if not browser.execute_script("return typeof window.axe === 'object';"):
        browser.execute_script(source)
    result = browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        window.axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})
          .then(result => done(result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))
          .catch(error => done({error: String(error)}));
        """,
        WCAG_AA,
    )
    if isinstance(result, dict):
        raise AssertionError(f"axe-core failed on {browser.current_url}: {result['error']}")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(v['targets'])}"
        for v in result
        if v["impact"] in impacts
    ]


def horizontal_overflow(browser) -> list[str]:
    """What makes the page wider than the window (empty: no horizontal scroll): the page's
    width, and the elements whose right edge passes the window's."""
    return browser.execute_script(
        """
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width) return [];
        const wide = [`page ${document.documentElement.scrollWidth}px > window ${width}px`];
        for (const e of document.body.querySelectorAll('*')) {
          const box = e.getBoundingClientRect();
          if (box.right > width + 1 && wide.length < 6) {
            wide.push(`${e.tagName.toLowerCase()}.${e.className} right=${Math.round(box.right)}`);
          }
        }
        return wide;
        """
    )


def narrowest_text_column(browser, selector: str) -> int:
    """The width in px of the narrowest element matching `selector` (text squeezed into a thin
    column is unreadable even without a horizontal scroll)."""
    return browser.execute_script(
        "return Math.min(...Array.from(document.querySelectorAll(arguments[0]))"
        ".map(e => e.getBoundingClientRect().width));",
        selector,
    )


def set_width(browser, size: tuple[int, int]) -> None:
    """Resize the window to `size` and check the page really is that wide (headless chromium)."""
    browser.set_window_size(*size)
    inner = browser.execute_script("return window.innerWidth;")
    assert abs(inner - size[0]) <= 20, f"window is {inner}px wide, not {size[0]}"


def focused(browser) -> tuple[str, str]:
    """The name (or tag) and value (or link target) of the element with the keyboard focus."""
    name, value = browser.execute_script(
        "const e = document.activeElement;"
        " return [e.name || e.tagName, e.value || e.getAttribute('href') || ''];"
    )
    return name, value


def press(browser, *keys: str) -> None:
    """Type `keys` into whatever has the focus, as a keyboard would."""
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(browser).send_keys(*keys).perform()


def tab_to(browser, name: str, value: str | None = None, limit: int = 80) -> None:
    """Press Tab until the element named `name` (and `value`, when given) has the focus."""
    from selenium.webdriver.common.keys import Keys

    for _ in range(limit):
        here = focused(browser)
        if here[0] == name and (value is None or here[1] == value):
            return
        press(browser, Keys.TAB)
    raise AssertionError(f"Tab never reached {name} {value or ''}")
