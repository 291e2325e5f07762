#!/usr/bin/env python3
"""A metering proxy in front of moto: forwards every request unchanged and counts what reaches
the emulator, so `scripts/bench` can print requests and DynamoDB write units per operation of
the whole system (functions, pollers, publisher), as AWS would bill them.

    moto-meter.py LISTEN_PORT UPSTREAM_URL

GET  /_meter        the counts so far, as JSON
POST /_meter/reset  zero them

Write units follow DynamoDB's rules: a written item costs one unit per started KB (item size:
attribute names plus values), twice inside TransactWriteItems, plus one unit for each global
secondary index the item lands in (it carries every key attribute of the index; for an
UpdateItem, the update names one). Table layouts come from DescribeTable, asked once per table.
"""

import http.client
import json
import math
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
COUNTS = {"requests": {}, "write_units": 0.0, "items_written": 0, "index_writes": 0}
INDEX_KEYS = {}  # table name -> [set of key attributes of each GSI]


def upstream():
    url = urllib.parse.urlparse(sys.argv[2])
    return http.client.HTTPConnection(url.hostname, url.port, timeout=60)


def value_size(value):
    kind, inner = next(iter(value.items()))
    if kind in ("S", "B"):
        return len(inner.encode()) if kind == "S" else len(inner) * 3 // 4
    if kind == "N":
        return math.ceil(len(inner.lstrip("-").replace(".", "")) / 2) + 1
    if kind in ("SS", "NS", "BS"):
        return sum(len(str(v)) for v in inner)
    if kind == "M":
        return 3 + sum(len(k) + value_size(v) + 1 for k, v in inner.items())
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in inner)
    return 1


def item_units(item):
    size = sum(len(name) + value_size(value) for name, value in item.items())
    return max(1, math.ceil(size / 1024))


def index_keys(table, headers):
    if table not in INDEX_KEYS:
        conn = upstream()
        body = json.dumps({"TableName": table})
        headers = {k: v for k, v in headers.items() if k.lower() not in ("content-length", "host")}
        headers["X-Amz-Target"] = "DynamoDB_20120810.DescribeTable"
        conn.request("POST", "/", body=body, headers=headers)
        described = json.loads(conn.getresponse().read() or b"{}").get("Table", {})
        INDEX_KEYS[table] = [
            {k["AttributeName"] for k in index["KeySchema"]}
            for index in described.get("GlobalSecondaryIndexes", [])
        ]
    return INDEX_KEYS[table]


def count_write(table, attributes, units, factor, headers):
    indexes = sum(1 for keys in index_keys(table, headers) if keys <= attributes)
    COUNTS["items_written"] += 1
    COUNTS["index_writes"] += indexes
    COUNTS["write_units"] += units * factor + indexes


def meter(operation, body, headers):
    if operation == "PutItem":
        item = body.get("Item", {})
        count_write(body["TableName"], set(item), item_units(item), 1, headers)
    elif operation in ("UpdateItem", "DeleteItem"):
        named = set(body.get("ExpressionAttributeNames", {}).values())
        count_write(body["TableName"], named | set(body.get("Key", {})), 1, 1, headers)
    elif operation == "BatchWriteItem":
        for table, writes in body.get("RequestItems", {}).items():
            for write in writes:
                item = write.get("PutRequest", {}).get("Item") or write.get("DeleteRequest", {}).get("Key", {})
                count_write(table, set(item), item_units(item), 1, headers)
    elif operation == "TransactWriteItems":
        for entry in body.get("TransactItems", []):
            for kind in ("Put", "Update", "Delete"):
                if kind in entry:
                    part = entry[kind]
                    item = part.get("Item") or part.get("Key", {})
                    named = set(part.get("ExpressionAttributeNames", {}).values())
                    count_write(part["TableName"], set(item) | named, item_units(item), 2, headers)


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def forward(self):
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.startswith("/_meter"):
            with LOCK:
                if self.command == "POST":
                    COUNTS.update(requests={}, write_units=0.0, items_written=0, index_writes=0)
                return self.answer(200, COUNTS)
        target = self.headers.get("x-amz-target", "")
        operation = target.split(".")[-1] if target else None
        if operation is None:  # query protocol (form body) or REST: name it by Action or path
            form = urllib.parse.parse_qs(raw.decode(errors="replace"))
            operation = form.get("Action", [self.command + " " + self.path.split("?")[0]])[0]
        with LOCK:
            COUNTS["requests"][operation] = COUNTS["requests"].get(operation, 0) + 1
            if target.startswith("DynamoDB_"):
                try:
                    meter(operation, json.loads(raw or b"{}"), dict(self.headers))
                except Exception as error:  # a request moto will refuse anyway
                    print(f"moto-meter: {operation}: {error}", file=sys.stderr)
        conn = upstream()
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        conn.request(self.command, self.path, body=raw, headers=headers)
        reply = conn.getresponse()
        data = reply.read()
        self.send_response(reply.status)
        for name, value in reply.getheaders():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = forward


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Proxy)
    print(f"moto-meter on {server.server_address[1]} -> {sys.argv[2]}", flush=True)
    server.serve_forever()
