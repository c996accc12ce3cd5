#!/usr/bin/env python3
"""The customer's survey page in a real browser: Debian's chromium, headless, driven by selenium.

Against a running `kefu serve` (base URL and a tenant admin key as arguments): adds an agent,
takes in a ticket, answers and resolves it to get the survey token, opens /s/{token} in chromium
with JavaScript off and a phone-sized window, submits without a rating (the browser keeps the
form), fills the form, submits, sees the thank-you page, and finds the rating stored through the
API. Exits non-zero on any failure.
    python3 .ci/survey-browser.py http://127.0.0.1:PORT ADMIN_KEY
"""
import json
import shutil
import sys
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

BASE, ADMIN_KEY = sys.argv[1], sys.argv[2]
COMMENT = "客服很耐心 <script>alert(1)</script>"
CHOSEN = {"overall": 4, "timeliness": 5, "professionalism": 4, "resolution": 3, "attitude": 5}


def api(method, path, key, body=None):
    """One JSON request; returns (status, headers, decoded body)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + key)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, json.loads(response.read() or b"null")


def survey_token():
    """A resolved ticket's id and survey token (the Survey-Token header of resolve)."""
    _, _, agent = api("POST", "/v1/agents", ADMIN_KEY, {"name": "Agent An", "email": "an@browser.test", "role": "agent", "tier": "mid"})
    _, _, created_key = api("POST", "/v1/api-keys", ADMIN_KEY, {"name": "browser test", "agent_id": agent["id"]})
    agent_key = created_key["api_key"]
    _, _, ticket = api(
        "POST",
        "/v1/tickets",
        ADMIN_KEY,
        {
            "customer": {"name": "Li Na"},
            "channel": "phone",
            "category": "inquiry",
            "priority": "P3",
            "description": "How do I export invoices?",
        },
    )
    api("POST", f"/v1/tickets/{ticket['id']}/respond", agent_key, {"body": "Here is how"})
    _, headers, _ = api("POST", f"/v1/tickets/{ticket['id']}/resolve", agent_key, {"solution_summary": "Explained the export"})
    token = headers["Survey-Token"]
    assert token, "resolve answers the survey token"
    return ticket["id"], token


def browser():
    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=390,844"]:
        options.add_argument(argument)
    # The page must work without JavaScript.
    options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(options=options, service=service)


def heading(driver):
    return driver.find_element(By.TAG_NAME, "h1").text


def main():
    ticket_id, token = survey_token()
    driver = browser()
    try:
        driver.get(f"{BASE}/s/{token}")
        assert heading(driver) == "服务满意度评价", heading(driver)
        assert driver.find_element(By.CSS_SELECTOR, "html").get_attribute("lang") == "zh-CN"
        legends = [legend.text for legend in driver.find_elements(By.TAG_NAME, "legend")]
        assert legends == ["总体满意度", "响应及时性", "专业程度", "问题解决情况", "服务态度"], legends

        # Without a rating the browser keeps the form (the radio groups are required).
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        assert heading(driver) == "服务满意度评价"
        assert not driver.find_elements(By.CSS_SELECTOR, ".error")

        for name, value in CHOSEN.items():
            driver.find_element(By.CSS_SELECTOR, f"label[for={name}-{value}]").click()
            assert driver.find_element(By.ID, f"{name}-{value}").is_selected(), name
        driver.find_element(By.ID, "comment").send_keys(COMMENT)
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        WebDriverWait(driver, 10).until(expected_conditions.text_to_be_present_in_element((By.TAG_NAME, "h1"), "感谢您的评价"))

        # The same link now says the survey was answered.
        driver.get(f"{BASE}/s/{token}")
        assert heading(driver) == "您已完成评价", heading(driver)

        # The page's own style passed the Content-Security-Policy: no violation reported.
        violations = [entry["message"] for entry in driver.get_log("browser") if "Content Security Policy" in entry["message"]]
        assert not violations, violations
    finally:
        driver.quit()

    _, _, survey = api("GET", f"/v1/tickets/{ticket_id}/survey", ADMIN_KEY)
    stored = {name: survey[name] for name in CHOSEN}
    assert stored == CHOSEN, survey
    assert survey["comment"] == COMMENT, survey
    assert survey["answered_at"], survey
    print("survey page in chromium: form filled, thank-you page shown, rating stored")


if __name__ == "__main__":
    main()
