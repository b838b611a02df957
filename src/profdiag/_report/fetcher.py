"""The only way a PDF rendering may read anything: the package's own asset files.

WeasyPrint would otherwise read any local file (images, CSS, attachments) and fetch URLs
from the network. `AssetFetcher` allows `data:` URLs and `file:` URLs (no host, no query,
at most 4,096 characters) whose percent-decoded path lies inside the asset folder; the
file is read with the rule templates are read by (`profdiag._report.paths.read_inside`):
plain relative parts, no ``..``, no symbolic link anywhere below the folder, a regular
file at the end. Everything else stops the rendering with `ForbiddenResource`.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from profdiag._report.paths import PathRefused, read_inside

MAX_URL_LENGTH = 4096
"""The longest `file:` URL considered; `data:` URLs may be longer (inline images)."""


class ForbiddenResource(FatalURLFetchingError):  # type: ignore[misc]
    """A template or a value tried to reach something outside the package's assets.

    WeasyPrint lets only this kind of exception (a BaseException) stop a rendering; the
    renderer turns it into a `profdiag.errors.ReportError`."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        shown = url if len(url) <= 120 else url[:117] + "..."
        super().__init__(f"refused to read {shown!r}: {reason}")


class AssetFetcher(URLFetcher):  # type: ignore[misc]
    def __init__(self, root: Path) -> None:
        super().__init__(
            allowed_protocols=["file", "data"], allow_redirects=False, fail_on_errors=True
        )
        self.root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url[:5].lower() == "data:":
            return super().fetch(url, headers)
        if len(url) > MAX_URL_LENGTH:
            raise ForbiddenResource(url, f"the URL is longer than {MAX_URL_LENGTH} characters")
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise ForbiddenResource(url, "only the package's asset files may be read")
        if parts.netloc not in ("", "localhost"):
            raise ForbiddenResource(url, "file URLs on another host are not read")
        if parts.query:
            raise ForbiddenResource(url, "file URLs with a query are not read")
        try:
            path = unquote(parts.path, errors="strict")
        except UnicodeDecodeError:
            raise ForbiddenResource(url, "the path is not valid UTF-8 once decoded") from None
        prefix = self.root.as_posix().rstrip("/") + "/"
        if not path.startswith(prefix):
            raise ForbiddenResource(url, f"it is outside the package's assets ({self.root})")
        try:
            content = read_inside(self.root, path[len(prefix) :])
        except PathRefused as refused:
            raise ForbiddenResource(url, refused.reason) from None
        if content is None:
            raise ForbiddenResource(url, "no such asset")
        media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, content, {"Content-Type": media_type})
