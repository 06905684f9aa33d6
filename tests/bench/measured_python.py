"""A Python interpreter for Ansible to run modules with, which records what each module process cost.

    ansible_python_interpreter=<python> <this file>     (set by bench.py for the untimed measuring runs only)

Runs the real interpreter (``sys.executable``) with the same arguments and standard input/output, and appends one
JSON line to $BENCH_MEASURE_FILE: the child's peak RSS (``ru_maxrss`` of RUSAGE_CHILDREN, in KiB on Linux), its CPU
time (user + system: far less moved by other processes on the machine than wall time), the size of the script it
runs (the AnsiballZ file: the module and the module_utils it imports, zipped and base64-encoded) and,
when $BENCH_IMPORTTIME is set, the ``-X importtime`` report the child wrote to stderr. The wrapper itself adds a
process start, so timed runs never use it.
"""
import json
import os
import resource
import subprocess
import sys


def main():
    importtime = bool(os.environ.get('BENCH_IMPORTTIME'))
    command = [sys.executable] + (['-X', 'importtime'] if importtime else []) + sys.argv[1:]
    script = sys.argv[1] if len(sys.argv) > 1 else ''
    payload = os.path.getsize(script) if script.endswith('.py') and os.path.isfile(script) else None  # AnsiballZ_<module>.py
    process = subprocess.run(command, stderr=subprocess.PIPE, check=False)  # stdin and stdout are passed through
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    record = {'peak_rss_kib': usage.ru_maxrss, 'cpu_s': usage.ru_utime + usage.ru_stime, 'argv': sys.argv[1:], 'payload_bytes': payload}
    stderr = process.stderr.decode('utf-8', 'replace')
    if importtime:
        record['importtime'] = [line for line in stderr.splitlines() if line.startswith('import time:')]
        stderr = '\n'.join(line for line in stderr.splitlines() if not line.startswith('import time:'))
    sys.stderr.write(stderr)
    path = os.environ.get('BENCH_MEASURE_FILE')
    if path:
        with open(path, 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(record) + '\n')
    sys.exit(process.returncode)


if __name__ == '__main__':
    main()
