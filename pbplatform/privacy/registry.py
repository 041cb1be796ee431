"""The single declaration of personal data: every column of every table, classified.

Each table is declared once with the kind of data it holds (a `Category`: purpose, legal basis,
retention setting), the column that names the person a row is about (`owner`, used by the
download and the erasure) or, for rows that hang off such a row, the column pointing at it
(`owner_via`: a survey answer belongs to whoever owns its response), and every column in
exactly one of four classes:

- personal: about the person; in their download; emptied or deleted on erasure;
- secret: personal but never shown, even to the person (password and token hashes, keys);
- reference: the id of a person (an account), followed by the download; the row it points to
  is emptied on erasure, so the reference alone says nothing;
- other: not personal.

tests/privacy/test_registry.py fails when a model gains a column that is not declared here, so
a new personal column cannot escape the download, the erasure or the processing record.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


class Erase(enum.StrEnum):
    """What erasing an account does to the rows a table holds about the person."""

    DELETE = "delete"  # the rows go
    EMPTY = "empty"  # the rows stay; their personal columns are set to NULL (see `emptied`)
    CUSTOM = "custom"  # services.erase_user handles the table itself (users, participations...)
    AUDIT = "audit"  # audit.services.pseudonymise_person replaces the person by a pseudonym
    NONE = "none"  # no rows about a person


@dataclass(frozen=True)
class Category:
    """A kind of personal data, as the processing record and the notice list it."""

    key: str
    label: LazyString
    purpose: LazyString
    legal_basis: LazyString
    retention: LazyString  # "%(days)s" is filled from `retention_setting`
    retention_setting: str | None = None


@dataclass(frozen=True)
class Via:
    """Rows owned through another table's row: `column` holds the id of a row of `table`,
    whose own `owner` column names the person."""

    column: str
    table: str


@dataclass(frozen=True)
class Lookup:
    """A readable value shown beside a row in the download (a question's text beside an
    answer): follow `hops` (column of the current table, table whose `id` it holds) and show
    that last table's column `shown` under the name `label`."""

    label: str
    hops: tuple[tuple[str, str], ...]
    shown: str


@dataclass(frozen=True)
class Table:
    name: str
    category: str | None
    owner: str | None = None
    owner_via: Via | None = None
    personal: tuple[str, ...] = ()
    secret: tuple[str, ...] = ()
    reference: tuple[str, ...] = ()
    other: tuple[str, ...] = ()
    erase: Erase = Erase.NONE
    # For Erase.EMPTY: the value each personal column takes (default NULL).
    emptied: dict[str, object] = field(default_factory=dict)
    # Columns of another kind of data than the table's (with its own purpose and period).
    column_categories: dict[str, str] = field(default_factory=dict)
    # Readable values shown beside the row in the download (not stored in this table).
    lookups: tuple[Lookup, ...] = ()

    def category_of(self, column: str) -> str | None:
        return self.column_categories.get(column, self.category)

    @property
    def owner_key(self) -> str:
        """The owner column, for the tables the download and the erasure find by person
        (tests/privacy/test_registry.py checks that those declare one)."""
        if self.owner is None:
            raise LookupError(f"{self.name} names no owner column")
        return self.owner

    @property
    def about_a_person(self) -> bool:
        """Whether the download and the erasure find this table's rows by person."""
        return self.owner is not None or self.owner_via is not None

    @property
    def columns(self) -> tuple[str, ...]:
        return self.personal + self.secret + self.reference + self.other


PUBLIC_TASK = _l("Public task (GDPR Art. 6(1)(e)): running the council's citizens' budget")
CONSENT = _l("Consent (GDPR Art. 6(1)(a)), which you can withdraw on your account page")
LEGAL_DUTY = _l(
    "Legal obligation and accountability (GDPR Art. 6(1)(c), Art. 5(2)): a record of who did what"
)

