"""flask-jwt-extended as a tokenrelay backend: the refresh token in an HttpOnly cookie with the
library's double-submit CSRF (cookie ``csrf_refresh_token`` -> header ``X-CSRF-TOKEN``), the
access token in the JSON answer and sent back as ``Authorization: Bearer``.

Rotation and reuse detection use the library's own hook (``token_in_blocklist_loader``): every
token carries a family id (``fam``) made at login; a refresh marks its refresh token used and
issues a new one of the same family; a used refresh token presented again revokes the whole
family (its refresh and access tokens), answered by the library's ``revoked_token_loader`` (401).
There is no grace window. State lives in memory: one process per test.

Settings come from the environment (tests/backends/flask.mjs sets them):
  PORT, CORS_ORIGIN (the page origin; CORS off when empty), ACCESS_TTL_S, REFRESH_TTL_S,
  JWT_SECRET, USERNAME, PASSWORD.

Test hook: POST /__expire-access makes the app refuse every access token issued until then (401
"Token has been revoked", the library's answer), as if they had expired, while refresh tokens
keep working; tests use it to end the access tokens at a moment they choose.

Routes: POST /auth/login {"username","password"} -> {"access_token"}; POST /auth/refresh (refresh
cookie + X-CSRF-TOKEN) -> {"access_token"}; POST /auth/logout; GET /api/me (Bearer) ->
{"user"}; GET /health -> "ok".
"""

import os
import threading
import uuid
from datetime import timedelta
from hmac import compare_digest

import jwt as pyjwt
from flask import Flask, jsonify, request
from flask_cors import CORS
from flask_jwt_extended import (
    JWTManager,
    create_access_token,
    create_refresh_token,
    get_jwt,
    get_jwt_identity,
    jwt_required,
    set_refresh_cookies,
    unset_jwt_cookies,
)

REFRESH_TTL_S = int(os.environ.get("REFRESH_TTL_S", "604800"))

app = Flask(__name__)
app.config.update(
    JWT_SECRET_KEY=os.environ["JWT_SECRET"],
    JWT_TOKEN_LOCATION=["headers", "cookies"],
    JWT_ACCESS_TOKEN_EXPIRES=timedelta(seconds=int(os.environ.get("ACCESS_TTL_S", "900"))),
    JWT_REFRESH_TOKEN_EXPIRES=timedelta(seconds=REFRESH_TTL_S),
    JWT_REFRESH_COOKIE_PATH="/auth",  # the refresh cookie goes to /auth/* only
    JWT_REFRESH_CSRF_COOKIE_PATH="/",  # readable by the page's JS (document.cookie)
    JWT_COOKIE_CSRF_PROTECT=True,
    JWT_COOKIE_SECURE=False,  # http on loopback in tests; True in production
    JWT_COOKIE_SAMESITE="Lax",
    JWT_SESSION_COOKIE=False,  # a persistent cookie (the library's Max-Age is a fixed year: set below)
)
jwt = JWTManager(app)

cors_origin = os.environ.get("CORS_ORIGIN", "")
if cors_origin:
    CORS(
        app,
        origins=[cors_origin],
        supports_credentials=True,
        allow_headers=["Content-Type", "Authorization", "X-CSRF-TOKEN"],
    )

USERNAME = os.environ.get("USERNAME", "admin")
PASSWORD = os.environ.get("PASSWORD", "tokenrelay-admin-pw")

lock = threading.Lock()
issued_access_jtis = set()  # access tokens issued since the last /__expire-access
expired_access_jtis = set()  # refused by /__expire-access
used_refresh_jtis = set()
revoked_families = set()
counters = {"login": 0, "refresh": 0, "refresh_ok": 0, "reuse_detected": 0, "logout": 0}


@jwt.token_in_blocklist_loader
def is_revoked(_jwt_header, payload):
    """Refuses tokens of a revoked family; at /auth/refresh, marks a refresh token used, and treats
    a used one presented again as theft: its whole family is revoked. Under one lock, so two
    concurrent refreshes of one token cannot both pass."""
    with lock:
        family = payload.get("fam")
        if family in revoked_families:
            return True
        if payload["type"] == "access" and payload["jti"] in expired_access_jtis:
            return True
        if payload["type"] == "refresh" and request.endpoint == "refresh":
            if payload["jti"] in used_refresh_jtis:
                revoked_families.add(family)
                counters["reuse_detected"] += 1
                return True
            used_refresh_jtis.add(payload["jti"])
    return False


def token_pair(identity, family):
    claims = {"fam": family}
    access = create_access_token(identity=identity, additional_claims=claims)
    jti = pyjwt.decode(access, options={"verify_signature": False})["jti"]
    with lock:
        issued_access_jtis.add(jti)
    return access, create_refresh_token(identity=identity, additional_claims=claims)


@app.post("/auth/login")
def login():
    counters["login"] += 1
    body = request.get_json(silent=True) or {}
    username, password = body.get("username", ""), body.get("password", "")
    if not (compare_digest(username, USERNAME) and compare_digest(password, PASSWORD)):
        return jsonify(msg="Bad username or password"), 401
    access, refresh = token_pair(username, uuid.uuid4().hex)
    res = jsonify(access_token=access)
    set_refresh_cookies(res, refresh, max_age=REFRESH_TTL_S)
    res.headers["Cache-Control"] = "no-store"
    return res


@app.post("/auth/refresh")
@jwt_required(refresh=True, locations=["cookies"])
def refresh():
    counters["refresh"] += 1
    access, refresh_token = token_pair(get_jwt_identity(), get_jwt()["fam"])
    counters["refresh_ok"] += 1
    res = jsonify(access_token=access)
    set_refresh_cookies(res, refresh_token, max_age=REFRESH_TTL_S)
    res.headers["Cache-Control"] = "no-store"
    return res


@app.post("/auth/logout")
@jwt_required(refresh=True, locations=["cookies"], optional=True)
def logout():
    """Revokes the family of the refresh cookie, if any, and clears the cookies either way."""
    counters["logout"] += 1
    payload = get_jwt()
    if payload:
        with lock:
            revoked_families.add(payload["fam"])
    res = jsonify(msg="logged out")
    unset_jwt_cookies(res)
    return res


@app.get("/api/me")
@jwt_required(locations=["headers"])
def me():
    return jsonify(user=get_jwt_identity())


@app.get("/health")
def health():
    return "ok"


@app.post("/__expire-access")
def expire_access():
    with lock:
        expired_access_jtis.update(issued_access_jtis)
        issued_access_jtis.clear()
    return jsonify(ok=True)


@app.get("/counters")
def get_counters():
    with lock:
        return jsonify(counters)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ["PORT"]), threaded=True)
