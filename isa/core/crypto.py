"""Secrets kept at rest (identity providers' client secrets, TOTP secrets), encrypted with Fernet.

The key is ISA_ENCRYPTION_KEY (a Fernet key) when set, else derived from the app's SECRET_KEY:
a copy of the database alone does not give the secrets away.
"""
import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def _fernet():
    key = current_app.config.get("ENCRYPTION_KEY")
    if not key:
        secret = str(current_app.config["SECRET_KEY"]).encode()
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"isa secrets at rest").derive(secret)
        key = base64.urlsafe_b64encode(derived)
    return Fernet(key)


def encrypt(text):
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token):
    """The plain text, or None when the token was made with another key or altered."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None
