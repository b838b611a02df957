"""Running the kiosk: the battery from instrument ids, the safety checks, uvicorn."""

from __future__ import annotations

import ipaddress
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from profdiag._io.tables import write_table
from profdiag._kiosk import require_web_packages
from profdiag._kiosk.pin import read_pin_file
from profdiag._session.battery import Battery, BatteryEntry
from profdiag._session.store import SessionStore
from profdiag.errors import ArgumentError

PIN_FILE = "kiosk-pin"
DATABASE = "sessions.db"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})


def build_battery(
    instruments: Sequence[str],
    overlays: dict[str, Path],
    *,
    adaptive: dict[str, tuple[float, int, float | None]] | None = None,
    allow_back: bool,
    allow_skip: bool,
) -> Battery:
    """A battery of bundled (or file) instruments, with text overlays by instrument id and
    adaptive sections (id -> (SE target, maximum items, time limit in seconds or None))."""
    from profdiag._instrument.loading import load_instrument
    from profdiag._instrument.overlay import load_overlay
    from profdiag._irt.cat import CatRules

    adaptive = adaptive or {}
    entries = []
    for reference in instruments:
        instrument = load_instrument(reference)
        overlay = overlays.get(instrument.id) or overlays.get(reference)
        rules = adaptive.get(instrument.id) or adaptive.get(reference)
        entries.append(
            BatteryEntry(
                instrument,
                overlay=load_overlay(overlay) if overlay else None,
                adaptive=None
                if rules is None
                else CatRules(se_target=rules[0], max_items=rules[1]),
                max_seconds=None if rules is None else rules[2],
            )
        )
    named = {entry.instrument.id for entry in entries} | set(instruments)
    for option, given in (("overlay", overlays), ("adaptive", adaptive)):
        unknown = set(given) - named
        if unknown:
            raise ArgumentError(
                f"{option} for {', '.join(sorted(unknown))}: not an instrument of the battery"
            )
    return Battery(entries, allow_back=allow_back, allow_skip=allow_skip)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    battery: Battery,
    data: Path,
    *,
    host: str,
    port: int,
    pin_file: Path | None,
    clock_rate: float = 1.0,
) -> None:
    """Serve the kiosk until interrupted. Off the loopback address a PIN file must exist."""
    require_web_packages()
    import uvicorn

    from profdiag._kiosk.app import KioskConfig, create_app

    pins = pin_file or data / PIN_FILE
    loopback = is_loopback(host)
    if not loopback:
        read_pin_file(pins)  # refuses a missing or malformed file
    start = time.monotonic()
    config = KioskConfig(
        battery,
        data,
        pins,
        hosts=LOOPBACK_HOSTS if loopback else None,
        clock=(lambda: start + (time.monotonic() - start) * clock_rate)
        if clock_rate != 1.0
        else time.monotonic,
        clock_rate=clock_rate,
    )
    app = create_app(config)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger = logging.getLogger("profdiag.kiosk")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    uvicorn.run(
        app,
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
        server_header=False,
        date_header=False,
    )


def export(battery: Battery, data: Path, out: Path) -> list[Path]:
    """Finished sessions' answers, one table per instrument: ``<stem>.<instrument><suffix>``
    next to `out` (CSV or Parquet by the suffix), in the layout `profdiag score` reads."""
    database = data / DATABASE
    if not database.is_file():
        raise ArgumentError(f"{database}: no session store here")
    written = []
    with SessionStore(database) as store:
        for part in battery.parts:
            table = store.export(battery, part.id)
            path = out.with_name(f"{out.stem}.{part.id}{out.suffix}")
            write_table(path, table.header, table.columns, {"instrument": part.id})
            written.append(path)
    return written
