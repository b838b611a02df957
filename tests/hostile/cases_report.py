"""`profdiag report`: profile files that are not JSON or fail the model, user templates
that are broken, try to escape the sandbox, reach files outside their folder (symlinks
included) or run away; respondent ids whose file names collide. No PDF may ever hold the
text of /etc/passwd or of the marker file outside the template folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hostile.checks import pdf_count, stderr_on_exit, when_exit
from hostile.data import (
    Setup,
    mkdir,
    profiles_file,
    raw_template,
    secret,
    steps,
    symlink,
    templates,
    write,
)
from hostile.model import BAD_DATA, SILENT, SUCCESS, USAGE, Case, Check, Problem, one_of
from hostile.process import plain
from hostile.runner import Run, limits_reason

PROFILES_CATEGORY = "profiles-file"
TEMPLATES = "templates"
IDS = "report-ids"
ANY = frozenset({0, 1})
PDF = "{d}/pdf"
ONE_PDF = ("--workers", "1", "--lang", "ru", "--audience", "client")
REPORT = ("report", "{d}/profiles.json", "--out", PDF, *ONE_PDF)
WITH_TEMPLATES = (*REPORT, "--templates", "{d}/tpl")
# A runaway template must be stopped within this many seconds (its own time limit).
HANG_TIMEOUT = 15.0


# --- profile files ----------------------------------------------------------------------


def _profiles(
    case_id: str, edit: Any, exit: frozenset[int], *fragments: object, note: str = ""
) -> Case:
    return Case(
        case_id,
        PROFILES_CATEGORY,
        REPORT,
        exit,
        setup=profiles_file(edit=edit),
        stderr=("profiles.json", *fragments),  # type: ignore[arg-type]
        checks=(pdf_count(PDF, 1),),
        note=note,
    )


def _first(edit: Any) -> Any:
    """An edit of the first profile's first instrument section."""

    def change(documents: list[dict[str, Any]]) -> None:
        edit(documents[0]["instruments"][0])

    return change


def _profile(edit: Any) -> Any:
    def change(documents: list[dict[str, Any]]) -> None:
        edit(documents[0])

    return change


def _set(key: str, value: Any) -> Any:
    return lambda section: section.__setitem__(key, value)


def _scales(key: str, value: Any) -> Any:
    def edit(section: dict[str, Any]) -> None:
        for scale in section["scales"]:
            scale[key] = value

    return edit


def _min_max(minimum: float, maximum: float) -> Any:
    def edit(section: dict[str, Any]) -> None:
        for scale in section["scales"]:
            scale["minimum"], scale["maximum"] = minimum, maximum

    return edit


def _matches(key: str, value: Any) -> Any:
    def edit(document: dict[str, Any]) -> None:
        for match in document["matches"]:
            match[key] = value

    return edit


def _recode(name: str, encoding: str, prefix: bytes = b"") -> Setup:
    def setup(folder: Path) -> None:
        path = folder / name
        path.write_bytes(prefix + path.read_text(encoding="utf-8").encode(encoding))

    return setup


