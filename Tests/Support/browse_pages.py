#!/usr/bin/env python3
"""Drives Herald's unsubscribe, preferences and registration pages in a real browser (Debian's chromium through
chromium-driver, from selenium), as a person would: by keyboard on the unsubscribe page, by clicking labels
and buttons on the preferences page, on a phone-sized window. Keeps a screenshot of each page in ARTIFACTS and
checks each is not blank. Prints one JSON object:

  {"steps": {name: text seen}, "screenshots": {name: "ok" | problem}, "unlabelled": [...],
   "styled": bool, "console": [browser console errors]}

Usage: browse_pages.py BASE_URL UNSUBSCRIBE_PATH ARTIFACTS
"""
import json
import os
import struct
import sys
import zlib

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait


def blank(png):
    """True when the picture has (almost) one colour: a page that did not render."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        return "not a PNG"
    position, data = 8, b""
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        if kind == b"IDAT":
            data += png[position + 8:position + 8 + length]
        position += 12 + length
    pixels = zlib.decompress(data)
    return "blank" if len(set(pixels[::7])) < 8 else None


def start_browser():
    """Debian's headless chromium on a phone-sized window, keeping the console's messages."""
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=390,844"]:
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    return driver, WebDriverWait(driver, 15)


def console_errors(driver):
    """The browser console's errors so far (a page that broke under the Content-Security-Policy shows here)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]


def screenshooter(driver, artifacts, result):
    """shot(name): keeps the page's picture in ARTIFACTS and notes in result whether it is blank."""
    os.makedirs(artifacts, exist_ok=True)

    def shot(name):
        png = driver.get_screenshot_as_png()
        with open(os.path.join(artifacts, name + ".png"), "wb") as file:
            file.write(png)
        result["screenshots"][name] = blank(png) or "ok"
    return shot


def main():
    base, path, artifacts = sys.argv[1], sys.argv[2], sys.argv[3]
    driver, wait = start_browser()
    result = {"steps": {}, "screenshots": {}, "unlabelled": [], "styled": False, "console": []}
    shot = screenshooter(driver, artifacts, result)

    try:
        driver.get(base + path)
        result["steps"]["unsubscribe"] = driver.find_element(By.TAG_NAME, "main").text
        button = driver.find_element(By.CSS_SELECTOR, "form button")
        result["styled"] = driver.execute_script("return getComputedStyle(arguments[0]).backgroundColor", button) not in ("", "rgba(0, 0, 0, 0)", "rgb(239, 239, 239)")
        shot("unsubscribe")
        # By keyboard: Tab to the button, Enter.
        for _ in range(10):
            ActionChains(driver).send_keys(Keys.TAB).perform()
            if driver.switch_to.active_element == button:
                break
        else:
            result["steps"]["keyboard"] = "the button cannot be reached with Tab"
        ActionChains(driver).send_keys(Keys.ENTER).perform()
        wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "[role=status]")))
        result["steps"]["unsubscribed"] = driver.find_element(By.TAG_NAME, "main").text
        shot("unsubscribed")

        driver.find_element(By.PARTIAL_LINK_TEXT, "choose what you receive").click()
        wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "input[type=checkbox]")))
        for box in driver.find_elements(By.CSS_SELECTOR, "input"):
            if box.get_attribute("type") in ("hidden",):
                continue
            if not driver.find_elements(By.CSS_SELECTOR, "label[for='%s']" % box.get_attribute("id")):
                result["unlabelled"].append(box.get_attribute("name"))
        result["steps"]["preferences"] = driver.find_element(By.TAG_NAME, "main").text
        shot("preferences")
        driver.find_element(By.CSS_SELECTOR, "label[for='purpose-promotions']").click()
        driver.find_element(By.CSS_SELECTOR, "button[value=save]").click()
        wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "[role=status]")))
        checked = [box.get_attribute("value") for box in driver.find_elements(By.CSS_SELECTOR, "input[type=checkbox]") if box.is_selected()]
        result["steps"]["saved"] = driver.find_element(By.TAG_NAME, "main").text + "\nchecked: " + ",".join(checked)
        shot("preferences-saved")

        driver.get(base + "/register")
        for box in driver.find_elements(By.CSS_SELECTOR, "input"):
            if box.get_attribute("type") != "hidden" and not driver.find_elements(By.CSS_SELECTOR, "label[for='%s']" % box.get_attribute("id")):
                result["unlabelled"].append("register:" + (box.get_attribute("name") or ""))
        shot("register")
        driver.find_element(By.ID, "email").send_keys("grace@example.org")
        driver.find_element(By.ID, "name").send_keys("Grace")
        # The date control's typing order depends on the locale; its value does not.
        driver.execute_script("arguments[0].value = '1990-04-01'", driver.find_element(By.ID, "birthdate"))
        driver.find_element(By.CSS_SELECTOR, "label[for='purpose-product-news']").click()
        driver.find_element(By.CSS_SELECTOR, "form button").click()
        wait.until(expected_conditions.title_contains("Check your inbox"))
        result["steps"]["registered"] = driver.find_element(By.TAG_NAME, "main").text
        shot("registered")
        result["console"] = console_errors(driver)
    finally:
        driver.quit()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
