"""The cycle's open data as one zip, built by a job or at publication, never per request.

Contents: proposals.csv and proposals.json (with proposals.schema.json, a JSON Schema),
results.csv (every list's ranking with per-channel scores), decisions.csv, milestones.csv,
offers.csv (no offerer's name, account or free text), the anonymous ballots as Pabulib files
(the bytes stored at publication, results.files) and manifest.json (every file's SHA-256 and
the published versions' content hashes). Every CSV text cell is formula-safe (csvsafe). Nothing
personal: no author, contact, offerer or officer is named.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from typing import Any

import sqlalchemy as sa

from pbplatform.audit import services as audit
from pbplatform.coproduction.costs import cost_breakdown
from pbplatform.cycles.models import Cycle
from pbplatform.db import utcnow
from pbplatform.decisions import queries as decisions
from pbplatform.delivery import queries
from pbplatform.delivery.models import Delivery, OpenDataRelease
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from pbplatform.results import files as result_files
from pbplatform.results import queries as results_queries
from pbplatform.results.csvsafe import neutralise
from pbplatform.results.models import ResultVersion

KEEP = 3  # builds kept per cycle
ZIP_DATE = (2026, 1, 1, 0, 0, 0)  # fixed entry times: the same data gives the same bytes
PROPOSAL_COLUMNS = (
    "tracking_number",
    "title",
    "kind",
    "category",
    "area_code",
    "area_name",
    "channel",
    "status",
    "gross_cost_minor",
    "coproduction_minor",
    "net_cost_minor",
    "currency",
    "outcome",
    "list",
    "rank",
    "score",
    "decision",  # the council's confirmed decision (decisions.queries.decision_for)
    "delivery_status",
    "delivery_progress",
    "delivery_committed_minor",
    "delivery_spent_minor",
    "delivery_planned_end",
    "delivery_actual_end",
    "delivery_not_done_reason",
)
DECISION_COLUMNS = (
    "tracking_number",
    "list",
    "decision",
    "reason",
    "session_date",
    "minutes_url",
    "version",
)
MILESTONE_COLUMNS = ("tracking_number", "date", "text", "photos")
OFFER_COLUMNS = (
    "offer",
    "tracking_number",
    "kind",
    "quantity",
    "unit",
    "status",
    "value_minor",
    "delivered_quantity",
    "delivered_value_minor",
    "last_delivered_on",
)


def _cell(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else ("" if value is None else value)


def _decision(line: decisions.DecisionLine | None) -> dict[str, Any] | None:
    """A confirmed decision as plain data (dates as ISO text), or None before one."""
    if line is None:
        return None
    return {
        "status": str(line.status),
        "amount_minor": line.amount_minor,
        "changes": line.changes,
        "reason": line.reason,
        "session_date": line.session_date.isoformat() if line.session_date else None,
        "minutes_url": line.minutes_url,
        "version": line.version,
        "list": line.list_key,
    }


def decision_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per proposal the council decided on, for decisions.csv."""
    return [
        {"tracking_number": r["tracking_number"], "decision": d["status"], **d}
        for r in records
        if (d := r.get("decision"))
    ]


def csv_bytes(header: tuple[str, ...], rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in header])
    return out.getvalue().encode()


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _delivery(record: Delivery | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "status": record.status,
        "progress": record.progress,
        "department": record.department,
        "committed_minor": record.committed_minor,
        "spent_minor": record.spent_minor,
        "planned_start": _iso(record.planned_start),
        "planned_end": _iso(record.planned_end),
        "actual_start": _iso(record.actual_start),
        "actual_end": _iso(record.actual_end),
        "not_done_reason": record.not_done_reason,
        "milestones": [{"date": _iso(m.on_date), "text": m.text} for m in record.milestones],
    }


def _outcome(found: decisions.Outcome | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "outcome": str(found.status),
        "list": found.list_key,
        "rank": found.rank,
        "score": found.score,
        "channel_scores": found.channel_scores,
    }


def proposal_records(cycle: Cycle, version: ResultVersion) -> list[dict[str, Any]]:
    """Every proposal of the cycle with its costs, its line in `version` (the count being
    released), the council's decision and its delivery."""
    proposals = queries.cycle_proposals(cycle)
    costs = cost_breakdown(proposals)
    outcomes = decisions.outcomes_of(version, cycle)
    deliveries = queries.deliveries_for(p.id for p in proposals)
    records = []
    for p in proposals:
        c = costs[p.id]
        records.append(
            {
                "tracking_number": p.tracking_number,
                "title": p.record_title,
                "kind": p.kind,
                "category": p.category,
                "area": {"code": p.area.code, "name": p.area.name} if p.area else None,
                "channel": p.channel,
                "status": p.status,
                "costs": {
                    "gross_minor": c.gross_minor,
                    "coproduction_minor": c.coproduction_minor,
                    "net_minor": c.net_minor,
                    "currency": cycle.currency,
                },
                "outcome": _outcome(outcomes.get(p.tracking_number)),
                "decision": _decision(decisions.decision_for(p)),
                "delivery": _delivery(deliveries.get(p.id)),
            }
        )
    return records


