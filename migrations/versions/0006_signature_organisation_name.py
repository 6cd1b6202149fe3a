"""The signature record keeps the organisation's name as signed, and outlives the organisation

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 01:15:49.298037

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_name', sa.String(length=200), nullable=True))
    op.execute(
        "UPDATE signatures SET organisation_name = "
        "(SELECT organisations.name FROM organisations WHERE organisations.id = signatures.organisation_id)"
    )
    op.execute("UPDATE signatures SET organisation_name = 'Unknown organisation' WHERE organisation_name IS NULL")
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.alter_column('organisation_name', existing_type=sa.String(length=200), nullable=False)
        batch_op.alter_column('organisation_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.drop_constraint(batch_op.f('fk_signatures_organisation_id_organisations'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_signatures_organisation_id_organisations'), 'organisations',
                                    ['organisation_id'], ['id'], ondelete='SET NULL')


def downgrade():
    # A signature whose organisation has since been deleted cannot be kept without its name.
    op.execute("DELETE FROM signatures WHERE organisation_id IS NULL")
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_signatures_organisation_id_organisations'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_signatures_organisation_id_organisations'), 'organisations',
                                    ['organisation_id'], ['id'])
        batch_op.alter_column('organisation_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column('organisation_name')