CATEGORIES: dict[str, Category] = {
    c.key: c
    for c in (
        Category(
            "account",
            _l("Account: e-mail, display name, home area, date of birth (if given)"),
            _l("Logging in, proposing and voting for your own neighbourhood"),
            PUBLIC_TASK,
            _l(
                "Until you delete the account; an account unused for %(days)s days is warned "
                "and then erased"
            ),
            "RETENTION_INACTIVE_WARN_DAYS",
        ),
        Category(
            "contributions",
            _l("Your proposals, offers of help and flags"),
            _l("Collecting, reviewing and publishing proposals and co-production offers"),
            PUBLIC_TASK,
            _l(
                "Part of the public record of the cycle; after erasure shown under "
                "\u201cformer resident\u201d"
            ),
        ),
        Category(
            "offline_contact",
            _l("Name and contact details of people who proposed or offered by letter or phone"),
            _l("Answering the person about their proposal or offer"),
            PUBLIC_TASK,
            _l("%(days)s days after the cycle's results are published"),
            "RETENTION_OFFLINE_CONTACT_DAYS",
        ),
        Category(
            "participation",
            _l("That you voted, on which day and by which channel (never what you voted)"),
            _l("One vote per person and cycle"),
            PUBLIC_TASK,
            _l("With the cycle; after erasure kept only as a pseudonym"),
        ),
        Category(
            "census",
            _l("Census register entries (keyed hashes, and the day a minor comes of age)"),
            _l("Checking that a voter lives in the district and is of age"),
            PUBLIC_TASK,
            _l("%(days)s days after the cycle's results are published"),
            "RETENTION_CENSUS_DAYS",
        ),
        Category(
            "surveys",
            _l("Your survey answers, and the attributes and name you chose to give with them"),
            _l("Surveys, priorities and ratings of delivered projects"),
            PUBLIC_TASK,
            _l("With the survey; deleted when you delete your account"),
        ),
        Category(
            "voting_codes",
            _l("Voting codes (keyed hashes) and the day each was used"),
            _l("Voting by code from a letter or the household survey"),
            PUBLIC_TASK,
            _l("%(days)s days after the cycle's results are published"),
            "RETENTION_VOTING_CODE_DAYS",
        ),
        Category(
            "mail",
            _l("Outgoing e-mails: address, subject and text"),
            _l("Sending you password links and notices"),
            PUBLIC_TASK,
            _l("%(days)s days after sending"),
            "RETENTION_OUTBOX_SENT_DAYS",
        ),
        Category(
            "security",
            _l("Login and password-reset traces, API tokens (hashes)"),
            _l("Protecting accounts against misuse"),
            PUBLIC_TASK,
            _l("%(days)s days (rate-limit counters expire within the hour)"),
            "RETENTION_LOGIN_TRACE_DAYS",
        ),
        Category(
            "audit",
            _l("Audit log: who did what, when, from which address"),
            _l("Accountability of officers and administrators; detecting misuse"),
            LEGAL_DUTY,
            _l("Kept; on erasure your name and e-mail in it are replaced by a pseudonym"),
        ),
        Category(
            "consents",
            _l("Your consents and the privacy notice version you were shown"),
            _l("Proving what you agreed to"),
            CONSENT,
            _l("Until you delete the account"),
        ),
        Category(
            "exports",
            _l("Downloads of your data"),
            _l("Giving you a copy of your data"),
            PUBLIC_TASK,
            _l("%(days)s hours"),
            "PRIVACY_EXPORT_TTL_HOURS",
        ),
    )
}

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "users",
            "account",
            owner="id",
            personal=("email", "display_name", "birth_date", "home_area_id", "created_at"),
            secret=("password_hash", "session_token", "totp_secret_encrypted", "totp_last_step"),
            other=("id", "role", "is_active_account"),
            erase=Erase.CUSTOM,
        ),
        Table(
            "officer_areas",
            "account",
            owner="user_id",
            reference=("user_id",),
            other=("area_id",),
            erase=Erase.DELETE,
        ),
        Table(
            "password_reset_tokens",
            "security",
            owner="user_id",
            personal=("expires_at", "used_at"),
            secret=("token_hash",),
            reference=("user_id",),
            other=("id",),
            erase=Erase.DELETE,
        ),
        Table(
            "mfa_enrolment_tokens",
            "security",
            owner="user_id",
            personal=("expires_at", "used_at"),
            secret=("token_hash",),
            reference=("user_id",),
            other=("id",),
            erase=Erase.DELETE,
        ),
        Table(
            "recovery_codes",
            "security",
            owner="user_id",
            personal=("used_at",),
            secret=("code_hash",),
            reference=("user_id",),
            other=("id",),
            erase=Erase.DELETE,
        ),
        Table(
            "api_tokens",
            "security",
            owner="user_id",
            personal=("name", "prefix", "created_at", "last_used_on", "revoked_at"),
            secret=("token_hash",),
            reference=("user_id",),
            other=("id",),
            erase=Erase.DELETE,
        ),
        Table(
            "api_idempotency_keys",
            "security",
            owner="user_id",
            personal=("status", "location", "created_on", "body"),
            secret=("key_hash", "request_hash"),
            reference=("user_id",),
            other=("id", "cycle_id"),
            erase=Erase.DELETE,
        ),
        Table(
            "audit_entries",
            "audit",
            owner="actor_id",
            # the chained row: personal values in before/after are held in audit_personal
            personal=("before", "after", "at"),
            reference=("actor_id",),
            other=(
                "id",
                "action",
                "object_type",
                "object_id",
                "area_id",
                "outcome",
                "personal_digest",
                "prev_hash",
                "entry_hash",
                "entry_mac",
            ),
            erase=Erase.AUDIT,
        ),
        Table(
            # each entry's personal fields, found through its entry (no owner column of its
            # own): pseudonymise_person rewrites them on erasure
            "audit_personal",
            "audit",
            personal=("actor_label", "ip", "data"),
            secret=("salt", "mac"),
            other=("entry_id", "pseudonymised"),
            erase=Erase.AUDIT,
        ),
        Table(
            "proposals",
            "contributions",
            owner="author_id",
            personal=("contact_name", "contact_details", "contact_consent"),
            reference=("author_id", "entered_by_id"),
            other=(
                "id",
                "cycle_id",
                "area_id",
                "tracking_number",
                "kind",
                "title",
                "description",
                "category",
                "location",
                "estimated_cost_minor",
                "savings_per_year_minor",
                "status",
                "is_hidden",
                "officer_cost_minor",
                "feasibility",
                "impact_statement",
                "rejection_reason",
                "merged_into_id",
                "channel",
                "received_on",
                "created_at",
                "updated_at",
            ),
            erase=Erase.EMPTY,
            emptied={"contact_name": None, "contact_details": None, "contact_consent": False},
            column_categories=dict.fromkeys(
                ("contact_name", "contact_details", "contact_consent"), "offline_contact"
            ),
        ),
        Table("proposal_events", None, other=("id", "proposal_id", "at", "kind", "note")),
        Table(
            "proposal_flags",
            "contributions",
            owner="user_id",
            personal=("reason", "created_at"),
            reference=("user_id",),
            other=("id", "proposal_id", "resolved_at"),
            erase=Erase.DELETE,
        ),
        Table(
            "offers",
            "contributions",
            owner="offerer_id",
            personal=("offerer_name",),
            reference=("offerer_id", "entered_by_id", "reviewed_by_id"),
            other=(
                "id",
                "cycle_id",
                "proposal_id",
                "kind",
                "quantity",
                "unit",
                "description",
                "schedule",
                "duration",
                "conditions",
                "only_if_funded",
                "is_anonymous",
                "status",
                "value_minor",
                "value_basis",
                "value_rate_minor",
                "decline_reason",
                "lapse_note",
                "created_at",
                "updated_at",
            ),
            erase=Erase.EMPTY,
            emptied={"offerer_name": None},
            column_categories={"offerer_name": "offline_contact"},
        ),
        Table(
            "offer_deliveries",
            None,
            reference=("confirmed_by_id",),
            other=("id", "offer_id", "delivered_on", "description", "quantity", "created_at"),
        ),
        # Delivery (issue 15): public records of the council's work; the officer who wrote
        # one is a reference only. Photos are re-encoded without metadata (delivery/photos.py).
        Table(
            "deliveries",
            None,
            reference=("updated_by_id",),
            other=(
                "id",
                "proposal_id",
                "status",
                "department",
                "planned_start",
                "planned_end",
                "actual_start",
                "actual_end",
                "progress",
                "committed_minor",
                "spent_minor",
                "not_done_reason",
                "created_at",
                "updated_at",
            ),
        ),
        Table(
            "delivery_milestones",
            None,
            reference=("created_by_id",),
            other=("id", "delivery_id", "on_date", "text", "created_at"),
        ),
        Table(
            "milestone_photos",
            None,
            other=(
                "id",
                "milestone_id",
                "file_name",
                "content_type",
                "width",
                "height",
                "byte_size",
                "created_at",
            ),
        ),
        Table(
            "open_data_releases",
            None,
            other=(
                "id",
                "cycle_id",
                "number",
                "result_version",
                "sha256",
                "content",
                "built_at",
            ),
        ),
        Table(
            "participations",
            "participation",
            owner="user_id",
            personal=("channel", "voted_on", "cycle_id"),
            secret=("voter_key",),
            reference=("user_id",),
            erase=Erase.CUSTOM,
        ),
        # Ballots are never linked to a person (voting/models.py): nothing personal in them.
        Table(
            "ballots",
            None,
            other=("id", "cycle_id", "area_id", "channel", "serial", "is_valid", "invalid_reason"),
        ),
        Table("ballot_choices", None, other=("ballot_id", "proposal_id", "points", "stance")),
        Table(
            "census_entries",
            "census",
            owner="user_id",
            personal=("adult_from", "verified_at"),
            secret=("entry_hash",),
            reference=("user_id",),
            other=("id", "cycle_id"),
            # The entry stays (free again) so the same register identity cannot vote twice.
            erase=Erase.EMPTY,
            emptied={"user_id": None, "verified_at": None},
        ),
        Table(
            "voting_codes",
            "voting_codes",
            personal=("used_on",),
            secret=("code_hash",),
            other=("id", "batch_id", "area_id"),
        ),
        Table(
            "voting_code_batches",
            None,
            reference=("created_by_id",),
            other=("id", "cycle_id", "area_id", "count", "label", "created_at"),
        ),
        Table(
            "meetings",
            None,
            reference=("created_by_id", "confirmed_by_id"),
            other=(
                "id",
                "cycle_id",
                "area_id",
                "held_on",
                "place",
                "attendance",
                "dots_per_person",
                "status",
                "confirmed_at",
            ),
        ),
        Table(
            "meeting_count_entries",
            None,
            reference=("officer_id",),
            other=("id", "meeting_id", "proposal_id", "dots", "entered_at"),
        ),
        Table("meeting_totals", None, other=("id", "meeting_id", "proposal_id", "dots")),
        # A voting site's address is a public place, not a person's.
        Table(
            "voting_sites",
            None,
            other=("id", "cycle_id", "area_id", "name", "address", "checks_voters"),
        ),
        Table(
            "paper_imports",
            None,
            reference=("officer_id",),
            other=(
                "id",
                "cycle_id",
                "site_id",
                "filename",
                "file_sha256",
                "row_count",
                "invalid_count",
                "imported_at",
            ),
        ),
        Table(
            "outbox_messages",
            "mail",
            personal=("recipient", "subject", "created_at", "sent_at"),
            secret=("body_encrypted",),  # links inside; erased once the mail is sent
            other=("id",),
            erase=Erase.CUSTOM,  # found by recipient address, not by an owner column
        ),
        Table("areas", None, other=("id", "name", "code", "population")),
        Table(
            "cycles",
            None,
            other=(
                "id",
                "slug",
                "name",
                "currency",
                "tracking_prefix",
                "next_tracking_seq",
                "phase",
                "district_budget_minor",
                "ballot_rule",
                "max_projects",
                "points_total",
                "max_points_per_project",
                "count_rule",
                "count_threshold",
                "count_top_n",
                "tie_break",
                "tie_seed",
                "channel_weights",
                "combination",
                "vote_policy",
                "min_age",
                "rules_frozen_at",
                "hourly_rate_minor",
                "coproduction_cap_pct",
                "savings_target_minor",
                "savings_share_pct",
                "answer_within_days",
                "created_at",
            ),
        ),
        Table("cycle_areas", None, other=("id", "cycle_id", "area_id", "budget_minor")),
        Table("cycle_phases", None, other=("id", "cycle_id", "phase", "starts_at")),
        Table(
            "ballot_withdrawals",
            None,
            reference=("proposed_by_id", "confirmed_by_id"),
            other=("id", "proposal_id", "reason", "proposed_at", "confirmed_at"),
        ),
        # sealed while voting is open, destroyed at the close: nobody's, and nothing to read
        Table(
            "sealed_ballots",
            None,
            other=("id", "cycle_id", "channel", "is_valid", "serial_hash", "sealed"),
        ),
        Table("ballot_box_keys", None, other=("cycle_id", "public_key")),
        Table(
            "result_versions",
            None,
            reference=("counted_by_id", "published_by_id"),
            other=(
                "id",
                "cycle_id",
                "version",
                "config",
                "outcome",
                "content_hash",
                "counted_at",
                "published_at",
                "audit_head_id",
                "audit_head_hash",
            ),
        ),
        # The council's decisions and proposals' routing (issue 15): public records about
        # projects; the officers who recorded and confirmed them are references.
        Table(
            "council_decisions",
            None,
            reference=("recorded_by_id", "confirmed_by_id"),
            other=(
                "id",
                "cycle_id",
                "result_version_id",
                "list_key",
                "version",
                "session_date",
                "minutes_url",
                "recorded_at",
                "confirmed_at",
                "content_hash",
            ),
        ),
        Table(
            "council_decision_entries",
            None,
            other=(
                "id",
                "decision_id",
                "proposal_id",
                "status",
                "amount_minor",
                "changes",
                "reason",
            ),
        ),
        Table(
            "proposal_routings",
            None,
            reference=("recorded_by_id",),
            other=(
                "id",
                "proposal_id",
                "cycle_id",
                "area_id",
                "kind",
                "note",
                "authority",
                "answer",
                "answered_on",
                "cost_minor",
                "done_on",
                "to_cycle_id",
                "recorded_at",
            ),
        ),
        # The anonymous ballots of a published list (no voter, no token): public by design.
        Table(
            "result_files",
            None,
            other=("id", "version_id", "list_key", "sha256", "content", "created_at"),
        ),
        Table(
            "consent_records",
            "consents",
            owner="user_id",
            personal=("purpose", "granted", "notice_version", "recorded_at"),
            reference=("user_id",),
            other=("id",),
            erase=Erase.DELETE,
        ),
        Table(
            "data_exports",
            "exports",
            owner="user_id",
            personal=("content",),
            reference=("user_id",),
            other=("id", "created_at", "expires_at"),
            erase=Erase.DELETE,
        ),
        Table(
            # Background work a person started (their data download, an officer's count).
            "jobs",
            "account",
            owner="created_by_id",
            reference=("created_by_id",),
            other=(
                "id",
                "kind",
                "status",
                "progress",
                "message",
                "params",
                "result",
                "error",
                "attempts",
                "created_at",
                "started_at",
                "finished_at",
            ),
            erase=Erase.DELETE,
        ),
        Table(
            "inactivity_warnings",
            "account",
            owner="user_id",
            personal=("warned_at",),
            reference=("user_id",),
            erase=Erase.DELETE,
        ),
        Table(
            "surveys",
            None,
            reference=("created_by_id",),
            other=(
                "id",
                "kind",
                "title",
                "title_de",
                "introduction",
                "introduction_de",
                "audience",
                "opens_at",
                "closes_at",
                "hide_results_until_close",
                "asks_attributes",
                "cycle_id",
                "area_id",
                "proposal_id",
                "created_at",
            ),
        ),
        Table(
            "survey_questions",
            None,
            other=(
                "id",
                "survey_id",
                "position",
                "kind",
                "text",
                "text_de",
                "required",
                "unit",
                "total",
                "scale_max",
                "allow_dont_know",
                "max_length",
                "is_cut",
            ),
        ),
        Table(
            "survey_items",
            None,
            other=(
                "id",
                "question_id",
                "position",
                "text",
                "text_de",
                "min_value",
                "max_value",
                "baseline_minor",
            ),
        ),
        # A resident's own response (user_id), or a named one an officer entered and linked to
        # the respondent's account; paper and code responses are linked to nobody.
        Table(
            "survey_responses",
            "surveys",
            owner="user_id",
            personal=("respondent_label", "org_type", "role", "area_id", "age_band"),
            reference=("user_id", "entered_by_id"),
            other=(
                "id",
                "survey_id",
                "channel",
                "consent_to_name",
                "paper_ref",
                "created_at",
                "updated_at",
            ),
            erase=Erase.DELETE,
            lookups=(Lookup("survey", (("survey_id", "surveys"),), "title"),),
        ),
        # The values of a response: the person's through their response (none for code and
        # paper responses, which are nobody's); deleted with it on erasure.
        Table(
            "survey_answers",
            "surveys",
            owner_via=Via("response_id", "survey_responses"),
            personal=("value", "text"),
            other=("id", "response_id", "question_id", "item_id"),
            erase=Erase.DELETE,
            lookups=(
                Lookup(
                    "survey",
                    (("question_id", "survey_questions"), ("survey_id", "surveys")),
                    "title",
                ),
                Lookup("question", (("question_id", "survey_questions"),), "text"),
                Lookup("item", (("item_id", "survey_items"),), "text"),
            ),
        ),
        Table(
            "survey_code_batches",
            None,
            reference=("created_by_id",),
            other=("id", "survey_id", "count", "label", "created_at"),
        ),
        Table("survey_codes", None, other=("id", "batch_id", "code_hash", "used_on")),
        Table(
            "survey_paper_entries",
            None,
            reference=("officer_id",),
            other=("id", "survey_id", "paper_ref", "answers", "created_at"),
        ),
        # Officers' fixes to a question's or the survey's wording after people answered: public
        # wording; the officer is a reference.
        Table(
            "survey_wording_changes",
            None,
            reference=("changed_by_id",),
            other=(
                "id",
                "survey_id",
                "question_id",
                "item_id",
                "field",
                "before",
                "after",
                "changed_at",
            ),
        ),
        # Who was invited to a survey: a person's invitation is part of their account (like
        # a notification); an offline proposer's names only the proposal (whose contact
        # details are offline_contact).
        Table(
            "survey_invitations",
            "account",
            owner="user_id",
            personal=("survey_id", "invited_at"),
            reference=("user_id", "invited_by_id"),
            other=("id", "proposal_id"),
            erase=Erase.DELETE,
            lookups=(Lookup("survey", (("survey_id", "surveys"),), "title"),),
        ),
        # Kept after erasure: says only that an (emptied) account was erased, when and how.
        Table("account_erasures", None, reference=("user_id",), other=("erased_at", "via")),
        # Comments are public contributions, like proposals' texts; an offline commenter's
        # name is personal and goes on erasure.
        Table(
            "comments",
            "contributions",
            owner="author_id",
            personal=("author_name",),
            reference=("author_id", "entered_by_id", "hidden_by_id"),
            other=(
                "id",
                "proposal_id",
                "parent_id",
                "body",
                "channel",
                "official",
                "department",
                "created_at",
                "hidden_at",
                "hidden_reason",
            ),
            erase=Erase.EMPTY,
            emptied={"author_name": None},
            column_categories={"author_name": "offline_contact"},
        ),
        # A meeting's public event page and its agenda: nothing personal.
        Table(
            "meeting_events",
            None,
            other=("meeting_id", "starts_at", "agenda", "minutes", "invited_at"),
        ),
        Table("meeting_agenda_proposals", None, other=("meeting_id", "proposal_id")),
        # Co-design: co-authorship and amendments are public contributions; consents are a
        # person's answers.
        Table(
            "proposal_coauthors",
            "contributions",
            owner="user_id",
            personal=("status", "created_at", "answered_at"),
            reference=("user_id", "invited_by_id"),
            other=("id", "proposal_id"),
            erase=Erase.DELETE,
        ),
        Table(
            "amendments",
            "contributions",
            owner="amender_id",
            reference=("amender_id", "answered_by_id"),
            other=(
                "id",
                "proposal_id",
                "old_title",
                "old_description",
                "title",
                "description",
                "status",
                "reason",
                "created_at",
                "answered_at",
            ),
            erase=Erase.NONE,
        ),
        Table(
            "merge_requests",
            None,
            reference=("proposed_by_id",),
            other=(
                "id",
                "target_id",
                "original_ids",
                "status",
                "proceed_reason",
                "created_at",
                "closed_at",
            ),
        ),
        Table("merge_request_originals", None, other=("request_id", "proposal_id")),
        Table(
            "merge_consents",
            "contributions",
            owner="user_id",
            personal=("answer", "answered_at"),
            reference=("user_id",),
            other=("id", "request_id"),
            erase=Erase.DELETE,
        ),
        Table(
            "comment_flags",
            "contributions",
            owner="user_id",
            personal=("reason", "created_at"),
            reference=("user_id",),
            other=("id", "comment_id", "resolved_at"),
            erase=Erase.DELETE,
        ),
        # What a person follows and was told (notifications): part of their account.
        Table(
            "follows",
            "account",
            owner="user_id",
            personal=("proposal_id", "area_id", "cycle_id", "created_at"),
            reference=("user_id",),
            other=("id",),
            erase=Erase.DELETE,
        ),
        Table(
            "notifications",
            "account",
            owner="user_id",
            personal=(
                "kind",
                "proposal_id",
                "cycle_id",
                "meeting_id",
                "survey_id",
                "note",
                "created_at",
                "read_at",
            ),
            reference=("user_id",),
            other=("id", "mailed_at"),
            erase=Erase.DELETE,
        ),
        Table(
            "notification_settings",
            "account",
            owner="user_id",
            personal=("email",),
            reference=("user_id",),
            erase=Erase.DELETE,
        ),
        # Letters due name no one: the proposal holds the contact (offline_contact).
        Table(
            "notification_letters",
            None,
            other=("id", "proposal_id", "kind", "note", "created_at", "printed_at"),
        ),
    )
}


def columns_of(category: str) -> dict[str, list[str]]:
    """Per table, the columns holding (or pointing at) data of `category`."""
    found: dict[str, list[str]] = {}
    for t in TABLES.values():
        columns = [c for c in t.personal + t.secret + t.reference if t.category_of(c) == category]
        if columns and (t.personal or t.secret):
            found[t.name] = columns
    return found


def undeclared(metadata: sa.MetaData) -> list[str]:
    """`table.column` of every column the models have and this registry does not classify,
    and of every declared one the models no longer have."""
    problems = []
    for name, table in metadata.tables.items():
        declared = set(TABLES[name].columns) if name in TABLES else set()
        problems += [f"{name}.{c} (undeclared)" for c in set(table.columns.keys()) - declared]
        problems += [f"{name}.{c} (no such column)" for c in declared - set(table.columns.keys())]
    problems += [f"{name} (no such table)" for name in TABLES.keys() - metadata.tables.keys()]
    return sorted(problems)
