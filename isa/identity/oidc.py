"""Signing in through an organisation's OpenID Connect provider: the authorisation code flow with
PKCE (S256), state and nonce, through Authlib's client; the ID token checked with joserfc against
the provider's published keys (signature, issuer, audience, expiry, nonce)."""
import hmac
import time

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from flask_babel import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

SCOPE = "openid email profile"
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]  # never "none" nor a shared-secret HS*
LEEWAY_SECONDS = 60  # clock difference allowed between the provider and us


class SignInRefused(Exception):
    """The provider's answer cannot be trusted or does not fit: nothing is signed in or created."""


def _get_json(url, timeout):
    try:
        response = requests.get(url, timeout=timeout)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as error:
        raise SignInRefused(_("Your organisation's sign-in service could not be reached (%(error)s). Try again later.", error=type(error).__name__))


def discover(issuer, timeout):
    """The provider's metadata; its issuer must be the one configured, exactly."""
    metadata = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration", timeout)
    if metadata.get("issuer") != issuer:
        raise SignInRefused(_("Your organisation's sign-in service named another issuer than the one configured."))
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(metadata.get(key), str):
            raise SignInRefused(_("Your organisation's sign-in service does not publish its %(key)s.", key=key))
    return metadata


def _client(provider, secret, redirect_uri, timeout):
    client = OAuth2Session(provider.client_id, secret, scope=SCOPE, redirect_uri=redirect_uri, code_challenge_method="S256")
    client.timeout = timeout  # reused for the token request
    return client


def start(provider, secret, redirect_uri, timeout):
    """The URL to send the browser to, and what the callback must find in the session (state, nonce, verifier)."""
    metadata = discover(provider.issuer, timeout)
    pending = {"provider": provider.id, "state": generate_token(32), "nonce": generate_token(32),
               "verifier": generate_token(64), "started": int(time.time())}
    url, _state = _client(provider, secret, redirect_uri, timeout).create_authorization_url(
        metadata["authorization_endpoint"], state=pending["state"], nonce=pending["nonce"], code_verifier=pending["verifier"]
    )
    return url, pending


def finish(provider, secret, redirect_uri, pending, args, timeout, max_age=600):
    """The ID token's claims once the callback's state, the code exchange and the token are all good."""
    if args.get("error"):
        raise SignInRefused(_("Your organisation's sign-in was cancelled or refused. Try again."))
    state = args.get("state") or ""
    if not pending or not hmac.compare_digest(str(pending.get("state", "")), state) or pending.get("provider") != provider.id:
        raise SignInRefused(_("This sign-in link has already been used or did not start here. Start again."))
    if time.time() - pending.get("started", 0) > max_age:
        raise SignInRefused(_("The sign-in took too long. Start again."))
    metadata = discover(provider.issuer, timeout)
    try:
        token = _client(provider, secret, redirect_uri, timeout).fetch_token(
            metadata["token_endpoint"], code=args.get("code") or "", code_verifier=pending["verifier"], timeout=timeout
        )
    except Exception as error:  # the provider refused the code (used, expired, wrong verifier) or failed
        raise SignInRefused(_("Your organisation's sign-in service did not accept the sign-in (%(error)s). Start again.", error=type(error).__name__))
    id_token = token.get("id_token")
    if not id_token:
        raise SignInRefused(_("Your organisation's sign-in service sent no ID token."))
    keys = KeySet.import_key_set(_get_json(metadata["jwks_uri"], timeout))
    return validate_id_token(id_token, keys, provider.issuer, provider.client_id, pending["nonce"])


def validate_id_token(id_token, keys, issuer, client_id, nonce, now=None):
    """The claims of a signed ID token for this client and this sign-in, else SignInRefused."""
    try:
        decoded = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        registry = jwt.JWTClaimsRegistry(
            now=int(now or time.time()), leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": issuer}, sub={"essential": True},
            aud={"essential": True, "value": client_id}, exp={"essential": True}, iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        registry.validate(decoded.claims)
    except (JoseError, ValueError, TypeError) as error:
        raise SignInRefused(_("Your organisation's sign-in could not be verified (%(error)s).", error=type(error).__name__))
    claims = decoded.claims
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise SignInRefused(_("Your organisation's sign-in was meant for another service."))
    return claims
