"""A web server that reads SECRET_KEY before it listens."""

import http.server
import os

SECRET_KEY = os.environ["SECRET_KEY"]
server = http.server.ThreadingHTTPServer(("0.0.0.0", 8000), http.server.SimpleHTTPRequestHandler)
server.serve_forever()
