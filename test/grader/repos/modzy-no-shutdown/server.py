"""A model server that ignores POST /shutdown (it answers 202 and keeps serving)."""
import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def reply(self, code, status, message):
        body = json.dumps({"statusCode": code, "status": status, "message": message}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.reply(200, "OK", "ready")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path == "/shutdown":
            return self.reply(202, "Accepted", "sure")  # ... and nothing happens
        if self.headers.get("Content-Type", "").split(";")[0] != "application/json":
            return self.reply(415, "Unsupported Media Type", "JSON only")
        job = json.loads(raw)
        if not os.path.isdir(job.get("input", "")) or not os.path.isdir(job.get("output", "")):
            return self.reply(400, "Bad Request", "no such folder")
        with open(os.path.join(job["output"], "results.json"), "w") as f:
            f.write('{"ok": true}\n')
        self.reply(200, "OK", "done")


HTTPServer((os.environ.get("PSC_MODEL_HOST", "0.0.0.0"), int(os.environ["PSC_MODEL_PORT"])), Handler).serve_forever()
