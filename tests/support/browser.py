"""Headless Chromium for page tests (the chat page now, the consoles later), driven by Playwright.

Playwright drives the system's Chromium (Debian's `chromium`; `make browser` installs it), never a
browser of its own: there is no `playwright install`. Where no Chromium binary is present, tests that
use these fixtures are skipped with the reason. Mark such test modules `pytestmark = pytest.mark.browser`
and import the fixtures into them: `from support.browser import browsing, chromium  # noqa: F401`.

`browsing.page()` opens a page in a fresh context (its own cookies and storage, so its own chat
session); uncaught script errors and console errors (a blocked inline script, say) fail the test.
"""

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, expect, sync_playwright

from support.console import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Chromium reports every 4xx/5xx response in the console; tests that provoke one check it themselves.
EXPECTED_CONSOLE = re.compile(r"Failed to load resource: the server responded with a status of [45]\d\d")


def chromium_path() -> str | None:
    """CHROMIUM if set, else Debian's /usr/bin/chromium, else a chromium on PATH."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """One headless Chromium per test module (Playwright's event loop ends with the module)."""
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium binary: install Debian's chromium (make browser) or set CHROMIUM")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Browsing:
    browser: Browser
    contexts: list[BrowserContext] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def page(self, **context_options: Any) -> Page:
        """A page in a new context; options go to `Browser.new_context` (viewport, geolocation…)."""
        context = self.browser.new_context(**{"locale": "zh-CN", **context_options})
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("console", self._console)
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not EXPECTED_CONSOLE.search(message.text):
            self.errors.append(f"console: {message.text}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(chromium: Browser) -> Iterator[Browsing]:
    session = Browsing(chromium)
    yield session
    session.close()
    assert not session.errors, f"the page reported errors: {session.errors}"


def screenshot(page: Page, name: str) -> Path:
    """Saved to tests/artifacts/ (gitignored) for a human to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESK = {"viewport": {"width": 1366, "height": 768}}
VIEWPORTS = {"phone": PHONE, "desk": DESK}


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0 or less when nothing scrolls sideways).

    Measured against the viewport the page was opened with: an emulated phone, like a real one, widens
    `window.innerWidth` to fit content that overflows, so `scrollWidth <= innerWidth` alone always holds."""
    width = page.viewport_size["width"]
    return page.evaluate("Math.max(document.scrollingElement.scrollWidth, window.innerWidth)") - width


# Boxes that scroll sideways, or clip what is in them: only a table of figures may (it keeps its columns).
SIDEWAYS = """() => [...document.querySelectorAll("body *")]
  .filter((node) => !node.matches("input, textarea, select, .figures, .figures *")
    && !node.querySelector(".figures") && getComputedStyle(node).overflowX !== "visible"
    && node.clientWidth > 1 && node.scrollWidth > node.clientWidth + 1)  // not the 1px visually-hidden boxes
  .map((node) => `${node.tagName.toLowerCase()}.${node.className}: ${node.scrollWidth - node.clientWidth}px`)"""


def scrolls_sideways(page: Page) -> list[str]:
    """Parts of the page (other than a table of figures) whose content is wider than they are."""
    return page.evaluate(SIDEWAYS)


# The WCAG contrast ratio of each visible control's text against the first opaque background behind it.
CONTRAST = """(selector) => {
  const rgba = (text) => {
    const parts = text.match(/[\\d.]+/g).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  };
  const behind = (node) => {
    for (let at = node; at; at = at.parentElement) {
      const colour = rgba(getComputedStyle(at).backgroundColor);
      if (colour.a > 0.5) return colour;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const ratio = (a, b) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  return [...document.querySelectorAll(selector)]
    .filter((node) => node.getClientRects().length && getComputedStyle(node).visibility !== "hidden")
    .map((node) => ({
      label: (node.getAttribute("aria-label") || node.textContent).trim().replace(/\\s+/g, " "),
      classes: node.className,
      ratio: Math.round(ratio(rgba(getComputedStyle(node).color), behind(node)) * 100) / 100,
    }));
}"""
CONTROLS = "button, a.primary, a.secondary, a.plain, a.danger, .chip"


def contrasts(page: Page, selector: str = CONTROLS) -> list[dict[str, Any]]:
    """Label, classes and contrast ratio of every visible control the selector finds."""
    return page.evaluate(CONTRAST, selector)


def unreadable(page: Page, minimum: float = 4.5) -> list[dict[str, Any]]:
    """Controls whose text stands out less from its background than WCAG AA asks of normal text."""
    return [control for control in contrasts(page) if control["ratio"] < minimum]


def layout_problems(page: Page, name: str) -> list[str]:
    """Everything a page-by-page look finds wrong with one page, each named after it: wider than the window,
    a part that scrolls sideways, a control too faint to read."""
    wider = overflow(page)
    problems = [f"{name}: {wider}px wider than the window"] if wider > 0 else []
    problems.extend(f"{name}: {part} scrolls sideways" for part in scrolls_sideways(page))
    problems.extend(f"{name}: {control}" for control in unreadable(page))
    return problems


# ---- the console and the web chat, used as a person uses them ----


def console_login(browsing: Browsing, url: str, username: str, **context_options: Any) -> Page:
    """A fresh context logged into the console at `url` as `username` (support.console's PASSWORD), on the
    queue page the login lands on."""
    page = browsing.page(**context_options)
    page.goto(f"{url}/console/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工单队列")).to_be_visible()
    return page


def bot_messages(page: Page) -> Locator:
    """The assistant's answers in the web chat, not its typing indicator."""
    return page.locator("#messages > li.bot:not(.typing)")


def ask(page: Page, text: str) -> Locator:
    """Type a message into the web chat and wait for the answer to it; returns that answer, not whatever
    comes last later."""
    count = bot_messages(page).count()
    box = page.get_by_label("输入你的问题")
    box.fill(text)
    box.press("Enter")
    expect(bot_messages(page)).to_have_count(count + 1)
    return bot_messages(page).nth(count)


def open_chat(browsing: Browsing, url: str, **context_options: Any) -> Page:
    """A fresh web chat at `url` (its own context, so its own session), once the assistant has greeted."""
    page = browsing.page(**context_options)
    page.goto(f"{url}/chat")
    expect(bot_messages(page).first).to_contain_text("我是工会的法律和服务小助手")
    return page


def press(page: Page, label: str) -> Locator:
    """Press a button under the last answer and wait for the answer it brings; returns that answer."""
    count = bot_messages(page).count()
    bot_messages(page).last.get_by_role("button", name=label, exact=True).click()
    expect(bot_messages(page)).to_have_count(count + 1)
    return bot_messages(page).nth(count)
