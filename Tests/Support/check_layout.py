#!/usr/bin/env python3
"""Measures, in a real browser (Debian's chromium, from selenium, as browse_pages.py starts it), where each
checkbox of the given pages sits beside its label, at a phone's width (390 px) and a desktop's (1280 px).
Keeps a screenshot of each page at each width in ARTIFACTS. Prints one JSON object:

  {"PATH@WIDTH": [{"id": ..., "same_line": bool, "before": bool, "box_top": y, "text_top": y}, ...], ...}

same_line: the box's vertical middle lies within the first line of its label's words; before: the box ends
left of where those words start.

Usage: check_layout.py BASE_URL ARTIFACTS PATH...
"""
import json
import os
import sys

from browse_pages import start_browser

# The first line of the label's words: the bounding box of a range over its first character.
MEASURE = """
const result = [];
for (const box of document.querySelectorAll('input[type=checkbox]')) {
    const label = document.querySelector('label[for="' + box.id + '"]');
    if (!label) { result.push({id: box.id, same_line: false, before: false, problem: 'no label'}); continue; }
    const range = document.createRange();
    const text = [...label.childNodes].find(node => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
    const start = text.textContent.search(/\\S/);
    range.setStart(text, start);
    range.setEnd(text, start + 1);
    const first = range.getBoundingClientRect();
    const rect = box.getBoundingClientRect();
    const middle = rect.top + rect.height / 2;
    result.push({id: box.id, same_line: middle >= first.top && middle <= first.bottom, before: rect.right <= first.left,
                 box_top: Math.round(rect.top), text_top: Math.round(first.top)});
}
return result;
"""


def main():
    base, artifacts, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(artifacts, exist_ok=True)
    driver, _ = start_browser()
    result = {}
    try:
        for width in (390, 1280):
            driver.set_window_size(width, 900)
            for path in paths:
                driver.get(base + path)
                name = path.strip("/").split("/")[0]
                driver.save_screenshot(os.path.join(artifacts, f"{name}-{width}.png"))
                result[f"{name}@{width}"] = driver.execute_script(MEASURE)
    finally:
        driver.quit()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
