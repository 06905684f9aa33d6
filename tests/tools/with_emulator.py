"""Run a command against a freshly started emulator, then stop the emulator.

    python tests/tools/with_emulator.py [--data-dir DIR] [--emulator-arg ARG ...] -- COMMAND [ARGS...]

The emulator (tests/emulator/run.py) writes DIR/env once it serves; its ``export`` lines are added to
the command's environment, so the command reaches the emulator with no other setting. The exit status
is the command's. Used by ``make demo``; handy for a user's own dry run as well.
"""
import argparse
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(os.path.dirname(HERE), 'emulator', 'run.py')


def read_env_file(path):
    """Parse the emulator's ``export NAME=value`` lines (values are shell-quoted)."""
    values = {}
    with open(path, encoding='utf-8') as handle:
        for line in handle:
            words = shlex.split(line, comments=True)
            if len(words) == 2 and words[0] == 'export' and '=' in words[1]:
                name, value = words[1].split('=', 1)
                values[name] = value
    return values


def wait_for_env(path, process, timeout):
    """Wait until the emulator has written its env file; fail early if it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return read_env_file(path)
        if process.poll() is not None:
            sys.exit('the emulator exited with status %s before it was ready' % process.returncode)
        time.sleep(0.05)
    process.terminate()
    sys.exit('the emulator was not ready after %s seconds' % timeout)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--data-dir', help='emulator state directory (default: a new temporary one)')
    parser.add_argument('--emulator-arg', action='append', default=[], help='extra argument for the emulator')
    parser.add_argument('--ready-timeout', type=float, default=30.0)
    parser.add_argument('command', nargs=argparse.REMAINDER)
    options = parser.parse_args()
    command = options.command[1:] if options.command[:1] == ['--'] else options.command
    if not command:
        parser.error('a command to run is required after --')

    data_dir = options.data_dir or tempfile.mkdtemp(prefix='azureml-emulator-')
    env_file = os.path.join(data_dir, 'env')
    if os.path.exists(env_file):
        os.remove(env_file)  # a stale file from an emulator that did not stop cleanly
    emulator = subprocess.Popen([sys.executable, EMULATOR, '--data-dir', data_dir] + options.emulator_arg)
    try:
        env = dict(os.environ)
        env.update(wait_for_env(env_file, emulator, options.ready_timeout))
        return subprocess.call(command, env=env)
    finally:
        emulator.send_signal(signal.SIGTERM)
        try:
            emulator.wait(timeout=15)
        except subprocess.TimeoutExpired:
            emulator.kill()


if __name__ == '__main__':
    sys.exit(main())
