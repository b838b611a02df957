"""Batches: one PDF per profile, always, under a distinct and valid file name; nothing
overwritten, nothing half-written, every failure a clean error."""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import stat
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from profdiag._profile.model import Profile
from profdiag._report import render
from profdiag._report.demo import demo_profiles
from profdiag._report.naming import MAX_ID_BYTES, id_part, report_file_names
from profdiag._report.render import ReportOptions, WrittenReport, render_batch
from profdiag.errors import OutputError, ReportError


@pytest.fixture(scope="module")
def profile() -> Profile:
    return demo_profiles(top=3)[0]


@pytest.fixture
def quick(tmp_path: Path) -> ReportOptions:
    """A one-line template: a report in a few milliseconds, showing the id as text."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "client.html.j2").write_text(
        "<html><body><p>id=[{{ client.id }}]</p></body></html>", encoding="utf-8"
    )
    return ReportOptions(audience="client", language="ru", template_folder=folder)


def with_ids(profile: Profile, ids: list[str]) -> list[Profile]:
    return [profile.model_copy(update={"respondent": value}) for value in ids]


def text_of(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


# -- names ------------------------------------------------------------------------------


def test_colliding_ids_get_numbered_names_in_input_order() -> None:
    ids = ["a/b", "a b", "", "", "A_B", "a_b-2", "respondent"]
    names = report_file_names(ids, "client", "ru")
    assert [(name.file_name, name.renamed, name.same_as) for name in names] == [
        ("a_b-client-ru.pdf", False, None),
        ("a_b-3-client-ru.pdf", True, 0),  # a_b-2 belongs to the id "a_b-2"
        ("respondent-client-ru.pdf", False, None),
        ("respondent-2-client-ru.pdf", True, 2),
        ("A_B-4-client-ru.pdf", True, 0),  # A_B and a_b are one file on macOS, Windows
        ("a_b-2-client-ru.pdf", False, None),
        ("respondent-3-client-ru.pdf", True, 2),
    ]


def test_long_ids_are_cut_keep_apart_and_fit_a_file_name() -> None:
    ids = ["x" * 300, "x" * 300 + "y", "я" * 300, "я" * 299 + "ю"]
    parts = [id_part(value) for value in ids]
    assert len(set(parts)) == 4
    for part in parts:
        assert len(part.encode("utf-8")) <= MAX_ID_BYTES
    assert parts[0].startswith("x" * 100 + "~") and parts[2].startswith("я" * 50 + "~")
    with tempfile.TemporaryDirectory() as folder:
        for name in report_file_names(ids, "counsellor", "en"):
            Path(folder, name.file_name).write_bytes(b"%PDF")
        assert len(os.listdir(folder)) == 4


ids_strategy = st.lists(
    st.one_of(
        st.text(max_size=12),
        st.sampled_from(["", "a", "A", "a/b", "a b", "a_b", "a_b-2", ".", "..", "-", "é", "é"]),
        st.text(alphabet="aя/ _-.", min_size=100, max_size=400),
    ),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(ids_strategy)
def test_names_are_distinct_valid_and_renamed_only_on_collision(ids: list[str]) -> None:
    names = report_file_names(ids, "counsellor", "ru")
    assert names == report_file_names(ids, "counsellor", "ru")  # deterministic
    files = [name.file_name for name in names]
    assert len({file.casefold() for file in files}) == len(ids)
    seen: dict[str, int] = {}
    for index, (value, name) in enumerate(zip(ids, names, strict=True)):
        file = name.file_name
        assert file.endswith("-counsellor-ru.pdf")
        assert "/" not in file and "\x00" not in file and not file.startswith((".", "-"))
        assert len(file.encode("utf-8")) <= 255
        assert unicodedata.is_normalized("NFC", file)
        own = id_part(value).casefold()
        if own in seen:
            assert name.renamed and name.same_as == seen[own]
        else:
            assert not name.renamed and name.same_as is None
            assert file == id_part(value) + "-counsellor-ru.pdf"
            seen[own] = index


# -- batches ----------------------------------------------------------------------------


def test_one_pdf_per_profile_even_when_ids_collide(
    tmp_path: Path, profile: Profile, quick: ReportOptions
) -> None:
    ids = ["a/b", "a b", "A/B", "x"]
    out = tmp_path / "out" / "deeper"  # made with its parents
    written = render_batch(with_ids(profile, ids), out, quick, workers=2, progress=False)
    assert written == [
        WrittenReport(0, "a/b", out / "a_b-client-ru.pdf"),
        WrittenReport(1, "a b", out / "a_b-2-client-ru.pdf", renamed=True, same_as=0),
        WrittenReport(2, "A/B", out / "A_B-3-client-ru.pdf", renamed=True, same_as=0),
        WrittenReport(3, "x", out / "x-client-ru.pdf"),
    ]
    assert sorted(os.listdir(out)) == sorted(report.path.name for report in written)
    for report in written:  # each file holds its own profile's report
        assert f"id=[{report.respondent}]" in text_of(report.path)


def test_batch_with_the_package_templates(tmp_path: Path, profile: Profile) -> None:
    written = render_batch(
        with_ids(profile, ["p1"]), tmp_path, ReportOptions(language="en"), progress=False
    )
    assert [report.path.name for report in written] == ["p1-client-en.pdf"]
    assert "p1" in text_of(written[0].path)
    assert render_batch([], tmp_path / "empty", ReportOptions(), progress=False) == []
    assert (tmp_path / "empty").is_dir()


def test_a_killed_worker_fails_the_batch_and_leaves_no_partial_pdf(
    tmp_path: Path, profile: Profile, quick: ReportOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_pdf = render._pdf

    def dies_on_the_victim(one: Profile, options: ReportOptions) -> bytes:
        if one.respondent == "victim":
            os.kill(os.getpid(), signal.SIGKILL)
        return real_pdf(one, options)

    monkeypatch.setattr(render, "_pdf", dies_on_the_victim)  # the forked workers inherit it
    ids = ["r1", "r2", "victim"] + [f"r{k}" for k in range(3, 12)]
    out = tmp_path / "out"
    with pytest.raises(ReportError) as caught:
        render_batch(with_ids(profile, ids), out, quick, workers=2, progress=False)
    message = str(caught.value)
    assert 'profile 3 of 12 (respondent "victim")' in message
    assert "stopped unexpectedly (killed by SIGKILL)" in message
    left = os.listdir(out)
    assert "victim-client-ru.pdf" not in left
    assert len(left) < len(ids)
    for name in left:  # whatever was written is a whole PDF, and nothing else is there
        assert name.endswith("-client-ru.pdf")
        assert (out / name).read_bytes().rstrip().endswith(b"%%EOF")


def test_a_template_error_stops_the_batch_with_the_profile_named(
    tmp_path: Path, profile: Profile, quick: ReportOptions
) -> None:
    assert quick.template_folder is not None
    (quick.template_folder / "client.html.j2").write_text(
        "{% if client.id == 'r2' %}{{ nope }}{% endif %}ok", encoding="utf-8"
    )
    with pytest.raises(ReportError) as caught:
        render_batch(with_ids(profile, ["r1", "r2"]), tmp_path / "out", quick, progress=False)
    assert 'profile 2 of 2 (respondent "r2")' in str(caught.value)
    assert "client.html.j2, line 1: 'nope' is undefined" in str(caught.value)


def test_output_folder_that_is_a_file(tmp_path: Path, profile: Profile) -> None:
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="it is not a folder"):
        render_batch([profile], tmp_path / "taken", ReportOptions(), progress=False)
    with pytest.raises(OutputError, match="a part of the path is not a folder"):
        render_batch([profile], tmp_path / "taken" / "sub", ReportOptions(), progress=False)


def test_a_pdf_that_cannot_be_written_stops_the_batch(
    tmp_path: Path, profile: Profile, quick: ReportOptions
) -> None:
    out = tmp_path / "out"
    (out / "r2-client-ru.pdf").mkdir(parents=True)  # a folder where a PDF should go
    ids = [f"r{k}" for k in range(1, 9)]
    with pytest.raises(OutputError, match=r"r2-client-ru\.pdf: it is a folder"):
        render_batch(with_ids(profile, ids), out, quick, workers=2, progress=False)
    for name in os.listdir(out):  # no temporary files, no partial PDFs
        assert name == "r2-client-ru.pdf" or (out / name).read_bytes().rstrip().endswith(b"%%EOF")
    assert not multiprocessing.active_children()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_output_folder(tmp_path: Path, profile: Profile, quick: ReportOptions) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(OutputError, match="permission denied"):
            render_batch([profile], locked, quick, progress=False)
        with pytest.raises(OutputError, match="permission denied"):
            render_batch([profile], locked / "new", quick, progress=False)
        assert os.listdir(locked) == []
    finally:
        locked.chmod(stat.S_IRWXU)


def test_workers_must_be_positive(tmp_path: Path, profile: Profile) -> None:
    with pytest.raises(ValueError, match="workers"):
        render_batch([profile], tmp_path, ReportOptions(), workers=0, progress=False)
