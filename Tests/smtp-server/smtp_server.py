#!/usr/bin/env python3
"""A real SMTP server for Kefu's email tests (aiosmtpd), on a free 127.0.0.1 port.

Prints "PORT <n>" once it listens, then serves until killed. Each accepted message is written to
DIR as <n>.eml (the DATA as received) with <n>.json (the envelope: mail_from, rcpt_tos).

Modes:
  accept    take every message
  reject    answer RCPT with 550 5.1.1
  tempfail  answer RCPT with 451 4.3.0
  drop      answer DATA with 354, read a little, then close the connection
  helo      refuse EHLO (502), take HELO
  starttls  require STARTTLS (a self-signed certificate for 127.0.0.1 is generated: DIR/cert.pem)
  implicit  TLS from the first byte (same certificate)
  auth      STARTTLS and AUTH PLAIN/LOGIN required (user "kefu", password "s3cret")
  authlogin as auth, offering AUTH LOGIN only
"""

import argparse
import asyncio
import json
import os
import ssl
import subprocess
import sys

from aiosmtpd.smtp import SMTP, AuthResult


class Store:
    def __init__(self, directory, mode):
        self.directory = directory
        self.mode = mode
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "reject":
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if self.mode == "tempfail":
            return "451 4.3.0 Mailbox temporarily unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, "%04d" % self.count)
        with open(base + ".eml.part", "wb") as out:
            out.write(envelope.original_content or envelope.content)
        with open(base + ".json", "w") as out:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, out)
        os.rename(base + ".eml.part", base + ".eml")
        return "250 2.0.0 Ok: queued as K%04d" % self.count


class DroppingSMTP(SMTP):
    async def smtp_DATA(self, arg):
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        await self._reader.read(16)
        self.transport.close()


class HeloOnlySMTP(SMTP):
    async def smtp_EHLO(self, hostname):
        await self.push("502 5.5.1 EHLO not implemented")


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"kefu" and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)


def certificate(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", default="accept")
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    store = Store(args.dir, args.mode)
    tls = certificate(args.dir) if args.mode in ("starttls", "implicit", "auth", "authlogin") else None

    def factory():
        if args.mode == "drop":
            return DroppingSMTP(store)
        if args.mode == "helo":
            return HeloOnlySMTP(store)
        if args.mode == "starttls":
            return SMTP(store, tls_context=tls, require_starttls=True)
        if args.mode in ("auth", "authlogin"):
            exclude = ["PLAIN"] if args.mode == "authlogin" else []
            return SMTP(store, tls_context=tls, require_starttls=True, authenticator=authenticate,
                        auth_required=True, auth_require_tls=True, auth_exclude_mechanism=exclude)
        return SMTP(store)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, "127.0.0.1", 0, ssl=tls if args.mode == "implicit" else None)
    print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
