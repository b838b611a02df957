"""The package's own report HTML parsed by expat (C) into the tree WeasyPrint's HTML5
parser (tinyhtml5, pure Python) builds from it: the parse was 6-7 % of a report's time.

Our templates write well-formed markup (void elements closed as ``<br/>``, no named
entities), and the values they insert are autoescaped, so the XML parser reads it. An XML
parse and an HTML5 parse of the same well-formed text give the same tree but for a few
rules of HTML5, which `parse_report_html` applies (white space around ``<head>`` and after
``</body>``, ``xmlns`` kept as an attribute) or refuses: it returns None, and the caller
parses with tinyhtml5 as before, for anything outside the subset of HTML it checks (an
element or structure HTML5 would rebuild: implied ``<tbody>``, a block inside ``<p>``,
nested list items or links, text directly in a table; comments, CDATA, named entities,
white space inside attribute values, C1 character references). Tested: the trees and
the PDFs are identical for every demo profile, both audiences, both languages
(tests/test_report_markup.py).
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, XMLParser

from tinyhtml5.constants import adjust_svg_attributes  # type: ignore[import-untyped]

SVG = "{http://www.w3.org/2000/svg}"
XMLNS = "{http://www.w3.org/2000/xmlns/}"

HTML_ELEMENTS = frozenset(
    (
        *("html", "head", "meta", "title", "body", "div", "span", "p", "br"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "header", "footer", "section", "aside"),
        *("figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr", "th", "td"),
        *("ul", "ol", "li", "strong", "em", "b", "i", "small", "sup", "sub"),
    )
)
"""The HTML elements the fast path accepts: those the report templates use, and a few
HTML5 parses the XML way (no implied tags, no special text rules)."""
SVG_ELEMENTS = frozenset(
    [
        "svg",
        "title",
        "desc",
        "g",
        "rect",
        "line",
        "polyline",
        "polygon",
        "circle",
        "ellipse",
        "path",
        "text",
    ]
)
CLOSE_P = frozenset(
    [
        "div",
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "footer",
        "section",
        "aside",
        "figure",
        "figcaption",
        "table",
        "ul",
        "ol",
        "li",
    ]
)
"""Start tags that close an open ``<p>`` in HTML5 (those of HTML_ELEMENTS)."""
HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
TABLE_SECTIONS = frozenset(("thead", "tbody", "tfoot"))
TABLE_PARTS = frozenset(("table", "thead", "tbody", "tfoot", "tr"))
SCOPE_ENDS = ("td", "th", "table", "html")
"""Where HTML5's search for an open ``<p>`` or ``<li>`` to close stops (of our elements)."""
WHITE_SPACE = " \t\n\f\r"

