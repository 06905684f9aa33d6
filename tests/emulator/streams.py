"""The byte streams cheroot reads requests from and writes answers to (run.py's TLS adapter hands them out).

cheroot's own streams are built on `_pyio`, the pure-Python io module: reading a request line and headers through
it took about a fifth of the server's instructions on an account GET, and each write copied the bytes through a
buffer of its own before sending them. These do the same work on one bytes buffer, `bytes.find`, `recv` and
`sendall`.
"""

import contextlib


class SocketReader:
    """What cheroot reads a request from. Only what cheroot calls: readline, read, iteration, has_data (bytes of a
    next request already buffered: the connection is then served at once instead of waiting in the selector),
    bytes_read and close (the socket itself is closed by cheroot's connection)."""

    def __init__(self, sock, bufsize):
        self._sock = sock
        self._chunk = max(bufsize, 8192)
        self._buffer = b""
        self.bytes_read = 0

    def has_data(self):
        return bool(self._buffer)

    def _fill(self):
        """Receive more; False at the end of the stream."""
        data = self._sock.recv(self._chunk)
        self._buffer += data
        return bool(data)

    def _take(self, size):
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        self.bytes_read += len(data)
        return data

    def readline(self, size=-1):
        limited = size is not None and size >= 0
        while True:
            end = self._buffer.find(b"\n") + 1
            if end or (limited and len(self._buffer) >= size) or not self._fill():
                break
        end = end or len(self._buffer)
        return self._take(min(end, size) if limited else end)

    def read(self, size=-1):
        if size is None or size < 0:
            while self._fill():
                pass
            return self._take(len(self._buffer))
        while len(self._buffer) < size and self._fill():
            pass
        return self._take(size)

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def close(self):
        self._buffer = b""


class SocketWriter:
    """What cheroot writes an answer to: each write sent at once, as cheroot's own writer did, except inside
    `gathered()`, whose writes leave as one (cheroot writes an answer's head and its body separately: two TLS records
    and two sends, where one does)."""

    def __init__(self, sock):
        self._sock = sock
        self._gathering = None
        self.bytes_written = 0

    def write(self, data):
        if self._gathering is not None:
            self._gathering.append(bytes(data))
        else:
            self._sock.sendall(data)
        self.bytes_written += len(data)
        return len(data)

    @contextlib.contextmanager
    def gathered(self):
        """Send what is written inside as one, at its end (also when it ends with an exception)."""
        self._gathering = parts = []
        try:
            yield self
        finally:
            self._gathering = None
            if parts:
                self._sock.sendall(b"".join(parts))

    def flush(self):
        pass

    def close(self):
        pass
