"""Screenshots of the main pages, for looking at what we build.

Usage: .venv/bin/python scripts/screenshots.py BASE_URL OUT_DIR EMAIL PASSWORD PATH [PATH ...]
Uses Debian's Chromium (/usr/bin/chromium) through Playwright; never downloads a browser.
"""
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main(base, out, email, password, *paths):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        if email != "-":
            page.goto(base + "/login")
            page.fill("#email", email)
            page.fill("#password", password)
            page.click("button[type=submit], input[type=submit]")
        for path in paths:
            page.goto(base + path)
            name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            print(out / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
