"""What the counsellor's tables leave out, and where the Holland indices stand.

The scale table shows a column only when its values differ between rows (a shared range
goes into the heading, answered counts and the scoring status appear when some item was
left out or some scale could not be scored); an occupation's routes are named once each;
a regional demand year shared by every marked occupation is said once under the table;
validity without findings is one line. The Holland indices stand beside the hexagon.
"""

from __future__ import annotations

import re
import resource
import sys
from typing import Any

import pytest
from tests.conftest import build
from tests.test_report_claims import RU, text_of

from profdiag._profile.build import ProfileInput, build_profiles
from profdiag._report.demo import demo_profiles
from profdiag._report.render import ReportOptions, render_html, render_pdf

COUNSELLOR = ReportOptions(audience="counsellor", language="ru")
CLIENT = ReportOptions(audience="client", language="ru")


def two_scale_instrument(items_b: int = 2) -> Any:
    """Scales A (items a1, a2) and B (b1..b<items_b>), 0-4 each, at least 2 answers."""
    return build(
        response_formats={"lk": {"type": "likert", "codes": [0, 1, 2, 3, 4]}},
        items=[{"id": f"a{k}", "format": "lk"} for k in (1, 2)]
        + [{"id": f"b{k}", "format": "lk"} for k in range(1, items_b + 1)],
        scales=[
            {
                "id": "A",
                "title": {"en": "Scale A", "ru": "Шкала А"},
                "items": [{"item": f"a{k}"} for k in (1, 2)],
                "missing": {"min_answered": 2},
            },
            {
                "id": "B",
                "title": {"en": "Scale B", "ru": "Шкала Б"},
                "items": [{"item": f"b{k}"} for k in range(1, items_b + 1)],
                "missing": {"min_answered": 2},
            },
        ],
    )


def scale_table(profile: Any) -> str:
    """The first scale table of the counsellor report, with the note under it."""
    page = render_html(profile, COUNSELLOR)
    found = re.search(r'<table class="data scales.*?</table>\s*<p.*?</p>', page, flags=re.S)
    assert found is not None
    return found.group(0)


def profile_of(instrument: Any, answers: dict[str, int | None]) -> Any:
    return build_profiles([ProfileInput(instrument, [answers])])[0]


def test_a_range_every_scale_shares_goes_into_the_heading() -> None:
    table = scale_table(profile_of(two_scale_instrument(), {"a1": 1, "a2": 2, "b1": 3, "b2": 4}))
    heads = re.findall(r"<th[^>]*>(.*?)</th>", table)
    assert f"{RU['col_raw']} (0\u20138)" in heads
    assert RU["col_range"] not in heads
    assert RU["col_answered"] not in heads and RU["col_status"] not in heads
    assert "0\u20138</td>" not in table


def test_ranges_that_differ_keep_their_column() -> None:
    answers = {"a1": 1, "a2": 2, "b1": 3, "b2": 4, "b3": 0}
    table = scale_table(profile_of(two_scale_instrument(items_b=3), answers))
    heads = re.findall(r"<th[^>]*>(.*?)</th>", table)
    assert RU["col_raw"] in heads and RU["col_range"] in heads
    assert "0\u20138</td>" in table and "0\u201312</td>" in table


def test_answered_counts_show_when_an_item_was_left_out() -> None:
    complete = profile_of(
        two_scale_instrument(items_b=3), {"a1": 1, "a2": 2, "b1": 3, "b2": 4, "b3": 0}
    )
    gap = profile_of(
        two_scale_instrument(items_b=3), {"a1": 1, "a2": 2, "b1": 3, "b2": 4, "b3": None}
    )
    assert RU["all_answered_note"] in text_of(scale_table(complete))
    table = scale_table(gap)
    assert RU["all_answered_note"] not in text_of(table)  # not claimed when false
    assert f'<th class="num">{RU["col_answered"]}</th>' in table
    assert "2/3</td>" in table and "2/2</td>" in table
    assert RU["col_status"] not in table  # both scales were still scored


def test_a_scale_that_could_not_be_scored_brings_the_status_column() -> None:
    table = scale_table(profile_of(two_scale_instrument(), {"a1": 1, "a2": 2, "b1": 3, "b2": None}))
    assert f'<th class="status">{RU["col_status"]}</th>' in table
    assert RU["status_too_few"] in table and RU["status_ok"] in table


def test_every_route_of_an_occupation_is_named_once() -> None:
    profile = demo_profiles()[0]
    assert profile.stage is not None
    assert any(len(match.education) > 1 for match in profile.matches)
    for options in (COUNSELLOR, CLIENT):
        page = render_html(profile, options)
        cells = re.findall(r'<td class="education">(.*?)</td>', page)
        assert len(cells) == len(profile.matches)
        for cell, match in zip(cells, profile.matches, strict=True):
            named = text_of(cell)
            for route in match.education:
                label = RU["education"][route]
                expected = 1 if options is COUNSELLOR or route == match.route else 0
                assert named.count(label) == expected, (named, label)


