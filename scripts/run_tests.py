"""Runs the workspace's test executables, built by `cargo test --no-run`, as `cargo test` would
(each from its package's folder), two at a time where that is safe.

Why not `cargo test`: it runs one test executable after the other, and most of them spend their
time waiting on their own moto (one Python process serving one request at a time), so the second
core idles. The suites that start a whole local cloud (the packages in CLOUD_PACKAGES: moto, the
functions, the runner) run alone afterwards, one after the other, as before: they are the ones
that measure how the system keeps up, and they should not share the machine.

Each executable's output is printed whole when it ends; the run fails if any failed.

    python scripts/run_tests.py EXECUTABLES_JSON   (the `--message-format json` of the build)
"""

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

CLOUD_PACKAGES = {"e2e-tests", "es-admin"}
PARALLEL = 2


def executables(messages):
    """(package, target, kind, folder, path) of each test executable, in cargo's order."""
    found = []
    for line in messages:
        message = json.loads(line)
        if message.get("reason") != "compiler-artifact" or not message.get("executable"):
            continue
        if not message["profile"]["test"]:
            continue
        found.append((
            package_name(message["package_id"]),
            message["target"]["name"],
            message["target"]["kind"][0],
            os.path.dirname(message["manifest_path"]),
            message["executable"],
        ))
    return found


def package_name(package_id):
    """`path+file:///…/tests/e2e#e2e-tests@0.1.0` → e2e-tests; `…/http-api#0.1.0` → http-api."""
    location, _, tail = package_id.rpartition("#")
    return tail.split("@")[0] if "@" in tail else location.rstrip("/").rsplit("/", 1)[-1]


def run(test):
    package, target, _, folder, path = test
    started = time.monotonic()
    done = subprocess.run([path], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    took = time.monotonic() - started
    header = f"     Running {package} {target} ({os.path.relpath(path)}) in {took:.1f} s"
    return done.returncode, header + "\n" + done.stdout.decode(errors="replace")


def main():
    with open(sys.argv[1]) as messages:
        tests = executables(messages)
    apart = [t for t in tests if t[0] in CLOUD_PACKAGES and t[2] == "test"]
    shared = [t for t in tests if t not in apart]
    failed = []
    with ThreadPoolExecutor(PARALLEL) as pool:
        for test, (code, output) in zip(shared, pool.map(run, shared)):
            print(output, flush=True)
            if code != 0:
                failed.append(test)
    for test in apart:
        package, target, _, folder, path = test
        print(f"     Running {package} {target} ({os.path.relpath(path)})", flush=True)
        if subprocess.run([path], cwd=folder).returncode != 0:
            failed.append(test)
    if failed:
        print("test executables that failed:", file=sys.stderr)
        for package, target, _, _, path in failed:
            print(f"  {package} {target}: {path}", file=sys.stderr)
        sys.exit(1)
    print(f"{len(tests)} test executables passed", flush=True)


if __name__ == "__main__":
    main()