def _proposal_row(r: dict[str, Any]) -> dict[str, Any]:
    o, d, area = r["outcome"] or {}, r["delivery"] or {}, r["area"] or {}
    return {
        **{k: r[k] for k in ("tracking_number", "title", "kind", "category", "channel", "status")},
        "area_code": area.get("code", ""),
        "area_name": area.get("name", ""),
        "gross_cost_minor": r["costs"]["gross_minor"],
        "coproduction_minor": r["costs"]["coproduction_minor"],
        "net_cost_minor": r["costs"]["net_minor"],
        "currency": r["costs"]["currency"],
        "outcome": o.get("outcome"),
        "list": o.get("list"),
        "rank": o.get("rank"),
        "score": o.get("score"),
        "decision": (r.get("decision") or {}).get("status"),
        "delivery_status": d.get("status"),
        "delivery_progress": d.get("progress"),
        "delivery_committed_minor": d.get("committed_minor"),
        "delivery_spent_minor": d.get("spent_minor"),
        "delivery_planned_end": d.get("planned_end"),
        "delivery_actual_end": d.get("actual_end"),
        "delivery_not_done_reason": d.get("not_done_reason"),
    }


# Complexity: writes every list's ranking with a column per voting channel; the branches are
# optional fields of the stored outcome.
def results_csv(version: ResultVersion) -> bytes:
    lists = version.outcome["lists"]
    channels = sorted(
        {ch for lst in lists for row in lst["projects"] for ch in row.get("channel_scores") or {}}
    )
    header = (
        "list",
        "list_name",
        "rank",
        "tracking_number",
        "title",
        "selected",
        "conditional",
        "score",
        *(f"score_{ch}" for ch in channels),
        "gross_minor",
        "coproduction_minor",
        "net_minor",
        "explanation",
    )
    rows = []
    for lst in lists:
        for row in lst["projects"]:
            scores = row.get("channel_scores") or {}
            rows.append(
                {
                    "list": lst["key"],
                    "list_name": lst["name"],
                    "rank": row.get("rank"),
                    "tracking_number": row.get("tracking_number"),
                    "title": row.get("title"),
                    "selected": "yes" if row.get("selected") else "no",
                    "conditional": "yes" if row.get("conditional") else "no",
                    "score": row.get("score"),
                    **{f"score_{ch}": scores.get(ch, 0) for ch in channels},
                    "gross_minor": row.get("gross"),
                    "coproduction_minor": row.get("coproduction"),
                    "net_minor": row.get("net"),
                    "explanation": row.get("explanation"),
                }
            )
    return csv_bytes(header, rows)


def milestones_csv(cycle: Cycle, proposals: list[Proposal]) -> bytes:
    deliveries = queries.deliveries_for(p.id for p in proposals)
    numbers = {p.id: p.tracking_number for p in proposals}
    rows = [
        {
            "tracking_number": numbers[pid],
            "date": _iso(m.on_date),
            "text": m.text,
            "photos": " ".join(f"/delivery/photos/{ph.file_name}" for ph in m.photos),
        }
        for pid, record in sorted(deliveries.items())
        for m in record.milestones
    ]
    return csv_bytes(MILESTONE_COLUMNS, rows)


def offers_csv(cycle: Cycle) -> bytes:
    rows = []
    for offer in queries.cycle_offers(cycle):
        dates = [d.delivered_on for d in offer.deliveries]
        rows.append(
            {
                "offer": offer.id,
                "tracking_number": offer.proposal.tracking_number if offer.proposal else None,
                "kind": offer.kind,
                "quantity": offer.quantity_text,
                "unit": offer.unit,
                "status": offer.status,
                "value_minor": offer.value_minor,
                "delivered_quantity": format(offer.delivered_quantity.normalize(), "f"),
                "delivered_value_minor": queries._delivered_value(offer),
                "last_delivered_on": _iso(max(dates)) if dates else None,
            }
        )
    return csv_bytes(OFFER_COLUMNS, rows)


