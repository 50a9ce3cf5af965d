#!/usr/bin/env python3
"""Writes the hand-made seeds of every fuzz target into corpus/<target>/ (run from fuzz/).

The signed seeds use the test keys in keys/ and the targets' fixed clock (NOW in src/lib.rs),
so they stay valid. Needs python3-cryptography (Debian's package) only to sign.
"""
import base64, json, os, pathlib, urllib.parse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

NOW = 1_800_000_000
ISSUER = "https://id.example.gov.uk/"
AUTHORIZE = ISSUER + "authorize"
TOKEN = ISSUER + "token"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
HERE = pathlib.Path(__file__).resolve().parent.parent


def key(name):
    return serialization.load_pem_private_key((HERE / "keys" / name).read_bytes(), None)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jws(header, payload, private):
    message = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    if isinstance(private, ec.EllipticCurvePrivateKey):
        r, s = utils.decode_dss_signature(private.sign(message.encode(), ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        signature = private.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{message}.{b64(signature)}"


def write(target, name, data):
    folder = HERE / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


client = key("client-es256.pem")
provider_es = key("provider-es256.pem")
provider_rs = key("provider-rs256.pem")
CLIENT_HEADER = {"alg": "ES256", "typ": "JWT", "kid": "client-key"}

good = [
    ("response_type", "code"), ("client_id", "rp-jwt"),
    ("redirect_uri", "https://rp.example.gov.uk/callback"), ("scope", "openid email"),
    ("state", "s"), ("nonce", "n"), ("code_challenge", CHALLENGE), ("code_challenge_method", "S256"),
]
query = urllib.parse.urlencode(good)
claims = {"userinfo": {"https://vocab.account.gov.uk/v1/coreIdentityJWT": None, "email": {"essential": True}},
          "id_token": {"acr": {"essential": True, "values": ["Cl", "Cl.Cm"]}}}
object_claims = {"iss": "rp-jwt", "aud": AUTHORIZE, "exp": NOW + 600, "jti": "object-1",
                 "response_type": "code", "client_id": "rp-jwt", "redirect_uri": "https://rp.example.gov.uk/callback",
                 "scope": "openid email phone", "state": "st", "nonce": "no", "code_challenge": CHALLENGE,
                 "code_challenge_method": "S256", "vtr": ["Cl.Cm.P2"], "claims": claims}
request_object = jws(CLIENT_HEADER, object_claims, client)
id_token = {"iss": ISSUER, "sub": "pairwise-sub", "aud": "rp-jwt", "sid": "sid-1", "iat": NOW - 60, "exp": NOW + 240,
            "nonce": "n", "vot": "Cl.Cm"}
hint = jws({"alg": "ES256", "typ": "JWT", "kid": "fuzz-es256"}, id_token, provider_es)
access = {"iss": ISSUER, "sub": "pairwise-sub", "aud": "rp-jwt", "client_id": "rp-jwt", "iat": NOW,
          "exp": NOW + 180, "jti": "at-1", "scope": "openid email"}

# The authorization request: query (0) and form (1).
write("authorization_request", "query", b"\x00" + query.encode())
write("authorization_request", "form", b"\x01" + query.encode())
write("authorization_request", "public", b"\x00" + urllib.parse.urlencode(
    [("response_type", "code"), ("client_id", "rp-public"), ("redirect_uri", "https://public.example.gov.uk/callback"),
     ("scope", "openid"), ("code_challenge", CHALLENGE), ("code_challenge_method", "S256"), ("prompt", "none login"),
     ("max_age", "0"), ("ui_locales", "cy en")]).encode())
write("authorization_request", "identity", b"\x01" + urllib.parse.urlencode(
    good + [("vtr", '["Cl.Cm.P2"]'), ("claims", json.dumps(claims)), ("prompt", "consent"), ("login_hint", "a@example.com")]).encode())
write("authorization_request", "hint", b"\x00" + urllib.parse.urlencode(good + [("id_token_hint", hint)]).encode())
write("authorization_request", "request_object", b"\x00" + urllib.parse.urlencode(
    [("response_type", "code"), ("client_id", "rp-jwt"), ("request", request_object)]).encode())
write("authorization_request", "repeated", b"\x00client_id=rp-jwt&client_id=rp-public&request_uri=x&registration=y")

# Request objects: as sent (0), payload signed (1), header and payload signed (2).
write("request_object", "signed", b"\x00" + request_object.encode())
write("request_object", "payload", b"\x01" + json.dumps(object_claims).encode())
write("request_object", "header_payload", b"\x02" + json.dumps(CLIENT_HEADER).encode() + b"\n" + json.dumps(object_claims).encode())
write("request_object", "none_alg", b"\x02" + b'{"alg":"none"}\n' + json.dumps(object_claims).encode())
write("request_object", "aud_array", b"\x01" + json.dumps(dict(object_claims, aud=["x", ISSUER], nbf=NOW, iat=NOW)).encode())

# The claims parameter: without (0) and with identity (1).
write("claims", "identity", b"\x01" + json.dumps(claims).encode())
write("claims", "plain", b"\x00" + json.dumps({"userinfo": {"email": None, "phone_number": {}}, "id_token": None}).encode())
write("claims", "acr_value", b"\x00" + json.dumps({"id_token": {"acr": {"essential": True, "value": "Cl.Cm"}, "email": None}}).encode())
write("claims", "return_code", b"\x01" + json.dumps({"userinfo": {"https://vocab.account.gov.uk/v1/returnCode": None,
                                                                  "https://vocab.account.gov.uk/v1/address": None}}).encode())

for name, value in [("cl", '["Cl"]'), ("clcm", '["Cl.Cm"]'), ("p2", '["Cl.Cm.P2"]'), ("several", '["Cl.Cm.P2","Cl.Cm.P1"]'),
                    ("p0", '["Cl.P0"]'), ("vector", "Cm.Cl.P3")]:
    write("vtr", name, value)

# Our JWTs (byte 0 modulo 16): as sent (0-4), header and payload signed by our ES256 (5-10), RS256 (11), the client's key (12-15).
write("jwt", "hint", b"\x00" + hint.encode())
write("jwt", "hint_rs256", b"\x00" + jws({"alg": "RS256", "typ": "JWT", "kid": "fuzz-rs256"}, id_token, provider_rs).encode())
write("jwt", "access_token", b"\x00" + jws({"alg": "ES256", "typ": "at+jwt", "kid": "fuzz-es256"}, access, provider_es).encode())
write("jwt", "es256", b"\x05" + b'{"alg":"ES256","typ":"JWT","kid":"fuzz-es256"}\n' + json.dumps(id_token).encode())
write("jwt", "rs256", b"\x0b" + b'{"alg":"RS256","typ":"JWT","kid":"fuzz-rs256"}\n' + json.dumps(id_token).encode())
write("jwt", "confused", b"\x0c" + b'{"alg":"ES256","typ":"JWT","kid":"fuzz-es256"}\n' + json.dumps(id_token).encode())

# Client authentication: header and form as sent (0), assertion payload (1), header and payload (2).
assertion = {"iss": "rp-jwt", "sub": "rp-jwt", "aud": TOKEN, "exp": NOW + 60, "iat": NOW, "jti": "assertion-1"}
basic = base64.b64encode(b"rp-secret:fuzz-secret-0123456789abcdef0123456789").decode()
write("client_assertion", "basic", f"\x00Basic {basic}\ngrant_type=authorization_code&code=c")
write("client_assertion", "post", "\x00\ngrant_type=refresh_token&client_id=rp-post&client_secret=fuzz-post-secret-0123456789abcdef012345")
write("client_assertion", "public", "\x00\nclient_id=rp-public&code=c")
write("client_assertion", "assertion_form", "\x00\n" + urllib.parse.urlencode(
    [("client_id", "rp-jwt"), ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
     ("client_assertion", jws(CLIENT_HEADER, assertion, client))]))
write("client_assertion", "payload", b"\x01" + json.dumps(dict(assertion, aud=[ISSUER])).encode())
write("client_assertion", "header_payload", b"\x02" + json.dumps(CLIENT_HEADER).encode() + b"\n" + json.dumps(assertion).encode())

write("sign_in_form", "password", "\x00csrf_token=t&email=Someone%40Example.com&password=correct+horse")
write("sign_in_form", "code", "\x01csrf_token=t&code=123456")
write("create_account_form", "email", "\x00csrf_token=t&email=+name%40example.gov.uk+")
write("create_account_form", "password", "\x01csrf_token=t&password=caf%C3%A9+au+lait&confirm-password=caf%C3%A9+au+lait")
write("identity_details", "passport", "\x00" + urllib.parse.urlencode(
    [("csrf_token", "t"), ("passport-number", "123 456 789"), ("surname", "O’Brien-Smith"), ("given-names", "Mary  Ann"),
     ("birth-date-day", "27"), ("birth-date-month", "3"), ("birth-date-year", "1987"),
     ("expiry-date-day", "1"), ("expiry-date-month", "12"), ("expiry-date-year", "2030")]))
write("identity_details", "licence", "\x01" + urllib.parse.urlencode(
    [("csrf_token", "t"), ("licence-number", "MORGA753116SM9IJ"), ("surname", "Morgan"), ("given-names", "Sarah Meredyth"),
     ("birth-date-day", "11"), ("birth-date-month", "7"), ("birth-date-year", "1976"),
     ("issue-date-day", "1"), ("issue-date-month", "1"), ("issue-date-year", "2020"),
     ("expiry-date-day", "1"), ("expiry-date-month", "1"), ("expiry-date-year", "2030"), ("issue-number", "23")]))

for source in sorted((HERE.parent / "config" / "clients").glob("*.toml")) + sorted((HERE / "clients").glob("*.toml")):
    write("clients_toml", source.stem, source.read_bytes())
write("config", "default", (HERE.parent / "config" / "default.toml").read_bytes())
write("config", "small", 'issuer = "https://id.example.gov.uk/"\n[server]\nlisten = "127.0.0.1:8080"\n'
      'trusted_proxies = ["10.0.0.0/8"]\n[tokens]\nid_token_ttl = "5m"\n')
