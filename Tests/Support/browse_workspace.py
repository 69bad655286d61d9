#!/usr/bin/env python3
"""Drives the console's campaign workspace in a real browser (Debian's chromium through chromium-driver, from
selenium), as a marketer in Berlin would: the browser's time zone is Europe/Berlin (CDP's
Emulation.setTimezoneOverride). They sign in, write a promotion (a subject with {{first_name}}, a Markdown body
typed with the editor's toolbar: bold, a bulleted list, a link), watch the live preview of the real message
(subject, the HTML part in its sandboxed frame at phone and desktop width, the text part), see a body with an
unknown variable refused with its line (live, and by the server when saved), save a draft, duplicate it, edit
the copy and schedule it a few seconds ahead in their own zone, and watch the dashboard until it is done while
a worker sends it.

Keeps full-page screenshots of each workspace page at 1280 and 390 px in ARTIFACTS and checks each is not blank.
Prints one JSON object:

  {"steps": {name: text seen}, "screenshots": {name: "ok" | problem}, "unlabelled": [...], "console": [...],
   "addresses": [recipient addresses seen], "overflow": [pages wider than a phone], "due_utc": "...", "typed": "..."}

Usage: browse_workspace.py BASE_URL EMAIL PASSWORD ARTIFACTS
"""
import base64
import datetime
import json
import os
import re
import sys
import time
import zoneinfo

from browse_pages import blank, console_errors, start_browser
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select

ZONE = "Europe/Berlin"
SUBJECT = "{{first_name}}, the Opsix is 20 % off"


