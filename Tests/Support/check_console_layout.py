#!/usr/bin/env python3
"""Measures the staff console's layout in a real browser (Debian's chromium, from selenium, as browse_pages.py
starts it) at a desktop's 1280x800 and a phone's 390x844: a staff member signs in and each page given is loaded.
Keeps a screenshot of each page at each width in ARTIFACTS (console-layout-NAME-WIDTH.png, and a full-height
console-layout-NAME-WIDTH-full.png to look at). Prints one JSON object:

  {"overflow": [pages wider than the window], "header": [pages whose header bar is on more than one line at 1280],
   "table": [problems of the campaign table (scrolling sideways at 1280, a time on two lines, a cell off-screen
   at 390) and of a report's facts (a value squeezed narrower than 120 px)], "due": [[each scheduled campaign's due time as shown, its title]], "warning": "shown" | "hidden" | "absent"
   (the dashboard's warning that nothing is sending), "screenshots": {name: "ok" | problem},
   "console": [browser console errors]}

Usage: check_console_layout.py BASE_URL EMAIL PASSWORD ARTIFACTS PATH...
"""
import json
import os
import sys

from browse_pages import console_errors, screenshooter, start_browser
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions

# The header bar's parts (the company, each menu item, who is signed in) all share one line: every part's top
# lies above every other part's bottom.
HEADER = """
const bar = document.querySelector('.console-bar');
if (!bar) { return 'no header bar'; }
const parts = [bar.querySelector('.company'), ...bar.querySelectorAll('li'), bar.querySelector('.sign-out')].filter(Boolean);
const rects = parts.map(part => part.getBoundingClientRect());
const lowestTop = Math.max(...rects.map(r => r.top)), highestBottom = Math.min(...rects.map(r => r.bottom));
return lowestTop < highestBottom ? null : 'parts from ' + Math.round(Math.min(...rects.map(r => r.top))) + ' to ' + Math.round(lowestTop)
    + ' px down (' + Math.round(bar.getBoundingClientRect().height) + ' px high)';
"""

TABLE = """
const problems = [];
// A report's facts: each value keeps a readable width (not a letter a line beside a long name).
for (const value of document.querySelectorAll('dl.about dd')) {
    if (value.getBoundingClientRect().width < 120) { problems.push('"' + value.textContent.slice(0, 20) + '" squeezed to ' + Math.round(value.getBoundingClientRect().width) + ' px'); }
}
const table = document.querySelector('table.campaigns');
if (!table) { return problems; }
const box = table.closest('.table-scroll');
if (window.innerWidth >= 1000 && box && box.scrollWidth > box.clientWidth) {
    problems.push('the table scrolls sideways by ' + (box.scrollWidth - box.clientWidth) + ' px');
}
for (const time of table.querySelectorAll('time')) {
    if (time.getClientRects().length > 1) { problems.push('"' + time.textContent + '" on ' + time.getClientRects().length + ' lines'); }
}
for (const cell of table.querySelectorAll('th, td')) {
    const rect = cell.getBoundingClientRect();
    if (rect.width > 0 && rect.right > document.documentElement.clientWidth + 1) {
        problems.push((cell.getAttribute('data-label') || cell.textContent.trim().slice(0, 20)) + ' ends at ' + Math.round(rect.right) + ' px');
    }
}
return problems;
"""


def main():
    base, email, password, artifacts, paths = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
    driver, wait = start_browser()
    result = {"overflow": [], "header": [], "table": [], "due": None, "warning": "absent", "screenshots": {}, "console": []}
    shot = screenshooter(driver, artifacts, result)

    def name_of(path):
        parts = path.split("?")[0].strip("/").split("/")
        return {"console": "dashboard"}.get("/".join(parts), parts[1] if len(parts) > 1 else parts[0])

    try:
        driver.set_window_size(1280, 800)
        driver.get(base + "/console")
        wait.until(expected_conditions.title_contains("Sign in"))
        driver.find_element(By.ID, "email").send_keys(email)
        driver.find_element(By.ID, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "main form button").click()
        wait.until(expected_conditions.title_contains("Campaigns"))
        for width, height in ((1280, 800), (390, 844)):
            for path in paths:
                driver.set_window_size(width, height)
                driver.get(base + path)
                wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
                where = "%s at %d px" % (path, width)
                wide = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if wide > 0:
                    result["overflow"].append("%s: %d px too wide" % (where, wide))
                if width == 1280:
                    header = driver.execute_script(HEADER)
                    if header:
                        result["header"].append("%s: %s" % (where, header))
                result["table"] += ["%s: %s" % (where, problem) for problem in driver.execute_script(TABLE)]
                if path == "/console" and width == 1280:
                    due = driver.find_elements(By.CSS_SELECTOR, "tr[data-status=scheduled] time[data-local]")
                    result["due"] = [(time.text, time.get_attribute("title")) for time in due]
                    warning = driver.find_elements(By.CSS_SELECTOR, "[data-sending-watch]")
                    result["warning"] = ("shown" if warning[0].is_displayed() else "hidden") if warning else "absent"
                name = "console-layout-%s-%d" % (name_of(path), width)
                shot(name)
                # The whole page, to look at (the window as tall as the page, then back).
                full = driver.execute_script("return document.documentElement.scrollHeight")
                driver.set_window_size(width, max(height, min(full + 140, 4000)))
                driver.save_screenshot(os.path.join(artifacts, name + "-full.png"))
        result["console"] = console_errors(driver)
    finally:
        driver.quit()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
