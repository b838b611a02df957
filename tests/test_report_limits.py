"""A user's template cannot hang or exhaust the machine: loops, huge strings and numbers,
deep recursion end in a ReportError within the report's time and memory limits; the
worker machinery turns a stuck or dead worker into a ReportError too."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from profdiag._profile.model import Profile
from profdiag._report.demo import demo_profiles
from profdiag._report.isolation import Limits, run_in_workers
from profdiag._report.render import ReportOptions, render_html, render_pdf
from profdiag.errors import ArgumentError, ReportError

SMALL = {"time_limit": 2.0, "memory_limit": 256 * 1024 * 1024}


@pytest.fixture(scope="module")
def profile() -> Profile:
    return demo_profiles(top=3)[0]


def user_templates(folder: Path, body: str, **limits: float) -> ReportOptions:
    folder.mkdir(exist_ok=True)
    (folder / "client.html.j2").write_text(
        f"<html><body><p>{{{{ client.id }}}}</p>\n{body}\n</body></html>", encoding="utf-8"
    )
    return ReportOptions(template_folder=folder, **{**SMALL, **limits})  # type: ignore[arg-type]


def failure(profile: Profile, options: ReportOptions, *, pdf: bool = True) -> tuple[str, float]:
    start = time.monotonic()
    with pytest.raises(ReportError) as caught:
        (render_pdf if pdf else render_html)(profile, options)
    return str(caught.value), time.monotonic() - start


def test_nested_loop_stops_at_the_time_limit(tmp_path: Path, profile: Profile) -> None:
    body = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
    message, seconds = failure(profile, user_templates(tmp_path, body, time_limit=1.0))
    assert "line 2: ran past its time limit of 1 s" in message
    assert 1.0 <= seconds < 5.0


def test_time_limit_control(tmp_path: Path, profile: Profile) -> None:
    """The loop above is not refused for what it is: a short one renders."""
    body = "{% for a in range(300) %}{% for b in range(300) %}{% endfor %}{% endfor %}done"
    assert "done" in render_html(profile, user_templates(tmp_path, body, time_limit=10.0))


@pytest.mark.parametrize(
    "expression",
    [
        "'x' * 10**10",
        "'x' * 1000000 * 1000000",
        "10**10 * 'x'",
        "[1, 2] * 10**9",
        "10 ** 1000000",
        "(2 ** 60000) * (2 ** 60000)",
    ],
)
def test_huge_products_are_refused_by_the_sandbox(
    tmp_path: Path, profile: Profile, expression: str
) -> None:
    message, seconds = failure(profile, user_templates(tmp_path, f"{{{{ {expression} }}}}"))
    assert "line 2: refused by the template sandbox" in message
    assert seconds < 5.0


def test_products_within_bounds_render(tmp_path: Path, profile: Profile) -> None:
    body = "{{ ('ab' * 3) ~ '|' ~ (2 ** 10) ~ '|' ~ ([0] * 4) | length }}"
    assert "ababab|1024|4" in render_html(profile, user_templates(tmp_path, body))


@pytest.mark.parametrize(
    "body",
    [
        "{{ 'x' | center(10**10) }}",
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
    ],
)
def test_memory_is_bounded(tmp_path: Path, profile: Profile, body: str) -> None:
    message, seconds = failure(profile, user_templates(tmp_path, body))
    assert "line 2: needed more than its memory limit of 256 MiB" in message
    assert seconds < 10.0


def test_recursive_macro_is_a_clean_error(tmp_path: Path, profile: Profile) -> None:
    body = "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"
    message, _ = failure(profile, user_templates(tmp_path, body))
    assert "line 2: nested too deeply" in message
    assert "RecursionError" not in message


def test_recursive_include_is_a_clean_error(tmp_path: Path, profile: Profile) -> None:
    (tmp_path / "loop.html").write_text("{% include 'loop.html' %}", encoding="utf-8")
    message, _ = failure(profile, user_templates(tmp_path, "{% include 'loop.html' %}"))
    assert "loop.html, line 1: nested too deeply" in message


def test_float_overflow_is_a_clean_error(tmp_path: Path, profile: Profile) -> None:
    message, _ = failure(profile, user_templates(tmp_path, "{{ 10.0 ** 400 }}"))
    assert "line 2: a number too large to compute" in message


@pytest.mark.parametrize(
    "limits",
    [{"time_limit": 0}, {"time_limit": float("nan")}, {"memory_limit": 1000}, {"time_limit": -1}],
)
def test_limits_are_checked(limits: dict[str, float]) -> None:
    with pytest.raises(ArgumentError):
        ReportOptions(**limits)  # type: ignore[arg-type]


def test_defaults_are_documented() -> None:
    options = ReportOptions()
    assert options.time_limit == 10.0  # a report takes well under a second
    assert options.memory_limit == 2 * 1024**3


# -- the worker machinery on its own ----------------------------------------------------


def test_worker_stuck_past_its_time_limit_is_killed() -> None:
    def stuck(index: int) -> int:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # as C code would be
        time.sleep(60)
        return index

    start = time.monotonic()
    with pytest.raises(ReportError, match=r"job 0: ran past its time limit of 0\.5 s"):
        run_in_workers(
            1,
            stuck,
            lambda index, value: None,
            workers=1,
            limits=Limits(seconds=0.5, memory=1 << 30),
            describe=lambda index: f"job {index}",
            grace=0.5,
        )
    assert time.monotonic() - start < 5.0


def test_dead_worker_is_a_clean_error_and_stops_the_others() -> None:
    finished: list[int] = []

    def job(index: int) -> int:
        if index == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.05)
        return index * 10

    with pytest.raises(ReportError) as caught:
        run_in_workers(
            50,
            job,
            lambda index, value: finished.append(value),
            workers=2,
            limits=Limits(seconds=10, memory=1 << 30),
            describe=lambda index: f"job {index}",
        )
    assert "job 2: the rendering process stopped unexpectedly (killed by SIGKILL)" in str(
        caught.value
    )
    assert len(finished) < 50


def test_workers_return_every_result_and_set_their_environment_only() -> None:
    results: dict[int, tuple[int, str | None]] = {}
    before = os.environ.get("PROFDIAG_TEST_VARIABLE")
    run_in_workers(
        7,
        lambda index: (index * index, os.environ.get("PROFDIAG_TEST_VARIABLE")),
        results.__setitem__,
        workers=3,
        limits=Limits(seconds=10, memory=1 << 30),
        describe=str,
        environment={"PROFDIAG_TEST_VARIABLE": "set"},
    )
    assert results == {index: (index * index, "set") for index in range(7)}
    assert os.environ.get("PROFDIAG_TEST_VARIABLE") == before


def test_an_error_in_the_caller_stops_the_workers() -> None:
    def done(index: int, value: int) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        run_in_workers(
            4,
            lambda index: index,
            done,
            workers=2,
            limits=Limits(seconds=10, memory=1 << 30),
            describe=str,
        )
    assert not multiprocessing.active_children()


def test_a_huge_id_does_not_make_a_huge_message(tmp_path: Path, profile: Profile) -> None:
    huge = profile.model_copy(update={"respondent": "x" * 100_000})
    message, _ = failure(huge, user_templates(tmp_path, "{{ nope }}"))
    assert len(message) < 500 and "'nope' is undefined" in message
