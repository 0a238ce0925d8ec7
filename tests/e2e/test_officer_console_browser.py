"""End to end in a real browser (issue 14): an officer signs in, sees a referral appear,
decides it, and the hub publishes the decision and emails the applicant.

Chromium (Debian's, headless) drives the console of the running stack; the
test reads the decision from Kafka and the email from the dev mailbox. The
screenshots go to a temporary folder, or to ``docs/screenshots/`` with
``UPDATE_SCREENSHOTS=1`` (how the README's pictures are refreshed).
"""

import asyncio
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from selenium.webdriver.common.by import By

from devstack import issuer as idp
from devstack.mailbox import read_mailbox
from notifier.emails import DECISION_HEADER
from tests.browser import chromium
from tests.e2e.referrals import decisions_of, submit_referral

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def screenshots(tmp_path: Path) -> Path:
    return DOCS_SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path


def eventually(
    check: Callable[[], bool], browser=None, timeout: float = 90.0, every: float = 0.5
) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            where = f" (at {browser.current_url}: {_text(browser)})" if browser else ""
            raise AssertionError(f"the console never showed it{where}")
        time.sleep(every)


def _text(browser) -> str:
    return " ".join(browser.find_element(By.TAG_NAME, "body").text.split())[:400]


def test_an_officer_decides_a_referral_in_the_browser_and_the_applicant_gets_the_email(
    stack, tmp_path
):
    run = uuid.uuid4().hex[:8]
    payload, _ = asyncio.run(submit_referral(stack, run))
    sid = payload["submission_id"]
    console = f"http://127.0.0.1:{stack.ports['officers']}/console/"
    shots = screenshots(tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        browser.get(console)
        assert browser.current_url.endswith("/console/login")  # no session: sign in first
        browser.find_element(By.ID, "username").send_keys("ayu")
        browser.find_element(By.ID, "password").send_keys(idp.ACCOUNTS["ayu"].password)
        browser.find_element(By.ID, "sign-in").click()
        eventually(lambda: browser.current_url == console and _has(browser, "officer"), browser)
        assert idp.ACCOUNTS["ayu"].subject in browser.find_element(By.ID, "officer").text

        row = f'tr[data-submission="{sid}"]'

        def referral_listed() -> bool:
            browser.get(console)
            return _has(browser, row, By.CSS_SELECTOR)

        eventually(referral_listed, browser)
        assert "left" in browser.find_element(By.CSS_SELECTOR, f"{row} .clock").text
        browser.save_screenshot(str(shots / "console-queue.png"))

        browser.find_element(By.CSS_SELECTOR, f"{row} a").click()
        assert browser.find_element(By.ID, "outcome").text == "REFERRED"
        assert payload["applicant"]["full_name"] in browser.find_element(By.ID, "applicant").text
        assert "R13" in browser.find_element(By.ID, "rules").text
        browser.save_screenshot(str(shots / "console-application.png"))

        browser.find_element(By.ID, "approve").click()
        browser.find_element(By.ID, "note").send_keys("Akta yayasan diperiksa / deed checked")
        browser.find_element(By.ID, "submit-decision").click()
        # The form posts, the console produces the decision, then renders the
        # confirmation: wait for the page rather than racing the navigation.
        eventually(lambda: _has(browser, "sent"), browser)

        def decided() -> bool:
            browser.refresh()
            return browser.find_element(By.ID, "outcome").text == "APPROVED"

        eventually(decided, browser)
        decided_by = browser.find_element(By.ID, "decided-by").text
        assert decided_by == idp.ACCOUNTS["ayu"].subject
        browser.save_screenshot(str(shots / "console-decided.png"))

    [approved] = asyncio.run(decisions_of(stack, sid, "APPROVED"))
    assert approved.decided_by == idp.ACCOUNTS["ayu"].subject
    email = payload["applicant"]["email"]

    def emailed() -> bool:
        return any(
            str(mail[DECISION_HEADER]) == approved.decision_id and email in str(mail["To"])
            for mail in read_mailbox(stack.mailbox_dir)
        )

    eventually(emailed)
    for name in ("console-queue.png", "console-application.png", "console-decided.png"):
        assert (shots / name).read_bytes().startswith(b"\x89PNG")


def _has(browser, selector: str, by: str = By.ID) -> bool:
    return bool(browser.find_elements(by, selector))
