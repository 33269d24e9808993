"""webhooks: the endpoints' secrets kept sealed under SECRET_KEY instead of in clear

A leaked backup or dump of the database gave the secrets that sign webhook messages, so anyone
holding it could forge messages the receivers trust. Each secret (and, after a roll, the one
before it) is sealed with the key this server derives from SECRET_KEY (forum/sealing.py): the
secrets stay the same, so receivers change nothing, but the same SECRET_KEY must be configured
when this migration runs as when the application serves.

Downgrading opens the sealed secrets again; it stops, naming the endpoint, at a secret that no
configured key opens.

Revision ID: 0060_webhook_secrets_sealed
Revises: 0059_kiwi_without_multi_words
"""

import sqlalchemy as sa
from alembic import op

from forum.sealing import SEALED_MAX, seal, unseal

revision = "0060_webhook_secrets_sealed"
down_revision = "0059_kiwi_without_multi_words"
branch_labels = None
depends_on = None

CLEAR = ("secret", "previous_secret")
SEALED = ("sealed_secret", "sealed_previous_secret")
ENDPOINTS = sa.table(
    "webhook_endpoint",
    sa.column("id", sa.Integer),
    *(sa.column(name, sa.String) for name in CLEAR + SEALED),
)


def _opened(sealed: str | None, endpoint_id: int) -> str | None:
    if sealed is None:
        return None
    secret = unseal(sealed)
    if secret is None:
        raise RuntimeError(
            f"The secret of webhook endpoint {endpoint_id} was sealed under another SECRET_KEY:"
            " set that key (or list it in SECRET_KEY_FALLBACKS) to downgrade."
        )
    return secret


def _copy(source: tuple[str, str], target: tuple[str, str], convert) -> None:
    """Write each endpoint's two secrets from the `source` columns to the `target` ones,
    through `convert(value, endpoint id)`."""
    connection = op.get_bind()
    columns = [ENDPOINTS.c[name] for name in source]
    for endpoint_id, *values in connection.execute(sa.select(ENDPOINTS.c.id, *columns)).all():
        written = {
            name: convert(value, endpoint_id) for name, value in zip(target, values, strict=True)
        }
        connection.execute(
            sa.update(ENDPOINTS).where(ENDPOINTS.c.id == endpoint_id).values(**written)
        )


def _add_columns(names: tuple[str, str], length: int) -> None:
    with op.batch_alter_table("webhook_endpoint", schema=None) as batch_op:
        for name in names:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))


def _drop_columns(old: tuple[str, str], new: tuple[str, str], length: int) -> None:
    """Drop the old columns; the new secret column is required and checked as the old was."""
    with op.batch_alter_table("webhook_endpoint", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_webhook_endpoint_previous_secret_with_its_end"), type_="check"
        )
        for name in old:
            batch_op.drop_column(name)
        batch_op.alter_column(new[0], existing_type=sa.String(length=length), nullable=False)
        batch_op.create_check_constraint(
            batch_op.f("ck_webhook_endpoint_previous_secret_with_its_end"),
            f"({new[1]} IS NULL) = (previous_secret_until IS NULL)",
        )


def upgrade():
    _add_columns(SEALED, SEALED_MAX)
    _copy(CLEAR, SEALED, lambda secret, _endpoint_id: None if secret is None else seal(secret))
    _drop_columns(CLEAR, SEALED, SEALED_MAX)


def downgrade():
    _add_columns(CLEAR, 80)
    _copy(SEALED, CLEAR, _opened)
    _drop_columns(SEALED, CLEAR, 80)
