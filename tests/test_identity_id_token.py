"""The ID token check on its own: each way a token can be wrong is refused."""
import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from isa.identity.oidc import SignInRefused, validate_id_token

ISSUER, CLIENT, NONCE = "https://login.example.org", "isa", "nonce-of-this-sign-in"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
KEYS = KeySet([KEY])


def token(key=KEY, alg="RS256", **changes):
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": "123", "aud": CLIENT, "iat": now, "exp": now + 300, "nonce": NONCE, "email": "a@example.org"}
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode({"alg": alg, "kid": "k1"}, claims, key, algorithms=[alg])


def test_a_good_token_gives_its_claims():
    assert validate_id_token(token(), KEYS, ISSUER, CLIENT, NONCE)["email"] == "a@example.org"


def test_a_token_for_several_audiences_names_us_as_its_authorised_party():
    assert validate_id_token(token(aud=[CLIENT, "other"], azp=CLIENT), KEYS, ISSUER, CLIENT, NONCE)
    with pytest.raises(SignInRefused):
        validate_id_token(token(aud=[CLIENT, "other"], azp="other"), KEYS, ISSUER, CLIENT, NONCE)


@pytest.mark.parametrize("bad", [
    dict(key=RSAKey.generate_key(2048, parameters={"kid": "k1"})),  # signed by another key
    dict(aud="another-service"),
    dict(iss="https://evil.example.org"),
    dict(exp=int(time.time()) - 120),  # expired, beyond the minute of clock difference allowed
    dict(nonce="an-earlier-nonce"),
    dict(nonce=None),  # no nonce at all
    dict(sub=None),
    dict(key=OctKey.import_key("a shared secret that is long enough!"), alg="HS256"),  # not an algorithm we accept
])
def test_a_wrong_token_is_refused(bad):
    with pytest.raises(SignInRefused):
        validate_id_token(token(**bad), KEYS, ISSUER, CLIENT, NONCE)


def test_an_unsigned_token_is_refused():
    header_and_claims = token().rsplit(".", 1)[0]
    with pytest.raises(SignInRefused):
        validate_id_token(header_and_claims.replace(header_and_claims.split(".")[0], "eyJhbGciOiJub25lIn0") + ".", KEYS, ISSUER, CLIENT, NONCE)