def demand_cells(page: str) -> list[str]:
    return [text_of(cell) for cell in re.findall(r'<td class="demand">(.*?)</td>', page)]


def test_a_shared_demand_year_is_said_once_under_the_table() -> None:
    profile = demo_profiles()[0]
    marked = [match for match in profile.matches if match.regional_demand]
    assert marked and {match.demand_year for match in marked} == {2026}
    note = RU["demand_year_note"].format(year=2026)
    for options in (COUNSELLOR, CLIENT):
        page = render_html(profile, options)
        assert not any("2026" in cell for cell in demand_cells(page))
        assert text_of(page).count(note) == 1
    # Years that differ: each marked row says its own, no note claims one year for all.
    matches = [
        match.model_copy(update={"demand_year": 2025}) if match is marked[0] else match
        for match in profile.matches
    ]
    mixed = render_html(profile.model_copy(update={"matches": matches}), COUNSELLOR)
    years = [cell for cell in demand_cells(mixed) if "20" in cell]
    assert len(years) == len(marked)
    assert sum(RU["demand_year"].format(year=2025) in cell for cell in years) == 1
    assert note not in text_of(mixed)


def test_validity_without_findings_is_one_line_and_findings_keep_their_table() -> None:
    clear, flat = demo_profiles()[0], demo_profiles()[7]
    assert not clear.instruments[0].flags and flat.instruments[0].flags
    page = text_of(render_html(clear, COUNSELLOR))
    line = (
        f"{RU['validity_heading_c']}. {RU['validity_none']} "
        f"{RU['row_status_label']}: {RU['row_status']['ok']}."
    )
    assert page.count(line) == len(clear.instruments)
    flagged = render_html(flat, COUNSELLOR)
    assert '<table class="data flags">' in flagged
    assert RU["validity_none"] not in text_of(flagged.split('<table class="data flags">')[0][-400:])


def _boxes_of(document: Any, css_class: str) -> list[tuple[int, float, float, float, float]]:
    """(page, left, top, right, bottom) of every box whose element has `css_class`."""
    found = []
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is not None and css_class in (element.get("class") or "").split():
                left, top = box.border_box_x(), box.border_box_y()
                found.append(
                    (number, left, top, left + box.border_width(), top + box.border_height())
                )
    return found


def _laid_out(profile: Any, options: ReportOptions) -> Any:
    from profdiag._report import render

    stylesheet, fonts = render._package_stylesheet()
    root = render.templates_folder()
    return render._html_class(package=True)(
        string=render_html(profile, options),
        base_url=root.as_uri() + "/",
        url_fetcher=render.AssetFetcher(root),
    ).render(stylesheets=[stylesheet], font_config=fonts)


@pytest.mark.parametrize("audience", ["client", "counsellor"])
@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_hexagon_and_its_text_stand_side_by_side_on_one_page(
    audience: str, language: str
) -> None:
    # Every demo respondent: the row lands at a different height of a page in each, so
    # page breaks fall before, after and (without the row's table layout) through it.
    options = ReportOptions(audience=audience, language=language)  # type: ignore[arg-type]
    for profile in demo_profiles():
        document = _laid_out(profile, options)
        rows = _boxes_of(document, "hexagon-row")  # a table: wrapper, table, row group, row
        figures = _boxes_of(document, "hexagon")
        texts = _boxes_of(document, "hexagon-text")
        # One page holds the row, and nothing of it is repeated or split off elsewhere.
        assert len({box[0] for box in rows + figures + texts}) == 1, profile.respondent
        assert len(figures) == len(texts) == 1, (profile.respondent, figures, texts)
        (page_f, _left_f, top_f, right_f, bottom_f), (page_t, left_t, top_t, _r, _b) = (
            figures[0],
            texts[0],
        )
        assert page_t == page_f
        assert left_t >= right_f  # to the right of the hexagon ...
        assert abs(top_t - top_f) < 1 and top_t < bottom_f  # ... and level with it
        if audience == "counsellor":  # the indices table in the text, beside the hexagon
            (page_i, left_i, top_i, _ri, _bi) = _boxes_of(document, "indices")[0]
            assert page_i == page_f and left_i >= right_f and top_i < bottom_f


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="CPython 3.11's frame stack")
def test_a_report_renders_without_remapping_the_frame_stack() -> None:
    # CPython 3.11 maps and unmaps a 16 KiB frame-stack chunk whenever WeasyPrint's
    # recursion crosses a chunk edge, and touches each new chunk afresh (page faults).
    # How often that happens depends on where the edges fall, i.e. on how deep the caller
    # already is: without call_with_room, 200 to 9,800 faults per report at the depths
    # below; with it, under 400 at each (other allocations), the frames in one chunk.
    profile = demo_profiles()[0]
    render_pdf(profile, COUNSELLOR)

    def faults() -> int:
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt

    def render_at(depth: int) -> int:
        if depth:
            return render_at(depth - 1)
        before = faults()
        render_pdf(profile, COUNSELLOR)
        return faults() - before

    measured = {depth: render_at(depth) for depth in range(0, 64, 8)}
    assert max(measured.values()) < 1500, measured
