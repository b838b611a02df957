"""Screenshots of the kiosk's main screens for docs/kiosk.md (docs/kiosk/*.png).

    python scripts/kiosk_screenshots.py

Starts `profdiag kiosk` on a free port with a temporary store, drives headless Chromium
through a short session (tests/kiosk_browser.py) and saves: start, item, instructions,
timed item, high contrast, end, counsellor list.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402
from tests.kiosk_browser import KioskServer, chromium, click_and_wait  # noqa: E402

OUT = ROOT / "docs" / "kiosk"
PIN = "2580"


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from profdiag._kiosk.pin import write_pin_file

    OUT.mkdir(exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="kiosk-shots-")) / "data"
    data.mkdir()
    write_pin_file(data / "kiosk-pin", PIN)
    server = KioskServer(data, "profdiag-riasec-72,profdiag-aptitude-sampler")
    server.start()
    driver = chromium(600, 900)
    try:
        driver.get(server.url + "/")
        driver.find_element(By.ID, "age").send_keys("15")
        Select(driver.find_element(By.ID, "sex")).select_by_value("f")
        Select(driver.find_element(By.ID, "grade")).select_by_value("9")
        Select(driver.find_element(By.ID, "stage")).select_by_value("grade9")
        driver.find_element(By.ID, "given_name").send_keys("Алиса")
        driver.execute_script("document.activeElement.blur(); window.scrollTo(0, 0);")
        driver.save_screenshot(str(OUT / "start.png"))
        click_and_wait(driver, '[data-action="start"]')
        for k in range(72):
            if k == 5:
                driver.save_screenshot(str(OUT / "item.png"))
            click_and_wait(driver, f'button[data-option="{(k * 3) % 5}"]')
        driver.save_screenshot(str(OUT / "instructions.png"))
        click_and_wait(driver, '[data-action="begin"]')
        click_and_wait(driver, 'button[data-option="c"]')
        driver.save_screenshot(str(OUT / "timed-item.png"))
        click_and_wait(driver, '[data-action="large"]')
        driver.save_screenshot(str(OUT / "high-contrast.png"))
        click_and_wait(driver, '[data-action="large"]')
        for _ in range(3):
            while driver.find_elements(By.CSS_SELECTOR, "button[data-option]"):
                click_and_wait(driver, 'button[data-option="a"]')
            if driver.find_elements(By.CSS_SELECTOR, '[data-action="begin"]'):
                click_and_wait(driver, '[data-action="begin"]')
        driver.save_screenshot(str(OUT / "end.png"))
        driver.get(server.url + "/counsellor")
        driver.find_element(By.ID, "pin").send_keys(PIN)
        click_and_wait(driver, '[data-action="login"]')
        driver.save_screenshot(str(OUT / "counsellor.png"))
    finally:
        driver.quit()
        server.kill()
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
