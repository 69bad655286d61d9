#!/usr/bin/env python3
"""Parses every message in a folder with Python's email package (policy.default) and prints one JSON
object per message: the judge of Herald's MIME output is not Herald's own parser.

Usage: inspect_messages.py FOLDER   (reads *.eml, with the envelope from a *.json beside each if present)
"""
import email
import email.policy
import glob
import json
import os
import sys


def describe(path):
    with open(path, "rb") as source:
        raw = source.read()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    envelope = {}
    sidecar = path[: -len(".eml")] + ".json"
    if os.path.exists(sidecar):
        with open(sidecar) as source:
            envelope = json.load(source)
    parts = []
    defects = [str(d) for d in message.defects]
    for part in message.walk():
        defects += [str(d) for d in part.defects]
        if part.get_content_maintype() == "multipart":
            continue
        parts.append({"type": part.get_content_type(), "charset": part.get_content_charset(),
                      "content": part.get_content()})
    lines = raw.split(b"\r\n")
    return {
        "file": os.path.basename(path),
        "envelope": envelope,
        "from": str(message["From"]),
        "to": str(message["To"]),
        "to_address": message["To"].addresses[0].addr_spec if message["To"] else None,
        "to_display_name": message["To"].addresses[0].display_name if message["To"] else None,
        "header_names": [name for name, _ in message.raw_items()],
        "subject": str(message["Subject"]),
        "message_id": str(message["Message-ID"]),
        "list_unsubscribe": str(message["List-Unsubscribe"]) if message["List-Unsubscribe"] else None,
        "list_unsubscribe_post": str(message["List-Unsubscribe-Post"]) if message["List-Unsubscribe-Post"] else None,
        "content_type": message.get_content_type(),
        "parts": parts,
        "defects": defects,
        "bare_lf": b"\n" in raw.replace(b"\r\n", b""),
        "longest_line": max(len(line) for line in lines),
    }


def main():
    folder = sys.argv[1]
    paths = sorted(glob.glob(os.path.join(folder, "*.eml")))
    print(json.dumps([describe(path) for path in paths]))


if __name__ == "__main__":
    main()
