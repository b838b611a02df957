"""The only way a PDF rendering may read anything: the package's own asset files.

WeasyPrint would otherwise read any local file (images, CSS, attachments) and fetch URLs
from the network. `AssetFetcher` allows `file:` URLs that resolve (after decoding and
following symlinks) to a file inside the asset folder, and `data:` URLs; everything else
stops the rendering with `ForbiddenResource`.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse


class ForbiddenResource(FatalURLFetchingError):  # type: ignore[misc]
    """A template or a value tried to reach something outside the package's assets."""


class AssetFetcher(URLFetcher):  # type: ignore[misc]
    def __init__(self, root: Path) -> None:
        super().__init__(
            allowed_protocols=["file", "data"], allow_redirects=False, fail_on_errors=True
        )
        self.root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ForbiddenResource(f"report rendering may not fetch {url!r}")
        path = Path(unquote(parts.path))
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError) as error:
            raise ForbiddenResource(f"report asset {url!r} does not exist") from error
        if not resolved.is_relative_to(self.root) or not resolved.is_file():
            raise ForbiddenResource(
                f"report rendering may read only the package's assets in {self.root}; "
                f"refused {url!r}"
            )
        media_type = mimetypes.guess_type(resolved.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, resolved.read_bytes(), {"Content-Type": media_type})
