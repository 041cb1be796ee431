"""`flask pb open-data SLUG`: build a cycle's open-data zip now (for a cycle published before
the zip existed, or after changes made outside the site). `flask pb orphan-photos`: list (or,
with --delete, remove) photo files that no milestone photo names. `flask pb file-cache prune`:
remove this machine's cached downloads that no stored file references any more."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from pbplatform import filecache
from pbplatform.cycles.models import Cycle
from pbplatform.delivery.opendata import build_release
from pbplatform.delivery.photos import orphan_files, photo_dir
from pbplatform.delivery.queries import published_file_hashes
from pbplatform.extensions import db
from pbplatform.transaction import cli_transaction

F = TypeVar("F", bound=Callable[..., Any])


@click.command("open-data")
@click.argument("slug")
@cli_transaction
def open_data(slug: str) -> None:
    """Build the open-data zip of the cycle SLUG (it needs a published count)."""
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.slug == slug))
    if cycle is None:
        raise click.ClickException(f"no cycle {slug!r}")
    release = build_release(cycle)
    if release is None:
        raise click.ClickException("the cycle has no published count yet")
    click.echo(f"open data release {release.number} of {slug}: sha256 {release.sha256}")


def _older_than(minutes: int, why: str) -> Callable[[F], F]:
    """The --older-than-minutes option of a command that removes files a request may still
    be writing."""
    return click.option(
        "--older-than-minutes",
        default=minutes,
        show_default=True,
        type=click.IntRange(min=0),
        help=f"Leave younger files alone: {why}",
    )


@click.command("orphan-photos")
@click.option("--delete", is_flag=True, help="Remove them (default: only list them).")
@_older_than(60, "a request may still be writing its photo.")
@with_appcontext
def orphan_photos(delete: bool, older_than_minutes: int) -> None:
    """Photo files under UPLOAD_DIR that no milestone photo names (a server killed between
    writing a photo and committing its row leaves one). Reads the database only."""
    found = orphan_files(older_than_minutes * 60)
    for path in found:
        click.echo(f"{'deleting' if delete else 'orphan'}: {path.name}")
        if delete:
            path.unlink(missing_ok=True)
    if delete:
        click.echo(f"deleted {len(found)} orphan file(s) in {photo_dir()}")
    else:
        click.echo(f"{len(found)} orphan file(s) in {photo_dir()} (dry run: --delete removes them)")


@click.group("file-cache")
def file_cache_group() -> None:
    """This machine's cache of published downloads (FILE_CACHE_DIR)."""


@file_cache_group.command("prune")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
@_older_than(10, "a download may be filling the cache right now.")
@with_appcontext
def prune_file_cache(dry_run: bool, older_than_minutes: int) -> None:
    """Remove cached files no result file or open-data build references any more (superseded
    builds) and left-over partial writes. Safe while the site serves; reads the database only."""
    found = filecache.unreferenced(published_file_hashes, older_than_minutes * 60)
    for path in found:
        click.echo(f"{'unreferenced' if dry_run else 'removing'}: {path.parent.name}/{path.name}")
    where = current_app.config["FILE_CACHE_DIR"]
    if dry_run:
        click.echo(f"{len(found)} file(s) in {where} (dry run: without --dry-run they go)")
    else:
        removed, freed = filecache.remove(found)
        click.echo(f"removed {removed} file(s) in {where}, {freed} bytes freed")
