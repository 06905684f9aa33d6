"""Recording for the published reliability report (docs/reliability.md, rendered by tests/tools/reliability_report.py).

Tests that prove a reliability property (the fault matrix, the concurrency runs, the security checks, the bad
inputs) also append one JSON row per case here, so the report is generated from what the run observed, never
typed by hand. Rows go to ``$RELIABILITY_OUTPUT`` or else ``tests/output/reliability/`` (untracked), one file
per section and pytest-xdist worker so parallel workers never interleave writes.

Also here: the small readers those tests share (account snapshot, request sequence, traceback and secret checks),
all built on what the emulator and Ansible show, never on the collection's code.
"""
import datetime
import json
import os
import re
import sqlite3

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON_ERROR = re.compile(r"object has no attribute|object is not (subscriptable|iterable|callable)|NoneType|"
                          r"\b(KeyError|TypeError|AttributeError|IndexError|UnicodeDecodeError)\b")


def output_dir():
    return os.environ.get('RELIABILITY_OUTPUT') or os.path.join(TESTS_DIR, 'output', 'reliability')


def record(section, key, **fields):
    """Append one row ``{section, key, recorded_at, **fields}``; the report keeps the newest row per (section, key)."""
    directory = output_dir()
    os.makedirs(directory, exist_ok=True)
    worker = os.environ.get('PYTEST_XDIST_WORKER', 'main')
    row = dict(fields, section=section, key=key,
               recorded_at=datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'))
    with open(os.path.join(directory, '%s-%s.jsonl' % (section, worker)), 'a', encoding='utf-8') as handle:
        handle.write(json.dumps(row, sort_keys=True, default=str) + '\n')
    return row


def record_bad_input(key, value, caught, message, requests_sent):
    """One bad input for the report's "bad inputs" table (for tests/integration/test_input_validation.py).

    ``value``: the input as shown to readers; ``caught``: where it was stopped (e.g. ``module, before any request``,
    ``server (400 InvalidTagNameCharacters)``); ``requests_sent``: how many requests reached the emulator.
    """
    return record('bad_inputs', key, input=value, caught=caught, message=str(message)[:200], requests_sent=requests_sent)


def load(directory=None):
    """Every recorded row, the newest per (section, key), in recording order."""
    directory = directory or output_dir()
    rows = {}
    if not os.path.isdir(directory):
        return []
    for name in sorted(os.listdir(directory)):
        if not name.endswith('.jsonl'):
            continue
        with open(os.path.join(directory, name), encoding='utf-8') as handle:
            for line in handle:
                if line.strip():
                    row = json.loads(line)
                    rows[(row['section'], row['key'])] = row
    return sorted(rows.values(), key=lambda row: row['recorded_at'])


def snapshot(account):
    """The managed fields of an account body as the emulator holds it (None when absent)."""
    if account is None:
        return None
    properties = account.get('properties') or {}
    return {'location': account.get('location'), 'sku': account.get('sku'), 'tags': account.get('tags') or {},
            'description': properties.get('description'), 'provisioningState': properties.get('provisioningState')}


def describe(state):
    """One short human reading of a snapshot for the report."""
    if state is None:
        return 'absent'
    text = '%s %s/%s' % (state['location'], (state['sku'] or {}).get('name'), (state['sku'] or {}).get('capacity'))
    if state['tags']:
        text += ' tags=' + ','.join('%s:%s' % item for item in sorted(state['tags'].items()))
    if state['provisioningState'] not in (None, 'Succeeded'):
        text += ' [%s]' % state['provisioningState']
    return text


def request_sequence(entries):
    """Resource Manager calls as ``METHOD target STATUS`` strings (identity and metadata calls left out).

    ``target`` is ``status`` / ``result`` for async polls, ``page`` for a list page after the first, else nothing;
    a faulted answer is marked ``!`` and a dropped connection shows status ``drop``.
    """
    sequence = []
    for entry in entries:
        if entry.get('kind') in ('identity', 'metadata'):
            continue
        path = entry['path'].lower()
        if '/operationstatuses/' in path:
            target = ' status'
        elif '/operationresults/' in path:
            target = ' result'
        elif '$skiptoken' in {key.lower() for key in entry.get('query') or {}}:
            target = ' page'
        elif '/providers/microsoft.resources/tags/' in path:
            target = ' tags'
        else:
            target = ''
        status = 'drop' if entry.get('status') == 0 else str(entry.get('status'))
        sequence.append('%s%s %s%s' % (entry['method'], target, status, '!' if entry.get('fault') else ''))
    return sequence


def traceback_in(result, process):
    """How the module crashed (unhandled exception, traceback, Python error text in msg), or None.

    ``process``: the finished ansible run whose output is searched too, or None.

    ansible-core adds ``exception: (traceback unavailable)`` to every failure; that alone is not a crash.
    """
    message = str(result.get('msg') or '')
    if 'module_stderr' in result or message.startswith('MODULE FAILURE'):
        return 'module failure: ' + message[:200]
    if PYTHON_ERROR.search(message) or 'Traceback (most recent call last)' in str(result.get('exception') or ''):
        return 'python error: ' + message[:200]
    for stream in (process.stdout, process.stderr) if process is not None else ():
        if 'Traceback (most recent call last)' in (stream or ''):
            return 'traceback in process output'
    return None


def issued_tokens(emulator):
    """Every access token the emulator has issued since its last reset, read from its own database.

    The journal redacts Authorization headers; the emulator keeps tokens in DATA_DIR/state.sqlite3, which the
    test owns, so reading it (read-only) gives exactly the values that must never appear in any output.
    """
    uri = 'file:%s?mode=ro' % os.path.join(emulator.data_dir, 'state.sqlite3')
    with sqlite3.connect(uri, uri=True, timeout=10) as connection:
        return [row[0] for row in connection.execute('SELECT token FROM tokens')]


def secrets_in(text, secrets):
    """The (masked) secrets found in ``text``: each shown as its first 4 characters only."""
    return sorted({secret[:4] + '...' for secret in secrets if secret and secret in (text or '')})
