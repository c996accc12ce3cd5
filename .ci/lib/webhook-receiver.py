"""A webhook receiver for the .ci scripts and the delivery benchmark: records every POST (its
arrival time, Kefu-Delivery id, event, the ticket it concerns and a hash of its body) as one JSON
line in the file named by argv[2], holding each answer for argv[3] seconds (so that a worker can be
killed while a request is in flight, or a receiver be slow). Listens on 127.0.0.1:argv[1]."""
import hashlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, LOG, HOLD = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        arrived = time.time()
        try:
            ticket = (json.loads(body).get("data") or {}).get("ticket", {}).get("id")
        except ValueError:
            ticket = None
        record = {"delivery": self.headers.get("Kefu-Delivery"), "event": self.headers.get("Kefu-Event"),
                  "ticket": ticket, "body": hashlib.sha256(body).hexdigest(), "at": arrived}
        with lock, open(LOG, "a") as log:
            log.write(json.dumps(record) + "\n")
        time.sleep(HOLD)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
