"""SQLite state: accounts, resource groups, subscriptions, tokens, async operations.

Each request thread gets its own connection; every write is one BEGIN IMMEDIATE transaction, so
concurrent writers serialize in SQLite (WAL mode, busy_timeout) and no update is lost. "In-memory"
mode uses a database file in a private temp directory (removed on close): a real file keeps WAL and
per-thread connections working, which SQLite's shared-cache memory databases do not do reliably.
"""

import contextlib
import os
import shutil
import sqlite3
import tempfile
import threading

SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS resource_groups (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    sub TEXT NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    location TEXT NOT NULL,
    tags TEXT NOT NULL,
    UNIQUE (sub, key)
);
CREATE TABLE IF NOT EXISTS accounts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    sub TEXT NOT NULL,
    rg_key TEXT NOT NULL,
    key TEXT NOT NULL,
    doc TEXT NOT NULL,
    etag TEXT NOT NULL,
    op_id TEXT,
    UNIQUE (sub, rg_key, key)
);
-- list pages walk accounts in creation order within a group or a subscription: without these each page sorted them all
CREATE INDEX IF NOT EXISTS accounts_by_group ON accounts (sub, rg_key, seq);
CREATE INDEX IF NOT EXISTS accounts_by_subscription ON accounts (sub, seq);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    principal TEXT NOT NULL,
    kind TEXT NOT NULL,
    audience TEXT NOT NULL,
    issued_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS operations (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    sub TEXT NOT NULL,
    location TEXT NOT NULL,
    rg_key TEXT NOT NULL,
    acct_key TEXT NOT NULL,
    status TEXT NOT NULL,
    start_time TEXT NOT NULL,
    end_time TEXT,
    created REAL NOT NULL,
    polls INTEGER NOT NULL DEFAULT 0,
    need_polls INTEGER NOT NULL,
    need_seconds REAL,
    outcome TEXT NOT NULL,
    error TEXT
);
-- operations started by the control API's provisioning-state call that settle after GETs of the account
CREATE TABLE IF NOT EXISTS account_state_ops (
    op_id TEXT PRIMARY KEY
);
"""


REMEMBERED_READS = 4096  # rows read_one keeps (all forgotten at once past this)


class Store:
    """Opens per-thread connections to one database file."""

    def __init__(self, path=None):
        self._tempdir = None
        if path is None:
            self._tempdir = tempfile.mkdtemp(prefix="mm-emulator-")
            path = os.path.join(self._tempdir, "state.sqlite3")
        self.path = path
        self._local = threading.local()
        self._generation_lock = threading.Lock()
        self.generation = 0  # raised after every write transaction commits
        self._remembered = {}  # (sql, parameters) -> (generation, row): see read_one
        conn = self._connect()
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA)

    def _connect(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    @contextlib.contextmanager
    def write(self):
        """One write transaction (BEGIN IMMEDIATE takes the write lock up front: no lost updates)."""
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        self._local.after_commit = after_commit = []
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            self._local.after_commit = None
        conn.execute("COMMIT")
        with self._generation_lock:
            self.generation += 1
        for call in after_commit:
            call()

    def after_commit(self, call):
        """Call `call()` once the write transaction this thread is in has committed (never if it rolls back)."""
        self._local.after_commit.append(call)

    def connection(self):
        """This thread's connection, for a single statement: SQLite runs it as a transaction of its own, which is all
        one SELECT needs and costs less than `read()` (BEGIN and COMMIT are two more round trips into SQLite)."""
        return self._connect()

    def read_one(self, sql, parameters):
        """`connection().execute(sql, parameters).fetchone()`, remembered until the next write transaction commits.

        Every write goes through `write()`, which raises `generation` after its COMMIT (before its request is
        answered). A row is remembered with the generation read before its query, so it is used again only while no
        write has committed since: it is what the query would answer now, or older only by a write whose request is
        still under way. A GET of an account then costs no SQLite call while nothing is written.
        """
        generation = self.generation
        key = (sql, parameters)
        remembered = self._remembered.get(key)
        if remembered is not None and remembered[0] == generation:
            return remembered[1]
        row = self._connect().execute(sql, parameters).fetchone()
        if len(self._remembered) >= REMEMBERED_READS:
            self._remembered.clear()
        self._remembered[key] = (generation, row)
        return row

    @contextlib.contextmanager
    def read(self):
        """A consistent read snapshot."""
        conn = self._connect()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def close(self):
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        if self._tempdir:
            shutil.rmtree(self._tempdir, ignore_errors=True)
