"""Pages in a real browser (Playwright driving Debian's chromium), as a person sees them.

``Visitor`` opens the served app at a desktop width or a 375-pixel phone, with JavaScript on or
off. Every page it visits is checked: axe-core (with JavaScript on) fails a serious or critical
accessibility problem, and at any width a page wider than the window (a table that pushes the page
sideways on a phone) fails. With SCREENSHOTS=<directory> set, each page is saved there as a PNG for
a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
# (width, javascript): every page journey runs at both widths, with JavaScript on and off.
WAYS = [
    pytest.param(DESKTOP, True, id="desktop-js"),
    pytest.param(PHONE, True, id="phone-js"),
    pytest.param(DESKTOP, False, id="desktop-nojs"),
    pytest.param(PHONE, False, id="phone-nojs"),
]

# How wide the page is, and the element that reaches furthest right (to say what pushes it).
WIDEST = """() => {
  let element = "", narrowest = Infinity;
  for (const each of document.body.querySelectorAll("*")) {
    const box = each.getBoundingClientRect();
    if (box.right > window.innerWidth + 1 && box.width < narrowest) {
      narrowest = box.width;
      const classes = each.className ? "." + String(each.className).split(" ").join(".") : "";
      element = each.tagName.toLowerCase() + classes + " " + (each.textContent || "").trim().slice(0, 40);
    }
  }
  return {width: document.documentElement.scrollWidth, element};
}"""

# Words broken across two lines ("Referen" above "ce") inside ``selector``: each word's text as
# laid out in more than one line box.
BROKEN_WORDS = """(selector) => {
  const broken = [];
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const boxes = [...range.getClientRects()].filter((box) => box.width > 0);
        const lines = new Set(boxes.map((box) => Math.round(box.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, object]:
    return {"executable_path": CHROMIUM, "args": ["--no-sandbox"]}


class Axe:
    """Runs axe-core on each page visited; collects serious and critical violations."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.problems: list[str] = []
        self.pages = 0

    def check(self, page: Page) -> None:
        if not self.enabled:
            return
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        self.pages += 1
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [(node["target"], node["html"][:120]) for node in violation["nodes"]][:3]
                self.problems.append(f"{page.url}: {violation['id']} ({violation['impact']}) {targets}")


class Visitor:
    """One person's browser: pages are checked as they are visited (see the module's docstring)."""

    def __init__(self, browser: Browser, base_url: str, viewport: dict[str, int], javascript: bool) -> None:
        self.context: BrowserContext = browser.new_context(
            java_script_enabled=javascript, bypass_csp=True, base_url=base_url, viewport=viewport
        )
        self.page: Page = self.context.new_page()
        self.axe = Axe(enabled=javascript)
        self.width = viewport["width"]
        self.problems = self.axe.problems
        self.shots = os.environ.get("SCREENSHOTS")
        self.visited = 0

    def check(self) -> None:
        self.visited += 1
        self.axe.check(self.page)
        wide = self.page.evaluate(WIDEST)
        if wide["width"] > self.width:
            where = f"{wide['width']} pixels wide in a {self.width}-pixel window"
            self.problems.append(f"{self.page.url}: {where} ({wide['element']})")
        if self.shots:
            path = self.page.url.split("//", 1)[-1].split("/", 1)[-1].split("?", 1)[0]  # a name, not a query
            name = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "start"
            Path(self.shots).mkdir(parents=True, exist_ok=True)
            shot = f"{self.shots}/{self.width}-{self.visited:02d}-{name}.png"
            self.page.screenshot(path=shot, full_page=True)

    def go(self, path: str) -> Page:
        self.page.goto(path)
        self.check()
        return self.page

    def press(self, name: str) -> Page:
        self.page.get_by_role("button", name=name, exact=True).click()
        self.page.wait_for_load_state()
        self.check()
        return self.page

    def follow(self, name: str) -> Page:
        self.page.get_by_role("link", name=name, exact=True).first.click()
        self.page.wait_for_load_state()
        self.check()
        return self.page

    def close(self) -> None:
        self.context.close()

    def assert_no_problems(self) -> None:
        assert self.problems == [], "\n".join(self.problems)
