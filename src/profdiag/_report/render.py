"""Profiles -> HTML (sandboxed Jinja2) -> PDF (WeasyPrint, assets-only fetcher).

Output is deterministic: the same profile, options and profdiag version give a
byte-identical PDF (no creation date unless one is passed in; fonts subset with fontTools
get a fixed time stamp, see `SOURCE_DATE_EPOCH`).

Where reports render:

- the package's own templates render in the calling process (they are ours);
- a user's template folder (`ReportOptions.template_folder`) renders in a forked worker
  with a time limit and a memory limit (`ReportOptions.time_limit`, `memory_limit`);
- a batch (`render_batch`) always renders on forked workers with those limits, and the
  calling process writes each PDF atomically as it arrives.

Every failure is a `profdiag.errors.ReportError` naming the report and, where a template
is to blame, the template file and line: syntax errors, undefined names, sandbox
refusals, a missing template, a template or asset outside its folder, a template past
its time or memory limit, a worker that died. Folders and files that cannot be written
raise `profdiag.errors.OutputError`.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gc
import math
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError

from profdiag._io.atomic import describe_os_error, write_atomically
from profdiag._norms.ageing import DEFAULT_MAX_NORM_AGE, check_max_age
from profdiag._profile.model import Profile
from profdiag._report.assets import templates_folder
from profdiag._report.context import Audience, Language, build_context
from profdiag._report.environment import report_environment
from profdiag._report.fetcher import AssetFetcher, ForbiddenResource
from profdiag._report.frame_stack import call_with_room
from profdiag._report.isolation import (
    Limits,
    TimeLimitExceeded,
    format_bytes,
    run_in_workers,
)
from profdiag._report.markup import parse_report_html
from profdiag._report.naming import id_part, report_file_names
from profdiag.errors import ArgumentError, OutputError, ReportError, show_value

T = TypeVar("T")

SOURCE_DATE_EPOCH = "0"
"""The time stamp fontTools writes into subset fonts (``head.modified``) while profdiag
renders, unless the caller's environment already sets ``SOURCE_DATE_EPOCH``. WeasyPrint
subsets fonts with HarfBuzz when ``libharfbuzz-subset`` is installed (no time stamp) and
with fontTools otherwise, which reads the clock unless this variable is set."""

DEFAULT_TIME_LIMIT = 10.0  # a report takes well under a second; a runaway template stops
DEFAULT_MEMORY_LIMIT = 2 * 1024**3


@dataclass(frozen=True)
class ReportOptions:
    """How reports are rendered.

    Parameters
    ----------
    audience, language
        Which report, in which language.
    template_folder
        A folder of the user's own templates (``client.html.j2``, ``counsellor.html.j2``,
        anything they include); names not found there come from the package. Rendered in
        the same sandbox, in a worker process with the limits below.
    date
        A date to print on the report (default none, so that output is deterministic).
    as_of
        The date the age of norms is counted to: the counsellor report warns about norms
        more than `norms_max_age` years old on it. None (the default): today's date, read
        once when the options are made.
    norms_max_age
        Whole years after which norms count as outdated (default 10; docs/norms.md).
    time_limit
        Wall-clock seconds one report may take in a worker (default 60).
    memory_limit
        Bytes of memory one report's rendering may take in a worker on top of what the
        worker holds when it starts (default 2 GiB; enforced on Linux).
    """

    audience: Audience = "client"
    language: Language = "ru"
    template_folder: Path | None = None
    date: str | None = None
    time_limit: float = DEFAULT_TIME_LIMIT
    memory_limit: int = DEFAULT_MEMORY_LIMIT
    as_of: datetime.date | None = None
    norms_max_age: int = DEFAULT_MAX_NORM_AGE

    def __post_init__(self) -> None:
        check_max_age(self.norms_max_age)
        if self.as_of is None:
            object.__setattr__(self, "as_of", datetime.date.today())
        elif not isinstance(self.as_of, datetime.date):
            raise ArgumentError(f"as_of: got {self.as_of!r}; expected a datetime.date")
        seconds, memory = self.time_limit, self.memory_limit
        if isinstance(seconds, bool) or not (
            isinstance(seconds, int | float) and 0 < seconds < math.inf
        ):
            raise ArgumentError(
                f"time_limit: got {seconds!r}; expected a positive number of seconds"
            )
        if isinstance(memory, bool) or not (isinstance(memory, int) and memory >= 1 << 20):
            raise ArgumentError(
                f"memory_limit: got {memory!r}; expected a number of bytes, at least 1 MiB"
            )


def _limits(options: ReportOptions) -> Limits:
    return Limits(float(options.time_limit), options.memory_limit)


@dataclass(frozen=True)
class WrittenReport:
    """One PDF written by `render_batch`.

    ``index`` is the profile's position in the batch (from 0) and ``respondent`` its id.
    ``renamed`` is True when another profile earlier in the batch already had this
    profile's file name (same id, ids that differ only in characters a file name cannot
    hold, or only in case), so a suffix (-2, -3, ...) was added; ``same_as`` is that
    earlier profile's index.
    """

    index: int
    respondent: str
    path: Path
    renamed: bool = False
    same_as: int | None = None


def render_html(profile: Profile, options: ReportOptions) -> str:
    """One report's HTML (what `render_pdf` lays out), for previews and tests.

    Parameters are those of `render_pdf`.

    Returns
    -------
    str
        The HTML, with the charts inline as SVG.

    Raises
    ------
    ReportError
        As `render_pdf`.

    Examples
    --------
    >>> from profdiag._report.demo import demo_profiles
    >>> html = render_html(demo_profiles()[0], ReportOptions(audience="counsellor"))
    >>> "demo01" in html
    True
    """
    if options.template_folder is None:
        return _guarded(profile, options, _html, limited=False)
    return _in_worker(profile, options, _html)


def render_pdf(profile: Profile, options: ReportOptions) -> bytes:
    """One report as PDF bytes.

    Parameters
    ----------
    profile
        The client's profile (from `build_profiles` or `read_profiles`).
    options
        Audience ("client" or "counsellor"), language ("ru" or "en"), an optional user
        template folder (rendered in a forked worker with the time and memory limits),
        an optional date to print.

    Returns
    -------
    bytes
        The PDF; the same profile and options give the same bytes.

    Raises
    ------
    ReportError
        A template fails, is refused by the sandbox, or runs past its limits; the message
        names the template and line.

    Examples
    --------
    >>> from profdiag._report.demo import demo_profiles
    >>> pdf = render_pdf(demo_profiles()[0], ReportOptions(audience="client", language="en"))
    >>> pdf[:5]
    b'%PDF-'
    """
    if options.template_folder is None:
        with _source_date_epoch():
            return _guarded(profile, options, _pdf, limited=False)
    return _in_worker(profile, options, _pdf)


def report_file_name(profile: Profile, options: ReportOptions) -> str:
    """The file name of a profile's report on its own (a batch may add -2, -3, ...)."""
    return f"{id_part(profile.respondent)}-{options.audience}-{options.language}.pdf"


