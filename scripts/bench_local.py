#!/usr/bin/env python3
"""The local cloud's figures for `scripts/bench`: moto behind a metering proxy
(scripts/moto-meter.py), `local-cloud up` on it, then, through the HTTP API as a client sees it:

- the time from `up` to `API:`, and the first overspeed → infraction after it (cold);
- a raw moto request (ListTables) and a warm command (PUT speed-limit), medians;
- overspeed → infraction in the owner's list, warm, median;
- requests and DynamoDB write units per detection, the whole system (command, guards, feeds,
  publisher, policy, views), as the proxy counted them;
- requests reaching moto per second while idle, and CPU of moto and the runner while idle;
- 50 concurrent checkouts, from the first POST until all are settled.

    bench_local.py LOCAL_CLOUD_BINARY

Nothing is asserted: the figures are printed.
"""

import concurrent.futures
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = sys.argv[1]
DETECTIONS = 20
CHECKOUTS = 50


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, deadline=60):
    end = time.time() + deadline
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port}")


def http(method, url, token=None, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            text = reply.read()
            return reply.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read()
        return error.code, json.loads(text) if text else None


def ok(method, url, token=None, body=None, headers=None):
    """A request that must succeed: its body, or the script stops showing the answer."""
    status, answer = http(method, url, token, body, headers)
    if status >= 300:
        raise SystemExit(f"{method} {url}: {status} {answer}")
    return answer


def poll(check, deadline=60):
    end = time.time() + deadline
    while time.time() < end:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise SystemExit("timed out waiting")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu(pid):
    """CPU of a process and all its descendants."""
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        try:
            total += cpu_seconds(current)
            with open(f"/proc/{current}/task/{current}/children") as children:
                stack.extend(int(c) for c in children.read().split())
        except OSError:
            pass
    return total


def meter(port, reset=False):
    return http("POST" if reset else "GET", f"http://127.0.0.1:{port}/_meter" + ("/reset" if reset else ""))[1]


def row(what, value):
    print(f"  {what:<58} {value}")


def main():
    python = os.environ.get("ES_PYTHON", sys.executable)
    state = tempfile.mkdtemp(prefix="bench-local-")
    moto_port, meter_port, api_port = free_port(), free_port(), free_port()
    logs = open(os.path.join(state, "bench.log"), "w")
    moto = subprocess.Popen([python, os.path.join(ROOT, "localstack", "moto_serial.py"), "-p", str(moto_port)],
                            stdout=logs, stderr=logs)
    proxy = subprocess.Popen([python, os.path.join(ROOT, "scripts", "moto-meter.py"), str(meter_port),
                              f"http://127.0.0.1:{moto_port}"], stdout=logs, stderr=logs)
    cloud = None
    try:
        wait_listening(moto_port)
        wait_listening(meter_port)
        started = time.time()
        cloud = subprocess.Popen([BINARY, "up", "--no-build", "--no-reload", "--port", str(api_port),
                                  "--lambda-port", "0", "--state-dir", state,
                                  "--moto-endpoint", f"http://127.0.0.1:{meter_port}"],
                                 stdout=subprocess.PIPE, stderr=logs, text=True, cwd=ROOT)
        for line in cloud.stdout:
            if line.startswith("API:"):
                break
        to_api = time.time() - started
        api = f"http://127.0.0.1:{api_port}"
        token = lambda *args: subprocess.run([BINARY, "token", *args], capture_output=True, text=True,
                                             cwd=ROOT, check=True).stdout.strip()
        operator = token("operator")

        print("local cloud (moto behind a metering proxy; each figure over the runs shown)")
        row("up → API: printed", f"{to_api:.1f} s")

        # The traffic setup: a radar at 90, an owner and her car.
        radar = ok("POST", f"{api}/radars", operator, {"name": "A7", "road": "A7", "latitude": 45.3,
                                                            "longitude": 4.8, "max_speed_kmh": 90})
        radar_id = radar["radar_id"]
        owner = ok("POST", f"{api}/owners", operator, {
            "national_id": f"N-{uuid.uuid4().hex[:10]}", "name": "Ada", "email": "ada@example.org",
            "birth_date": "1985-12-10"})
        owner_id = owner["owner_id"]
        plate = f"AB-{uuid.uuid4().int % 900 + 100}-CD"
        ok("POST", f"{api}/vehicles", operator, {"plate": plate, "owner_id": owner_id, "type": "CAR",
                                                "brand": "Renault", "model": "Clio", "fiscal_power": 5})
        radar_token, owner_token = token("radar", radar_id), token("owner", owner_id)

        def infractions():
            status, page = http("GET", f"{api}/owners/{owner_id}/infractions?limit=100", owner_token)
            return len(page["items"]) if status == 200 else 0

        def detect():
            before = infractions()
            began = time.time()
            status, _ = http("POST", f"{api}/radars/{radar_id}/detections", radar_token, {
                "plate": plate, "speed_kmh": 121,
                "detected_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())})
            assert status in (201, 202), status
            poll(lambda: infractions() > before)
            return time.time() - began

        row("first overspeed → infraction in the owner's list (cold)", f"{detect():.2f} s")

        # A raw moto request: a consistent GetItem of the radar's first event, straight to moto.
        import boto3
        dynamodb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{moto_port}", region_name="us-east-1",
                                aws_access_key_id="test", aws_secret_access_key="test")
        raw = []
        for _ in range(20):
            began = time.time()
            dynamodb.get_item(TableName="EventsTable", ConsistentRead=True,
                              Key={"stream_id": {"S": f"radar#{radar_id}"}, "version": {"N": "1"}})
            raw.append(time.time() - began)
        warm = []
        for limit in range(20):
            began = time.time()
            ok("PUT", f"{api}/radars/{radar_id}/speed-limit", operator, {"max_speed_kmh": 90 + limit % 2})
            warm.append(time.time() - began)
        raw_ms, warm_ms = statistics.median(raw) * 1000, statistics.median(warm) * 1000
        row("raw moto request (GetItem of an event), median of 20", f"{raw_ms:.0f} ms")
        row("warm command (PUT speed-limit), median of 20", f"{warm_ms:.0f} ms ({warm_ms / raw_ms:.1f}× raw)")

        meter(meter_port, reset=True)
        latencies = [detect() for _ in range(DETECTIONS)]
        counts = meter(meter_port)
        row(f"overspeed → infraction in the list, warm, median of {DETECTIONS}",
            f"{statistics.median(latencies) * 1000:.0f} ms")
        dynamo_writes = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")
        writes = {k: v for k, v in counts["requests"].items() if k in dynamo_writes}
        row("DynamoDB write units per detection, whole system", f"{counts['write_units'] / DETECTIONS:.1f}"
            f" ({counts['items_written'] / DETECTIONS:.1f} items, {counts['index_writes'] / DETECTIONS:.1f} index entries)")
        row("DynamoDB write requests per detection", ", ".join(
            f"{k} {v / DETECTIONS:.1f}" for k, v in sorted(writes.items())))

        # Idle: nothing asked for 30 s.
        meter(meter_port, reset=True)
        time.sleep(2)
        meter(meter_port, reset=True)
        cpu_moto, cpu_cloud, began = children_cpu(moto.pid) + children_cpu(proxy.pid), children_cpu(cloud.pid), time.time()
        time.sleep(30)
        elapsed = time.time() - began
        idle = meter(meter_port)
        moto_share = (children_cpu(moto.pid) + children_cpu(proxy.pid) - cpu_moto) / elapsed * 100
        cloud_share = (children_cpu(cloud.pid) - cpu_cloud) / elapsed * 100
        row("idle: requests/s reaching moto (30 s)", f"{sum(idle['requests'].values()) / elapsed:.1f}")
        row("idle: CPU, moto (+ proxy) / runner and functions", f"{moto_share:.1f} % / {cloud_share:.1f} % of a core")

        # 50 concurrent checkouts, each by its own customer, of one product with stock.
        product = ok("POST", f"{api}/products", operator, {"name": "Lamp", "price_cents": 100,
                                                                "initial_stock": CHECKOUTS})
        product_id = product["product_id"]
        customers = []
        for i in range(CHECKOUTS):
            customer = ok("POST", f"{api}/customers", operator, {"name": f"C{i}", "email": f"c{i}@example.org",
                                                                      "balance_cents": 1000})
            cid = customer["customer_id"]
            ok("POST", f"{api}/customers/{cid}/cart/items", operator, {"product_id": product_id, "quantity": 1})
            customers.append(cid)
        meter(meter_port, reset=True)
        began = time.time()
        with concurrent.futures.ThreadPoolExecutor(CHECKOUTS) as pool:
            orders = list(pool.map(lambda cid: ok("POST", f"{api}/customers/{cid}/cart/checkout", operator)["order_id"],
                                   customers))

        # Settled: the order statistics (counters, a few requests whatever the number of orders)
        # count every order of the run as confirmed or cancelled. One poll every 100 ms: the
        # bench's own reads stay a small share of what reaches moto.
        since = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(began - 1))

        def settled():
            status, stats = http("GET", f"{api}/statistics/orders?from={since}", operator)
            return status == 200 and stats["confirmed"] + stats["cancelled"] >= len(orders)

        while not settled():
            if time.time() - began > 300:
                raise SystemExit("orders not settled in 300 s")
            time.sleep(0.1)
        row(f"{CHECKOUTS} concurrent checkouts settled", f"{time.time() - began:.1f} s")
        spent = meter(meter_port)["requests"]
        row("requests reaching moto per checkout, busiest operations", ", ".join(
            f"{k} {v / CHECKOUTS:.1f}" for k, v in sorted(spent.items(), key=lambda kv: -kv[1])[:6]))
    finally:
        for process in (cloud, proxy, moto):
            if process:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()


if __name__ == "__main__":
    main()
