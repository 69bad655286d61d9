#!/usr/bin/env python3
"""Drives Herald's staff console in a real browser (Debian's chromium through chromium-driver, from selenium),
as its staff would. A marketing user signs in by typing, builds a segment by clicking labels and watches its
audience counted as it changes (the console's script), previews the message for that segment and test-sends it
to their own address, schedules a campaign a few seconds ahead and watches the dashboard (live, by the script)
until it is done while a worker sends, cancels a second campaign, and looks at the templates, the reports and a
campaign's chart. Then an administrator signs in, looks one person up by address and erases them.

Keeps a screenshot of each page in ARTIFACTS and checks each is not blank. Prints one JSON object:

  {"steps": {name: text seen}, "screenshots": {name: "ok" | problem}, "unlabelled": [...], "styled": bool,
   "console": [browser console errors], "addresses": [recipient addresses seen on a marketing page],
   "overflow": [pages wider than a phone's screen]}

Usage: browse_console.py BASE_URL EMAIL PASSWORD ADMIN_EMAIL ADMIN_PASSWORD PERSON ARTIFACTS
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


def steady(read, attempts=8):
    """read(), again if the page reloaded itself meanwhile (the dashboard does when a campaign changes state)."""
    for attempt in range(attempts):
        try:
            return read()
        except (StaleElementReferenceException, NoSuchElementException):
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)


def main():
    base, email, password, admin_email, admin_password, person, artifacts = sys.argv[1:8]
    driver, wait = start_browser()
    driver.set_window_size(1280, 900)
    result = {"steps": {}, "screenshots": {}, "unlabelled": [], "styled": False, "console": [], "addresses": [], "overflow": []}
    shot = screenshooter(driver, artifacts, result)

    def look(name, marketing=True):
        return steady(lambda: look_once(name, marketing))

    def look_once(name, marketing):
        """Notes the page's text, its unlabelled controls and (on a marketing user's page) any recipient address
        on it, and keeps its picture."""
        text = driver.find_element(By.TAG_NAME, "main").text
        result["steps"][name] = text
        if marketing:
            result["addresses"] += re.findall(r"\bp[0-9]+@example\.com", driver.page_source)
        for control in driver.find_elements(By.CSS_SELECTOR, "input, select, textarea"):
            if control.get_attribute("type") == "hidden":
                continue
            labelled = driver.find_elements(By.CSS_SELECTOR, "label[for='%s']" % control.get_attribute("id")) if control.get_attribute("id") else []
            wrapped = driver.execute_script("return arguments[0].closest('label') !== null", control)
            if not labelled and not wrapped and not control.get_attribute("aria-label"):
                result["unlabelled"].append(name + ":" + (control.get_attribute("name") or ""))
        shot("console-" + name)
        return text

    def sign_in(address, secret):
        driver.get(base + "/console")
        wait.until(expected_conditions.title_contains("Sign in"))
        driver.find_element(By.ID, "email").send_keys(address)
        driver.find_element(By.ID, "password").send_keys(secret)
        driver.find_element(By.CSS_SELECTOR, "main form button").click()
        try:
            wait.until(expected_conditions.title_contains("Campaigns"))
        except Exception:
            raise RuntimeError("not signed in: " + driver.title + ": " + driver.find_element(By.TAG_NAME, "main").text + " at " + driver.current_url)

    def text_of(selector):
        return driver.find_element(By.CSS_SELECTOR, selector).text

    def row(name):
        return steady(lambda: driver.find_element(By.XPATH, "//tr[th[contains(., '%s')]]" % name).text)

    try:
        driver.get(base + "/console")
        wait.until(expected_conditions.title_contains("Sign in"))
        look("sign-in")
        sign_in(email, password)
        button = driver.find_element(By.CSS_SELECTOR, "a.button")
        result["styled"] = driver.execute_script("return getComputedStyle(arguments[0]).backgroundColor", button) not in ("", "rgba(0, 0, 0, 0)")
        look("dashboard")

        def new_campaign(name, product, seconds_ahead):
            """Fills the form; the audience is counted by the console's script as the product is ticked."""
            driver.get(base + "/console/campaigns/new")
            driver.find_element(By.ID, "name").send_keys(name)
            driver.find_element(By.XPATH, "//label[contains(., '%s')]" % product).click()
            wait.until(lambda _: "people would receive it now" in text_of("output.audience"))
            counted = text_of("output.audience")
            due = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_ahead)).strftime("%Y-%m-%dT%H:%M:%S")
            driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, "send_at"), due)
            for option in driver.find_elements(By.CSS_SELECTOR, "#time_zone option"):
                if option.text == "UTC":
                    option.click()
            return counted

        # The segment's message, previewed for an owner of its product, and sent as a test to oneself.
        result["steps"]["counted"] = new_campaign("Kronos news", "kronos", 3600)
        # (The campaign form previews beside itself now: browse_workspace.py; here the template's own preview.)
        driver.get(base + "/console/templates/product-news/preview?shaped=1&recipient_name=&product=kronos")
        wait.until(expected_conditions.title_contains("Preview"))
        look("preview")
        driver.find_element(By.XPATH, "//button[contains(., 'Send a test')]").click()
        wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "p.notice")))
        result["steps"]["test-send"] = text_of("p.notice")
        look("test-sent")

        new_campaign("Kronos news", "kronos", 4)
        look("new-campaign")
        driver.find_element(By.CSS_SELECTOR, "button[value=create]").click()
        wait.until(expected_conditions.title_contains("Campaigns"))
        look("scheduled")
        # The dashboard follows the campaign by itself while it is scheduled or sending.
        deadline = time.time() + 90
        while time.time() < deadline and "done" not in row("Kronos news"):
            time.sleep(0.5)
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
        driver.get(base + "/console/reports")
        look("reports")
        driver.find_element(By.XPATH, "//a[contains(., 'Kronos news')]").click()
        wait.until(expected_conditions.title_contains("Report"))
        result["steps"]["chart-bars"] = str(len(driver.find_elements(By.CSS_SELECTOR, "svg.chart rect")))
        look("campaign-report")
        result["console"] = console_errors(driver)

        # An administrator: one person by exact address, then their erasure behind its confirming tick box.
        driver.find_element(By.XPATH, "//button[contains(., 'Sign out')]").click()
        wait.until(expected_conditions.title_contains("Sign in"))
        sign_in(admin_email, admin_password)
        driver.get(base + "/console/people")
        driver.find_element(By.ID, "email").send_keys(person)
        driver.find_element(By.XPATH, "//button[contains(., 'Look up')]").click()
        wait.until(expected_conditions.presence_of_element_located((By.ID, "record")))
        result["steps"]["looked-up"] = look("person", marketing=False)
        driver.find_element(By.XPATH, "//label[contains(., 'erase') or contains(., 'Erase')]").click()
        driver.find_element(By.XPATH, "//button[contains(., 'Erase')]").click()
        wait.until(expected_conditions.title_contains("Erased"))
        result["steps"]["erased"] = look("erased", marketing=False)
        for page in ("staff", "policy", "audit"):
            driver.get(base + "/console/" + page)
            look(page, marketing=False)
        # On a phone the pages keep the screen's width: a wide table scrolls in its own box, the menu wraps.
        driver.set_window_size(390, 844)
        for page in ("", "/templates", "/templates/product-news/preview", "/reports", "/reports/campaigns/1", "/people", "/staff", "/policy", "/audit"):
            driver.get(base + "/console" + page)
            wide = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if wide > 0:
                result["overflow"].append("/console%s: %d px too wide" % (page, wide))
        result["console"] += console_errors(driver)
    finally:
        driver.quit()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
