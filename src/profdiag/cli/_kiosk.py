"""`profdiag kiosk`: the battery in a browser on this machine (docs/kiosk.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from profdiag._session.battery import Battery

_DATA = click.option(
    "--data",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the session store (sessions.db), the PIN file and cached reports.",
)


def _overlays(_: click.Context, __: click.Parameter, values: tuple[str, ...]) -> dict[str, Path]:
    pairs = {}
    for value in values:
        name, sep, file = value.partition("=")
        if not sep or not name or not file:
            raise click.BadParameter(f"{value!r}: expected ID=FILE")
        pairs[name] = Path(file)
    return pairs


def _adaptive(
    _: click.Context, __: click.Parameter, values: tuple[str, ...]
) -> dict[str, tuple[float, int, float | None]]:
    """ID=SE[:MAX_ITEMS[:SECONDS]] -> the adaptive section's stopping rules."""
    sections = {}
    for value in values:
        name, sep, rules = value.partition("=")
        parts = rules.split(":") if sep else []
        try:
            if not name or not 1 <= len(parts) <= 3:
                raise ValueError
            se = float(parts[0])
            max_items = int(parts[1]) if len(parts) > 1 else 30
            seconds = float(parts[2]) if len(parts) > 2 else None
        except ValueError:
            raise click.BadParameter(
                f"{value!r}: expected ID=SE[:MAX_ITEMS[:SECONDS]], e.g. aptitude-bank=0.3:25:600"
            ) from None
        sections[name] = (se, max_items, seconds)
    return sections


def _battery_options(function: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(
        [
            click.option("--battery", help="Instrument ids (or files), comma-separated."),
            click.option(
                "--overlay",
                multiple=True,
                callback=_overlays,
                metavar="ID=FILE",
                help="Licensed item texts for an instrument (repeatable).",
            ),
            click.option(
                "--adaptive",
                multiple=True,
                callback=_adaptive,
                metavar="ID=SE[:MAX[:SECONDS]]",
                help="Give this item bank adaptively: stop when theta's standard error is at "
                "most SE, after MAX items (default 30) or SECONDS (repeatable; docs/irt.md).",
            ),
            click.option("--allow-back", is_flag=True, help="Let the person go back."),
            click.option("--allow-skip", is_flag=True, help="Let the person skip items."),
        ]
    ):
        function = option(function)
    return function


def _battery(
    battery: str | None,
    overlay: dict[str, Path],
    adaptive: dict[str, tuple[float, int, float | None]],
    allow_back: bool,
    allow_skip: bool,
) -> Battery:
    from profdiag._kiosk.server import build_battery

    ids = [part.strip() for part in (battery or "").split(",") if part.strip()]
    if not ids:
        raise click.UsageError("--battery: name at least one instrument")
    return build_battery(
        ids, overlay, adaptive=adaptive, allow_back=allow_back, allow_skip=allow_skip
    )


@click.group(invoke_without_command=True)
@_battery_options
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the session store, the PIN file and cached reports.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--pin-file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--clock-rate", default=1.0, hidden=True, type=click.FloatRange(min=0.001))
@click.pass_context
def kiosk(
    ctx: click.Context,
    battery: str | None,
    overlay: dict[str, Path],
    adaptive: dict[str, tuple[float, int, float | None]],
    allow_back: bool,
    allow_skip: bool,
    data: Path | None,
    host: str,
    port: int,
    pin_file: Path | None,
    clock_rate: float,
) -> None:
    """Give a battery on a kiosk: a local web app (needs profdiag[kiosk]; docs/kiosk.md).

    Without a subcommand it serves: profdiag kiosk --battery ID[,ID] --data DIR. Bound to
    an address other than 127.0.0.1 it needs a counsellor PIN file (kiosk pin).
    """
    if ctx.invoked_subcommand is not None:
        return
    from profdiag._kiosk.server import serve

    if data is None:
        raise click.UsageError("--data: the folder of the session store is required")
    chosen = _battery(battery, overlay, adaptive, allow_back, allow_skip)
    click.echo(f"profdiag kiosk: http://{host}:{port}/ (Ctrl+C stops)", err=True)
    serve(chosen, data, host=host, port=port, pin_file=pin_file, clock_rate=clock_rate)


@kiosk.command("export")
@_battery_options
@_DATA
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="answers.csv or answers.parquet: one file per instrument, answers.<id>.csv.",
)
def export(
    battery: str | None,
    overlay: dict[str, Path],
    adaptive: dict[str, tuple[float, int, float | None]],
    allow_back: bool,
    allow_skip: bool,
    data: Path,
    out: Path,
) -> None:
    """Write the finished sessions' answers (and response times) for `profdiag score`."""
    from profdiag._kiosk.server import export as export_tables

    for path in export_tables(
        _battery(battery, overlay, adaptive, allow_back, allow_skip), data, out
    ):
        click.echo(str(path))


@kiosk.command("pin")
@_DATA
@click.option("--pin-file", type=click.Path(dir_okay=False, path_type=Path))
def pin(data: Path, pin_file: Path | None) -> None:
    """Set the counsellor's PIN (stored as a salted scrypt hash, DIR/kiosk-pin)."""
    from profdiag._kiosk.pin import write_pin_file
    from profdiag._kiosk.server import PIN_FILE

    value = click.prompt("PIN", hide_input=True, confirmation_prompt=True)
    data.mkdir(parents=True, exist_ok=True)
    click.echo(str(write_pin_file(pin_file or data / PIN_FILE, value)))
