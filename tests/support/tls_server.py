#!/usr/bin/env python3
"""HTTPS servers on 127.0.0.1 for the TLS tests, with a test CA of their own.

usage: tls_server.py DIR

Writes DIR/ca.pem (the test CA) and serves the same small RSS feed over
HTTPS on four ports, each with another certificate:
  valid        signed by the test CA for 127.0.0.1 and localhost
  expired      signed by the test CA, valid only in 2020
  wrong_name   signed by the test CA for other.example only
  self_signed  for 127.0.0.1, signed by its own key
then prints one JSON line {"ca": ..., "valid": PORT, ...} and serves until
killed. Keys are EC P-256, made fresh on every start; nothing is kept.
"""
import datetime
import http.server
import ipaddress
import json
import pathlib
import ssl
import sys
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

FEED = (b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>tls</title>'
        b'<link>https://news.example/</link><item><title>TLS item</title><link>https://news.example/tls-1</link>'
        b'<guid>tls-1</guid><description>over https</description></item></channel></rss>')


def name(common):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def certificate(subject, key, issuer, issuer_key, sans, not_before, not_after, ca=False):
    builder = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def write_pair(folder, stem, cert, key):
    (folder / f"{stem}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / f"{stem}.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


class Feed(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        self.wfile.write(FEED)

    def log_message(self, *args):
        pass


def serve(folder, stem):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / f"{stem}.pem", folder / f"{stem}.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def main():
    folder = pathlib.Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    year = datetime.timedelta(days=365)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = certificate("newsmirror test CA", ca_key, "newsmirror test CA", ca_key, None, now - year, now + year, ca=True)
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    loopback = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
    shapes = {
        "valid": ("localhost", loopback, now - year, now + year, True),
        "expired": ("localhost", loopback, datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc),
                    datetime.datetime(2021, 1, 1, tzinfo=datetime.timezone.utc), True),
        "wrong_name": ("other.example", [x509.DNSName("other.example")], now - year, now + year, True),
        "self_signed": ("localhost", loopback, now - year, now + year, False),
    }
    ports = {"ca": str(folder / "ca.pem")}
    for stem, (subject, sans, start, end, by_ca) in shapes.items():
        key = ec.generate_private_key(ec.SECP256R1())
        cert = certificate(subject, key, "newsmirror test CA" if by_ca else subject, ca_key if by_ca else key,
                           sans, start, end)
        write_pair(folder, stem, cert, key)
        ports[stem] = serve(folder, stem)
    print(json.dumps(ports), flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
