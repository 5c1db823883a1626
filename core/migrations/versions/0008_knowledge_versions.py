"""knowledge in the database: the draft (kb_items), published versions (kb_versions), every imported
version of each law (statute_versions), each server's index build (index_builds), workers' feedback,
handled gaps, and before/after on audit entries

Revision ID: 0008
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('index_builds',
    sa.Column('server', sa.String(length=300), nullable=False),
    sa.Column('knowledge_version', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('server', name=op.f('pk_index_builds'))
    )
    op.create_table('kb_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_items')),
    sa.UniqueConstraint('kind', 'key', name=op.f('uq_kb_items_kind'))
    )
    op.create_table('kb_versions',
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('restores', sa.Integer(), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_kb_versions')),
    sa.UniqueConstraint('uid', name=op.f('uq_kb_versions_uid'))
    )
    op.create_table('statute_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('short_title', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('version_date', sa.Date(), nullable=False),
    sa.Column('source_name', sa.String(length=300), nullable=False),
    sa.Column('article_count', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by', sa.String(length=100), nullable=False),
    sa.Column('articles', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statute_versions'))
    )
    with op.batch_alter_table('statute_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statute_versions_short_title'), ['short_title'], unique=False)

    op.create_table('feedback',
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_feedback_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('consultation_id', name=op.f('pk_feedback'))
    )
    op.create_table('handled_gaps',
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handled_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_handled_gaps_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('consultation_id', name=op.f('pk_handled_gaps'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('before', sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column('after', sa.JSON(none_as_null=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_log_subject'), ['subject'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_subject'))
        batch_op.drop_column('after')
        batch_op.drop_column('before')
        batch_op.drop_column('subject')

    op.drop_table('handled_gaps')
    op.drop_table('feedback')
    with op.batch_alter_table('statute_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statute_versions_short_title'))

    op.drop_table('statute_versions')
    op.drop_table('kb_versions')
    op.drop_table('kb_items')
    op.drop_table('index_builds')
