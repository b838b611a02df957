"""The built wheel carries the bundled instruments and works outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import pathlib, profdiag
assert "site-packages" in profdiag.__file__, profdiag.__file__
instrument = profdiag.load_instrument("ipip-bfm-50")
answers = {item.id: 5 for item in instrument.items}
result = profdiag.score(instrument, answers)
print(instrument.id, result.raw.round(6).tolist())
from profdiag._profile.occupations import load_catalogue
print(len(load_catalogue().occupations) >= 200, sorted(profdiag.bundled_ids()))
"""


@pytest.mark.slow
def test_wheel_installs_and_scores_bundled_instrument_outside_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
    )
    wheel = next(dist.glob("profdiag-*.whl"))
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = subprocess.run(
        [python, "-c", SCRIPT], cwd=elsewhere, check=True, capture_output=True, text=True
    )
    # all 5s: E (5 of +, 5 of -) (25+5)/10 = 3.0; A (6+, 4-) (30+4)/10 = 3.4; C 3.4;
    # Emotional Stability (2+, 8-) (10+8)/10 = 1.8; Intellect (7+, 3-) (35+3)/10 = 3.8
    first, second = run.stdout.strip().splitlines()
    assert first == "ipip-bfm-50 [[3.0, 3.4, 3.4, 1.8, 3.8]]"
    bundled = [
        "ipip-bfm-50",
        "klimov-ddo",
        "onet-ip-sf-60",
        "profdiag-aptitude-sampler",
        "profdiag-intentions-9-11",
        "profdiag-riasec-72",
    ]
    assert second == f"True {bundled}"
    listing = subprocess.run(
        [environment / "bin" / "profdiag", "instruments"],
        cwd=elsewhere,
        check=True,
        capture_output=True,
        text=True,
    )
    assert listing.stdout.startswith("ipip-bfm-50\t1.0.1\t50 items\t5 scales")
    # templates, fonts and the sample respondents ship too: the demo writes real PDFs
    subprocess.run(
        [
            environment / "bin" / "profdiag",
            "demo",
            "--out",
            "pdf",
            "--audience",
            "client",
            "--workers",
            "1",
        ],
        cwd=elsewhere,
        check=True,
        capture_output=True,
    )
    pdfs = sorted((elsewhere / "pdf").glob("*.pdf"))
    assert len(pdfs) == 8 and all(pdf.read_bytes().startswith(b"%PDF-") for pdf in pdfs)
    # the kiosk's pages and assets ship inside the package (fonts: report_templates/fonts)
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("templates/item.html.j2", "templates/base.html.j2", "static/kiosk.js"):
        assert f"profdiag/_kiosk/{name}" in names
    assert "profdiag/report_templates/fonts/LiberationSans-Regular.ttf" in names
