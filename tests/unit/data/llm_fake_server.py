#!/usr/bin/env python3
"""A real HTTP server on loopback (python3's http.server) that misbehaves like a
broken OpenAI-compatible endpoint, for tests/unit/test_llm.c. It is a fake
server, not a mock: the client talks HTTP to it over a socket. The first path
segment picks the behaviour:

  /malformed/...  200, a chat completion whose content is not JSON
  /wrongshape/... 200, content is JSON but not the answer's schema
  /notjson/...    200, a body that is not JSON at all
  /slow/...       waits 5 s before answering (the client's timeout is shorter)
  /flaky/...      503 for the first two requests, then a valid answer
  /auth/...       401 unless "Authorization: Bearer test-key-123" is sent,
                  then a valid answer

Usage: llm_fake_server.py PORT   (serves until killed; at most 10 minutes)
PORT 0 binds a free port; either way the first line on stdout is
"ready on port N", N the port bound (callers read it back, so no other
process can take the port between a choice and the bind).
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VALID = {"name": {"value": "Anna Keller", "confidence": 80},
         "event": {"value": "", "confidence": 0},
         "date": {"value": "1977-02", "confidence": 60},
         "place": {"value": "Wuppertal", "confidence": 50},
         "reason": "the captions name her"}
flaky_count = 0
lock = threading.Lock()


def completion(content):
    return json.dumps({"id": "x", "object": "chat.completion", "model": "fake",
                       "choices": [{"index": 0, "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": content}}]})


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        global flaky_count
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        if request.get("response_format", {}).get("type") != "json_schema":
            return self.send(400, json.dumps({"error": {"message": "no json_schema response_format"}}))
        kind = self.path.strip("/").split("/")[0]
        if kind == "malformed":
            return self.send(200, completion("Sure! The person is {name: Anna"))
        if kind == "wrongshape":
            return self.send(200, completion(json.dumps({"name": "Anna Keller", "confidence": 2.5})))
        if kind == "notjson":
            return self.send(200, "<html>502 Bad Gateway</html>")
        if kind == "slow":
            time.sleep(5)
            return self.send(200, completion(json.dumps(VALID)))
        if kind == "flaky":
            with lock:
                flaky_count += 1
                n = flaky_count
            if n <= 2:
                return self.send(503, json.dumps({"error": {"message": "loading model"}}))
            return self.send(200, completion(json.dumps(VALID)))
        if kind == "auth":
            if self.headers.get("Authorization") != "Bearer test-key-123":
                return self.send(401, json.dumps({"error": {"message": "invalid api key"}}))
            return self.send(200, completion(json.dumps(VALID)))
        return self.send(404, json.dumps({"error": {"message": "unknown path " + self.path}}))


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    threading.Timer(600, server.shutdown).start()
    print("ready on port", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
