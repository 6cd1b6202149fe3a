"""Sharing decisions (golden rule 7): a practitioner's record of each decision to share or not,
with the flowchart answers, the outcome, the lawful bases and the covering agreement

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 23:37:45.304153

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sharing_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('discloser_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('case_reference', sa.String(length=40), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('category', sa.Enum('personal', 'special_category', 'criminal_offence', 'anonymised', name='datacategory', native_enum=False, length=40), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('suggested_outcome', sa.Enum('share', 'do_not_share', name='outcome', native_enum=False, length=40), nullable=False),
    sa.Column('outcome', sa.Enum('share', 'do_not_share', name='outcome', native_enum=False, length=40), nullable=False),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('lawful_bases', sa.JSON(), nullable=False),
    sa.Column('shared', sa.Text(), nullable=True),
    sa.Column('channel_id', sa.Integer(), nullable=True),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_via', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_sharing_decisions_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['channel_id'], ['transfer_channels.id'], name=op.f('fk_sharing_decisions_channel_id_transfer_channels')),
    sa.ForeignKeyConstraint(['discloser_id'], ['organisations.id'], name=op.f('fk_sharing_decisions_discloser_id_organisations')),
    sa.ForeignKeyConstraint(['recipient_id'], ['organisations.id'], name=op.f('fk_sharing_decisions_recipient_id_organisations')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_sharing_decisions_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_decisions'))
    )
    with op.batch_alter_table('sharing_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sharing_decisions_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_decisions_case_reference'), ['case_reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_decisions_decided_on'), ['decided_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_decisions_discloser_id'), ['discloser_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_decisions_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_decisions_recipient_id'), ['recipient_id'], unique=False)



def downgrade():
    with op.batch_alter_table('sharing_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sharing_decisions_recipient_id'))
        batch_op.drop_index(batch_op.f('ix_sharing_decisions_outcome'))
        batch_op.drop_index(batch_op.f('ix_sharing_decisions_discloser_id'))
        batch_op.drop_index(batch_op.f('ix_sharing_decisions_decided_on'))
        batch_op.drop_index(batch_op.f('ix_sharing_decisions_case_reference'))
        batch_op.drop_index(batch_op.f('ix_sharing_decisions_agreement_id'))

    op.drop_table('sharing_decisions')
