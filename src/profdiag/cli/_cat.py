"""`profdiag cat simulate`: what an item bank's precision costs in items."""

from __future__ import annotations

import json
from pathlib import Path

import click

from profdiag.cli._common import load_definition, refuse_overwriting_inputs, write_text_output


@click.group()
def cat() -> None:
    """Computerised adaptive testing with an item bank."""


@cat.command()
@click.argument("bank")
@click.option("--persons", type=click.IntRange(1, 1_000_000), default=1000, show_default=True)
@click.option(
    "--se", "se_target", type=click.FloatRange(0.05, 2.0), default=0.3, show_default=True,
    help="Stop when the posterior SD of theta is at or below this.",
)  # fmt: skip
@click.option("--max-items", type=click.IntRange(1, 10_000), default=30, show_default=True)
@click.option("--min-items", type=click.IntRange(0, 10_000), default=1, show_default=True)
@click.option(
    "--max-exposure", type=click.FloatRange(0.01, 1.0), default=None,
    help="Keep every item's exposure rate at or below this (Sympson-Hetter parameters "
    "found by simulation first).",
)  # fmt: skip
@click.option(
    "--randomesque", type=click.IntRange(1, 100), default=1, show_default=True,
    help="Pick at random among this many most informative items.",
)  # fmt: skip
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=None, help="JSON output.")
def simulate(
    bank: str,
    persons: int,
    se_target: float,
    max_items: int,
    min_items: int,
    max_exposure: float | None,
    randomesque: int,
    seed: int,
    out: Path | None,
) -> None:
    """Simulate adaptive tests on BANK for PERSONS examinees drawn from N(0, 1): items
    chosen by maximum information at the EAP estimate (balanced across the bank's content
    areas when its scales partition the items), stopping at --se or --max-items. Reports
    summary = {mean_items, rmse, bias, max_exposure} and test length and precision by
    theta band."""
    from profdiag._irt.bank import content_areas, instrument_bank
    from profdiag._irt.cat import CatRules
    from profdiag._irt.simulate import simulate_cat, sympson_hetter

    if min_items > max_items:
        raise click.BadParameter(
            f"{min_items} is more than --max-items {max_items}", param_hint="--min-items"
        )
    refuse_overwriting_inputs(out, [Path(bank)])
    definition = load_definition(bank)
    items = instrument_bank(definition)
    areas = content_areas(definition, items)
    rules = CatRules(se_target, max_items, min_items, randomesque, None, **areas)  # type: ignore[arg-type]
    exposure = None
    if max_exposure is not None:
        exposure = sympson_hetter(items.bank, rules, max_exposure, persons, seed=seed * 1000)
        rules = CatRules(se_target, max_items, min_items, randomesque, exposure, **areas)  # type: ignore[arg-type]
    run = simulate_cat(items.bank, persons, rules, seed=seed)
    document = {
        "bank": {"id": definition.id, "version": definition.version, "items": items.bank.size},
        "settings": {
            "persons": persons, "se": se_target, "max_items": max_items,
            "min_items": min_items, "max_exposure": max_exposure,
            "randomesque": randomesque, "seed": seed,
            "content_areas": areas.get("content_targets"),
        },
        "summary": run.summary(),
        "by_theta": run.by_theta(),
        "exposure": dict(zip(items.item_ids, map(float, run.exposure), strict=True)),
        "sympson_hetter": None
        if exposure is None
        else dict(zip(items.item_ids, map(float, exposure), strict=True)),
    }  # fmt: skip
    text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    if out is None:
        write_text_output(None, text)
        return
    from profdiag._io.atomic import write_atomically

    write_atomically(out, text)
    summary = run.summary()
    click.echo(
        f"profdiag: {persons} simulated examinees: {summary['mean_items']:.1f} items on "
        f"average, RMSE {summary['rmse']:.3f}, bias {summary['bias']:+.3f}, largest exposure "
        f"{summary['max_exposure']:.2f} -> {out}",
        err=True,
    )
