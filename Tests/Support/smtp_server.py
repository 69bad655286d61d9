#!/usr/bin/env python3
"""A real SMTP server for Herald's tests: aiosmtpd on a free loopback port.

Every accepted message is written to SPOOL/<n>.eml with SPOOL/<n>.json beside it (envelope sender and
recipients). Behaviours for fault tests are chosen per recipient address:
  --reject ADDR=CODE   refuse RCPT TO for ADDR with CODE (550, 451, ...)
  --refuse-mail CODE   refuse every MAIL FROM with CODE (the server refuses the session, not a recipient)
Prints "PORT <n>" on standard output once it accepts connections, then runs until standard input closes
or it gets SIGTERM.
"""
import argparse
import json
import os
import signal
import socket
import sys
import threading

from aiosmtpd.controller import Controller


class SpoolHandler:
    def __init__(self, spool, rejections, refuse_mail=None):
        self.spool = spool
        self.rejections = rejections
        self.refuse_mail = refuse_mail
        self.count = 0
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refuse_mail:
            return f"{self.refuse_mail} 5.7.1 sender not allowed by test server"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.rejections.get(address.lower())
        if code:
            return f"{code} {'5.1.1' if code.startswith('5') else '4.2.0'} refused by test server"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            number = self.count
        base = os.path.join(self.spool, f"{number:06d}")
        with open(base + ".eml.tmp", "wb") as out:
            out.write(envelope.original_content)
        os.rename(base + ".eml.tmp", base + ".eml")
        with open(base + ".json", "w") as out:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, out)
        return f"250 2.0.0 queued as T{number}"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--spool", required=True)
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--refuse-mail")
    args = parser.parse_args()
    os.makedirs(args.spool, exist_ok=True)
    rejections = {}
    for rule in args.reject:
        address, code = rule.rsplit("=", 1)
        rejections[address.lower()] = code

    handler = SpoolHandler(args.spool, rejections, args.refuse_mail)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), decode_data=False)
    controller.start()
    print(f"PORT {controller.port}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
