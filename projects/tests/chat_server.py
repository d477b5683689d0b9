"""A local HTTP server standing in for WeCom, DingTalk, Feishu or a generic webhook endpoint."""

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    query: dict
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


class ChatServer:
    """Records every request; answers with the queued (status, body, headers, delay) or 200 ok."""

    OK = (200, b'{"errcode":0,"errmsg":"ok"}', {}, 0)

    def __init__(self):
        self.received: list[Received] = []
        self.answers: list[tuple] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                parts = urllib.parse.urlsplit(self.path)
                server.received.append(
                    Received(
                        path=parts.path,
                        query=dict(urllib.parse.parse_qsl(parts.query)),
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=self.rfile.read(length),
                    )
                )
                status, body, headers, delay = server.answers.pop(0) if server.answers else server.OK
                if delay:
                    time.sleep(delay)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def answer(self, status=200, body=b'{"errcode":0,"errmsg":"ok"}', headers=None, delay=0):
        self.answers.append((status, body, headers or {}, delay))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
