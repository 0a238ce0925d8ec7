"""Debian's Chromium, headless, driven by selenium through Debian's chromedriver.

Why these paths: the browser and its driver come from apt (``./hub``
installs ``chromium`` and ``chromium-driver``); selenium is given both paths,
so it never looks for, or downloads, a browser or driver of its own.
"""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",  # the tests run as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
)


@contextmanager
def chromium() -> Iterator[webdriver.Chrome]:
    """A fresh headless Chromium with a profile of its own, quit afterwards."""
    with tempfile.TemporaryDirectory(prefix="insw-chromium-") as profile:
        options = Options()
        options.binary_location = CHROMIUM
        for flag in (*FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
        # Generous: a console page that records an audit entry first waits on a
        # transactional produce, which a loaded 2-core machine can stretch.
        driver.set_page_load_timeout(90)
        try:
            yield driver
        finally:
            driver.quit()
