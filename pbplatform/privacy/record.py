"""The record of processing activities (GDPR Art. 30), built from the registry and settings.

Nothing here is written by hand per deployment: the data, tables and columns come from
`registry.TABLES` (which a test keeps equal to the models), periods from the settings, so the
record cannot drift from what the code stores and deletes.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from pbplatform.privacy.registry import CATEGORIES, Category, columns_of


@dataclass(frozen=True)
class Activity:
    key: str
    data: str
    purpose: str
    legal_basis: str
    retention: str
    stored_in: tuple[str, ...]


def retention_text(category: Category) -> str:
    if category.retention_setting is None:
        return str(category.retention)
    return str(category.retention) % {"days": current_app.config[category.retention_setting]}


def activities() -> list[Activity]:
    return [
        Activity(
            key=c.key,
            data=str(c.label),
            purpose=str(c.purpose),
            legal_basis=str(c.legal_basis),
            retention=retention_text(c),
            stored_in=tuple(
                f"{table}({', '.join(columns)})" for table, columns in columns_of(c.key).items()
            ),
        )
        for c in CATEGORIES.values()
    ]


def processing_record_text() -> str:
    config = current_app.config
    lines = [
        "Record of processing activities (GDPR Art. 30)",
        f"Controller: {config['PRIVACY_CONTROLLER']}",
        f"Address: {config['PRIVACY_CONTROLLER_ADDRESS'] or '-'}",
        f"Data protection officer: {config['PRIVACY_DPO_CONTACT']}",
        f"Privacy notice version: {config['PRIVACY_NOTICE_VERSION']}",
        "Recipients: none outside the council; mail goes through the configured SMTP relay.",
        "Storage: the platform's database (tables and columns below).",
        "",
    ]
    for activity in activities():
        lines += [
            f"== {activity.key}: {activity.data}",
            f"   purpose:     {activity.purpose}",
            f"   legal basis: {activity.legal_basis}",
            f"   kept:        {activity.retention}",
            f"   stored in:   {'; '.join(activity.stored_in) or '-'}",
            "",
        ]
    return "\n".join(lines)