CASES: list[Case] = [
    _profiles(
        "pf-leading-unknown-scale",
        _first(_set("leading", ["nonexistent"])),
        ANY,
        "nonexistent",
        note="an unknown scale in `leading`: KeyError in the context",
    ),
    _profiles("pf-scales-empty", _first(_set("scales", [])), ANY),
    _profiles(
        "pf-scale-min-equals-max",
        _first(_min_max(3.0, 3.0)),
        ANY,
        note="min = max: the chart divides by zero",
    ),
    _profiles("pf-scale-min-above-max", _first(_min_max(5.0, 1.0)), ANY),
    _profiles("pf-raw-infinity", _first(_scales("raw", float("inf"))), ANY),
    _profiles("pf-raw-nan", _first(_scales("raw", float("nan"))), ANY),
    _profiles("pf-t-1e308", _first(_scales("t", 1e308)), ANY),
    _profiles("pf-answered-negative", _first(_scales("answered", -5)), ANY),
    _profiles("pf-stanine-10-to-400", _first(_scales("stanine", 10**400)), ANY),
    _profiles("pf-confidence-level-5", _first(_set("confidence_level", 5.0)), ANY),
    _profiles("pf-confidence-level-nan", _first(_set("confidence_level", float("nan"))), ANY),
    _profiles(
        "pf-consistency-unknown",
        _first(lambda s: s["holland"].__setitem__("consistency", "weird")),
        BAD_DATA,
        "consistency",
    ),
    _profiles(
        "pf-holland-scores-text",
        _first(lambda s: s["holland"]["scores"].__setitem__("R", "high")),
        BAD_DATA,
    ),
    _profiles(
        "pf-holland-scores-empty", _first(lambda s: s["holland"].__setitem__("scores", {})), ANY
    ),
    _profiles("pf-match-unknown-ddo-type", _profile(_matches("ddo", ["alien"])), ANY, "alien"),
    _profiles(
        "pf-match-unknown-education",
        _profile(_matches("education", ["rocket_school"])),
        ANY,
        "rocket_school",
    ),
    _profiles(
        "pf-format-tag-unknown",
        _profile(lambda p: p.__setitem__("format", "x/9")),
        BAD_DATA,
        "format",
    ),
    _profiles(
        "pf-respondent-missing", _profile(lambda p: p.pop("respondent")), BAD_DATA, "respondent"
    ),
    _profiles(
        "pf-extra-field", _profile(lambda p: p.__setitem__("colour", "red")), BAD_DATA, "colour"
    ),
    _profiles("pf-title-no-language", _first(_set("title", {})), BAD_DATA, "title"),
    _profiles("pf-instruments-empty", _profile(lambda p: p.__setitem__("instruments", [])), ANY),
    _profiles(
        "pf-name-html-injection",
        _profile(
            lambda p: p.__setitem__(
                "name",
                '<img src="file:///etc/passwd"><link rel=attachment href="file:///etc/passwd">',
            )
        ),
        SUCCESS,
    ),
    _profiles("pf-name-3000-chars", _profile(lambda p: p.__setitem__("name", "Я " * 1500)), ANY),
    _profiles(
        "pf-respondent-300-chars",
        _profile(lambda p: p.__setitem__("respondent", "r" * 300)),
        ANY,
        note="long ids: the file name is longer than the file system allows",
    ),
    _profiles("pf-profiles-not-a-list", lambda docs: {"profiles": {"a": docs[0]}}, BAD_DATA),
    _profiles("pf-profiles-key-missing", lambda docs: {"profile": docs}, BAD_DATA, "profiles"),
    _profiles("pf-profile-is-text", lambda docs: {"profiles": ["r1"]}, BAD_DATA),
    _profiles("pf-top-level-list", lambda docs: docs, BAD_DATA),
    Case(
        "pf-profiles-empty-list",
        PROFILES_CATEGORY,
        REPORT,
        ANY,
        setup=write("profiles.json", '{"profiles": []}'),
        stderr=("profiles.json",),
        checks=(pdf_count(PDF, 0),),
    ),
    Case(
        "pf-cp1251",
        PROFILES_CATEGORY,
        REPORT,
        BAD_DATA,
        setup=steps(
            profiles_file(edit=_profile(lambda p: p.__setitem__("name", "Ёлкин"))),
            _recode("profiles.json", "cp1251"),
        ),
        stderr=("profiles.json",),
    ),
    Case(
        "pf-bom",
        PROFILES_CATEGORY,
        REPORT,
        ANY,
        setup=steps(profiles_file(), _recode("profiles.json", "utf-8", b"\xef\xbb\xbf")),
        stderr=("profiles.json",),
        checks=(pdf_count(PDF, 1),),
    ),
]


# --- templates ----------------------------------------------------------------------------


def _template(
    case_id: str,
    setup: Setup,
    exit: frozenset[int],
    *fragments: object,
    checks: tuple[Check, ...] = (),
    note: str = "",
    **kw: Any,
) -> Case:
    return Case(
        case_id,
        TEMPLATES,
        WITH_TEMPLATES,
        exit,
        setup=steps(profiles_file(), secret(), setup),
        stderr=tuple(fragments),  # type: ignore[arg-type]
        checks=checks or (pdf_count(PDF, 1),),
        note=note,
        **kw,
    )


def _body(body: str) -> Setup:
    return templates("tpl", body)


