"""Start the emulator: python tests/emulator/run.py [--data-dir DIR] [--port N] [...].

A collection cannot be run with `python -m`, so this script puts tests/ on sys.path and imports the
`emulator` package from there. It writes DATA_DIR/env once the socket listens and removes it on stop
(SIGTERM/SIGINT, exit status 0), so a stale env file never points at a dead emulator.

The server is cheroot (CherryPy's HTTP server): HTTP/1.1 keep-alive over TLS, like Resource Manager, with a pool
of worker threads and idle connections parked in a selector rather than holding a thread each.
"""

import argparse
import gc
import io
import logging
import os
import shlex
import signal
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from cheroot import wsgi  # noqa: E402  pylint: disable=wrong-import-position
from cheroot.ssl.builtin import BuiltinSSLAdapter  # noqa: E402  pylint: disable=wrong-import-position

from emulator import certs, identity  # noqa: E402  pylint: disable=wrong-import-position
from emulator.streams import SocketReader, SocketWriter  # noqa: E402  pylint: disable=wrong-import-position
from emulator.app import Emulator  # noqa: E402  pylint: disable=wrong-import-position

LOG = logging.getLogger("emulator")
WORKER_THREADS = 16  # fewer threads contend less for the GIL (8: ~900 GETs/s, 48: ~680); enough for slow faults
# Idle keep-alive connections: no limit (cheroot's default, 10, closed the rest); each still closes after
# SOCKET_TIMEOUT idle. Any limit made cheroot count them under its selector's lock on every answer.
IDLE_CONNECTIONS = None
SOCKET_TIMEOUT = 30  # seconds a connection may take to send a request; idle keep-alive connections close after this too
LISTEN_BACKLOG = 128  # cheroot's default, 5, drops the SYNs of a burst of new clients: each then waits 1 s to retry


class Server(wsgi.Server):
    """cheroot's WSGI server with SO_REUSEADDR on every listening socket, as werkzeug and socketserver set it.

    cheroot leaves it off for port 0; then a restart on the port the first run was given (the persistence test)
    fails with "Address already in use" while the first run's closed connections linger in TIME_WAIT.
    """

    @classmethod
    def prepare_socket(cls, *args, **kwargs):  # pylint: disable=arguments-differ
        sock = super().prepare_socket(*args, **kwargs)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        return sock

    def error_log(self, msg="", level=logging.INFO, traceback=False):
        """Connection-level trouble (a client that left mid-handshake, plain HTTP on the TLS port): one debug line.

        cheroot writes these to stderr with a traceback; requests themselves are logged by the app.
        """
        LOG.debug("connection: %s (level %s)%s", msg, level, " [traceback omitted]" if traceback else "")


class HandshakeInWorkerSSLAdapter(BuiltinSSLAdapter):
    """TLS whose handshake runs in the worker thread that reads the first request, not in cheroot's accept loop.

    cheroot's own adapter shakes hands in the one thread that also dispatches every connection, so a client that
    connects and stays silent stopped the whole emulator for the socket timeout (measured: 30 s). OpenSSL completes
    the handshake on the first read or write of a server-side socket by itself.
    """

    def wrap(self, sock):
        tls = self.context.wrap_socket(sock, do_handshake_on_connect=False, server_side=True)
        return tls, {"wsgi.url_scheme": "https", "HTTPS": "on"}

    def makefile(self, sock, mode="r", bufsize=io.DEFAULT_BUFFER_SIZE):
        return SocketReader(sock, bufsize) if "r" in mode else SocketWriter(sock)


class SocketGateway(wsgi.Gateway_10):
    """cheroot's WSGI 1.0 gateway, plus the connection's socket as ``emulator.socket`` for the ``drop`` fault, and an
    answer's head sent together with its body."""

    def get_environ(self):
        environ = super().get_environ()
        environ["emulator.socket"] = self.req.conn.socket
        return environ

    def write(self, chunk):
        """The body, and before the first chunk the head, which cheroot writes first: both in one send."""
        wfile = self.req.conn.wfile
        if self.req.sent_headers or not isinstance(wfile, SocketWriter):
            return super().write(chunk)
        with wfile.gathered():
            return super().write(chunk)


def make_server(host, port, app, cert_path, key_path):
    """A bound (not yet serving) threaded HTTPS server with keep-alive; ``server.bind_addr`` has the real port."""
    server = Server((host, port), app, numthreads=WORKER_THREADS, server_name="emulator", timeout=SOCKET_TIMEOUT,
                    request_queue_size=LISTEN_BACKLOG)
    server.gateway = SocketGateway
    server.keep_alive_conn_limit = IDLE_CONNECTIONS
    server.ssl_adapter = HandshakeInWorkerSSLAdapter(cert_path, key_path)
    server.prepare()
    return server


def bucket(text):
    """--throttling-reads 250:25 -> {"size": 250, "rate": 25.0} (size: integer >= 1; rate: tokens per second > 0)."""
    size, sep, rate = text.partition(":")
    try:
        value = {"size": int(size), "rate": float(rate)}
    except ValueError:
        value = None
    if not sep or value is None or value["size"] < 1 or not 0 < value["rate"] < float("inf"):
        raise argparse.ArgumentTypeError("%r: give SIZE:RATE, an integer >= 1 and tokens per second > 0 (e.g. 250:25)" % text)
    if value["rate"].is_integer():
        value["rate"] = int(value["rate"])
    return value


