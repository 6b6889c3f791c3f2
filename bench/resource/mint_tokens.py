#!/usr/bin/env python3
"""Mints N distinct RS256 access tokens (RFC 9068 shape) with a PEM private key.

usage: mint_tokens.py KEY.pem N SCOPE [ISSUER] [AUDIENCE] > tokens.txt
The kid is the RFC 7638 thumbprint of the key, as the auth service writes it and as the
resource service computes it for AUTH_PUBLIC_KEY_FILE.
"""
import base64, hashlib, json, sys, time
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def uint(n: int) -> str:
    return b64(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def main() -> None:
    key_file, count, scope = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    issuer = sys.argv[4] if len(sys.argv) > 4 else "http://localhost:8081"
    audience = sys.argv[5] if len(sys.argv) > 5 else "posts-api"
    with open(key_file, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    pub = key.public_key().public_numbers()
    canonical = json.dumps({"e": uint(pub.e), "kty": "RSA", "n": uint(pub.n)}, separators=(",", ":"))
    kid = b64(hashlib.sha256(canonical.encode()).digest())
    header = b64(json.dumps({"alg": "RS256", "typ": "at+jwt", "kid": kid}, separators=(",", ":")).encode())
    now = int(time.time())
    for i in range(count):
        claims = {"iss": issuer, "sub": f"user-{i}", "aud": audience, "client_id": "bench-client",
                  "scope": scope, "jti": f"bench-{now}-{i}", "iat": now, "nbf": now, "exp": now + 86400}
        signing_input = header + "." + b64(json.dumps(claims, separators=(",", ":")).encode())
        signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        print(signing_input + "." + b64(signature))


if __name__ == "__main__":
    main()