def render_batch(
    profiles: Sequence[Profile],
    out_dir: Path,
    options: ReportOptions,
    *,
    workers: int | None = None,
    progress: bool = True,
) -> list[WrittenReport]:
    """One PDF per profile into `out_dir`, rendered on forked workers with the time and
    memory limits of `options`.

    Parameters
    ----------
    profiles
        The profiles, one report each.
    out_dir
        The folder for the PDFs; made if missing.
    options
        Which report and how (see ReportOptions).
    workers
        Worker processes (default: one per core, at most one per profile).
    progress
        Show a progress bar on stderr.

    Returns
    -------
    list of WrittenReport
        In the order of `profiles`: each profile's PDF, and whether its file name had to
        be made unique (see `profdiag._report.naming`); no file is written twice.

    Raises
    ------
    ReportError
        A report could not be rendered (the first failure stops the batch).
    OutputError
        The folder cannot be made or a PDF cannot be written.

    Each PDF is written atomically: a failure leaves the PDFs already finished complete
    and no partial one.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from profdiag._report.demo import demo_profiles
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> written = render_batch(demo_profiles()[:2], folder, ReportOptions(language="en"),
    ...                        workers=1, progress=False)
    >>> [report.path.name for report in written]
    ['demo01-client-en.pdf', 'demo02-client-en.pdf']
    """
    from tqdm import tqdm

    if workers is not None and workers < 1:
        raise ArgumentError(f"workers: got {workers!r}; expected at least 1")
    _check_template_folder(options)
    names = report_file_names(
        [profile.respondent for profile in profiles], options.audience, options.language
    )
    _make_folder(out_dir)
    if not profiles:
        return []
    count = workers or min(os.cpu_count() or 1, len(profiles))
    _prepare_to_fork(options)
    written: list[WrittenReport | None] = [None] * len(profiles)

    def render(index: int) -> bytes:
        return _guarded(profiles[index], options, _pdf, limited=True)

    def write(index: int, pdf: bytes) -> None:
        path = out_dir / names[index].file_name
        # Names we chose: a link planted in the folder is replaced, never written through.
        write_atomically(path, pdf, follow_symlinks=False)
        written[index] = WrittenReport(
            index, profiles[index].respondent, path, names[index].renamed, names[index].same_as
        )
        bar.update()

    def describe(index: int) -> str:
        return (
            f"the {options.audience} report for profile {index + 1} of {len(profiles)} "
            f"(respondent {show_value(profiles[index].respondent)})"
        )

    with tqdm(total=len(profiles), unit="report", disable=not progress) as bar:
        run_in_workers(
            len(profiles),
            render,
            write,
            workers=count,
            limits=_limits(options),
            describe=describe,
            environment=_worker_environment(),
        )
    return [report for report in written if report is not None]


