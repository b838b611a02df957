"""The kiosk end to end in headless Chromium: a whole battery (with a timed part that runs
out), a server killed and restarted mid-session, the counsellor's page, large print, and
axe-core on each main screen. Skipped without Chromium unless CI is set."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.kiosk_browser import (
    AXE,
    KioskServer,
    axe_violations,
    browser_missing,
    click_and_wait,
    wait_replaced,
)

_missing = browser_missing() or (None if AXE.is_file() else "axe-core: run scripts/browser-deps.sh")
if _missing and not os.environ.get("CI"):
    pytest.skip(f"browser tests: {_missing}", allow_module_level=True)

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402
from tests.kiosk_browser import chromium  # noqa: E402

from profdiag._kiosk.pin import write_pin_file  # noqa: E402

BATTERY = "profdiag-riasec-72,profdiag-aptitude-sampler"
RATE = 60.0  # session seconds per second: the 360 s parts last 6 s
NAME = "Забава-Проверочная"
RESPONDENT = "resp-7731"
PIN = "483920"
Driver = Any


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[KioskServer, Driver]]:
    assert not _missing, f"CI is set, so the browser tests must run: {_missing}"
    data = tmp_path_factory.mktemp("kiosk") / "data"
    data.mkdir()
    write_pin_file(data / "kiosk-pin", PIN)
    server = KioskServer(data, BATTERY, clock_rate=RATE)
    server.start()
    driver = chromium()
    try:
        yield server, driver
    finally:
        driver.quit()
        server.kill()


def serious(driver: Driver, screen: str) -> None:
    found = [v for v in axe_violations(driver) if v["impact"] in ("serious", "critical")]
    assert found == [], f"{screen}: {found}"


def current_item(driver: Driver) -> str:
    return str(driver.find_element(By.CSS_SELECTOR, "button[data-item]").get_attribute("data-item"))


def stored(data: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(data / "sessions.db") as db:
        rows = db.execute("SELECT instrument, item, value FROM answers ORDER BY seq")
        return [(instrument, item, str(json.loads(value))) for instrument, item, value in rows]


def check_events(data: Path) -> None:
    with sqlite3.connect(data / "sessions.db") as db:
        kinds = [row[0] for row in db.execute("SELECT kind, scale FROM events ORDER BY id")]
        timeouts = list(db.execute("SELECT scale FROM events WHERE kind = 'timeout'"))
        status = list(db.execute("SELECT status FROM sessions"))
    assert timeouts == [("verbal_analogies",)]
    assert kinds[0] == "start" and kinds[-1] == "finish"
    assert status == [("finished",)]


def fill_start(driver: Driver) -> None:
    driver.find_element(By.ID, "respondent_id").send_keys(RESPONDENT)
    driver.find_element(By.ID, "age").send_keys("15")
    Select(driver.find_element(By.ID, "sex")).select_by_value("f")
    Select(driver.find_element(By.ID, "grade")).select_by_value("9")
    Select(driver.find_element(By.ID, "stage")).select_by_value("grade9")
    driver.find_element(By.ID, "given_name").send_keys(NAME)


def test_a_whole_battery_with_restart_and_timed_parts(kiosk: tuple[KioskServer, Driver]) -> None:
    server, driver = kiosk
    driver.get(server.url + "/")
    serious(driver, "start")
    fill_start(driver)
    click_and_wait(driver, '[data-action="start"]')
    serious(driver, "item")

    clicked: list[tuple[str, str, str]] = []

    def answer(option: str) -> None:
        item = current_item(driver)
        instrument = driver.find_element(By.NAME, "instrument").get_attribute("value")
        click_and_wait(driver, f'button[data-item="{item}"][data-option="{option}"]')
        clicked.append((str(instrument), item, option))

    for k in range(30):
        answer(str(k % 5))
    # kill -9 mid-session, start again, reload: the same session, the first unanswered item
    server.kill()
    server.start()
    driver.refresh()
    assert current_item(driver) == "r31"
    assert stored(server.data) == clicked
    # the keyboard: key 3 chooses the third option (code 2), with a visible focus ring on Tab
    first = driver.find_element(By.CSS_SELECTOR, "button[data-item]")
    driver.find_element(By.TAG_NAME, "body").send_keys("3")
    wait_replaced(driver, first)
    WebDriverWait(driver, 15).until(lambda d: current_item(d) == "r32")
    clicked.append(("profdiag-riasec-72", "r31", "2"))
    driver.find_element(By.TAG_NAME, "body").send_keys("\t")
    focused = driver.switch_to.active_element
    assert focused.value_of_css_property("outline-style") == "solid"
    for k in range(31, 72):
        answer(str(k % 5))

    # the timed aptitude sampler: instructions, then items with a countdown
    assert driver.find_element(By.CSS_SELECTOR, '[data-action="begin"]')
    serious(driver, "instructions")
    click_and_wait(driver, '[data-action="begin"]')
    assert driver.find_element(By.ID, "countdown").text.count(":") == 1
    serious(driver, "timed item")
    for _ in range(12):  # number series: all in time
        answer("c")
    click_and_wait(driver, '[data-action="begin"]')
    for _ in range(2):  # verbal analogies: two answers, then the time runs out
        answer("a")
    # the page's countdown reloads at zero; the server closes the part (6 s at RATE 60)
    WebDriverWait(driver, 20).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, '[data-action="begin"]'))
    )
    click_and_wait(driver, '[data-action="begin"]')
    for _ in range(12):  # spatial
        answer("b")
    WebDriverWait(driver, 10).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, '[data-role="done"]'))
    )
    serious(driver, "end")

    assert stored(server.data) == clicked  # every acknowledged answer, once, in order
    assert len(clicked) == 72 + 12 + 2 + 12
    check_events(server.data)
    log = server.log.read_text(encoding="utf-8")
    assert "POST /act 303" in log
    assert NAME not in log and RESPONDENT not in log and "?" not in log


def test_b_counsellor_pin_list_pdf_and_large_print(kiosk: tuple[KioskServer, Driver]) -> None:
    server, driver = kiosk
    driver.get(server.url + "/counsellor")
    serious(driver, "counsellor login")
    driver.find_element(By.ID, "pin").send_keys("000000")
    click_and_wait(driver, '[data-action="login"]')
    assert driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert not driver.find_elements(By.CSS_SELECTOR, "table.sessions")
    driver.find_element(By.ID, "pin").send_keys(PIN)
    click_and_wait(driver, '[data-action="login"]')
    rows = driver.find_elements(By.CSS_SELECTOR, "table.sessions tbody tr")
    assert len(rows) == 1 and RESPONDENT in rows[0].text and NAME in rows[0].text
    serious(driver, "counsellor list")
    link = driver.find_element(By.CSS_SELECTOR, 'a[data-report="counsellor"]')
    head = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(r => r.arrayBuffer())"
        ".then(b => done(String.fromCharCode(...new Uint8Array(b.slice(0, 5)))));",
        link.get_attribute("href"),
    )
    assert head == "%PDF-"
    assert list((server.data / "reports").glob("*-counsellor-ru.pdf"))

    # large print and high contrast, kept across pages and a reload
    click_and_wait(driver, '[data-action="large"]')
    body = driver.find_element(By.TAG_NAME, "body")
    assert "large" in (body.get_attribute("class") or "")
    assert body.value_of_css_property("background-color") in ("rgba(0, 0, 0, 1)", "rgb(0, 0, 0)")
    serious(driver, "counsellor list, large print")
    driver.get(server.url + "/")
    assert "large" in (driver.find_element(By.TAG_NAME, "body").get_attribute("class") or "")
    serious(driver, "end, large print")
    click_and_wait(driver, '[data-action="large"]')
    assert "large" not in (driver.find_element(By.TAG_NAME, "body").get_attribute("class") or "")