def factor(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError("%r: give an integer >= 0 (0: no global bucket)" % text)
    return value


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Local Azure Resource Manager emulator for Microsoft.MachineLearningModelManagement.")
    parser.add_argument("--data-dir", default=".emulator", help="state, certificates, secrets and env files (default: .emulator)")
    parser.add_argument("--port", type=int, default=0, help="TCP port (default 0: pick a free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--in-memory", action="store_true", help="keep resources in a temporary database, lost on stop")
    parser.add_argument("--page-size", type=int, default=100, help="items per list page (default 100)")
    parser.add_argument("--async", dest="async_mode", action="store_true", help="start in async mode")
    parser.add_argument("--no-etags", dest="etags", action="store_false",
                        help="accounts carry no etag, as the provider's published API shows none (runtime key etags)")
    parser.add_argument("--token-lifetime", type=int, default=3600, help="access token lifetime in seconds (default 3600)")
    parser.add_argument("--resource-group", action="append", dest="resource_groups",
                        help="resource group to create at start in the default subscription (repeatable; default demo-rg)")
    parser.add_argument("--subscription", action="append", dest="subscriptions", default=[],
                        help="extra known subscription id (repeatable)")
    parser.add_argument("--throttling", action="store_true",
                        help="throttle Resource Manager requests with token buckets, as Azure does (runtime key throttling)")
    for kind, default in (("reads", "250:25"), ("writes", "200:10"), ("deletes", "200:10")):
        parser.add_argument("--throttling-" + kind, type=bucket, default=bucket(default), metavar="SIZE:RATE",
                            help="%s bucket per subscription and principal (default %s, Azure's)" % (kind, default))
    parser.add_argument("--throttling-global-factor", type=factor, default=15, metavar="N",
                        help="the subscription's global bucket is N times the principal's (default 15, Azure's; 0: none)")
    parser.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    return parser.parse_args(argv)


def _write_atomic(path, text, mode=0o600):
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _exports(pairs):
    return "".join("export %s=%s\n" % (key, shlex.quote(str(value))) for key, value in pairs)


def write_env_files(data_dir, base, values, ca_path):
    """msi.env (managed identity variables, opt-in) first, then env (what tests and the Makefile poll for)."""
    _write_atomic(os.path.join(data_dir, "msi.env"), _exports([
        ("IDENTITY_ENDPOINT", base + "/msi/token"),
        ("IDENTITY_HEADER", values["msi_header"]),
    ]))
    _write_atomic(os.path.join(data_dir, "env"), _exports([
        ("EMULATOR_URL", base),
        ("AZURE_CLOUD_ENVIRONMENT", base),
        ("AZURE_SUBSCRIPTION_ID", values["subscription_id"]),
        ("AZURE_CLIENT_ID", values["client_id"]),
        ("AZURE_SECRET", values["client_secret"]),
        ("AZURE_TENANT", values["tenant_id"]),
        ("REQUESTS_CA_BUNDLE", ca_path),
        ("EMULATOR_FEDERATED_TOKEN_FILE", os.path.join(data_dir, identity.FEDERATED_TOKEN_FILE)),
    ]))


def main(argv=None):
    opts = parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=getattr(logging, opts.log_level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("cheroot").setLevel(logging.WARNING)
    data_dir = os.path.abspath(opts.data_dir)
    os.makedirs(data_dir, exist_ok=True)
    os.chmod(data_dir, 0o700)
    env_path = os.path.join(data_dir, "env")
    if os.path.exists(env_path):
        os.remove(env_path)
    ca_path, cert_path, key_path = certs.ensure_certificates(data_dir)
    values = identity.load_or_create_secrets(data_dir)
    emu = Emulator(values, db_path=None if opts.in_memory else os.path.join(data_dir, "state.sqlite3"),
                   resource_groups=opts.resource_groups or ["demo-rg"], subscriptions=opts.subscriptions,
                   page_size=opts.page_size, token_lifetime=opts.token_lifetime, etags=opts.etags,
                   throttling=opts.throttling, throttling_reads=opts.throttling_reads, throttling_writes=opts.throttling_writes,
                   throttling_deletes=opts.throttling_deletes, throttling_global_factor=opts.throttling_global_factor,
                   **{"async": opts.async_mode})
    server = make_server(opts.host, opts.port, emu, cert_path, key_path)
    port = server.bind_addr[1]
    host = opts.host if ":" not in opts.host else "[%s]" % opts.host
    base = "https://%s:%d" % (host, port)
    emu.set_base(base)

    stop = threading.Event()

    def on_signal(signum, _frame):
        LOG.info("signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # What start-up made (modules, classes, the emulator) lives as long as the process: out of the cyclic collector's
    # way, so that each full collection, which holds the GIL and with it every request, walks only what came later
    # (under load.py: the longest pause 26 ms -> 7 ms)
    gc.collect()
    gc.freeze()
    worker = threading.Thread(target=server.serve, name="serve", daemon=True)
    worker.start()
    write_env_files(data_dir, base, values, ca_path)
    LOG.info("listening on %s (data dir %s, %s state); env written to %s", base, data_dir,
             "in-memory" if opts.in_memory else "persistent", env_path)
    status = 0
    while not stop.wait(0.5):
        if not worker.is_alive():
            LOG.error("server thread ended unexpectedly")
            status = 1
            break
    for path in (env_path, os.path.join(data_dir, "msi.env")):
        try:
            os.remove(path)
        except OSError:
            pass
    server.stop()
    emu.close()
    LOG.info("stopped")
    return status


if __name__ == "__main__":
    sys.exit(main())
