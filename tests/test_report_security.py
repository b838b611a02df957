"""Reports can neither read local files nor reach the network: not through values, not
through a crafted template, not through tricks with paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from jinja2 import TemplateNotFound
from jinja2.exceptions import SecurityError, UndefinedError

from profdiag.profile.model import Profile
from profdiag.report.assets import templates_folder
from profdiag.report.demo import demo_profiles
from profdiag.report.fetcher import AssetFetcher, ForbiddenResource
from profdiag.report.render import ReportOptions, render_html, render_pdf

SECRET = "/etc/passwd"


@pytest.fixture(scope="module")
def profile() -> Profile:
    return demo_profiles(top=3)[0]


def user_templates(tmp_path: Path, body: str) -> ReportOptions:
    (tmp_path / "client.html.j2").write_text(
        f"<html><body><p>{{{{ client.id }}}}</p>{body}</body></html>", encoding="utf-8"
    )
    return ReportOptions(audience="client", language="ru", template_folder=tmp_path)


@pytest.mark.parametrize(
    "body",
    [
        f'<img src="file://{SECRET}">',
        f'<link rel="attachment" href="file://{SECRET}">',
        '<img src="http://127.0.0.1:9/tracker.png">',
        '<img src="https://example.org/x.png">',
        '<link rel="stylesheet" href="../../../../../../etc/passwd">',
        '<img src="fonts/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd">',
        f'<style>@import url("file://{SECRET}");</style>',
        f'<object data="file://{SECRET}"></object>',
    ],
)
def test_crafted_template_cannot_fetch(tmp_path: Path, profile: Profile, body: str) -> None:
    with pytest.raises(ForbiddenResource):
        render_pdf(profile, user_templates(tmp_path, body))


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", SecurityError),
        ("{{ client.__class__.__init__.__globals__ }}", SecurityError),
        (f"{{% include '{SECRET}' %}}", TemplateNotFound),
        ("{% include '../../../../../../etc/passwd' %}", TemplateNotFound),
        ("{{ undefined_name }}", UndefinedError),
    ],
)
def test_crafted_template_cannot_escape_the_sandbox(
    tmp_path: Path, profile: Profile, body: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        render_html(profile, user_templates(tmp_path, body))


def test_hostile_client_name_is_text(profile: Profile) -> None:
    hostile = profile.model_copy(update={"name": f'<img src="file://{SECRET}"><script>x</script>'})
    options = ReportOptions(audience="client", language="ru")
    html = render_html(hostile, options)
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert f'<img src="file://{SECRET}"' not in html
    pdf = render_pdf(hostile, options)  # renders: nothing is fetched
    assert b"root:x:0:0" not in pdf


def test_fetcher_allows_assets_and_refuses_the_rest(tmp_path: Path) -> None:
    root = templates_folder()
    fetcher = AssetFetcher(root)
    font = root / "fonts" / "LiberationSans-Regular.ttf"
    assert fetcher.fetch(font.as_uri()).read()[:4] == b"\x00\x01\x00\x00"  # a TrueType font
    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    link_root = tmp_path / "assets"
    link_root.mkdir()
    os.symlink(outside, link_root / "innocent.css")  # a symlink that leads out
    for url in (
        outside.as_uri(),
        (link_root / "innocent.css").as_uri(),
        "ftp://example.org/x",
        "file://remote-host/etc/passwd",
    ):
        with pytest.raises(ForbiddenResource):
            AssetFetcher(link_root).fetch(url)
    data = fetcher.fetch("data:text/plain;base64,aGk=")
    assert data.read() == b"hi"
