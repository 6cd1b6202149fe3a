"""Administrators may give a shipped catalogue entry a local title and summary

The catalogue keeps the shipped wording beside it, and the shipped wording a local one was written
against, so that a later change to the shipped wording can be pointed out.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 01:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('legal_bases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shipped_title', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('shipped_summary', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reworded_from_title', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('reworded_from_summary', sa.Text(), nullable=True))
    # Until now every shipped entry showed the shipped wording; the catalogue's loader refreshes it
    # after migrating (env.py).
    legal_bases = sa.table(
        'legal_bases',
        sa.column('local', sa.Boolean()),
        sa.column('title', sa.String(300)),
        sa.column('summary', sa.Text()),
        sa.column('shipped_title', sa.String(300)),
        sa.column('shipped_summary', sa.Text()),
    )
    op.execute(
        legal_bases.update()
        .where(legal_bases.c.local == sa.false())
        .values(shipped_title=legal_bases.c.title, shipped_summary=legal_bases.c.summary)
    )


def downgrade():
    # Without the shipped wording beside it a local wording would be overwritten by the next sync:
    # go back to the shipped wording now.
    op.execute(
        "UPDATE legal_bases SET title = shipped_title, summary = shipped_summary "
        "WHERE reworded_from_title IS NOT NULL AND shipped_title IS NOT NULL"
    )
    with op.batch_alter_table('legal_bases', schema=None) as batch_op:
        batch_op.drop_column('reworded_from_summary')
        batch_op.drop_column('reworded_from_title')
        batch_op.drop_column('shipped_summary')
        batch_op.drop_column('shipped_title')