def proposals_schema() -> dict[str, Any]:
    text = {"type": "string"}
    nullable_text = {"type": ["string", "null"]}
    minor = {"type": "integer", "minimum": 0, "description": "Money in minor units (cents)."}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "pbplatform open data: proposals.json",
        "type": "array",
        "items": {
            "type": "object",
            "required": [
                "tracking_number",
                "title",
                "status",
                "costs",
                "outcome",
                "decision",
                "delivery",
            ],
            "additionalProperties": False,
            "properties": {
                "tracking_number": text,
                "title": text,
                "kind": text,
                "category": text,
                "area": {
                    "type": ["object", "null"],
                    "properties": {"code": text, "name": text},
                },
                "channel": {
                    "type": "string",
                    "description": "How the proposal reached the council.",
                },
                "status": text,
                "costs": {
                    "type": "object",
                    "properties": {
                        "gross_minor": minor,
                        "coproduction_minor": minor,
                        "net_minor": minor,
                        "currency": text,
                    },
                },
                "outcome": {
                    "type": ["object", "null"],
                    "description": "The proposal's line in the newest published count.",
                    "properties": {
                        "outcome": {"enum": ["funded", "conditional", "not_funded"]},
                        "list": text,
                        "rank": {"type": ["integer", "null"]},
                        "score": {"type": ["number", "string"]},
                        "channel_scores": {"type": "object"},
                    },
                },
                "decision": {
                    "type": ["object", "null"],
                    "description": "The council's decision (null until recorded).",
                },
                "delivery": {
                    "type": ["object", "null"],
                    "properties": {
                        "status": {"enum": ["planned", "in_progress", "done", "not_done"]},
                        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                        "department": nullable_text,
                        "committed_minor": minor,
                        "spent_minor": minor,
                        "planned_start": nullable_text,
                        "planned_end": nullable_text,
                        "actual_start": nullable_text,
                        "actual_end": nullable_text,
                        "not_done_reason": nullable_text,
                        "milestones": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["date", "text"],
                                "properties": {"date": text, "text": text},
                            },
                        },
                    },
                },
            },
        },
    }


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode()


def build_files(cycle: Cycle, version: ResultVersion) -> dict[str, bytes]:
    proposals = queries.cycle_proposals(cycle)
    records = proposal_records(cycle, version)
    built = {
        "proposals.csv": csv_bytes(PROPOSAL_COLUMNS, [_proposal_row(r) for r in records]),
        "proposals.json": _json(records),
        "proposals.schema.json": _json(proposals_schema()),
        "results.csv": results_csv(version),
        "decisions.csv": csv_bytes(DECISION_COLUMNS, decision_rows(records)),
        "milestones.csv": milestones_csv(cycle, proposals),
        "offers.csv": offers_csv(cycle),
    }
    for lst in version.outcome["lists"]:
        stored = result_files.stored_file(version.id, lst["key"])
        content = (
            result_files.file_content(stored.id)
            if stored
            else result_files.build_content(version, lst["key"])
        )
        built[f"ballots/{lst['key']}.pb"] = content
    return built


def manifest(cycle: Cycle, number: int, files: dict[str, bytes]) -> dict[str, Any]:
    versions = [v for v in results_queries.versions(cycle, published_only=True)]
    return {
        "cycle": cycle.slug,
        "release": number,
        "built_at": utcnow().isoformat(timespec="seconds"),
        "published_versions": [
            {
                "version": v.version,
                "content_hash": v.content_hash,
                "published_at": _iso(v.published_at),
                "audit_head": f"{v.audit_head_id}:{v.audit_head_hash}" if v.audit_head_id else None,
            }
            for v in versions
        ],
        "files": [
            {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for name, data in sorted(files.items())
        ],
    }


def zip_bytes(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


RELEASE_ACTION = queries.RELEASE_ACTION


def build_release(cycle: Cycle) -> OpenDataRelease | None:
    """Build and store the cycle's open data as a new release (None before publication)."""
    version = queries.published_version(cycle)
    if version is None:
        return None
    number = queries.last_release_number(cycle.id) + 1
    files = build_files(cycle, version)
    files["manifest.json"] = _json(manifest(cycle, number, files))
    content = zip_bytes(files)
    release = OpenDataRelease(
        cycle_id=cycle.id,
        number=number,
        result_version=version.version,
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )
    db.session.add(release)
    db.session.flush()
    # The build's SHA-256 under the audit chain's HMAC: the download serves only a release this
    # entry names (queries.release_attested); a row written in the database carries none.
    audit.record(
        RELEASE_ACTION,
        cycle,
        actor=audit.SYSTEM,
        after={"number": number, "sha256": release.sha256, "result_version": version.version},
    )
    # Older builds go (each holds every ballot file); the newest KEEP stay downloadable.
    db.session.execute(
        sa.delete(OpenDataRelease).where(
            OpenDataRelease.cycle_id == cycle.id, OpenDataRelease.number <= number - KEEP
        )
    )
    return release
