#!/usr/bin/env python3
"""A misbehaving HTTP tracker for agora's tests, on 127.0.0.1.

  fake_tracker.py MODE    MODE: failure | garbage | timeout
Prints 'listening on port N' on stderr, then answers every announce:
  failure  -> a bencoded 'failure reason'
  garbage  -> an HTML page (not bencode)
  timeout  -> reads the request and never answers
"""
import http.server
import socketserver
import sys
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        mode = self.server.mode
        if mode == "timeout":
            threading.Event().wait()  # hold the connection open, say nothing
        body = b"d14:failure reason20:torrent not welcomede" if mode == "failure" else b"<html>not a tracker</html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    server = Server(("127.0.0.1", 0), Handler)
    server.mode = sys.argv[1]
    print(f"listening on port {server.server_address[1]}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
