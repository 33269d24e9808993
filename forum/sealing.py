"""Secrets Forum must read again, kept sealed in the database (a webhook's signing secret).

Forum signs every webhook message with the endpoint's secret, so it needs the secret in clear
when it sends; stored as it is, a database backup or dump would let anyone forge messages that
the receivers trust. Sealed with Fernet (AES-CBC and HMAC-SHA256, PyCA `cryptography`) under a
key derived from `SECRET_KEY` by HKDF, the database alone gives nothing away. After `SECRET_KEY`
changes, the keys listed in `SECRET_KEY_FALLBACKS` still open what they sealed; a secret sealed
under a key no longer configured cannot be read (`unseal` gives None) and has to be made anew.
"""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

# Names this use of SECRET_KEY, so that no other use (sessions, links) shares its key.
SEALING_CONTEXT = b"forum: sealed secrets"
SEALED_MAX = 255  # a sealed 49-character secret is 164 characters


@lru_cache(maxsize=8)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=SEALING_CONTEXT).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    """The current key first (it seals), then the fallbacks (they only open)."""
    config = current_app.config
    secret_keys = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or ())]
    return MultiFernet([_fernet(secret_key) for secret_key in secret_keys])


def seal(secret: str) -> str:
    return _keys().encrypt(secret.encode()).decode("ascii")


def unseal(sealed: str) -> str | None:
    """The secret, or None when no configured key sealed it (or it was altered)."""
    try:
        return _keys().decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        return None