def _make_folder(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"cannot write reports into {out_dir}: it is not a folder") from None
    except OSError as error:
        raise OutputError(f"cannot make the folder {out_dir}: {describe_os_error(error)}") from None


def _check_template_folder(options: ReportOptions) -> None:
    folder = options.template_folder
    if folder is not None and not folder.is_dir():
        reason = "it is not a folder" if folder.exists() else "it does not exist"
        raise ReportError(f"template folder {folder}: {reason}")


def _html(profile: Profile, options: ReportOptions) -> str:
    environment = report_environment(options.template_folder)
    template = environment.get_template(f"{options.audience}.html.j2")
    context = build_context(
        profile,
        audience=options.audience,
        language=options.language,
        client_name=profile.name,
        date=options.date,
        as_of=options.as_of,
        norms_max_age=options.norms_max_age,
    )
    return template.render(context)


def _pdf(profile: Profile, options: ReportOptions) -> bytes:
    return html_to_pdf(_html(profile, options), package=options.template_folder is None)


def html_to_pdf(html: str, *, package: bool = True) -> bytes:
    """HTML rendered with the package's stylesheet and fonts, reading nothing but the
    package's assets. `package`: the HTML comes from the package's own templates (parsed
    by expat where it can be, with the lighter user-agent stylesheet); else a user's.
    The caller sets SOURCE_DATE_EPOCH (`_source_date_epoch`, or a worker's environment)."""
    root = templates_folder()
    stylesheet, fonts = _package_stylesheet()
    page_maker = _html_class(package=package)

    def lay_out_and_write() -> bytes:
        document = page_maker(
            string=html, base_url=root.as_uri() + "/", url_fetcher=AssetFetcher(root)
        )
        pdf: bytes = document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
        return pdf

    with _paused_gc():
        return call_with_room(lay_out_and_write)


def _html_class(*, package: bool) -> Any:
    """WeasyPrint's HTML for a user's templates; for the package's own, the same with the
    lighter user-agent stylesheet of `_package_ua_stylesheet`."""
    from weasyprint import HTML  # imported on first use: ~0.7 s

    return _package_html_class() if package else HTML


