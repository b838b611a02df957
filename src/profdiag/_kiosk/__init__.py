"""The kiosk web app: a battery administered in a browser, on top of `SessionStore`.

Starlette, uvicorn and python-multipart come with the optional extra ``profdiag[kiosk]``
and are imported only when a kiosk is started.
"""

from __future__ import annotations

import importlib.util

from profdiag.errors import ArgumentError

_MODULES = ("starlette", "uvicorn", "multipart")


def require_web_packages() -> None:
    """Raise ArgumentError naming the extra when the web packages are not installed."""
    missing = [name for name in _MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise ArgumentError(
            f"the kiosk needs the packages of the extra profdiag[kiosk] (missing: "
            f"{', '.join(missing)}); install them with: pip install 'profdiag[kiosk]'"
        )
