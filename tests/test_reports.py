"""PDF reports checked by content: text, fonts, page count, determinism, PNG smoke test."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from profdiag._profile.model import Profile
from profdiag._report.assets import templates_folder
from profdiag._report.demo import demo_profiles
from profdiag._report.fetcher import AssetFetcher
from profdiag._report.render import ReportOptions, render_html, render_pdf
from profdiag.cli import main


@pytest.fixture(scope="module")
def profiles() -> list[Profile]:
    return demo_profiles()


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def fonts_of(pdf: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"].get_object().get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


@pytest.mark.parametrize("audience", ["client", "counsellor"])
@pytest.mark.parametrize("language", ["ru", "en"])
def test_report_content(profiles: list[Profile], audience: str, language: str) -> None:
    profile = profiles[0]
    pdf = render_pdf(profile, ReportOptions(audience=audience, language=language))  # type: ignore[arg-type]
    text = text_of(pdf)
    assert "Анна Петрова" in text  # the client's name, in Cyrillic, as text
    riasec = next(s for s in profile.instruments if s.instrument_id == "profdiag-riasec-72")
    for scale in riasec.scales:
        assert scale.title.get(language) in text.replace("\n", " ")
    if audience == "counsellor":
        raw = f"{riasec.scales[0].raw:.2f}".rstrip("0").rstrip(".")
        assert raw in text
        assert riasec.content_hash[:20] in text.replace("\n", "")
    assert profile.matches[0].title.get(language) in text.replace("\n", " ")
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert 1 <= pages <= 8
    # the bundled font is embedded; no other font is used
    # (WeasyPrint names embedded fonts after the family: .../Liberation-Sans-Bold)
    assert fonts_of(pdf)
    assert all("LiberationSans" in name.replace("-", "") for name in fonts_of(pdf))


def test_same_profile_same_bytes(profiles: list[Profile]) -> None:
    options = ReportOptions(audience="counsellor", language="ru")
    assert render_pdf(profiles[1], options) == render_pdf(profiles[1], options)
    dated = ReportOptions(audience="counsellor", language="ru", date="27.11.2026")
    assert "27.11.2026" in text_of(render_pdf(profiles[1], dated))


class Clock:
    """fontTools' clock (it stamps subset fonts with it), moved forward at will."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    from fontTools.misc import timeTools

    clock = Clock()
    monkeypatch.setattr(timeTools, "time", clock)
    return clock


@pytest.fixture(params=["harfbuzz", "fonttools"])
def subsetter(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """WeasyPrint subsets fonts with libharfbuzz-subset when it can load it, else with
    fontTools (weasyprint.pdf.fonts.Font.subset checks `harfbuzz_subset`)."""
    import weasyprint.pdf.fonts

    if request.param == "fonttools":
        monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    elif weasyprint.pdf.fonts.harfbuzz_subset is None:
        pytest.skip("libharfbuzz-subset is not installed")
    return str(request.param)


def render_twice(clock: Clock, render: Callable[[], bytes]) -> tuple[bytes, bytes]:
    first = render()
    clock.now += 86_400  # a day later
    return first, render()


@pytest.mark.parametrize("where", ["in-process", "worker"])
def test_same_bytes_a_day_later_with_either_font_subsetter(
    profiles: list[Profile],
    tmp_path: Path,
    clock: Clock,
    subsetter: str,
    where: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "client.html.j2").write_bytes(  # the package's, rendered in a worker
        (templates_folder() / "client.html.j2").read_bytes()
    )
    options = ReportOptions(template_folder=folder if where == "worker" else None)
    assert "SOURCE_DATE_EPOCH" not in os.environ
    first, second = render_twice(clock, lambda: render_pdf(profiles[0], options))
    assert first == second
    assert "SOURCE_DATE_EPOCH" not in os.environ  # the caller's environment is left alone
    if where == "in-process":  # WeasyPrint says which subsetter it used
        assert ("Using fontTools instead of HarfBuzz" in caplog.text) == (subsetter == "fonttools")


def test_fonttools_stamps_the_clock_without_a_fixed_epoch(
    profiles: list[Profile],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Control for the test above: WeasyPrint called directly on the fontTools path
    writes the clock into the PDF, so the comparison there can fail."""
    import weasyprint.pdf.fonts
    from weasyprint import HTML

    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    html = render_html(profiles[0], ReportOptions())
    root = templates_folder()

    def direct() -> bytes:
        document = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=AssetFetcher(root))
        pdf: bytes = document.write_pdf()
        return pdf

    first, second = render_twice(clock, direct)
    assert "Using fontTools instead of HarfBuzz" in caplog.text
    assert first != second


def test_the_callers_source_date_epoch_is_used_and_kept(
    profiles: list[Profile], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import weasyprint.pdf.fonts

    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    ours = render_pdf(profiles[0], ReportOptions())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")
    theirs = render_pdf(profiles[0], ReportOptions())
    assert os.environ["SOURCE_DATE_EPOCH"] == "1000000000"
    assert theirs != ours  # the font's time stamp is the caller's
    assert render_pdf(profiles[0], ReportOptions()) == theirs


@pytest.mark.slow
def test_demo_writes_pdfs_and_pages_render_to_png(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path), "--workers", "2"])
    assert result.exit_code == 0, result.stderr
    pdfs = sorted(tmp_path.glob("*.pdf"))
    assert len(pdfs) == 16  # 8 sample respondents x client and counsellor, Russian
    assert (tmp_path / "profiles.json").is_file()
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "30",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(pdfs[0]),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 2000


def test_report_command_from_profiles(tmp_path: Path) -> None:
    data = Path(__file__).resolve().parents[1] / "examples" / "klimov-ddo-sheets.csv"
    profiles_file = tmp_path / "profiles.json"
    made = CliRunner().invoke(
        main,
        [
            "profile",
            "klimov-ddo",
            str(data),
            "--id-column",
            "respondent",
            "--answers-column",
            "answers",
            "--out",
            str(profiles_file),
        ],
    )
    assert made.exit_code == 0, made.stderr
    out = tmp_path / "pdf"
    result = CliRunner().invoke(
        main,
        [
            "report",
            str(profiles_file),
            "--out",
            str(out),
            "--audience",
            "client",
            "--lang",
            "en",
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir())[:2] == ["d001-client-en.pdf", "d002-client-en.pdf"]


# docs/samples: file name prefix -> the demo respondent it shows (docs/samples/README.md)
SAMPLES = {"": "demo01", "adult-": "demo07", "flat-": "demo08"}


@pytest.mark.parametrize("prefix", list(SAMPLES))
@pytest.mark.parametrize("name", ["client-ru", "counsellor-ru", "client-en", "counsellor-en"])
def test_committed_samples_are_current(profiles: list[Profile], prefix: str, name: str) -> None:
    audience, language = name.split("-")
    profile = next(p for p in profiles if p.respondent == SAMPLES[prefix])
    sample = Path(__file__).resolve().parents[1] / "docs" / "samples" / f"{prefix}{name}.pdf"
    fresh = render_pdf(profile, ReportOptions(audience=audience, language=language))  # type: ignore[arg-type]
    text = text_of(fresh)
    assert profile.name and profile.name in text  # two empty extractions would compare equal too
    assert text_of(sample.read_bytes()) == text, "see docs/samples/README.md"