def _secret_uri(make: Any) -> Setup:
    """A template that names the marker file by its absolute file: URI."""

    def setup(folder: Path) -> None:
        uri = (folder / "secret" / "private.txt").as_uri()
        templates("tpl", make(uri))(folder)

    return setup


TPL = "client.html.j2"
CASES += [
    _template("tpl-syntax-error", _body("{% if %}"), BAD_DATA, TPL),
    _template("tpl-unclosed-block", _body("{% for x in instruments %}"), BAD_DATA, TPL),
    _template("tpl-unknown-filter", _body("{{ client.id|shout }}"), BAD_DATA, "shout"),
    _template("tpl-undefined-name", _body("{{ nope }}"), BAD_DATA, "nope"),
    _template("tpl-undefined-attribute", _body("{{ client.nope }}"), BAD_DATA, "nope"),
    _template("tpl-sandbox-mro", _body("{{ ''.__class__.__mro__ }}"), BAD_DATA, TPL),
    _template(
        "tpl-sandbox-subclasses",
        _body("{{ ''.__class__.__mro__[1].__subclasses__() }}"),
        BAD_DATA,
        TPL,
    ),
    _template("tpl-sandbox-globals", _body("{{ lipsum.__globals__ }}"), BAD_DATA, TPL),
    _template(
        "tpl-sandbox-os-popen",
        _body("{{ cycler.__init__.__globals__.os.popen('id').read() }}"),
        BAD_DATA,
        TPL,
    ),
    _template("tpl-sandbox-attr-filter", _body("{{ client|attr('__class__') }}"), BAD_DATA, TPL),
    _template(
        "tpl-sandbox-mutate-context", _body("{{ client.update({'id': 'x'}) }}"), BAD_DATA, TPL
    ),
    _template("tpl-sandbox-format-string", _body("{{ '{0.__class__}'.format(client) }}"), ANY, TPL),
    _template("tpl-include-etc-passwd", _body("{% include '/etc/passwd' %}"), BAD_DATA, "passwd"),
    _template(
        "tpl-include-traversal",
        _body("{% include '../../../../../../../../etc/passwd' %}"),
        BAD_DATA,
        "passwd",
    ),
    _template(
        "tpl-include-secret-relative",
        _body("{% include '../secret/private.txt' %}"),
        BAD_DATA,
        "private.txt",
    ),
    _template(
        "tpl-symlinked-include-secret",
        steps(_body("{% include 'part.html' %}"), symlink("tpl/part.html", "secret/private.txt")),
        BAD_DATA,
        "part.html",
        note="a symlinked include reaching outside the template folder",
    ),
    _template(
        "tpl-symlinked-include-passwd",
        steps(_body("{% include 'part.html' %}"), symlink("tpl/part.html", "/etc/passwd")),
        BAD_DATA,
        "part.html",
    ),
    _template(
        "tpl-symlinked-template-passwd", symlink("tpl/client.html.j2", "/etc/passwd"), BAD_DATA, TPL
    ),
    _template(
        "tpl-symlinked-template-secret",
        symlink("tpl/client.html.j2", "secret/private.txt"),
        BAD_DATA,
        TPL,
    ),
    _template(
        "tpl-symlink-to-root",
        steps(_body("{% include 'root/etc/passwd' %}"), symlink("tpl/root", "/")),
        BAD_DATA,
        one_of("root", "passwd"),
    ),
    _template(
        "tpl-symlinked-folder-inside",
        steps(_body("{% include 'sub/private.txt' %}"), symlink("tpl/sub", "secret")),
        BAD_DATA,
        one_of("sub", "private.txt"),
    ),
    _template(
        "tpl-extends-symlink",
        steps(
            raw_template("tpl", "{% extends 'base.html' %}"),
            symlink("tpl/base.html", "/etc/passwd"),
        ),
        BAD_DATA,
        "base.html",
    ),
    _template(
        "tpl-import-symlinked-macros",
        steps(
            _body("{% import 'm.html' as m %}{{ m }}"), symlink("tpl/m.html", "secret/private.txt")
        ),
        BAD_DATA,
        "m.html",
    ),
    _template("tpl-img-file-passwd", _body('<img src="file:///etc/passwd">'), BAD_DATA, "passwd"),
    _template(
        "tpl-attachment-secret",
        _secret_uri(lambda uri: f'<link rel="attachment" href="{uri}">'),
        BAD_DATA,
        "private.txt",
    ),
    _template(
        "tpl-css-import-passwd",
        _body('<style>@import url("file:///etc/passwd");</style>'),
        BAD_DATA,
        "passwd",
    ),
    _template(
        "tpl-font-face-secret",
        _secret_uri(
            lambda uri: f'<style>@font-face {{ font-family: x; src: url("{uri}") }}</style>'
        ),
        BAD_DATA,
        "private.txt",
    ),
    _template(
        "tpl-img-network", _body('<img src="http://127.0.0.1:9/x.png">'), BAD_DATA, "127.0.0.1"
    ),
    _template(
        "tpl-img-relative-traversal",
        _body('<img src="../../../../../../etc/passwd">'),
        BAD_DATA,
        "passwd",
    ),
    _template(
        "tpl-object-secret",
        _secret_uri(lambda uri: f'<object data="{uri}"></object>'),
        ANY,
        "private.txt",
    ),
    _template("tpl-iframe-passwd", _body('<iframe src="file:///etc/passwd"></iframe>'), ANY),
    _template(
        "tpl-svg-image-secret",
        _secret_uri(lambda uri: f'<svg><image href="{uri}" width="9" height="9"/></svg>'),
        ANY,
        "private.txt",
    ),
    _template(
        "tpl-img-data-uri", _body('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'), SUCCESS
    ),
    _template("tpl-script-tag", _body("<script>alert(1)</script>"), SUCCESS),
    _template(
        "tpl-autoescape-off-hostile-id",
        steps(
            _body("{% autoescape false %}{{ client.id }}{% endautoescape %}"),
            profiles_file(
                edit=_profile(
                    lambda p: p.__setitem__("respondent", '<img src="file:///etc/passwd">')
                )
            ),
        ),
        ANY,
        "passwd",
    ),
    _template("tpl-range-too-big", _body("{% for i in range(10**9) %}{% endfor %}"), BAD_DATA, TPL),
    _template(
        "tpl-recursive-macro",
        _body("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"),
        BAD_DATA,
        TPL,
    ),
    _template("tpl-includes-itself", _body("{% include 'client.html.j2' %}"), BAD_DATA, TPL),
    _template(
        "tpl-extends-itself", raw_template("tpl", "{% extends 'client.html.j2' %}"), BAD_DATA, TPL
    ),
    _template("tpl-binary-file", raw_template("tpl", bytes(range(256)) * 8), BAD_DATA, TPL),
    _template(
        "tpl-cp1251-file",
        raw_template("tpl", "<p>Привет {{ client.id }}</p>".encode("cp1251")),
        BAD_DATA,
        TPL,
    ),
    _template("tpl-empty-file", raw_template("tpl", ""), ANY, TPL),
    _template(
        "tpl-folder-empty",
        mkdir("tpl"),
        SUCCESS,
        note="no client.html.j2 of one's own: the package's template is used",
    ),
    _template("tpl-other-template-only", templates("tpl", "", name="counsellor.html.j2"), SUCCESS),
    _template(
        "tpl-nested-loop-runaway",
        _body("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"),
        BAD_DATA,
        one_of(TPL, "time", "limit"),
        driver=plain,
        timeout=HANG_TIMEOUT,
        background=True,
        note="must be stopped by a time limit, with a clean error",
    ),
    _template(
        "tpl-power-tower",
        _body("{{ 9 ** (9 ** 9) }}"),
        BAD_DATA,
        one_of(TPL, "time", "limit"),
        driver=plain,
        timeout=HANG_TIMEOUT,
        background=True,
    ),
    _template(
        "tpl-ten-gigabyte-string",
        _body("{{ 'x' * 10**10 }}"),
        BAD_DATA,
        one_of(TPL, "memory", "limit"),
        driver=plain,
        timeout=HANG_TIMEOUT,
        requires=limits_reason,
        note="runs under a 4 GB address-space limit; must end in a clean error",
    ),
    Case(
        "tpl-folder-missing",
        TEMPLATES,
        (*REPORT, "--templates", "{d}/nowhere"),
        USAGE,
        setup=profiles_file(),
        stderr=("nowhere",),
    ),
    Case(
        "tpl-folder-is-a-file",
        TEMPLATES,
        (*REPORT, "--templates", "{d}/tpl.txt"),
        USAGE,
        setup=steps(profiles_file(), write("tpl.txt", "x")),
        stderr=("tpl.txt",),
    ),
    Case(
        "tpl-folder-is-a-symlink",
        TEMPLATES,
        (*REPORT, "--templates", "{d}/tpl-link"),
        SUCCESS,
        setup=steps(profiles_file(), templates("tpl", "<p>ok</p>"), symlink("tpl-link", "tpl")),
        checks=(pdf_count(PDF, 1),),
        note="the folder itself may be a symlink; what is inside it must stay inside",
    ),
]

