"""areas.population: residents per area, for turnout on the statistics page (issue 13)

Revision ID: 20261207e0a1
Revises: 96833cdc813a
Create Date: 2026-12-07 04:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "20261207e0a1"
down_revision = "20261207c0a1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("population", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_areas_population_nonnegative"),
            "population IS NULL OR population >= 0",
        )


def downgrade():
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_areas_population_nonnegative"), type_="check")
        batch_op.drop_column("population")
