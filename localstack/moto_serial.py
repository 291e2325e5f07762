"""moto_server with one request at a time.

moto rolls a failed TransactWriteItems back by restoring a copy of the whole table taken when
the transaction began. Requests served concurrently on other threads in between are lost by
that restore (acknowledged writes included), and the copy itself can fail with "dictionary
changed size during iteration". DynamoDB has neither problem. Serving one request at a time
makes every moto operation atomic, as DynamoDB's are; callers must then not long-poll (an SQS
ReceiveMessage with WaitTimeSeconds would hold the lock).

moto's rollback is also unsafe for stream readers: it swaps in a copy of the table, while a
shard iterator (GetShardIterator, then GetRecords: two requests) keeps the old table's stream.
A transaction cancelled in between leaves its records there ("phantoms"), and the real records
written next reuse their sequence numbers: a poller reads the phantoms and never the real
ones. Here a cancelled transaction is rolled back IN PLACE: the same table and stream objects
get their key maps and record list back, so every reader sees the records as they are. And no
whole-table deep copy is taken (moto's costs time in proportion to the table). Put, Delete and
ConditionCheck replace or remove items and never change one in place, so restoring the key
maps restores them; a transactional Update changes its item in place (the order reports' ADD
counters), so the attributes of every item an Update names are copied first and put back.

Usage: python moto_serial.py -H 127.0.0.1 -p PORT   (same options as moto_server)
"""

import argparse
import copy
import os
import signal
import sys
import threading

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server


def table_state(table):
    """What a cancelled transaction restores: the key maps and the stream's record list."""
    items = copy.copy(table.items)  # keeps a defaultdict a defaultdict
    for key, value in table.items.items():
        items[key] = dict(value) if isinstance(value, dict) else value
    records = list(table.stream_shard.items) if table.stream_shard is not None else None
    return items, records


def restore(table, state):
    items, records = state
    table.items = items
    if records is not None:
        # Slice assignment: iterators hold this very list's shard.
        table.stream_shard.items[:] = records


def updated_items(backend, transact_items):
    """The existing items the transaction's Updates name, each with a copy of its attributes:
    moto applies an Update to the item in place, which restoring the key maps cannot undo."""
    saved = []
    for operation in transact_items:
        update = operation.get("Update")
        table = backend.tables.get(update.get("TableName")) if update else None
        key = update.get("Key", {}) if update else {}
        if table is None or table.hash_key_attr not in key:
            continue
        hash_value = DynamoType(key[table.hash_key_attr])
        if table.range_key_attr:
            if table.range_key_attr not in key:
                continue
            # .get: indexing the defaultdict would add an empty partition.
            item = table.items.get(hash_value, {}).get(DynamoType(key[table.range_key_attr]))
        else:
            item = table.items.get(hash_value)
        if item is not None:
            saved.append((item, copy.deepcopy(item.attrs)))
    return saved


class KeepTables:
    """Stands for the `copy` module inside moto's DynamoDB models: moto's "backup" of a table
    is the table itself, so its rollback puts back the same object, restored in place."""

    def __getattr__(self, name):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value, memo=None):
        if isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


def transact_in_place(transact):
    def transact_write_items(self, transact_items):
        names = {next(iter(i.values())).get("TableName") for i in transact_items}
        tables = {n: self.tables[n] for n in names if n in self.tables}
        saved = {n: table_state(t) for n, t in tables.items()}
        updated = updated_items(self, transact_items)
        try:
            return transact(self, transact_items)
        except Exception:
            for name, table in tables.items():
                restore(table, saved[name])
                self.tables[name] = table
            for item, attrs in updated:
                item.attrs = attrs
            raise

    return transact_write_items


dynamodb_models.copy = KeepTables()
DynamoDBBackend.transact_write_items = transact_in_place(DynamoDBBackend.transact_write_items)


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
    parser.add_argument(
        "-p",
        "--port",
        type=int,
        default=5000,
        help="0: a port the OS picks, printed as `listening on PORT` once bound",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    # Bound here, before anyone is told the port: a caller that picked a "free" port itself
    # could race another server for it and end up talking to that one.
    server = make_server(args.host, args.port, serialised(app), threaded=True)
    # moto writes its own address into what it returns (queue URLs): the port really bound.
    os.environ.setdefault("MOTO_PORT", str(server.server_port))
    print(f"listening on {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
