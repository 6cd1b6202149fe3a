"""A small OpenID Connect provider on 127.0.0.1 for the tests: discovery, JWKS, an authorisation page
with a sign-in button, and a token endpoint that checks the client's secret, the redirect address
and the PKCE verifier, and answers with an RS256-signed ID token.

`misbehave` makes its next ID tokens wrong the ways an attacker or a broken provider would:
"forged" (signed by a key it does not publish), "wrong_audience", "expired", "stale_nonce"
(the nonce of an earlier sign-in).
"""
import base64
import hashlib
import secrets
import threading
import time
from html import escape
from urllib.parse import urlencode

from flask import Flask, jsonify, request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import WSGIRequestHandler, make_server


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


class Provider:
    def __init__(self, client_id="isa-test-client", client_secret="provider-secret-for-tests"):
        self.client_id, self.client_secret = client_id, client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "signing-key", "alg": "RS256", "use": "sig"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "signing-key", "alg": "RS256", "use": "sig"})
        self.people = {}  # email → extra claims
        self.codes = {}
        self.misbehave = None
        self.authorize_requests, self.token_requests = [], []
        self.server = make_server("127.0.0.1", 0, self._app(), threaded=True, request_handler=_Quiet)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()

    def person(self, email, name="Test Person", verified=True):
        self.people[email] = {"name": name, "email_verified": verified}

    def id_token(self, email, nonce):
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": hashlib.sha256(email.encode()).hexdigest()[:20], "aud": self.client_id,
                  "iat": now, "exp": now + 300, "nonce": nonce, "email": email, **self.people.get(email, {})}
        key = self.key
        if self.misbehave == "forged":
            key = self.other_key
        elif self.misbehave == "wrong_audience":
            claims["aud"] = "another-service"
        elif self.misbehave == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 600
        elif self.misbehave == "stale_nonce":
            claims["nonce"] = "the-nonce-of-an-earlier-sign-in"
        return jwt.encode({"alg": "RS256", "kid": "signing-key"}, claims, key)

    def _app(self):
        app = Flask("test-provider")

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(
                issuer=self.issuer, authorization_endpoint=f"{self.issuer}/authorize", token_endpoint=f"{self.issuer}/token",
                jwks_uri=f"{self.issuer}/jwks", response_types_supported=["code"], subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"], code_challenge_methods_supported=["S256"],
            )

        @app.get("/jwks")
        def jwks():
            return jsonify(KeySet([self.key]).as_dict(private=False))

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize():
            values = request.values
            if request.method == "GET":
                self.authorize_requests.append(dict(values))
                if values.get("client_id") != self.client_id or values.get("code_challenge_method") != "S256":
                    return "unknown client or no PKCE", 400
                hidden = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in values.items())
                return (f'<!DOCTYPE html><html lang="en"><head><title>Test provider</title></head><body><main><h1>Test provider</h1>'
                        f'<form method="post">{hidden}<label for="who">Work e-mail</label><input id="who" name="who">'
                        f'<button type="submit">Sign in at the provider</button></form></main></body></html>')
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"email": values["who"], "nonce": values.get("nonce"), "challenge": values["code_challenge"],
                                "redirect_uri": values["redirect_uri"], "used": False}
            query = urlencode({"code": code, "state": values.get("state", "")})
            return "", 302, {"Location": f"{values['redirect_uri']}?{query}"}

        @app.post("/token")
        def token():
            self.token_requests.append(dict(request.form))
            auth = request.authorization
            client = (auth.username, auth.password) if auth else (request.form.get("client_id"), request.form.get("client_secret"))
            if client != (self.client_id, self.client_secret):
                return jsonify(error="invalid_client"), 401
            grant = self.codes.get(request.form.get("code", ""))
            if grant is None or grant["used"] or grant["redirect_uri"] != request.form.get("redirect_uri"):
                return jsonify(error="invalid_grant"), 400
            verifier = request.form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if challenge != grant["challenge"]:
                return jsonify(error="invalid_grant", error_description="PKCE verification failed"), 400
            grant["used"] = True
            return jsonify(access_token=secrets.token_urlsafe(16), token_type="Bearer", expires_in=300,
                           id_token=self.id_token(grant["email"], grant["nonce"]))

        return app
