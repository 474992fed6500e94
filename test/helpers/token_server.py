#!/usr/bin/python3
"""A small Docker registry token issuer for husk's test harness.

Implements the token flow of the Docker registry v2 auth spec, as Docker Hub
does it:

    GET /token?service=SVC&scope=repository:NAME:pull,push[&scope=...]

  * no Authorization header: a token granting `pull` only on repositories
    (nothing on other resource types);
  * `Authorization: Basic` with the configured user/password: a token
    granting what was asked among pull, push, delete and `*` on
    repositories, and `*` on `registry:catalog:*`;
  * `Authorization: Basic` with anything else: 401.

    POST /token (OAuth2 form: grant_type=password, username, password,
    service, scope) is accepted too, for clients that prefer it.

Tokens are RS256 JWTs whose header carries `x5c` = [base64 DER of the
signing certificate]; Distribution 2.8 verifies that chain against its
`auth.token.rootcertbundle` (give it the same certificate).

Listens on 127.0.0.1 only. Every request is logged, one line each, to
--log (default: stderr).

Usage:
  token_server.py PORT --key KEY.pem --cert CERT.pem --user U --pass P
                  [--issuer NAME] [--expires SECONDS] [--log FILE]
                  [--pidfile FILE]

Must run under /usr/bin/python3 (needs python3-cryptography).
"""

import argparse
import base64
import datetime
import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

REPO_ACTIONS = ("pull", "push", "delete", "*")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Issuer:
    def __init__(self, key_path, cert_path, issuer, expires):
        with open(key_path, "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), None)
        with open(cert_path, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        self.x5c = [base64.b64encode(
            cert.public_bytes(serialization.Encoding.DER)).decode("ascii")]
        self.issuer = issuer
        self.expires = expires

    def sign(self, subject, audience, access):
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": self.x5c}
        claims = {
            "iss": self.issuer,
            "sub": subject,
            "aud": audience,
            "exp": now + self.expires,
            "nbf": now - 1,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        signing_input = (
            b64url(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + b64url(json.dumps(claims, separators=(",", ":")).encode())
        )
        sig = self.key.sign(signing_input.encode("ascii"),
                            padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(sig), now


def parse_scope(scope):
    """'repository:a/b:pull,push' -> ('repository', 'a/b', ['pull','push'])."""
    first = scope.find(":")
    last = scope.rfind(":")
    if first < 0 or last == first:
        return None
    rtype = scope[:first]
    name = scope[first + 1:last]
    actions = [a for a in scope[last + 1:].split(",") if a]
    return rtype, name, actions


def grant(scopes, authenticated):
    access = []
    for s in scopes:
        for one in s.split(" "):  # some clients join scopes with spaces
            parsed = parse_scope(one)
            if parsed is None:
                continue
            rtype, name, actions = parsed
            base = rtype.split("(", 1)[0]  # repository(plugin) -> repository
            if base == "repository":
                allowed = REPO_ACTIONS if authenticated else ("pull",)
                given = [a for a in actions if a in allowed]
            elif base == "registry" and name == "catalog" and authenticated:
                given = [a for a in actions if a == "*"]
            else:
                given = []
            if given:
                access.append({"type": rtype, "name": name,
                               "actions": given})
    return access


class Handler(BaseHTTPRequestHandler):
    server_version = "husk-token/1"
    protocol_version = "HTTP/1.1"

    # -- logging ---------------------------------------------------------
    def log_message(self, fmt, *args):  # silence the default stderr log
        pass

    def log_line(self, status, user):
        cfg = self.server.cfg
        line = "%s %s %r %d user=%s\n" % (
            datetime.datetime.now(datetime.timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%S.%fZ"),
            self.client_address[0], self.requestline, status, user or "-")
        with cfg.log_lock:
            cfg.log.write(line)
            cfg.log.flush()

    # -- responses -------------------------------------------------------
    def reply(self, status, body, user=None, extra=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.log_line(status, user)

    def unauthorized(self, user, why):
        self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                     "message": why}]},
                   user=user,
                   extra={"WWW-Authenticate": 'Basic realm="husk-token"'})

    def issue(self, service, scopes, user):
        cfg = self.server.cfg
        access = grant(scopes, user is not None)
        token, now = cfg.issuer.sign(user or "", service, access)
        self.reply(200, {
            "token": token,
            "access_token": token,
            "expires_in": cfg.issuer.expires,
            "issued_at": datetime.datetime.fromtimestamp(
                now, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }, user=user)

    def check_creds(self, user, password):
        cfg = self.server.cfg
        return user == cfg.user and password == cfg.password

    # -- GET /token ------------------------------------------------------
    def do_GET(self):
        url = urlsplit(self.path)
        if url.path != "/token":
            self.reply(404, {"error": "not found"})
            return
        q = parse_qs(url.query)
        service = q.get("service", [""])[0]
        scopes = q.get("scope", [])
        auth = self.headers.get("Authorization")
        user = None
        if auth is not None:
            kind, _, cred = auth.partition(" ")
            if kind.lower() != "basic":
                self.unauthorized(None, "unsupported authorization")
                return
            try:
                raw = base64.b64decode(cred.strip(), validate=True)
                u, sep, p = raw.decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                self.unauthorized(None, "malformed basic credentials")
                return
            if not sep or not self.check_creds(u, p):
                self.unauthorized(u, "invalid username or password")
                return
            user = u
        self.issue(service, scopes, user)

    do_HEAD = do_GET

    # -- POST /token (OAuth2 password grant) -----------------------------
    def do_POST(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        if url.path != "/token":
            self.reply(404, {"error": "not found"})
            return
        form = parse_qs(body)
        grant_type = form.get("grant_type", [""])[0]
        if grant_type != "password":
            self.reply(400, {"error": "unsupported_grant_type"})
            return
        u = form.get("username", [""])[0]
        p = form.get("password", [""])[0]
        if not self.check_creds(u, p):
            self.unauthorized(u, "invalid username or password")
            return
        scopes = []
        for s in form.get("scope", []):
            scopes.extend(s.split(" "))
        self.issue(form.get("service", [""])[0], scopes, u)


class Config:
    pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("port", type=int)
    ap.add_argument("--key", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--pass", dest="password", required=True)
    ap.add_argument("--issuer", default="husk-test-issuer")
    ap.add_argument("--expires", type=int, default=300)
    ap.add_argument("--log")
    ap.add_argument("--pidfile")
    a = ap.parse_args()

    if a.pidfile:
        with open(a.pidfile, "a") as f:
            f.write("%d\n" % os.getpid())

    cfg = Config()
    cfg.issuer = Issuer(a.key, a.cert, a.issuer, a.expires)
    cfg.user = a.user
    cfg.password = a.password
    cfg.log = open(a.log, "a") if a.log else sys.stderr
    cfg.log_lock = threading.Lock()

    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    srv.cfg = cfg
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
