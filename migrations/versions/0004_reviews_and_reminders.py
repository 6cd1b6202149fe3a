"""Reviews (the record of each completed review) and review reminders: the outbox, whose unique
key (agreement, review date, offset) queues each reminder once, and the sweep's lock row

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 23:33:44.097224

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sweep_locks',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=True),
    sa.Column('acquired_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_sweep_locks'))
    )
    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('review_date', sa.Date(), nullable=False),
    sa.Column('offset_key', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('escalated', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'sending', 'sent', 'failed', 'logged', 'cancelled', name='reminderstatus', native_enum=False, length=40), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('delivered_to', sa.JSON(), nullable=False),
    sa.Column('missing_contacts', sa.JSON(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_reminders_agreement_id_agreements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('agreement_id', 'review_date', 'offset_key', name='uq_reminders_agreement_review_offset')
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_status'), ['status'], unique=False)

    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=False),
    sa.Column('reviewer', sa.String(length=200), nullable=False),
    sa.Column('outcome', sa.Enum('continue', 'amend', 'terminate', name='reviewoutcome', native_enum=False, length=40), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('previous_review_date', sa.Date(), nullable=False),
    sa.Column('next_review_date', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_reviews_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_reviews_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_agreement_id'), ['agreement_id'], unique=False)



def downgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_agreement_id'))

    op.drop_table('reviews')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_status'))
        batch_op.drop_index(batch_op.f('ix_reminders_agreement_id'))

    op.drop_table('reminders')
    op.drop_table('sweep_locks')
