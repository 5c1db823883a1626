"""web_messages: who wrote each message (the bot or a mediator), so the chat shows a mediator's words apart

Revision ID: 0007
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('web_messages') as batch:
        batch.add_column(sa.Column('author', sa.String(length=16), nullable=False, server_default='bot'))


def downgrade() -> None:
    with op.batch_alter_table('web_messages') as batch:
        batch.drop_column('author')
