#!/usr/bin/env python3
"""Judges a DKIM-signed message with dkimpy, an independent verifier, and tries the tampering that must
break the signature. Prints one JSON object:

  {"valid": bool, "algorithm": "...", "body_changed": bool, "unsubscribe_changed": bool,
   "second_from": bool, "second_subject": bool, "defects": [...]}

where the last four say whether dkimpy still accepted the tampered copy (they must all be false).

Usage: verify_dkim.py MESSAGE.eml DNS_TXT_RECORD   (the record text, e.g. "v=DKIM1; k=rsa; p=...")
"""
import email
import email.policy
import json
import re
import sys

import dkim


def verifies(raw, record):
    def dns(name, timeout=5):
        return record.encode()
    try:
        return bool(dkim.verify(raw, dnsfunc=dns))
    except Exception:
        return False


def main():
    raw = open(sys.argv[1], "rb").read()
    record = sys.argv[2]
    header, _, body = raw.partition(b"\r\n\r\n")

    # One byte of the body, in the middle of the text part.
    middle = len(body) // 2
    flipped = body[:middle] + bytes([body[middle] ^ 0x01]) + body[middle + 1:]
    body_changed = header + b"\r\n\r\n" + flipped

    # One byte of the one-click URL.
    unsubscribe_changed = re.sub(rb"(List-Unsubscribe: <[^>]*?)(.)>", lambda m: m.group(1) + (b"X" if m.group(2) != b"X" else b"Y") + b">", raw, count=1)

    if unsubscribe_changed == raw:
        sys.exit("verify_dkim.py: the message has no List-Unsubscribe to tamper with")
    signature = re.match(rb"(DKIM-Signature:.*?\r\n)(?=[^ \t])", raw, re.S).group(1)
    rest = raw[len(signature):]
    second_from = signature + b"From: Mallory <mallory@example.net>\r\n" + rest
    second_subject = signature + b"Subject: Urgent: verify your account\r\n" + rest

    message = email.message_from_bytes(raw, policy=email.policy.default)
    defects = [str(d) for d in message.defects]
    for part in message.walk():
        defects += [str(d) for d in part.defects]
    algorithm = re.search(rb"a=([a-z0-9-]+)", signature).group(1).decode()
    print(json.dumps({
        "valid": verifies(raw, record),
        "algorithm": algorithm,
        "body_changed": verifies(body_changed, record),
        "unsubscribe_changed": verifies(unsubscribe_changed, record),
        "second_from": verifies(second_from, record),
        "second_subject": verifies(second_subject, record),
        "defects": defects,
    }))


if __name__ == "__main__":
    main()
