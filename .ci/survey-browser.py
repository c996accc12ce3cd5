#!/usr/bin/env python3
"""The survey invitation by email, its page in a real browser, the customer's reply by email.

Against a running `kefu serve` and `kefu worker` that mail through a real SMTP server writing each
message to MAIL_DIR (Tests/smtp-server/smtp_server.py): adds an agent, takes in a ticket for a
customer with an email contact, answers and resolves it, waits for the survey invitation to arrive
as mail, checks it is UTF-8 with the ticket number in the subject and takes the link from it. Opens
the link in Debian's chromium (headless, selenium) with JavaScript off and a phone-sized window,
submits without a rating (the browser keeps the form), fills the form, submits, sees the thank-you
page, and finds the rating stored through the API. Then posts the customer's reply, written with
the invitation's threading headers, to the tenant's inbound address and finds it appended to the
same ticket. Exits non-zero on any failure.
    python3 .ci/survey-browser.py http://127.0.0.1:PORT ADMIN_KEY MAIL_DIR
"""
import email
import email.policy
import glob
import json
import re
import shutil
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

BASE, ADMIN_KEY, MAIL_DIR = sys.argv[1], sys.argv[2], sys.argv[3]
CUSTOMER_ADDRESS = "li.na@customer.test"
REPLY = "谢谢，问题已经解决了。"
COMMENT = "客服很耐心 <script>alert(1)</script>"
CHOSEN = {"overall": 4, "timeliness": 5, "professionalism": 4, "resolution": 3, "attitude": 5}


def api(method, path, key, body=None, raw=None):
    """One JSON request (or `raw` bytes as message/rfc822, without a key); returns (status, headers, decoded body)."""
    data = raw if raw is not None else None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    if key:
        request.add_header("Authorization", "Bearer " + key)
    if data is not None:
        request.add_header("Content-Type", "message/rfc822" if raw is not None else "application/json")
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
            "customer": {"name": "Li Na", "contacts": [{"kind": "email", "value": CUSTOMER_ADDRESS, "consent": True}]},
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
    return ticket, token


def invitation_mail(ticket, token):
    """The survey invitation as the SMTP server received it (waits up to 60 s for the worker)."""
    deadline = time.time() + 60
    while time.time() < deadline:
        for path in sorted(glob.glob(MAIL_DIR + "/*.eml")):
            with open(path, "rb") as raw:
                message = email.message_from_bytes(raw.read(), policy=email.policy.default)
            if "/s/" in message.get_body(("plain",)).get_content():
                envelope = json.load(open(path[: -len(".eml")] + ".json"))
                assert envelope["rcpt_tos"] == [CUSTOMER_ADDRESS], envelope
                assert f"[{ticket['reference']}]" in message["Subject"], message["Subject"]
                body = message.get_body(("plain",))
                assert body.get_content_charset() == "utf-8", body["Content-Type"]
                link = re.search(r"https?://\S+/s/\S+", body.get_content()).group(0)
                assert link == f"{BASE}/s/{token}", (link, token)
                return message, link
        time.sleep(0.5)
    raise AssertionError(f"no survey invitation in {MAIL_DIR}: {glob.glob(MAIL_DIR + '/*')}")


def reply_by_mail(ticket, invitation):
    """The customer answers the invitation from their mail client; the reply joins the ticket."""
    _, _, inbound = api("POST", "/v1/inbound/email-token", ADMIN_KEY, {})
    reply = email.message.EmailMessage(policy=email.policy.SMTP)
    reply["From"] = f"Li Na <{CUSTOMER_ADDRESS}>"
    reply["To"] = invitation["From"]
    reply["Subject"] = "Re: " + invitation["Subject"]
    reply["Message-ID"] = "<reply-1@customer.test>"
    reply["In-Reply-To"] = invitation["Message-ID"]
    reply["References"] = invitation["Message-ID"]
    reply.set_content(REPLY, charset="utf-8")
    status, _, result = api("POST", f"/v1/inbound/email/{inbound['token']}", None, raw=reply.as_bytes())
    assert (status, result["outcome"], result["ticket_id"]) == (200, "appended", ticket["id"]), result
    _, _, messages = api("GET", f"/v1/tickets/{ticket['id']}/messages", ADMIN_KEY)
    items = messages["items"] if isinstance(messages, dict) else messages
    assert [m["body"] for m in items if m.get("author_kind") == "customer"][-1] == REPLY, items


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
    ticket, token = survey_token()
    invitation, link = invitation_mail(ticket, token)
    driver = browser()
    try:
        driver.get(link)
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

    _, _, survey = api("GET", f"/v1/tickets/{ticket['id']}/survey", ADMIN_KEY)
    stored = {name: survey[name] for name in CHOSEN}
    assert stored == CHOSEN, survey
    assert survey["comment"] == COMMENT, survey
    assert survey["answered_at"], survey
    reply_by_mail(ticket, invitation)
    print("survey invitation mailed (UTF-8), its page in chromium: form filled, thank-you page shown, rating stored; the mailed reply joined the ticket")


if __name__ == "__main__":
    main()