@functools.cache
def _package_html_class() -> Any:
    """WeasyPrint's HTML with the lighter user-agent stylesheet, built from the tree of
    `parse_report_html` (expat) where it can be, else parsed by tinyhtml5 as usual."""
    from cssselect2 import ElementWrapper  # type: ignore[import-untyped]
    from weasyprint import HTML, _find_base_url

    class PackageHTML(HTML):  # type: ignore[misc]
        def __init__(self, *, string: str, base_url: str, url_fetcher: Any) -> None:
            root = parse_report_html(string)
            if root is None:  # not in the subset expat may read: the HTML5 parser
                super().__init__(string=string, base_url=base_url, url_fetcher=url_fetcher)
                return
            # What HTML.__init__ sets from tinyhtml5's tree (WeasyPrint 70; pyproject caps
            # the version, tests/test_report_markup.py checks the attributes).
            self.base_url = _find_base_url(root, base_url)
            self.url_fetcher = url_fetcher
            self.media_type = "print"
            self.wrapper_element = ElementWrapper.from_html_root(root, content_language=None)
            self.etree_element = self.wrapper_element.etree_element

        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return [_package_ua_stylesheet()]

    return PackageHTML


@functools.cache
def _package_ua_stylesheet() -> Any:
    """WeasyPrint's user-agent stylesheet without the rules that give *every* element a
    ::marker and five footnote/note pseudo-elements to style: our templates use no
    footnotes, and only <li> is a list item. Those rules made the style cascade compute
    seven styles per element instead of one (about half its time); the PDF is the same,
    byte for byte. A WeasyPrint whose stylesheet reads differently keeps its own rules."""
    from weasyprint import CSS
    from weasyprint.html import UA, UA_COUNTER_STYLE

    lines = [
        line
        for line in UA.splitlines()
        if not line.startswith(("::footnote-call", "::footnote-marker", "::note-"))
    ]
    text = "\n".join("li" + line if line.startswith("::marker {") else line for line in lines)
    return CSS(string=text, counter_style=UA_COUNTER_STYLE)


class _GcState:
    """How many renderings in this process run with the cyclic garbage collector paused."""

    lock = threading.Lock()
    users = 0
    paused = False


@contextlib.contextmanager
def _paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while WeasyPrint lays a report out, and
    collect once afterwards. A report allocates hundreds of thousands of objects, which set
    off dozens of collections, some of them full ones over everything the process holds:
    a sixth of the rendering time. The price: the report's cyclic garbage waits until the
    report is written, when one collection frees it. A collector the caller has turned off
    stays off."""
    state = _GcState
    with state.lock:
        if state.users == 0:
            state.paused = gc.isenabled()
            gc.disable()
        state.users += 1
    try:
        yield
    finally:
        with state.lock:
            state.users -= 1
            if state.users == 0 and state.paused:
                gc.enable()
                state.paused = False
                gc.collect(0)


@functools.cache
def _package_stylesheet() -> tuple[Any, Any]:
    """The package's style.css, parsed once per process with the fonts it declares: parsing
    it and loading its fonts for every report cost about a sixth of the rendering time."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    root = templates_folder()
    fonts = FontConfiguration()
    stylesheet = CSS(
        string=(root / "style.css").read_text(encoding="utf-8"),
        base_url=root.as_uri() + "/",
        url_fetcher=AssetFetcher(root),
        font_config=fonts,
    )
    return stylesheet, fonts


def _in_worker(
    profile: Profile, options: ReportOptions, step: Callable[[Profile, ReportOptions], T]
) -> T:
    _check_template_folder(options)
    _prepare_to_fork(options)
    results: list[T] = []
    run_in_workers(
        1,
        lambda _index: _guarded(profile, options, step, limited=True),
        lambda _index, result: results.append(result),
        workers=1,
        limits=_limits(options),
        describe=lambda _index: (
            f"the {options.audience} report for {show_value(profile.respondent)}"
        ),
        environment=_worker_environment(),
    )
    return results[0]


def _guarded(
    profile: Profile,
    options: ReportOptions,
    step: Callable[[Profile, ReportOptions], T],
    *,
    limited: bool,
) -> T:
    """`step(profile, options)`, with every failure turned into a ReportError."""
    try:
        return step(profile, options)
    except (Exception, ForbiddenResource, TimeLimitExceeded) as error:
        message = _describe_failure(error, options, limited=limited)
    if not limited:  # in a worker, the caller names the report
        message = f"the {options.audience} report for {show_value(profile.respondent)}: {message}"
    raise ReportError(message) from None


