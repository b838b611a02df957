"""What the report speed-ups (docs/performance.md, 4c) must not change: the PDF bytes, the
caller's garbage collector, the escaping of chart labels."""

from __future__ import annotations

import gc

import pytest

from profdiag._report import charts
from profdiag._report.assets import templates_folder
from profdiag._report.demo import demo_profiles
from profdiag._report.fetcher import AssetFetcher
from profdiag._report.render import (
    ReportOptions,
    _html,
    _html_class,
    _package_stylesheet,
    render_pdf,
)


@pytest.mark.parametrize("audience", ["client", "counsellor"])
def test_the_lighter_user_agent_stylesheet_changes_no_byte(
    audience: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    options = ReportOptions(audience=audience, language="ru")  # type: ignore[arg-type]
    html = _html(demo_profiles()[0], options)
    root = templates_folder()
    stylesheet, fonts = _package_stylesheet()
    pdfs = [
        maker(string=html, base_url=root.as_uri() + "/", url_fetcher=AssetFetcher(root)).write_pdf(
            stylesheets=[stylesheet], font_config=fonts
        )
        for maker in (_html_class(package=True), _html_class(package=False))
    ]
    assert _html_class(package=True) is not _html_class(package=False)
    assert pdfs[0] == pdfs[1]


@pytest.mark.parametrize("enabled", [True, False])
def test_rendering_leaves_the_garbage_collector_as_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        render_pdf(demo_profiles()[0], ReportOptions(language="en"))
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_the_garbage_collector_is_paused_while_weasyprint_renders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from weasyprint import Document

    seen = []
    real = Document.write_pdf

    def spy(self: Document, *args: object, **kwargs: object) -> bytes:
        seen.append(gc.isenabled())
        result: bytes = real(self, *args, **kwargs)
        return result

    monkeypatch.setattr(Document, "write_pdf", spy)
    assert gc.isenabled()
    render_pdf(demo_profiles()[0], ReportOptions(language="en"))
    assert seen == [False]
    assert gc.isenabled()


def test_bar_chart_labels_and_values_are_escaped_html_text() -> None:
    bars = [
        charts.Bar("<b>R&D</b>", 30.0, note="<i>"),
        charts.Bar("a label long enough to go over two lines <script>", 50.0),
        charts.Bar("none", None),
    ]
    chart = str(charts.bar_profile(bars, minimum=0, maximum=60, title="<t>"))
    assert "<b>" not in chart and "<script>" not in chart and "<i>" not in chart
    assert "&lt;b&gt;R&amp;D&lt;/b&gt;" in chart
    assert "&lt;script&gt;" in chart
    names = chart.split('class="bar-labels"')[1].split('class="bar-values"', maxsplit=1)[0]
    values = chart.split('class="bar-values"')[1].split('class="bar-dash"', maxsplit=1)[0]
    assert names.count("<div>") + names.count('<div class="two">') == 3  # a row a bar
    assert names.count('<div class="two">') == 1 and names.count("<br/>") == 1
    assert values.count("<div>") == 3 and values.count("<div></div>") == 1  # none: empty
    assert chart.count('class="bar-dash"') == 1  # ... and a dash on the bar instead
    assert "<text" not in chart.split("</svg>")[1]  # the texts sit outside the SVG
