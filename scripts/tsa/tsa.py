#!/usr/bin/env python3
"""A local RFC 3161 timestamp authority for the tests: OpenSSL's `openssl ts -reply` behind a
tiny HTTP responder on 127.0.0.1 (RFC 3161 §3.4: POST application/timestamp-query, answer
application/timestamp-reply). Test use only.

    python3 scripts/tsa/tsa.py DIR [--port N] [--max-seconds S]

makes the throw-away PKI in DIR (scripts/tsa/make-pki.sh) if it is not there, listens on
127.0.0.1 (port 0: any free one), writes the port to DIR/port and serves until killed or until
--max-seconds pass. The path chooses what is answered:

    /              a good token (ESS signingCertificateV2)
    /ess-v1        a good token with the SHA-1 ESS signingCertificate (OpenSSL's default)
    /bad-nonce     a token for a fresh request with the same imprint but another nonce
    /bad-imprint   a token over another imprint (and no nonce)
    /untrusted     a token signed by a TSA under another root
    /reject        a rejection (this section only grants SHA-512 imprints: badAlg)
    /http-error    HTTP 500
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
SECTIONS = {
    "/": "ok",
    "/ess-v1": "ess-v1",
    "/bad-nonce": "ok",
    "/bad-imprint": "ok",
    "/untrusted": "untrusted",
    "/reject": "reject",
}
LOCK = threading.Lock()  # openssl ts -reply increments the serial file


def run(*args):
    return subprocess.run(args, check=True, capture_output=True).stdout


def imprint_hex(query):
    """The request's hashed message: the only OCTET STRING in a TimeStampReq."""
    out = run("openssl", "asn1parse", "-inform", "DER", "-in", query).decode()
    match = re.search(r"OCTET STRING\s+\[HEX DUMP\]:([0-9A-F]+)", out)
    if not match:
        raise ValueError("no message imprint in the request")
    return match.group(1)


class Handler(BaseHTTPRequestHandler):
    directory = "."

    def log_message(self, fmt, *args):
        sys.stderr.write("tsa: " + (fmt % args) + "\n")

    def answer(self, status, body, content_type="application/timestamp-reply"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path == "/http-error":
            return self.answer(500, b"test TSA: HTTP error mode", "text/plain")
        section = SECTIONS.get(self.path)
        if section is None:
            return self.answer(404, b"unknown mode", "text/plain")
        if self.headers.get("Content-Type") != "application/timestamp-query":
            return self.answer(415, b"expected application/timestamp-query", "text/plain")
        with tempfile.TemporaryDirectory() as tmp:
            query = os.path.join(tmp, "q.tsq")
            reply = os.path.join(tmp, "r.tsr")
            with open(query, "wb") as f:
                f.write(body)
            try:
                if self.path == "/bad-nonce":
                    # Same imprint, a new random nonce: a token for somebody else's request.
                    digest = imprint_hex(query)
                    run("openssl", "ts", "-query", "-digest", digest, "-sha256", "-cert",
                        "-out", query)
                elif self.path == "/bad-imprint":
                    other = os.urandom(32).hex()
                    run("openssl", "ts", "-query", "-digest", other, "-sha256", "-cert",
                        "-no_nonce", "-out", query)
                with LOCK:
                    run("openssl", "ts", "-reply", "-config",
                        os.path.join(self.directory, "tsa.cnf"), "-section", section,
                        "-queryfile", query, "-out", reply)
            except (subprocess.CalledProcessError, ValueError) as e:
                detail = getattr(e, "stderr", b"") or str(e).encode()
                return self.answer(500, b"test TSA failed: " + detail, "text/plain")
            with open(reply, "rb") as f:
                self.answer(200, f.read())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--max-seconds", type=int, default=1800,
                        help="stop by itself after this long (default 30 minutes)")
    args = parser.parse_args()
    directory = os.path.abspath(args.dir)
    subprocess.run([os.path.join(HERE, "make-pki.sh"), directory], check=True)
    Handler.directory = directory
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    port_file = os.path.join(directory, "port")
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(port_file + ".tmp", port_file)
    timer = threading.Timer(args.max_seconds, server.shutdown)
    timer.daemon = True
    timer.start()
    server.serve_forever()


if __name__ == "__main__":
    main()
