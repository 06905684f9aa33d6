"""Check what `make emulator` starts: run under with_emulator.py, from the emulator's own venv (make emulator-check).

    python tests/tools/check_emulator.py --throttling 0|1

Reads EMULATOR_URL and REQUESTS_CA_BUNDLE (with_emulator.py adds the emulator's env file to this environment) and
fails unless the emulator answers its health check, throttling is on exactly when asked (THROTTLING=1), and this
Python holds none of the test suite's packages: the emulator's venv needs only requirements-emulator.txt.
Standard library only, like with_emulator.py.
"""
import argparse
import importlib.metadata
import json
import os
import ssl
import sys
import urllib.request

NOT_FOR_THE_EMULATOR = ('ansible-core', 'pytest', 'molecule', 'azure-mgmt-resource', 'azure-identity', 'requests', 'hypothesis')


def control(path):
    """GET one control endpoint of the emulator, trusting its CA; the parsed JSON answer."""
    context = ssl.create_default_context(cafile=os.environ['REQUESTS_CA_BUNDLE'])
    with urllib.request.urlopen(os.environ['EMULATOR_URL'] + '/_emulator/' + path, context=context, timeout=30) as answer:  # nosec
        return json.loads(answer.read())


def installed(names):
    """The distributions among ``names`` that this Python can import metadata for."""
    found = []
    for name in names:
        try:
            importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        found.append(name)
    return found


def problems(throttling):
    """What differs from what `make emulator` promises; empty when all is well."""
    found = []
    if control('health').get('status') != 'ok':
        found.append('the emulator is not healthy')
    enabled = control('throttling').get('enabled')
    if enabled is not throttling:
        found.append('throttling is %s, expected %s' % ('on' if enabled else 'off', 'on' if throttling else 'off'))
    extra = installed(NOT_FOR_THE_EMULATOR)
    if extra:
        found.append('%s holds packages the emulator does not need: %s' % (sys.prefix, ', '.join(extra)))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--throttling', choices=['0', '1'], required=True, help='whether throttling must be on')
    throttling = parser.parse_args().throttling == '1'
    found = problems(throttling)
    if found:
        return 'make emulator check failed: ' + '; '.join(found)
    print('make emulator check: %s answers from %s, throttling %s, no test packages in its venv'
          % (os.environ['EMULATOR_URL'], sys.prefix, 'on' if throttling else 'off'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
