#!/usr/bin/env python3
"""Checks the golden messages independently of Herald: each parses with Python's email package without
defects into text and HTML parts, and each signed one verifies with dkimpy against the public half of the
key in Tests/Golden/keys (derived with the openssl tool). Prints one JSON object: {"NAME.eml": "ok" | problem}.

Usage: verify_golden.py GOLDEN_DIR
"""
import base64
import email
import email.policy
import json
import os
import re
import subprocess
import sys

import dkim


def record(key_file, algorithm):
    der = subprocess.run(["openssl", "pkey", "-in", key_file, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    if algorithm == "ed25519-sha256":
        return "v=DKIM1; k=ed25519; p=" + base64.b64encode(der[-32:]).decode()
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


def check(path, keys):
    raw = open(path, "rb").read()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if message.defects:
        return "defects: %s" % message.defects
    parts = [part.get_content_type() for part in message.iter_parts()]
    if parts != ["text/plain", "text/html"]:
        return "parts: %s" % parts
    signature = message.get("DKIM-Signature")
    if signature is None:
        return "ok"
    algorithm = re.search(r"a=([\w-]+)", str(signature)).group(1)
    key = keys["ed25519.pem" if algorithm == "ed25519-sha256" else "rsa-2048.pem"]
    text = record(key, algorithm)
    if not dkim.verify(raw, dnsfunc=lambda name, timeout=5: text.encode()):
        return "the %s signature does not verify" % algorithm
    return "ok"


def main():
    golden = sys.argv[1]
    keys = {name: os.path.join(golden, "keys", name) for name in os.listdir(os.path.join(golden, "keys"))}
    folder = os.path.join(golden, "messages")
    results = {name: check(os.path.join(folder, name), keys) for name in sorted(os.listdir(folder)) if name.endswith(".eml")}
    print(json.dumps(results))


main()