def _describe_failure(error: BaseException, options: ReportOptions, *, limited: bool) -> str:
    where = _template_line(error)
    main = f"{options.audience}.html.j2"
    if isinstance(error, TemplateSyntaxError):
        name = error.filename or error.name or main
        return f"template {name}, line {error.lineno}: {error.message}"
    inside = where is not None
    if where is None:
        folder = options.template_folder
        where = f"template {main}" + (f" (from {folder})" if folder is not None else "")
    if isinstance(error, ForbiddenResource):
        return f"{where}: {error}"
    if isinstance(error, ReportError):
        return f"{where}: {error}" if inside else str(error)
    if isinstance(error, TemplateNotFound):
        missing = f"template {error.name!r} not found"
        return f"{where}: {missing}" if inside else missing
    if isinstance(error, UndefinedError):
        return f"{where}: {error.message} (templates may use only the report's data)"
    if isinstance(error, SecurityError):
        return f"{where}: refused by the template sandbox: {error.message}"
    if isinstance(error, TimeLimitExceeded):
        return f"{where}: {error}"
    if isinstance(error, MemoryError):
        limit = f"its memory limit of {format_bytes(options.memory_limit)}"
        return f"{where}: needed more than {limit}" if limited else f"{where}: out of memory"
    if isinstance(error, OverflowError):
        return f"{where}: a number too large to compute"
    if isinstance(error, RecursionError):
        return f"{where}: nested too deeply (a macro or include that calls itself?)"
    if isinstance(error, TemplateError):
        return f"{where}: {error.message}"
    return f"{where}: {type(error).__name__}: {error}"


def _template_line(error: BaseException) -> str | None:
    """'template FILE, line N' of the innermost template frame in the traceback."""
    found = None
    trace = error.__traceback__
    while trace is not None:
        frame = trace.tb_frame
        template = frame.f_globals.get("__jinja_template__")
        if template is not None:
            line = template.get_corresponding_lineno(trace.tb_lineno)
            found = f"template {template.filename}, line {line}"
        elif "__jinja_exception__" in frame.f_globals:  # Jinja's rewritten traceback
            found = f"template {frame.f_code.co_filename}, line {trace.tb_lineno}"
        trace = trace.tb_next
    return found


def _worker_environment() -> dict[str, str]:
    return {"SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)}


def _prepare_to_fork(options: ReportOptions) -> None:
    """Load what every worker needs once, in the caller, so forked workers start warm
    (only the package's own templates are compiled here: a user's compile in a worker)."""
    try:
        _warm_weasyprint()
        if options.template_folder is None:
            report_environment(None).get_template(f"{options.audience}.html.j2")
    except Exception as error:
        raise ReportError(
            f"the report renderer cannot start: {_describe_failure(error, options, limited=False)}"
        ) from None


@functools.cache
def _warm_weasyprint() -> None:
    html = "<html><body><p>Aa Бб <b>1</b></p></body></html>"
    with _source_date_epoch():
        for package in (True, False):
            html_to_pdf(html, package=package)


class _EpochState:
    """Who set SOURCE_DATE_EPOCH in this process, and how many renderings rely on it."""

    lock = threading.Lock()
    users = 0
    ours = False


@contextlib.contextmanager
def _source_date_epoch() -> Iterator[None]:
    """Set SOURCE_DATE_EPOCH while rendering in this process, unless the caller has set
    it, and remove it again when the last rendering thread is done."""
    state = _EpochState
    with state.lock:
        if state.users == 0:
            state.ours = "SOURCE_DATE_EPOCH" not in os.environ
            if state.ours:
                os.environ["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
        state.users += 1
    try:
        yield
    finally:
        with state.lock:
            state.users -= 1
            if state.users == 0 and state.ours:
                os.environ.pop("SOURCE_DATE_EPOCH", None)
                state.ours = False