# --- respondent ids and file names --------------------------------------------------------


def _ids(*respondents: str) -> Setup:
    def edit(documents: list[dict[str, Any]]) -> None:
        for document, respondent in zip(documents, respondents, strict=True):
            document["respondent"] = respondent

    return profiles_file(edit=edit, count=len(respondents))


def _nothing_outside(folder: str) -> Check:
    """No file was written outside `folder` (besides the inputs the case made)."""

    def check(run: Run) -> list[Problem]:
        inside = run.path(folder)
        for root, _, files in os.walk(run.folder):
            for name in files:
                path = Path(root, name)
                if name.endswith(".pdf") and not path.is_relative_to(inside):
                    return [Problem(SILENT, f"a PDF was written outside {inside.name}: {path}")]
        return []

    return check


def _collision(
    case_id: str,
    respondents: tuple[str, ...],
    fragment: str,
    *,
    extra: tuple[str, ...] = (),
    pdfs: int | None = None,
    note: str = "",
) -> Case:
    """One PDF per profile with unique names, or an error naming the clash; never one PDF
    silently replacing another."""
    count = pdfs if pdfs is not None else len(respondents)
    return Case(
        case_id,
        IDS,
        (*WITH_TEMPLATES, *extra),
        ANY,
        setup=steps(
            templates("tpl", "<p>{{ client.id }}</p>"),
            templates("tpl", "<p>{{ client.id }}</p>", name="counsellor.html.j2"),
            _ids(*respondents),
        ),
        checks=(
            when_exit(0, pdf_count(PDF, count)),
            stderr_on_exit(1, fragment),
            _nothing_outside(PDF),
        ),
        note=note,
    )


