#!/usr/bin/env python3
"""A real SMTP server for Herald's tests: aiosmtpd on a free loopback port.

Every accepted message is written to SPOOL/<n>.eml with SPOOL/<n>.json beside it (envelope sender and
recipients). Behaviours for fault tests are chosen per recipient address:
  --reject ADDR=CODE   refuse RCPT TO for ADDR with CODE (550, 451, ...)
  --defer-once ADDR    answer 451 4.3.0 to the first RCPT TO for ADDR, accept it after
  --drop ADDR          answer 421 4.7.28 to RCPT TO for ADDR and close the connection, mid-session
  --refuse-mail CODE   refuse every MAIL FROM with CODE (the server refuses the session, not a recipient)
  --slow SECONDS       wait this long before answering each message's final dot
  --tls CERT:KEY       offer STARTTLS with this certificate
  --auth USER:PASS     require AUTH (PLAIN or LOGIN) with these credentials, over TLS
  --host ADDRESS       listen there instead of 127.0.0.1 (a test's own bridge to its network namespaces)
Each accepted message's .json also has the time it arrived ("at", seconds since the epoch).
Prints "PORT <n>" on standard output once it accepts connections, then runs until standard input closes
or it gets SIGTERM.
"""
import argparse
import asyncio
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class SpoolHandler:
    def __init__(self, spool, rejections, refuse_mail=None, defer_once=(), drop=(), slow=0.0):
        self.spool = spool
        self.rejections = rejections
        self.refuse_mail = refuse_mail
        self.defer_once = set(defer_once)
        self.drop = set(drop)
        self.slow = slow
        self.count = 0
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refuse_mail:
            return f"{self.refuse_mail} 5.7.1 sender not allowed by test server"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.drop:
            await server.push("421 4.7.28 too many messages from you, try again later")
            server.transport.close()
            return "421 4.7.28 closing"
        if address.lower() in self.defer_once:
            self.defer_once.discard(address.lower())
            return "451 4.3.0 try again later"
        code = self.rejections.get(address.lower())
        if code:
            return f"{code} {'5.1.1' if code.startswith('5') else '4.2.0'} refused by test server"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.slow:
            await asyncio.sleep(self.slow)
        with self.lock:
            self.count += 1
            number = self.count
        base = os.path.join(self.spool, f"{number:06d}")
        with open(base + ".eml.tmp", "wb") as out:
            out.write(envelope.original_content)
        os.rename(base + ".eml.tmp", base + ".eml")
        with open(base + ".json", "w") as out:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "at": time.time(),
                       "authenticated": bool(session.authenticated), "tls": session.ssl is not None}, out)
        return f"250 2.0.0 queued as T{number}"


def free_port(host):
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--spool", required=True)
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--refuse-mail")
    parser.add_argument("--defer-once", action="append", default=[])
    parser.add_argument("--drop", action="append", default=[])
    parser.add_argument("--slow", type=float, default=0.0)
    parser.add_argument("--tls")
    parser.add_argument("--auth")
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    os.makedirs(args.spool, exist_ok=True)
    rejections = {}
    for rule in args.reject:
        address, code = rule.rsplit("=", 1)
        rejections[address.lower()] = code

    handler = SpoolHandler(args.spool, rejections, args.refuse_mail, [a.lower() for a in args.defer_once],
                           [a.lower() for a in args.drop], args.slow)
    options = {}
    if args.tls:
        cert, key = args.tls.split(":", 1)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        options.update(tls_context=context, require_starttls=True)
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
            # handled=False: aiosmtpd then answers 535 itself (its default, True, means "already answered").
            return AuthResult(success=ok, handled=False)

        options.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(args.tls))
    controller = Controller(handler, hostname=args.host, port=free_port(args.host), decode_data=False, **options)
    controller.start()
    print(f"PORT {controller.port}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
