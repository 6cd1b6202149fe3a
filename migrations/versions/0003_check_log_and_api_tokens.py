"""The permitted-purpose check log and API tokens

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 23:33:31.114047

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('check_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('asked_by', sa.String(length=254), nullable=False),
    sa.Column('via', sa.String(length=10), nullable=False),
    sa.Column('discloser_slug', sa.String(length=80), nullable=False),
    sa.Column('discloser_name', sa.String(length=200), nullable=False),
    sa.Column('recipient_slug', sa.String(length=80), nullable=False),
    sa.Column('recipient_name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=True),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('permitted', sa.Boolean(), nullable=False),
    sa.Column('agreements', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_logs'))
    )
    with op.batch_alter_table('check_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_logs_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_logs_discloser_slug'), ['discloser_slug'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_logs_recipient_slug'), ['recipient_slug'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('check_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_logs_recipient_slug'))
        batch_op.drop_index(batch_op.f('ix_check_logs_discloser_slug'))
        batch_op.drop_index(batch_op.f('ix_check_logs_at'))

    op.drop_table('check_logs')