CASES += [
    _collision("ids-duplicate", ("same", "same"), "same"),
    _collision("ids-empty-twice", ("", ""), "respondent"),
    _collision("ids-slash-and-space", ("a/b", "a b"), "a"),
    _collision("ids-dots", ("..", "."), "respondent"),
    _collision("ids-newline-and-space", ("a\nb", "a b"), "a"),
    _collision("ids-five-times-the-same", ("x",) * 5, "x"),
    _collision(
        "ids-long-shared-prefix",
        ("p" * 250 + "1", "p" * 250 + "2"),
        "p" * 20,
        note="a fix that shortens long names must keep them apart",
    ),
    _collision("ids-case-differs", ("A", "a"), "a"),
    _collision("ids-nfc-and-nfd", ("\u00e9", "e\u0301"), "e"),
    _collision("ids-traversal", ("../../escape", "/etc/passwd"), "escape"),
    _collision("ids-nul", ("a\u0000b", "c"), "a"),
    _collision("ids-empty-once", ("",), "respondent"),
    _collision("ids-300-chars", ("r" * 300,), "r" * 20),
    _collision(
        "ids-both-audiences-and-languages",
        ("k1", "k2"),
        "k1",
        extra=("--audience", "both", "--lang", "both"),
        pdfs=8,
    ),
    Case(
        "ids-default-workers",
        IDS,
        (
            "report",
            "{d}/profiles.json",
            "--out",
            PDF,
            "--templates",
            "{d}/tpl",
            "--lang",
            "ru",
            "--audience",
            "client",
        ),
        ANY,
        setup=steps(templates("tpl", "<p>{{ client.id }}</p>"), _ids("x", "x", "y")),
        checks=(when_exit(0, pdf_count(PDF, 3)), stderr_on_exit(1, "x")),
        driver=plain,
        note="several worker processes: the same rule holds",
    ),
]
