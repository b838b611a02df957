"""A kiosk server in a child process and headless Chromium driving it (for the browser
tests and scripts/kiosk_screenshots.py)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    for name in ("chromium", "chromedriver"):
        if shutil.which(name) is None:
            return f"{name} is not installed (scripts/system-deps.sh installs it)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class KioskServer:
    """`profdiag kiosk` in a child process; `kill` is SIGKILL, `start` again resumes."""

    def __init__(self, data: Path, battery: str, *, clock_rate: float = 1.0) -> None:
        self.data, self.battery, self.clock_rate = data, battery, clock_rate
        self.port = free_port()
        self.log = data.parent / f"{data.name}-server.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        command = [sys.executable, "-m", "profdiag", "kiosk", "--battery", self.battery]
        command += ["--data", str(self.data), "--port", str(self.port)]
        command += ["--clock-rate", str(self.clock_rate)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=log, env=environment, cwd=self.data.parent
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the kiosk exited: {self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the kiosk did not start in 30 s")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def chromium(width: int = 720, height: int = 1000) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='kiosk-chromium-')}")
    options.add_argument(f"--window-size={width},{height}")
    options.binary_location = shutil.which("chromium") or "chromium"
    service = Service(shutil.which("chromedriver") or "chromedriver")
    return webdriver.Chrome(options=options, service=service)


def click_and_wait(driver: Any, css: str, timeout: float = 15) -> None:
    """Click the element, wait for the next page to replace it and finish loading."""
    from selenium.webdriver.common.by import By

    element = driver.find_element(By.CSS_SELECTOR, css)
    element.click()
    wait_replaced(driver, element, timeout)


def wait_replaced(driver: Any, element: Any, timeout: float = 15) -> None:
    """Wait until `element` has gone with the page it was on and the next page has loaded.
    (Selenium's `staleness_of` lets through the generic error Chromium sometimes gives for
    a node of a document that is being replaced.)"""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def replaced(_: Any) -> bool:
        try:
            element.is_enabled()
        except WebDriverException:  # stale, or its node went with the old document
            return True
        return False

    wait = WebDriverWait(driver, timeout)
    wait.until(replaced)
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the current page: id, impact, number of nodes."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    return list(
        driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document).then(r => done(r.violations.map("
            "v => ({id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help}))));"
        )
    )