_REFUSED_TEXT = re.compile(
    # comments, CDATA, processing instructions; C1 character references (HTML5 reads
    # &#150; as windows-1252's en dash, XML as U+0096)
    r"<!--|<!\[CDATA\[|<\?|&#(?:x0*[89][0-9a-f]|0*1(?:2[89]|[3-5][0-9]));",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_SPACE_IN_VALUE = re.compile(r"\"[^\"]*[\t\n\r][^\"]*\"|'[^']*[\t\n\r][^']*'")


class _Builder(TreeBuilder):
    """A TreeBuilder that keeps namespace declarations as tinyhtml5 does: as attributes
    in the ``xmlns`` namespace on the element that declares them."""

    def __init__(self) -> None:
        super().__init__()
        self._declared: list[tuple[str, str]] = []

    def start_ns(self, prefix: str, uri: str) -> None:
        self._declared.append((prefix, uri))

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        if self._declared:
            attrs = dict(attrs)
            for prefix, uri in self._declared:
                attrs[XMLNS + (prefix or "xmlns")] = uri
            self._declared = []
        return super().start(tag, attrs)


def parse_report_html(html: str) -> Element | None:
    """The tree tinyhtml5 would build from `html` (``namespace_html_elements=False``), or
    None when `html` is not well-formed XML or not in the subset checked here."""
    if _REFUSED_TEXT.search(html) or any(_SPACE_IN_VALUE.search(tag) for tag in _TAG.findall(html)):
        return None
    parser = XMLParser(target=_Builder())
    try:
        parser.feed(html)
        root: Element = parser.close()
    except ParseError:
        return None
    if not _html5_shape(root):
        return None
    body = root[1]
    root.text = None  # HTML5 drops white space before <head>
    # White space after </body> and </html> goes at the end of <body> in HTML5.
    after = (body.tail or "") + html[len(html.rstrip(WHITE_SPACE)) :]
    body.tail = None
    if after:
        last = body[-1] if len(body) else None
        if last is None:
            body.text = (body.text or "") + after
        else:
            last.tail = (last.tail or "") + after
    return root


def _blank(text: str | None) -> bool:
    return text is None or not text.strip(WHITE_SPACE)


def _html5_shape(root: Element) -> bool:
    if root.tag != "html" or [child.tag for child in root] != ["head", "body"]:
        return False
    head, body = root
    if not (_blank(root.text) and _blank(head.tail) and _blank(body.tail) and _blank(head.text)):
        return False
    if any(
        child.tag not in ("meta", "title") or len(child) or not _blank(child.tail) for child in head
    ):
        return False
    # Depth first, with each element's ancestors (innermost last).
    stack: list[tuple[Element, tuple[Element, ...]]] = [(body, (root,))]
    while stack:
        element, ancestors = stack.pop()
        if not _attributes_fit(element) or (
            element.tag in TABLE_PARTS and not _blank(element.text)
        ):
            return False
        if element.tag == "table":
            _imply_tbody(element)
        inner = (*ancestors, element)
        for child in element:
            if not _fits(child, inner):
                return False
            stack.append((child, inner))
    return True


def _imply_tbody(table: Element) -> None:
    """Rows written straight into a table: HTML5 puts them into a ``<tbody>`` (the white
    space before the first row stays in the table)."""
    if len(table) and all(child.tag == "tr" for child in table):
        body = Element("tbody")
        body.extend(table)
        table[:] = [body]


def _fits(element: Element, ancestors: tuple[Element, ...]) -> bool:
    """Whether HTML5 would put `element` under ``ancestors[-1]`` as XML does."""
    tag, parent = element.tag, ancestors[-1]
    above = parent.tag
    if tag.startswith(SVG):
        name = tag[len(SVG) :]
        return name in SVG_ELEMENTS and (above.startswith(SVG) or name == "svg")
    if above.startswith(SVG) or tag not in HTML_ELEMENTS or above == "br":
        return False
    if tag in ("html", "head", "body", "meta", "title"):
        return False
    if above in TABLE_PARTS and not _blank(element.tail):
        return False
    if tag == "tr":
        return above in TABLE_SECTIONS and _blank(parent.text)
    if tag in ("td", "th"):
        return above == "tr" and _blank(parent.text)
    if tag in TABLE_SECTIONS:
        return above == "table" and _blank(parent.text)
    if above in TABLE_PARTS or (tag in HEADINGS and above in HEADINGS):
        return False
    if tag in CLOSE_P and "p" in _tags_up_to(ancestors, SCOPE_ENDS):
        return False
    return not (tag == "li" and "li" in _tags_up_to(ancestors, ("ul", "ol", *SCOPE_ENDS)))


def _tags_up_to(ancestors: tuple[Element, ...], ends: tuple[str, ...]) -> set[str]:
    """The tags of the innermost ancestors, up to the first with a tag in `ends`."""
    found = set()
    for node in reversed(ancestors):
        if node.tag in ends:
            break
        found.add(node.tag)
    return found


def _attributes_fit(element: Element) -> bool:
    if element.tag.startswith(SVG):
        return all(
            name.startswith(XMLNS)
            or (name == name.lower() and name not in adjust_svg_attributes)
            or adjust_svg_attributes.get(name.lower()) == name
            for name in element.attrib
        )
    return all(name == name.lower() and not name.startswith("{") for name in element.attrib)
