#!/usr/bin/env python3
"""Drives Herald's privacy-policy pages in a real browser (Debian's chromium through chromium-driver, from
selenium) on a phone-sized window: for each person's choice link, opens the page and presses its own Accept or
Decline button, as the person would; then opens /policy. Also shows each notice's HTML part (a file) at phone
and desktop width, for a look at the mail itself. Keeps a screenshot of everything in ARTIFACTS, each checked
not blank. Prints one JSON object:

  {"steps": {name: text seen}, "screenshots": {name: "ok" | problem}, "console": [browser console errors]}

Usage: browse_policy.py BASE_URL ARTIFACTS NAME=accept|decline:PATH... [--mail NAME=FILE.html...]
"""
import json
import os
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browse_pages import screenshooter, start_browser  # noqa: E402  (the same browser and blank-picture check)


def main():
    base, artifacts = sys.argv[1], sys.argv[2]
    choices, mails, target = [], [], None
    for argument in sys.argv[3:]:
        if argument == "--mail":
            target = mails
            continue
        name, value = argument.split("=", 1)
        (target if target is not None else choices).append((name, value))
    driver, wait = start_browser()
    result = {"steps": {}, "screenshots": {}, "console": []}
    shot = screenshooter(driver, artifacts, result)

    try:
        for name, value in choices:
            answer, path = value.split(":", 1)
            driver.get(base + path)
            result["steps"][name] = driver.find_element(By.TAG_NAME, "main").text
            shot("policy-choice-" + name)
            driver.find_element(By.CSS_SELECTOR, "button[value=%s]" % answer).click()
            wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "[role=status]")))
            result["steps"][name + "-done"] = driver.find_element(By.CSS_SELECTOR, "[role=status]").text
            shot("policy-choice-%s-%s" % (name, answer))
        driver.get(base + "/policy")
        result["steps"]["policy"] = driver.find_element(By.TAG_NAME, "main").text
        shot("policy")
        result["console"] = [entry["message"] for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
        for name, file in mails:
            for width, height in [(390, 844), (800, 900)]:
                driver.set_window_size(width, height)
                driver.get("file://" + os.path.abspath(file))
                shot("mail-%s-%d" % (name, width))
    finally:
        driver.quit()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