def main():
    base, email, password, artifacts = sys.argv[1:5]
    driver, wait = start_browser()
    driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ZONE})
    driver.set_window_size(1280, 900)
    os.makedirs(artifacts, exist_ok=True)
    result = {"steps": {}, "screenshots": {}, "unlabelled": [], "console": [], "addresses": [], "overflow": []}

    def full_page(name):
        """The whole page (not only the window) as a PNG, kept and checked not blank."""
        driver.execute_script("window.scrollTo(0, 0)")
        metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                                 "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
        png = base64.b64decode(shot["data"])
        with open(os.path.join(artifacts, name + ".png"), "wb") as file:
            file.write(png)
        result["screenshots"][name] = blank(png) or "ok"

    def look(name):
        """Notes the page's controls without a label, any recipient's address, overflow on a phone, and keeps
        its picture at 1280 and 390 px."""
        for control in driver.find_elements(By.CSS_SELECTOR, "input, select, textarea"):
            if control.get_attribute("type") == "hidden":
                continue
            ident = control.get_attribute("id")
            labelled = driver.find_elements(By.CSS_SELECTOR, "label[for='%s']" % ident) if ident else []
            wrapped = driver.execute_script("return arguments[0].closest('label') !== null", control)
            if not labelled and not wrapped and not control.get_attribute("aria-label"):
                result["unlabelled"].append(name + ":" + (control.get_attribute("name") or ""))
        for frame in driver.find_elements(By.TAG_NAME, "iframe"):
            if not frame.get_attribute("title"):
                result["unlabelled"].append(name + ": a frame without a title")
        result["addresses"] += re.findall(r"\bp[0-9]+@example\.com", driver.page_source)
        full_page("workspace-" + name + "-1280")
        driver.set_window_size(390, 844)
        time.sleep(0.3)
        wide = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if wide > 0:
            result["overflow"].append("%s: %d px too wide" % (name, wide))
        full_page("workspace-" + name + "-390")
        # A frame below the window is not painted in a full-page picture: the preview, scrolled to, on its own.
        frames = [frame for frame in driver.find_elements(By.CSS_SELECTOR, "iframe[data-preview-frame]") if frame.is_displayed()]
        if frames:
            driver.execute_script("arguments[0].scrollIntoView()", frames[0].find_element(By.XPATH, "ancestor::section"))
            time.sleep(0.5)
            png = driver.get_screenshot_as_png()
            with open(os.path.join(artifacts, "workspace-" + name + "-390-preview.png"), "wb") as file:
                file.write(png)
            result["screenshots"]["workspace-" + name + "-390-preview"] = blank(png) or "ok"
        driver.set_window_size(1280, 900)
        time.sleep(0.3)

    def text_of(selector):
        return driver.find_element(By.CSS_SELECTOR, selector).text

    def tool(name):
        driver.find_element(By.XPATH, "//div[@role='toolbar']//button[.='%s']" % name).click()

    def preview_shows(predicate):
        def check(_):
            try:
                return predicate()
            except (NoSuchElementException, StaleElementReferenceException):
                return False
        wait.until(check)

    try:
        driver.get(base + "/console")
        wait.until(expected_conditions.title_contains("Sign in"))
        driver.find_element(By.ID, "email").send_keys(email)
        driver.find_element(By.ID, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "main form button").click()
        wait.until(expected_conditions.title_contains("Campaigns"))

        driver.get(base + "/console/campaigns/new")
        wait.until(lambda _: driver.find_elements(By.CSS_SELECTOR, "div[role=toolbar]"))
        result["steps"]["zone"] = Select(driver.find_element(By.ID, "time_zone")).first_selected_option.text
        look("new")
        driver.find_element(By.ID, "name").send_keys("Opsix sale")
        Select(driver.find_element(By.ID, "kind")).select_by_visible_text("Promotion")
        result["steps"]["templates"] = ",".join(option.get_attribute("value") for option in driver.find_elements(By.CSS_SELECTOR, "#template option")
                                                if option.is_enabled())
        driver.find_element(By.ID, "subject").send_keys(SUBJECT)
        body = driver.find_element(By.ID, "body")
        body.send_keys("Hello {{first_name}},", Keys.ENTER, Keys.ENTER, "The ")
        tool("Bold")
        body.send_keys("Opsix", Keys.END, " is 20 % off.", Keys.ENTER, Keys.ENTER)
        tool("Bulleted list")
        body.send_keys("free shipping", Keys.ENTER)
        tool("Bulleted list")
        body.send_keys("two years of warranty", Keys.ENTER, Keys.ENTER)
        tool("Link")
        wait.until(expected_conditions.alert_is_present())
        prompt = driver.switch_to.alert
        prompt.send_keys("https://shop.example.com/opsix")
        prompt.accept()
        body.send_keys("Shop now")
        result["typed"] = body.get_attribute("value")

        # The live preview, without leaving the form.
        preview_shows(lambda: text_of("[data-preview-subject]").endswith("the Opsix is 20 % off")
                      and "two years of warranty" in text_of("[data-preview-text]") and "Shop now" in text_of("[data-preview-text]"))
        result["steps"]["preview-subject"] = text_of("[data-preview-subject]")
        result["steps"]["preview-text"] = text_of("[data-preview-text]")
        frame = driver.find_element(By.CSS_SELECTOR, "iframe[data-preview-frame]")
        result["steps"]["frame-sandbox"] = frame.get_attribute("sandbox")
        result["steps"]["frame-phone"] = str(driver.execute_script("return arguments[0].offsetWidth", frame))
        driver.find_element(By.XPATH, "//label[.='Desktop (800 px)']").click()
        # Laid out 800 px wide, and scaled to fit the pane: nothing of it is cut off.
        fits = ("var f = arguments[0].getBoundingClientRect(), b = arguments[0].parentNode.getBoundingClientRect();"
                "return f.right <= b.right + 1 ? 'true' : 'frame ' + f.left + '-' + f.right + ', box ' + b.left + '-' + b.right")
        try:
            wait.until(lambda _: driver.execute_script(fits, frame) == "true")
        except Exception:
            pass
        result["steps"]["frame-desktop"] = str(driver.execute_script("return arguments[0].offsetWidth", frame))
        result["steps"]["frame-fits"] = driver.execute_script(fits, frame)
        driver.switch_to.frame(frame)
        wait.until(lambda _: "two years of warranty" in driver.page_source)
        result["steps"]["frame-html"] = driver.page_source
        driver.switch_to.default_content()
        result["steps"]["url-after-preview"] = driver.current_url
        look("preview")
        driver.find_element(By.XPATH, "//label[.='Phone (390 px)']").click()

        # An unknown variable: the preview says where, then the server refuses to save it, keeping what was typed.
        body.send_keys(Keys.ENTER, "{{frist_name}}")
        preview_shows(lambda: driver.find_element(By.CSS_SELECTOR, "[data-preview-problem]").is_displayed()
                      and "frist_name" in text_of("[data-preview-problem]"))
        result["steps"]["live-problem"] = text_of("[data-preview-problem]")
        driver.find_element(By.XPATH, "//button[.='Save as draft']").click()
        wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "main p[role=alert]")))
        result["steps"]["refused"] = text_of("main p[role=alert]")
        result["steps"]["kept"] = driver.find_element(By.ID, "subject").get_attribute("value")
        look("refused")
        driver.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}))",
                              driver.find_element(By.ID, "body"), result["typed"])

        # A draft, then its copy, edited and scheduled in Berlin time a few seconds ahead.
        driver.find_element(By.XPATH, "//button[.='Save as draft']").click()
        wait.until(expected_conditions.title_contains("Edit:"))
        result["steps"]["draft"] = driver.find_element(By.TAG_NAME, "main").text
        result["steps"]["draft-url"] = driver.current_url
        look("edit")
        driver.find_element(By.XPATH, "//button[.='Duplicate']").click()
        wait.until(expected_conditions.title_contains("Copy of"))
        result["steps"]["copy-url"] = driver.current_url
        result["steps"]["copy-zone"] = Select(driver.find_element(By.ID, "time_zone")).first_selected_option.text
        name = driver.find_element(By.ID, "name")
        name.clear()
        name.send_keys("Opsix last days")
        driver.find_element(By.ID, "preheader").send_keys("Three days left")
        due = datetime.datetime.now(zoneinfo.ZoneInfo(ZONE)).replace(microsecond=0) + datetime.timedelta(seconds=8)
        result["due_utc"] = due.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, "send_at"), due.strftime("%Y-%m-%dT%H:%M:%S"))
        driver.find_element(By.XPATH, "//button[.='Schedule the campaign']").click()
        wait.until(expected_conditions.title_contains("Campaigns"))

        def row():
            return driver.execute_script(
                "var rows = Array.prototype.filter.call(document.querySelectorAll('tr'), function (r) { return r.textContent.indexOf('Opsix last days') >= 0; });"
                "return rows.length ? rows[0].innerText : '';")
        deadline = time.time() + 90
        while time.time() < deadline and "done" not in row():
            time.sleep(0.5)
        result["steps"]["finished"] = row()
        # The one refusal's own status (400, the form posted with the unknown variable) is what the browser notes
        # about it; anything else is a problem.
        refusal = "/console/campaigns/new - Failed to load resource: the server responded with a status of 400"
        result["console"] = [entry for entry in console_errors(driver) if refusal not in entry]
    finally:
        driver.quit()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
