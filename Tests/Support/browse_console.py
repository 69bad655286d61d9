#!/usr/bin/env python3
"""Drives Herald's staff console in a real browser (Debian's chromium through chromium-driver, from selenium),
as a marketing user would: signs in by typing, builds a segment by clicking labels, counts its audience,
schedules a campaign a few seconds ahead and watches the dashboard (which refreshes itself) until it is done
while a worker sends, cancels a second campaign, and looks at the templates and a preview. Keeps a screenshot of
each page in ARTIFACTS and checks each is not blank. Prints one JSON object:

  {"steps": {name: text seen}, "screenshots": {name: "ok" | problem}, "unlabelled": [...], "styled": bool,
   "console": [browser console errors], "addresses": [recipient addresses seen on any page]}

Usage: browse_console.py BASE_URL EMAIL PASSWORD ARTIFACTS
"""
import datetime
import json
import re
import sys
import time

from browse_pages import console_errors, screenshooter, start_browser
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions


def steady(read, attempts=5):
    """read(), again if the page reloaded itself meanwhile (the dashboard refreshes every five seconds)."""
    for attempt in range(attempts):
        try:
            return read()
        except (StaleElementReferenceException, NoSuchElementException):
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)


def main():
    base, email, password, artifacts = sys.argv[1:5]
    driver, wait = start_browser()
    driver.set_window_size(1280, 900)
    result = {"steps": {}, "screenshots": {}, "unlabelled": [], "styled": False, "console": [], "addresses": []}
    shot = screenshooter(driver, artifacts, result)

    def look(name):
        return steady(lambda: look_once(name))

    def look_once(name):
        """Notes the page's text, its unlabelled controls and any recipient address on it, and keeps its picture."""
        text = driver.find_element(By.TAG_NAME, "main").text
        result["steps"][name] = text
        result["addresses"] += re.findall(r"\bp[0-9]+@example\.com", driver.page_source)
        for control in driver.find_elements(By.CSS_SELECTOR, "input, select"):
            if control.get_attribute("type") == "hidden":
                continue
            labelled = driver.find_elements(By.CSS_SELECTOR, "label[for='%s']" % control.get_attribute("id")) if control.get_attribute("id") else []
            wrapped = driver.execute_script("return arguments[0].closest('label') !== null", control)
            if not labelled and not wrapped and not control.get_attribute("aria-label"):
                result["unlabelled"].append(name + ":" + (control.get_attribute("name") or ""))
        shot("console-" + name)
        return text

    try:
        driver.get(base + "/console")
        wait.until(expected_conditions.title_contains("Sign in"))
        look("sign-in")
        driver.find_element(By.ID, "email").send_keys(email)
        driver.find_element(By.ID, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "form button").click()
        try:
            wait.until(expected_conditions.title_contains("Campaigns"))
        except Exception:
            raise RuntimeError("not signed in: " + driver.title + ": " + driver.find_element(By.TAG_NAME, "main").text + " at " + driver.current_url)
        button = driver.find_element(By.CSS_SELECTOR, "a.button")
        result["styled"] = driver.execute_script("return getComputedStyle(arguments[0]).backgroundColor", button) not in ("", "rgba(0, 0, 0, 0)")
        look("dashboard")

        def new_campaign(name, product, seconds_ahead):
            driver.get(base + "/console/campaigns/new")
            driver.find_element(By.ID, "name").send_keys(name)
            driver.find_element(By.XPATH, "//label[contains(., '%s')]" % product).click()
            driver.find_element(By.CSS_SELECTOR, "button[value=count]").click()
            wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "output.audience")))
            counted = driver.find_element(By.CSS_SELECTOR, "output.audience").text
            due = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_ahead)).strftime("%Y-%m-%dT%H:%M:%S")
            driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, "send_at"), due)
            for option in driver.find_elements(By.CSS_SELECTOR, "#time_zone option"):
                if option.text == "UTC":
                    option.click()
            return counted

        result["steps"]["counted"] = new_campaign("Kronos news", "kronos", 4)
        look("new-campaign")
        driver.find_element(By.CSS_SELECTOR, "button[value=create]").click()
        wait.until(expected_conditions.title_contains("Campaigns"))
        look("scheduled")
        # The dashboard refreshes itself while something is scheduled or sending; the test reads what it shows.
        def row(name):
            return steady(lambda: driver.find_element(By.XPATH, "//tr[th[contains(., '%s')]]" % name).text)
        deadline = time.time() + 90
        while time.time() < deadline and "done" not in row("Kronos news"):
            time.sleep(1)
        result["steps"]["finished"] = row("Kronos news")
        look("done")

        new_campaign("Volca news", "volca", 3600)
        driver.find_element(By.CSS_SELECTOR, "button[value=create]").click()
        wait.until(expected_conditions.title_contains("Campaigns"))
        steady(lambda: driver.find_element(By.XPATH, "//tr[th[contains(., 'Volca news')]]//button[contains(., 'Cancel')]").click())
        deadline = time.time() + 20
        while time.time() < deadline and "cancelled" not in row("Volca news"):
            time.sleep(0.5)
        result["steps"]["cancelled"] = row("Volca news")
        look("cancelled")

        driver.get(base + "/console/templates")
        look("templates")
        driver.get(base + "/console/templates/product-news/preview")
        look("preview")
        result["console"] = console_errors(driver)
    finally:
        driver.quit()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
