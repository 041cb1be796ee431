"""initial schema

Revision ID: 96833cdc813a
Revises: 
Create Date: 2026-11-26 02:14:27.838582
"""

import sqlalchemy as sa
from alembic import op

import pbplatform.db

revision = '96833cdc813a'
down_revision = None
branch_labels = None
depends_on = None


# The audit log is append-only at the database level, whatever the application does.
AUDIT_GUARDS = {
    "sqlite": [
        """CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
           BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END""",
        """CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
           BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit_entries is append-only'; END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
           FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()""",
    ],
}
AUDIT_GUARD_DROPS = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_entries_no_update",
               "DROP TRIGGER IF EXISTS audit_entries_no_delete"],
    "postgresql": ["DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries",
                   "DROP FUNCTION IF EXISTS audit_entries_append_only()"],
}


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    op.create_table('areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_areas')),
    sa.UniqueConstraint('code', name=op.f('uq_areas_code')),
    sa.UniqueConstraint('name', name=op.f('uq_areas_name'))
    )
    op.create_table('cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('tracking_prefix', sa.String(length=8), nullable=False),
    sa.Column('next_tracking_seq', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=16), nullable=False),
    sa.Column('district_budget_minor', sa.BigInteger(), nullable=False),
    sa.Column('ballot_rule', sa.String(length=16), nullable=False),
    sa.Column('max_projects', sa.Integer(), nullable=True),
    sa.Column('points_total', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('max_points_per_project', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('count_rule', sa.String(length=48), nullable=False),
    sa.Column('count_threshold', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('count_top_n', sa.Integer(), nullable=True),
    sa.Column('tie_break', sa.String(length=16), nullable=False),
    sa.Column('tie_seed', sa.String(length=64), nullable=False),
    sa.Column('channel_weights', sa.JSON(), nullable=False),
    sa.Column('combination', sa.String(length=16), nullable=False),
    sa.Column('vote_policy', sa.String(length=16), nullable=False),
    sa.Column('min_age', sa.Integer(), nullable=True),
    sa.Column('rules_frozen_at', pbplatform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hourly_rate_minor', sa.BigInteger(), nullable=False),
    sa.Column('coproduction_cap_pct', sa.Integer(), nullable=False),
    sa.Column('savings_target_minor', sa.BigInteger(), nullable=True),
    sa.Column('savings_share_pct', sa.Integer(), nullable=False),
    sa.Column('created_at', pbplatform.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("ballot_rule IN ('budget', 'k_approval', 'cumulative')", name=op.f('ck_cycles_ballot_rule_valid')),
    sa.CheckConstraint("combination IN ('raw', 'normalized')", name=op.f('ck_cycles_combination_valid')),
    sa.CheckConstraint("phase IN ('draft', 'proposals', 'review', 'voting', 'counting', 'results')", name=op.f('ck_cycles_phase_valid')),
    sa.CheckConstraint("vote_policy IN ('registered', 'census', 'codes')", name=op.f('ck_cycles_vote_policy_valid')),
    sa.CheckConstraint('coproduction_cap_pct >= 0 AND coproduction_cap_pct <= 100', name=op.f('ck_cycles_cap_pct_range')),
    sa.CheckConstraint('district_budget_minor >= 0', name=op.f('ck_cycles_district_budget_nonnegative')),
    sa.CheckConstraint('max_projects IS NULL OR max_projects > 0', name=op.f('ck_cycles_max_projects_positive')),
    sa.CheckConstraint('points_total IS NULL OR points_total > 0', name=op.f('ck_cycles_points_positive')),
    sa.CheckConstraint('savings_share_pct >= 0 AND savings_share_pct <= 100', name=op.f('ck_cycles_savings_share_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycles')),
    sa.UniqueConstraint('slug', name=op.f('uq_cycles_slug'))
    )
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', pbplatform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', pbplatform.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages'))
    )
    op.create_table('ballots',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('serial', sa.String(length=40), nullable=True),
    sa.Column('is_valid', sa.Boolean(), nullable=False),
    sa.Column('invalid_reason', sa.String(length=200), nullable=True),
    sa.CheckConstraint("channel IN ('online', 'paper', 'code', 'postal', 'meeting')", name=op.f('ck_ballots_channel_valid')),
    sa.CheckConstraint('is_valid OR invalid_reason IS NOT NULL', name=op.f('ck_ballots_invalid_has_reason')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_ballots_area_id_areas')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_ballots_cycle_id_cycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots')),
    sa.UniqueConstraint('cycle_id', 'serial', name=op.f('uq_ballots_cycle_id_serial')),
    sqlite_with_rowid=False
    )
    op.create_table('cycle_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('budget_minor', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('budget_minor >= 0', name=op.f('ck_cycle_areas_budget_nonnegative')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_cycle_areas_area_id_areas')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_cycle_areas_cycle_id_cycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle_areas')),
    sa.UniqueConstraint('cycle_id', 'area_id', name=op.f('uq_cycle_areas_cycle_id_area_id'))
    )
    op.create_table('cycle_phases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=16), nullable=False),
    sa.Column('starts_at', pbplatform.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("phase IN ('draft', 'proposals', 'review', 'voting', 'counting', 'results')", name=op.f('ck_cycle_phases_phase_valid')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_cycle_phases_cycle_id_cycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle_phases')),
    sa.UniqueConstraint('cycle_id', 'phase', name=op.f('uq_cycle_phases_cycle_id_phase'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=80), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('home_area_id', sa.Integer(), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('is_active_account', sa.Boolean(), nullable=False),
    sa.Column('session_token', sa.String(length=32), nullable=False),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_last_step', sa.BigInteger(), nullable=True),
    sa.Column('created_at', pbplatform.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('resident', 'officer', 'admin')", name=op.f('ck_users_role_valid')),
    sa.ForeignKeyConstraint(['home_area_id'], ['areas.id'], name=op.f('fk_users_home_area_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('voting_sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('address', sa.String(length=240), nullable=False),
    sa.Column('checks_voters', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_voting_sites_area_id_areas')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_voting_sites_cycle_id_cycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voting_sites')),
    sa.UniqueConstraint('cycle_id', 'name', name=op.f('uq_voting_sites_cycle_id_name'))
    )
    op.create_table('api_idempotency_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=True),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_idempotency_keys_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_idempotency_keys')),
    sa.UniqueConstraint('user_id', 'key_hash', name=op.f('uq_api_idempotency_keys_user_id_key_hash'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', pbplatform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_on', sa.Date(), nullable=True),
    sa.Column('revoked_at', pbplatform.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', pbplatform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=True),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries')),
    sa.UniqueConstraint('entry_hash', name=op.f('uq_audit_entries_entry_hash'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_action'), ['action'], unique=False)
    _run(AUDIT_GUARDS)

    op.create_table('census_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.Column('adult_from', sa.Date(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', pbplatform.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_census_entries_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_census_entries_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_census_entries')),
    sa.UniqueConstraint('cycle_id', 'entry_hash', name=op.f('uq_census_entries_cycle_id_entry_hash')),
    sa.UniqueConstraint('cycle_id', 'user_id', name=op.f('uq_census_entries_cycle_id_user_id'))
    )
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('attendance', sa.Integer(), nullable=False),
    sa.Column('dots_per_person', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', pbplatform.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'needs_correction', 'confirmed')", name=op.f('ck_meetings_status_valid')),
    sa.CheckConstraint('attendance >= 0', name=op.f('ck_meetings_attendance_nonnegative')),
    sa.CheckConstraint('dots_per_person > 0', name=op.f('ck_meetings_dots_positive')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_meetings_area_id_areas')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_meetings_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_meetings_created_by_id_users')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_meetings_cycle_id_cycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings'))
    )
    op.create_table('officer_areas',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_officer_areas_area_id_areas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_officer_areas_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'area_id', name=op.f('pk_officer_areas'))
    )
    op.create_table('paper_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('invalid_count', sa.Integer(), nullable=False),
    sa.Column('imported_at', pbplatform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_paper_imports_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], name=op.f('fk_paper_imports_officer_id_users')),
    sa.ForeignKeyConstraint(['site_id'], ['voting_sites.id'], name=op.f('fk_paper_imports_site_id_voting_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_imports')),
    sa.UniqueConstraint('file_sha256', name=op.f('uq_paper_imports_file_sha256'))
    )
    op.create_table('participations',
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('voter_key', sa.String(length=80), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('voted_on', sa.Date(), nullable=False),
    sa.CheckConstraint("channel IN ('online', 'paper', 'code', 'postal', 'meeting')", name=op.f('ck_participations_channel_valid')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_participations_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_participations_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('cycle_id', 'voter_key', name='pk_participations'),
    sqlite_with_rowid=False
    )
    op.create_table('password_reset_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', pbplatform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', pbplatform.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_reset_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_reset_tokens_token_hash'))
    )
    op.create_table('proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('tracking_number', sa.String(length=24), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('estimated_cost_minor', sa.BigInteger(), nullable=False),
    sa.Column('savings_per_year_minor', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('is_hidden', sa.Boolean(), nullable=False),
    sa.Column('officer_cost_minor', sa.BigInteger(), nullable=True),
    sa.Column('feasibility', sa.Text(), nullable=True),
    sa.Column('impact_statement', sa.Text(), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('contact_name', sa.String(length=120), nullable=True),
    sa.Column('contact_details', sa.String(length=200), nullable=True),
    sa.Column('contact_consent', sa.Boolean(), nullable=False),
    sa.Column('delivery_status', sa.String(length=32), nullable=True),
    sa.Column('delivery_report', sa.Text(), nullable=True),
    sa.Column('created_at', pbplatform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', pbplatform.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)", name=op.f('ck_proposals_merged_has_target')),
    sa.CheckConstraint("channel IN ('web', 'api', 'letter', 'phone', 'email', 'meeting')", name=op.f('ck_proposals_channel_valid')),
    sa.CheckConstraint("kind IN ('spending', 'saving')", name=op.f('ck_proposals_kind_valid')),
    sa.CheckConstraint("status != 'approved' OR officer_cost_minor IS NOT NULL", name=op.f('ck_proposals_approved_has_cost')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected', 'merged', 'withdrawn')", name=op.f('ck_proposals_status_valid')),
    sa.CheckConstraint('estimated_cost_minor >= 0', name=op.f('ck_proposals_estimate_nonnegative')),
    sa.CheckConstraint('officer_cost_minor IS NULL OR officer_cost_minor >= 0', name=op.f('ck_proposals_officer_cost_nonnegative')),
    sa.CheckConstraint('savings_per_year_minor IS NULL OR savings_per_year_minor > 0', name=op.f('ck_proposals_savings_positive')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_proposals_area_id_areas')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_proposals_author_id_users')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_proposals_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_proposals_entered_by_id_users')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['proposals.id'], name=op.f('fk_proposals_merged_into_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals')),
    sa.UniqueConstraint('tracking_number', name=op.f('uq_proposals_tracking_number'))
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index('ix_proposals_cycle_status', ['cycle_id', 'status'], unique=False)

    op.create_table('result_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('counted_by_id', sa.Integer(), nullable=True),
    sa.Column('counted_at', pbplatform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', pbplatform.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['counted_by_id'], ['users.id'], name=op.f('fk_result_versions_counted_by_id_users')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_result_versions_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_result_versions_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_versions')),
    sa.UniqueConstraint('cycle_id', 'version', name=op.f('uq_result_versions_cycle_id_version'))
    )
    op.create_table('voting_code_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', pbplatform.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('count > 0', name=op.f('ck_voting_code_batches_count_positive')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_voting_code_batches_area_id_areas')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_voting_code_batches_created_by_id_users')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_voting_code_batches_cycle_id_cycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voting_code_batches'))
    )
    op.create_table('ballot_choices',
    sa.Column('ballot_id', sa.String(length=36), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('stance', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint('points > 0', name=op.f('ck_ballot_choices_points_positive')),
    sa.CheckConstraint('stance IN (-1, 1)', name=op.f('ck_ballot_choices_stance_valid')),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_ballot_choices_ballot_id_ballots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_ballot_choices_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('ballot_id', 'proposal_id', name=op.f('pk_ballot_choices')),
    sqlite_with_rowid=False
    )
    op.create_table('meeting_count_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('dots', sa.Integer(), nullable=False),
    sa.Column('entered_at', pbplatform.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('dots >= 0', name=op.f('ck_meeting_count_entries_dots_nonnegative')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_count_entries_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], name=op.f('fk_meeting_count_entries_officer_id_users')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_meeting_count_entries_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_count_entries')),
    sa.UniqueConstraint('meeting_id', 'officer_id', 'proposal_id', name=op.f('uq_meeting_count_entries_meeting_id_officer_id_proposal_id'))
    )
    op.create_table('meeting_totals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('dots', sa.Integer(), nullable=False),
    sa.CheckConstraint('dots >= 0', name=op.f('ck_meeting_totals_dots_nonnegative')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_totals_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_meeting_totals_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_totals')),
    sa.UniqueConstraint('meeting_id', 'proposal_id', name=op.f('uq_meeting_totals_meeting_id_proposal_id'))
    )
    op.create_table('offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('offerer_id', sa.Integer(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('offerer_name', sa.String(length=120), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('schedule', sa.String(length=200), nullable=True),
    sa.Column('duration', sa.String(length=120), nullable=True),
    sa.Column('conditions', sa.Text(), nullable=True),
    sa.Column('only_if_funded', sa.Boolean(), nullable=False),
    sa.Column('is_anonymous', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('value_minor', sa.BigInteger(), nullable=True),
    sa.Column('value_basis', sa.Text(), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('lapse_note', sa.Text(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', pbplatform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', pbplatform.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("NOT (status IN ('accepted', 'fulfilled', 'partly_fulfilled', 'lapsed')) OR value_minor IS NOT NULL", name=op.f('ck_offers_valued_has_value')),
    sa.CheckConstraint("kind IN ('volunteer_hours', 'maintenance', 'materials', 'equipment_venue', 'professional_service', 'money')", name=op.f('ck_offers_kind_valid')),
    sa.CheckConstraint("status != 'declined' OR decline_reason IS NOT NULL", name=op.f('ck_offers_declined_has_reason')),
    sa.CheckConstraint("status IN ('offered', 'accepted', 'declined', 'fulfilled', 'partly_fulfilled', 'lapsed', 'withdrawn')", name=op.f('ck_offers_status_valid')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_offers_quantity_positive')),
    sa.CheckConstraint('value_minor IS NULL OR value_minor >= 0', name=op.f('ck_offers_value_nonnegative')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_offers_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_offers_entered_by_id_users')),
    sa.ForeignKeyConstraint(['offerer_id'], ['users.id'], name=op.f('fk_offers_offerer_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_offers_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_offers_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offers'))
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index('ix_offers_proposal_status', ['proposal_id', 'status'], unique=False)

    op.create_table('proposal_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('at', pbplatform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_events_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_events'))
    )
    op.create_table('proposal_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', pbplatform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', pbplatform.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_flags_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_proposal_flags_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_flags')),
    sa.UniqueConstraint('proposal_id', 'user_id', name=op.f('uq_proposal_flags_proposal_id_user_id'))
    )
    op.create_table('voting_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('used_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_voting_codes_area_id_areas')),
    sa.ForeignKeyConstraint(['batch_id'], ['voting_code_batches.id'], name=op.f('fk_voting_codes_batch_id_voting_code_batches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voting_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_voting_codes_code_hash'))
    )
    op.create_table('offer_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('delivered_on', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', pbplatform.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity IS NULL OR quantity > 0', name=op.f('ck_offer_deliveries_quantity_positive')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_offer_deliveries_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_offer_deliveries_offer_id_offers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer_deliveries'))
    )


def downgrade() -> None:
    op.drop_table('offer_deliveries')
    op.drop_table('voting_codes')
    op.drop_table('proposal_flags')
    op.drop_table('proposal_events')
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index('ix_offers_proposal_status')

    op.drop_table('offers')
    op.drop_table('meeting_totals')
    op.drop_table('meeting_count_entries')
    op.drop_table('ballot_choices')
    op.drop_table('voting_code_batches')
    op.drop_table('result_versions')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_cycle_status')

    op.drop_table('proposals')
    op.drop_table('password_reset_tokens')
    op.drop_table('participations')
    op.drop_table('paper_imports')
    op.drop_table('officer_areas')
    op.drop_table('meetings')
    op.drop_table('census_entries')
    _run(AUDIT_GUARD_DROPS)
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_action'))

    op.drop_table('audit_entries')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('api_idempotency_keys')
    op.drop_table('voting_sites')
    op.drop_table('users')
    op.drop_table('cycle_phases')
    op.drop_table('cycle_areas')
    op.drop_table('ballots')
    op.drop_table('outbox_messages')
    op.drop_table('cycles')
    op.drop_table('areas')
