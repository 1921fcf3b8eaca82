"""Loopback feed server for the ingest benchmark, run in its own process.

``python -m tests.bench.feed_server FEEDS ITEMS HOSTS`` serves FEEDS RSS 2.0
feeds of ITEMS items each, spread over 127.0.0.1 .. 127.0.0.HOSTS (the whole
127/8 is loopback on Linux), answers conditional requests with 304, prints
``ready PORT`` and serves until stdin closes.
"""

from __future__ import annotations

import hashlib
import os
import random
import sys
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORDS = [
    *"app login order refund delivery late coffee blend oat milk price cup compostable staff".split(" "),
    *"friendly loyalty points missing subscription cancel store hamburg london shoreditch".split(" "),
    *"winter roast beans barista queue payment card error update crash checkout support".split(" "),
]


def feed_body(n: int, items: int) -> bytes:
    """Feed ``n``: deterministic, so the benchmark can parse the same bytes itself."""
    rng = random.Random(n)
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    entries = []
    for i in range(items):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 90)))
        when = format_datetime(now - timedelta(minutes=rng.randint(0, 20000)))
        entries.append(
            f"<item><title>Post {n}-{i}: {' '.join(words.split()[:6])}</title>"
            f"<link>https://forum{n % 50}.example.org/t/{n}/{i}?utm_source=rss</link>"
            f"<guid isPermaLink='false'>feed{n}-item{i}</guid><pubDate>{when}</pubDate>"
            f"<author>user{rng.randint(1, 9999)}@example.org (User {i})</author>"
            f"<description><![CDATA[<p>{words}</p><p>Read <a href='/t/{n}/{i}'>more</a>"
            f"<img src='https://track.example.net/p.gif' width='1' height='1'></p>]]></description></item>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Feed {n}</title><link>https://forum{n % 50}.example.org/</link>"
        "<description>bench</description>" + "".join(entries) + "</channel></rss>"
    ).encode()


def main() -> None:
    # The server stands for remote sites: in real use it does not share the
    # app's CPU, so it yields to the process under test.
    os.nice(10)
    feeds, items, hosts = (int(a) for a in sys.argv[1:4])
    bodies = {n: feed_body(n, items) for n in range(feeds)}
    etags = {n: '"' + hashlib.sha1(b).hexdigest()[:16] + '"' for n, b in bodies.items()}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            try:
                n = int(self.path.strip("/").split("/")[-1].removesuffix(".xml"))
                body = bodies[n]
            except (ValueError, KeyError):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.headers.get("If-None-Match") == etags[n]:
                self.send_response(304)
                self.send_header("ETag", etags[n])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("ETag", etags[n])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler)]
    port = servers[0].server_address[1]
    for h in range(2, hosts + 1):
        servers.append(ThreadingHTTPServer((f"127.0.0.{h}", port), Handler))
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for t in threads:
        t.start()
    print(f"ready {port}", flush=True)
    sys.stdin.read()
    for s in servers:
        s.shutdown()
        s.server_close()


if __name__ == "__main__":
    main()
