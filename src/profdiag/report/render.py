"""Profiles -> HTML (sandboxed Jinja2) -> PDF (WeasyPrint, assets-only fetcher).

Output is deterministic: the same profile, options and profdiag version give a
byte-identical PDF (no creation date unless one is passed in).
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from profdiag.profile.model import Profile
from profdiag.report.assets import templates_folder
from profdiag.report.context import Audience, Language, build_context
from profdiag.report.environment import report_environment
from profdiag.report.fetcher import AssetFetcher


@dataclass(frozen=True)
class ReportOptions:
    audience: Audience = "client"
    language: Language = "ru"
    template_folder: Path | None = None  # a user's own templates; same sandbox
    date: str | None = None


def render_html(profile: Profile, options: ReportOptions) -> str:
    environment = report_environment(options.template_folder)
    template = environment.get_template(f"{options.audience}.html.j2")
    context = build_context(
        profile,
        audience=options.audience,
        language=options.language,
        client_name=profile.name,
        date=options.date,
    )
    return template.render(context)


def render_pdf(profile: Profile, options: ReportOptions) -> bytes:
    from weasyprint import HTML  # imported on first use: ~0.7 s

    html = render_html(profile, options)
    root = templates_folder()
    document = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=AssetFetcher(root))
    pdf: bytes = document.write_pdf(uncompressed_pdf=False)
    return pdf


def report_file_name(profile: Profile, options: ReportOptions) -> str:
    safe_id = (
        re.sub(r"[^\w.-]+", "_", profile.respondent, flags=re.UNICODE).strip("._") or "respondent"
    )
    return f"{safe_id}-{options.audience}-{options.language}.pdf"


def render_batch(
    profiles: Sequence[Profile],
    out_dir: Path,
    options: ReportOptions,
    *,
    workers: int | None = None,
    progress: bool = True,
) -> list[Path]:
    """One PDF per profile into `out_dir`, on `workers` processes (forked), with a progress bar."""
    from tqdm import tqdm

    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = [(profile, options, out_dir) for profile in profiles]
    count = workers or min(os.cpu_count() or 1, len(jobs)) or 1
    bar = tqdm(total=len(jobs), unit="report", disable=not progress)
    paths: list[Path] = []
    if count == 1:
        for job in jobs:
            paths.append(_render_one(job))
            bar.update()
    else:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(count, mp_context=context) as pool:
            for path in pool.map(_render_one, jobs, chunksize=max(1, len(jobs) // (4 * count))):
                paths.append(path)
                bar.update()
    bar.close()
    return paths


def _render_one(job: tuple[Profile, ReportOptions, Path]) -> Path:
    profile, options, out_dir = job
    path = out_dir / report_file_name(profile, options)
    path.write_bytes(render_pdf(profile, options))
    return path
