"""`flask pb audit verify|head|checkpoint`: check the audit chain from the command line.

They only read the database (nothing to commit), and write at most the checkpoint file.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from pbplatform.audit.verify import Head, check_chain


def _checkpoint_path(given: str | None) -> Path | None:
    path = given or current_app.config.get("AUDIT_CHECKPOINT_FILE")
    return Path(path) if path else None


def _read_checkpoint(path: Path | None) -> list[Head]:
    if path is None:
        return []
    if not path.exists():
        click.echo(f"no checkpoint at {path} yet (write one with `flask pb audit checkpoint`)")
        return []
    try:
        return [Head.parse(path.read_text())]
    except ValueError as exc:
        raise click.ClickException(f"checkpoint {path}: {exc}") from None


def _published_heads() -> list[Head]:
    from pbplatform.results.queries import published_audit_heads

    return published_audit_heads()


def recorded_heads(checkpoint: str | None = None) -> list[Head]:
    """The heads kept outside the chain: the checkpoint file's and every published one's."""
    return _read_checkpoint(_checkpoint_path(checkpoint)) + _published_heads()


def _parse_heads(values: tuple[str, ...]) -> list[Head]:
    try:
        return [Head.parse(v) for v in values]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--head") from None


@click.group("audit")
def audit_group() -> None:
    """Verify the audit log's hash chain and keep checkpoints of its head."""


@audit_group.command("verify")
@click.option("--head", "heads", multiple=True, metavar="ID:HASH", help="A head seen earlier.")
@click.option("--checkpoint", "checkpoint", default=None, help="Checkpoint file to check.")
@with_appcontext
def verify_command(heads: tuple[str, ...], checkpoint: str | None) -> None:
    """Exit 1, naming every bad entry, if any entry, link, HMAC or recorded head fails.

    Heads checked: each --head, the checkpoint file (AUDIT_CHECKPOINT_FILE), and the head
    published with every result version.
    """
    expected = _parse_heads(heads) + recorded_heads(checkpoint)
    report = check_chain(expected)
    if not report.ok:
        for bad_id, reason in report.breaks:
            click.echo(f"audit chain BROKEN at entry {bad_id}: {reason}", err=True)
        click.echo(
            f"{len(report.breaks)} break(s); {report.checked} other entries verified", err=True
        )
        raise SystemExit(1)
    click.echo(
        f"audit chain verified: {report.checked} entries, "
        f"{len(expected)} recorded head(s) present, head {report.head or 'none'}"
    )


@audit_group.command("head")
@with_appcontext
def head_command() -> None:
    """Print the newest entry as ID:HASH, to keep somewhere outside the database."""
    report = check_chain()
    click.echo(str(report.head) if report.head else "empty")


@audit_group.command("checkpoint")
@click.option("--file", "path", default=None, help="Default: AUDIT_CHECKPOINT_FILE.")
@with_appcontext
def checkpoint_command(path: str | None) -> None:
    """Verify the chain (and the previous checkpoint), then store the head in the file."""
    target = _checkpoint_path(path)
    if target is None:
        raise click.ClickException("set AUDIT_CHECKPOINT_FILE or pass --file")
    report = check_chain(_read_checkpoint(target) + _published_heads())
    if not report.ok:
        for bad_id, reason in report.breaks:
            click.echo(f"audit chain BROKEN at entry {bad_id}: {reason}", err=True)
        raise SystemExit(1)
    if report.head is not None:
        target.write_text(f"{report.head}\n")
    click.echo(f"checkpoint {target}: {report.head or 'empty'}")
