"""The package's report HTML parsed by expat (`profdiag._report.markup`) must give the tree,
and so the PDF, that WeasyPrint's HTML5 parser (tinyhtml5) gives; anything outside the
checked subset goes to tinyhtml5 (docs/performance.md, 4c)."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

import pytest
import tinyhtml5
from hypothesis import given, settings
from hypothesis import strategies as st

from profdiag._profile.model import Profile
from profdiag._report import render as render_module
from profdiag._report.assets import templates_folder
from profdiag._report.demo import demo_profiles
from profdiag._report.fetcher import AssetFetcher
from profdiag._report.markup import parse_report_html
from profdiag._report.render import (
    ReportOptions,
    _html,
    _html_class,
    _package_stylesheet,
    render_pdf,
)

CASES = [(a, lang) for a in ("client", "counsellor") for lang in ("ru", "en")]


def shape(element: Element) -> list[tuple[Any, ...]]:
    """Everything of a tree WeasyPrint reads: tags, attributes, text and tails, in order."""
    return [
        (node.tag, sorted(node.attrib.items()), node.text, node.tail) for node in element.iter()
    ]


def html5(html: str) -> list[tuple[Any, ...]]:
    return shape(tinyhtml5.parse(html, namespace_html_elements=False))


@pytest.fixture(scope="module")
def profiles() -> list[Profile]:
    return demo_profiles()


@pytest.mark.parametrize(("audience", "language"), CASES)
def test_every_demo_report_parses_to_the_html5_tree(
    profiles: list[Profile], audience: str, language: str
) -> None:
    options = ReportOptions(audience=audience, language=language)  # type: ignore[arg-type]
    for profile in profiles:
        html = _html(profile, options)
        tree = parse_report_html(html)
        assert tree is not None, f"{profile.respondent}: the fast path refused the report"
        assert shape(tree) == html5(html), profile.respondent


def _pdf(maker: Any, html: str) -> bytes:
    root = templates_folder()
    stylesheet, fonts = _package_stylesheet()
    document = maker(string=html, base_url=root.as_uri() + "/", url_fetcher=AssetFetcher(root))
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
    return pdf


@pytest.mark.parametrize(("audience", "language"), CASES)
def test_every_demo_pdf_is_byte_identical_with_either_parser(
    profiles: list[Profile], audience: str, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    options = ReportOptions(audience=audience, language=language)  # type: ignore[arg-type]
    for profile in profiles:
        html = _html(profile, options)
        fast = _pdf(_html_class(package=True), html)
        with monkeypatch.context() as patch:
            patch.setattr(render_module, "parse_report_html", lambda _html: None)
            slow = _pdf(_html_class(package=True), html)
        assert fast == slow, profile.respondent


def test_the_fast_path_sets_what_weasyprint_sets() -> None:
    from weasyprint import HTML

    html = _html(demo_profiles()[0], ReportOptions(language="en"))
    root = templates_folder()
    made = [
        maker(string=html, base_url=root.as_uri() + "/", url_fetcher=AssetFetcher(root))
        for maker in (_html_class(package=True), HTML)
    ]
    assert sorted(vars(made[0])) == sorted(vars(made[1]))
    assert made[0].base_url == made[1].base_url
    assert made[0].media_type == made[1].media_type
    assert shape(made[0].etree_element) == shape(made[1].etree_element)


def test_render_pdf_uses_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []

    def spy(html: str) -> Element | None:
        tree = parse_report_html(html)
        seen.append(tree is not None)
        return tree

    monkeypatch.setattr(render_module, "parse_report_html", spy)
    render_pdf(demo_profiles()[0], ReportOptions(audience="counsellor"))
    assert seen == [True]


DOCUMENT = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8"/>\n<title>t</title>\n'
    "</head>\n<body>\n{}\n</body>\n</html>\n"
)

REFUSED = {
    "not well-formed": "<p>a<br>b</p>",
    "named entity": "<p>a&nbsp;b</p>",
    "bare ampersand": "<p>R&D</p>",
    "comment": "<p>a<!-- b --></p>",
    "CDATA": "<p><![CDATA[a]]></p>",
    "processing instruction": "<p><?x y?></p>",
    "C1 character reference": "<p>a&#150;b</p>",
    "block inside p": "<p>a<div>b</div></p>",
    "block deeper inside p": "<p>a<span><ul><li>b</li></ul></span></p>",
    "li inside li": "<ul><li>a<li>b</li></li></ul>",
    "heading in heading": "<h2>a<h3>b</h3></h2>",
    "text in a table": "<table>x<tbody><tr><td>a</td></tr></tbody></table>",
    "only text in a table": "<table>x</table>",
    "text in a row": "<table><tbody><tr>x<td>a</td></tr></tbody></table>",
    "cell outside a row": "<table><tbody><td>a</td></tbody></table>",
    "rows and a section mixed": "<table><tr><td>a</td></tr><tbody></tbody></table>",
    "unknown element": "<form><p>a</p></form>",
    "upper-case tag": "<P>a</P>",
    "upper-case attribute": '<p CLASS="x">a</p>',
    "newline in an attribute": '<p class="a\nb">c</p>',
    "tab in an attribute": "<p class='a\tb'>c</p>",
    "lower-case viewbox": '<svg xmlns="http://www.w3.org/2000/svg" viewbox="0 0 1 1"></svg>',
    "SVG element outside svg": '<p><rect xmlns="http://www.w3.org/2000/svg"/></p>',
    "HTML inside svg": '<svg xmlns="http://www.w3.org/2000/svg"><p>a</p></svg>',
    "XHTML namespace": '<div xmlns="http://www.w3.org/1999/xhtml">a</div>',
    "text before body": None,
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_markup_html5_would_rebuild_goes_to_tinyhtml5(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = REFUSED[name]
    if body is None:
        html = DOCUMENT.replace("</head>\n<body>", "</head>x<body>").format("<p>a</p>")
    else:
        html = DOCUMENT.format(body)
    assert parse_report_html(html) is None
    # ... and the PDF is still made, the same as WeasyPrint's own HTML makes it
    from weasyprint import HTML

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert _pdf(_html_class(package=True), html) == _pdf(HTML, html)


def test_a_malformed_report_still_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    """A package template whose output stops being well-formed falls back to tinyhtml5:
    the report is the same, only slower."""
    real = render_module._html

    def broken(profile: Profile, options: ReportOptions) -> str:
        return real(profile, options).replace("<br/>", "<br>").replace("</p>", "", 1)

    options = ReportOptions(audience="counsellor", language="en")
    html = broken(demo_profiles()[0], options)
    assert parse_report_html(html) is None
    monkeypatch.setattr(render_module, "_html", broken)
    pdf = render_pdf(demo_profiles()[0], options)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert pdf == _pdf(_html_class(package=False), html)


# Random documents from the elements the templates use, and from some HTML5 rebuilds: the
# fast path either refuses one or gives tinyhtml5's tree.
TAGS = ["div", "p", "span", "strong", "ul", "li", "h2", "h3", "section", "table", "tbody"]
TAGS += ["tr", "td", "th", "thead", "br", "figure", "small", "svg", "rect", "em"]
TEXT = st.sampled_from(["", " ", "\n  ", "a", "Б b", "&#160;", "&amp;", " x "])


@st.composite
def fragments(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 3 if depth < 4 else 0))):
        tag = draw(st.sampled_from(TAGS))
        attributes = draw(st.sampled_from(["", ' class="k"', ' style="width:2px"']))
        if tag in ("svg", "rect"):
            attributes += ' xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"'
        inner = draw(fragments(depth + 1))
        parts.append(draw(TEXT))
        parts.append(
            f"<{tag}{attributes}/>" if tag == "br" else f"<{tag}{attributes}>{inner}</{tag}>"
        )
    parts.append(draw(TEXT))
    return "".join(parts)


@settings(max_examples=400, deadline=None)
@given(fragments(), st.sampled_from(["", "\n", "  \n"]))
def test_random_documents_parse_as_html5_or_are_refused(body: str, after: str) -> None:
    html = DOCUMENT.format(body).replace("</body>\n</html>\n", f"</body>{after}</html>{after}")
    tree = parse_report_html(html)
    if tree is not None:
        assert shape(tree) == html5(html)
