"""moto_server with one request at a time.

moto rolls a failed TransactWriteItems back by restoring a copy of the whole table taken when
the transaction began. Requests served concurrently on other threads in between are lost by
that restore (acknowledged writes included), and the copy itself can fail with "dictionary
changed size during iteration". DynamoDB has neither problem. Serving one request at a time
makes every moto operation atomic, as DynamoDB's are; callers must then not long-poll (an SQS
ReceiveMessage with WaitTimeSeconds would hold the lock).

Usage: python moto_serial.py -H 127.0.0.1 -p PORT   (same options as moto_server)
"""

import argparse
import os
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


def serialised(app):
    lock = threading.Lock()

    def serve_one(environ, start_response):
        with lock:
            # The body is produced lazily by some moto handlers: materialise it under the lock.
            return list(app(environ, start_response))

    return serve_one


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, serialised(app), threaded=True)


if __name__ == "__main__":
    main()
