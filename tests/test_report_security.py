"""Reports can neither read local files nor reach the network: not through values, not
through a crafted template, not through links or tricks with paths.

Each refusal has a control next to it: the same construction with a file that *is*
allowed, showing that the content would have reached the PDF (as text, or as an
attachment) had the path been accepted. So a check such as "the marker is not in the
PDF" is known to be able to fail.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from profdiag._profile.model import Profile
from profdiag._report.assets import templates_folder
from profdiag._report.demo import demo_profiles
from profdiag._report.fetcher import MAX_URL_LENGTH, AssetFetcher, ForbiddenResource
from profdiag._report.render import ReportOptions, render_html, render_pdf
from profdiag.errors import ReportError

SECRET = "/etc/passwd"
MARKER = "MARKER-7f3a-secret-content"


@pytest.fixture(scope="module")
def profile() -> Profile:
    return demo_profiles(top=3)[0]


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def attachments_of(pdf: bytes) -> dict[str, list[bytes]]:
    return dict(PdfReader(io.BytesIO(pdf)).attachments)


def user_templates(folder: Path, body: str) -> ReportOptions:
    folder.mkdir(exist_ok=True)
    (folder / "client.html.j2").write_text(
        f"<html><body><p>{{{{ client.id }}}}</p>\n{body}\n</body></html>", encoding="utf-8"
    )
    return ReportOptions(audience="client", language="ru", template_folder=folder)


def secret_file(folder: Path) -> Path:
    """A file outside the template folder, holding the marker."""
    folder.mkdir(exist_ok=True)
    path = folder / "secret.txt"
    path.write_text(f"{MARKER}\n", encoding="utf-8")
    return path


# -- the URL fetcher: what WeasyPrint may read while laying out the HTML ----------------


@pytest.mark.parametrize(
    "body",
    [
        f'<img src="file://{SECRET}">',
        f'<link rel="attachment" href="file://{SECRET}">',
        '<img src="http://127.0.0.1:9/tracker.png">',
        '<img src="https://example.org/x.png">',
        '<link rel="stylesheet" href="../../../../../../etc/passwd">',
        '<img src="fonts/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd">',
        '<link rel="attachment" href="fonts/%2E%2E/style.css">',
        '<link rel="attachment" href="style.css?x=1">',
        '<link rel="attachment" href="file://localhost.example/etc/passwd">',
        f'<style>@import url("file://{SECRET}");</style>',
        f'<object data="file://{SECRET}"></object>',
    ],
)
def test_crafted_template_cannot_fetch(tmp_path: Path, profile: Profile, body: str) -> None:
    with pytest.raises(ReportError, match="refused to read") as caught:
        render_pdf(profile, user_templates(tmp_path / "t", body))
    assert "client.html.j2" in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_attachment_control_shows_what_a_fetch_would_embed(
    tmp_path: Path, profile: Profile
) -> None:
    """The refusals above are meaningful: an allowed asset named the same way does end up
    in the PDF, as an attachment with its bytes."""
    options = user_templates(tmp_path / "t", '<link rel="attachment" href="style.css">')
    attached = attachments_of(render_pdf(profile, options))
    assert list(attached) == ["style.css"]
    assert attached["style.css"][0] == (templates_folder() / "style.css").read_bytes()


def test_fetcher_allows_assets_and_refuses_the_rest(tmp_path: Path) -> None:
    root = tmp_path / "assets"
    (root / "fonts").mkdir(parents=True)
    (root / "fonts" / "inside.css").write_text("p { color: red }", encoding="utf-8")
    outside = secret_file(tmp_path / "elsewhere")
    os.symlink(outside, root / "innocent.css")  # a link that leads out
    os.symlink(root / "fonts" / "inside.css", root / "alias.css")  # a link that stays in
    os.symlink(tmp_path / "elsewhere", root / "linked-folder")
    os.mkfifo(root / "pipe.css")
    fetcher = AssetFetcher(root)
    # the control: a regular file inside the folder is served, by any spelling of its URL
    inside = root / "fonts" / "inside.css"
    for url in (inside.as_uri(), inside.as_uri().replace("file:///", "file://localhost/")):
        assert fetcher.fetch(url).read() == b"p { color: red }"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    refused = {
        outside.as_uri(): "outside",
        (root / "innocent.css").as_uri(): "symbolic link",
        (root / "alias.css").as_uri(): "symbolic link",
        (root / "linked-folder" / "secret.txt").as_uri(): "symbolic link",
        (root / "pipe.css").as_uri(): "not a regular file",
        (root / "fonts").as_uri(): "a folder",
        root.as_uri() + "/fonts/%2e%2e/fonts/inside.css": "'..'",
        root.as_uri() + "/fonts/%2E%2E/%2E%2E/elsewhere/secret.txt": "'..'",
        root.as_uri() + "/fonts%2f..%2finnocent.css": "'..'",
        root.as_uri() + "/fonts//inside.css": "empty part",
        root.as_uri() + "/./fonts/inside.css": "'.'",
        inside.as_uri() + "?v=1": "query",
        root.as_uri() + "/fonts/inside.css%00.png": "NUL",
        root.as_uri() + "/fonts/%ff.css": "UTF-8",
        root.as_uri() + "/" + "a/" * MAX_URL_LENGTH: "longer than",
        root.as_uri() + "/missing.css": "no such asset",
        "ftp://example.org/x": "only the package's asset files",
        "http://127.0.0.1/x.css": "only the package's asset files",
        f"file://remote-host{inside}": "another host",
        f"file://{SECRET}": "outside",
    }
    for url, reason in refused.items():
        with pytest.raises(ForbiddenResource) as caught:
            fetcher.fetch(url)
        assert reason in str(caught.value), (url, str(caught.value))


# -- the template loader: what Jinja may read ------------------------------------------


def test_symlinked_include_is_refused_and_the_control_leaks(
    tmp_path: Path, profile: Profile
) -> None:
    outside = secret_file(tmp_path / "elsewhere")
    folder = tmp_path / "t"
    options = user_templates(folder, "{% include 'part.html' %}")
    # control: a regular file in the folder is included, and its text is in the PDF
    (folder / "part.html").write_text(f"<p>{MARKER}</p>", encoding="utf-8")
    assert MARKER in text_of(render_pdf(profile, options))
    # the same include through a link to the file outside is refused
    (folder / "part.html").unlink()
    os.symlink(outside, folder / "part.html")
    with pytest.raises(ReportError) as caught:
        render_pdf(profile, options)
    message = str(caught.value)
    assert "'part.html'" in message and "symbolic link" in message
    assert f"{folder / 'client.html.j2'}, line 2" in message  # where the include is


def test_symlinked_main_template_is_refused_not_replaced(tmp_path: Path, profile: Profile) -> None:
    outside = tmp_path / "elsewhere" / "client.html.j2"
    outside.parent.mkdir()
    outside.write_text(f"<html><body><p>{MARKER}</p></body></html>", encoding="utf-8")
    folder = tmp_path / "t"
    folder.mkdir()
    options = ReportOptions(audience="client", template_folder=folder)
    # control: the same file copied into the folder renders, marker and all
    (folder / "client.html.j2").write_bytes(outside.read_bytes())
    assert MARKER in text_of(render_pdf(profile, options))
    (folder / "client.html.j2").unlink()
    os.symlink(outside, folder / "client.html.j2")
    with pytest.raises(ReportError, match="symbolic link"):
        render_pdf(profile, options)


def test_link_to_the_root_folder_is_refused(tmp_path: Path, profile: Profile) -> None:
    folder = tmp_path / "t"
    options = user_templates(folder, "{% include 'root/etc/passwd' %}")
    os.symlink("/", folder / "root")
    with pytest.raises(ReportError, match="'root' is a symbolic link"):
        render_html(profile, options)
    # control: a real sub-folder with a file in it is read
    (folder / "root").unlink()
    (folder / "root" / "etc").mkdir(parents=True)
    (folder / "root" / "etc" / "passwd").write_text(MARKER, encoding="utf-8")
    assert MARKER in render_html(profile, options)


def test_linked_template_folder_itself_is_followed_once(tmp_path: Path, profile: Profile) -> None:
    """The folder the user names may be reached through a link (they chose it); only
    what is inside it must be plain files."""
    real = tmp_path / "real"
    user_templates(real, f"<p>{MARKER}</p>")
    os.symlink(real, tmp_path / "link")
    html = render_html(profile, ReportOptions(template_folder=tmp_path / "link"))
    assert MARKER in html


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (f"{{% include '{SECRET}' %}}", "only names relative to the folder"),
        ("{% include '../../../../../../etc/passwd' %}", "'..'"),
        ("{% include 'a/../client.html.j2' %}", "'..'"),
        ("{% include 'a//b.html' %}", "empty part"),
        ("{% include '..\\\\x.html' %}", "backslash"),
        ("{% include 'missing.html' %}", "template 'missing.html' not found"),
        ("{% include 'sub' %}", "it is a folder"),
        ("{% include 'fifo.html' %}", "not a regular file"),
        ("{% include 'latin1.html' %}", "not UTF-8"),
        ("{% include 'huge.html' %}", "more than 16777216 allowed"),
    ],
)
def test_template_names_that_lead_nowhere_good(
    tmp_path: Path, profile: Profile, body: str, reason: str
) -> None:
    folder = tmp_path / "t"
    options = user_templates(folder, body)
    (folder / "sub").mkdir()
    os.mkfifo(folder / "fifo.html")  # opening it for reading would block forever
    (folder / "latin1.html").write_bytes("café".encode("latin-1"))
    with open(folder / "huge.html", "wb") as huge:
        huge.truncate(17 * 1024 * 1024)  # sparse: costs no disk
    with pytest.raises(ReportError) as caught:
        render_html(profile, options)
    assert reason in str(caught.value)
    assert f"{folder / 'client.html.j2'}, line 2" in str(caught.value)


def test_missing_template_folder(tmp_path: Path, profile: Profile) -> None:
    with pytest.raises(ReportError, match="does not exist"):
        render_pdf(profile, ReportOptions(template_folder=tmp_path / "nowhere"))


# -- the sandbox ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "refused by the template sandbox"),
        ("{{ client.__class__.__init__.__globals__ }}", "refused by the template sandbox"),
        ("{{ undefined_name }}", "'undefined_name' is undefined"),
        ("{% for x in %}", "line 2: Expected an expression"),
        ("{{ '{0.__class__.__mro__}'.format(client.id) }}", "refused by the template sandbox"),
    ],
)
def test_crafted_template_cannot_escape_the_sandbox(
    tmp_path: Path, profile: Profile, body: str, expected: str
) -> None:
    folder = tmp_path / "t"
    with pytest.raises(ReportError) as caught:
        render_html(profile, user_templates(folder, body))
    assert expected in str(caught.value)
    assert f"{folder / 'client.html.j2'}, line 2" in str(caught.value)


def test_hostile_client_name_is_text(tmp_path: Path, profile: Profile) -> None:
    crafted = f'<img src="file://{SECRET}"><b>{MARKER}</b>'
    # the name and the name the report greets by (demo01 has a given name of her own)
    hostile = profile.model_copy(update={"name": crafted, "given_name": crafted})
    options = ReportOptions(audience="client", language="ru")
    html = render_html(hostile, options)
    assert f"&lt;img src=&#34;file://{SECRET}&#34;&gt;&lt;b&gt;{MARKER}" in html
    assert f'<img src="file://{SECRET}"' not in html
    text = text_of(render_pdf(hostile, options))  # renders: nothing is fetched
    assert crafted in text.replace("\n", "")  # the name, as text (lines may wrap in it)
    assert "root:x:0:0" not in text


def test_file_contents_would_show_in_extracted_text(tmp_path: Path, profile: Profile) -> None:
    """Control for the check just above: the text of a passwd-like file included from
    the template folder is found by the same extraction."""
    folder = tmp_path / "t"
    options = user_templates(folder, "<pre>{% include 'passwd' %}</pre>")
    (folder / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    assert "root:x:0:0" in text_of(render_pdf(profile, options))


def test_listing_templates_skips_links(tmp_path: Path) -> None:
    from profdiag._report.environment import FolderLoader

    folder = tmp_path / "t"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.html.j2").write_text("a", encoding="utf-8")
    (folder / "sub" / "b.html.j2").write_text("b", encoding="utf-8")
    os.symlink(folder / "a.html.j2", folder / "link.html.j2")
    os.symlink(folder, folder / "sub" / "loop")
    assert FolderLoader(folder).list_templates() == ["a.html.j2", "sub/b.html.j2"]
