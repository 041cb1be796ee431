"""`flask pb bench-data`: a `bench` cycle at city scale, or its close, count and publication."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from pbplatform.benchdata import services
from pbplatform.errors import DomainError
from pbplatform.transaction import cli_transaction


@click.command("bench-data")
@click.option("--areas", default=13, show_default=True, type=click.IntRange(1, 500))
@click.option("--proposals", default=300, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--ballots", default=30_000, show_default=True, type=click.IntRange(0, 5_000_000))
@click.option("--token-voters", default=0, show_default=True, type=click.IntRange(0, 100_000))
@click.option("--tokens-file", type=click.File("w"), help="One API token a line.")
@click.option("--rule", default="greedy", show_default=True, help="The declared count rule.")
@click.option("--seed", default=2026, show_default=True, type=int)
@click.option("--publish", is_flag=True, help="Close voting on bench, count and publish it.")
@with_appcontext
@cli_transaction
def bench_data(publish: bool, tokens_file, **scale) -> None:
    """Create the voting-phase cycle `bench` with stored ballots (or --publish it)."""
    started = time.perf_counter()
    try:
        if publish:
            version = services.publish_bench()
            click.echo(f"bench: version {version.version} published ({_took(started)})")
            return
        if scale["token_voters"] and tokens_file is None:
            raise click.UsageError("--token-voters needs --tokens-file")
        cycle, tokens = services.create_bench(services.Scale(**scale))
    except services.BenchError as exc:
        raise click.ClickException(str(exc)) from exc
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    if tokens_file is not None:
        tokens_file.write("".join(f"{t}\n" for t in tokens))
    click.echo(
        f"{cycle.slug}: {scale['ballots']} ballots, {scale['proposals']} proposals, "
        f"{scale['areas']} areas, {len(tokens)} voters with tokens ({_took(started)})"
    )


def _took(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"
