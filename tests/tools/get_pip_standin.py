"""Offline stand-in for ansible-test's get-pip script.

Runs ``pip install --upgrade --force-reinstall ARGS`` from the pip wheel bundled with the interpreter,
so ansible-test can make its virtual environments without downloading get-pip.py.
"""
import argparse
import glob
import os
import sys


def bundled_pip_wheel():
    """Return the newest pip wheel shipped with this interpreter (or Debian's python3-pip-whl)."""
    places = []
    try:
        import ensurepip
        places.append(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled'))
    except ImportError:
        pass
    places.append('/usr/share/python-wheels')
    for place in places:
        found = glob.glob(os.path.join(place, 'pip-*.whl'))
        if found:
            def version_key(path):
                return [int(part) if part.isdigit() else 0 for part in os.path.basename(path).split('-')[1].split('.')]
            return max(found, key=version_key)
    sys.exit('no pip wheel found for the get-pip stand-in')


def main():
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument('--no-setuptools', action='store_true')
    parser.add_argument('--no-wheel', action='store_true')
    options, args = parser.parse_known_args()
    if not any(arg.lower().startswith('pip') for arg in args):
        args.append('pip')
    if not options.no_setuptools:
        args.append('setuptools')
    if not options.no_wheel:
        args.append('wheel')
    sys.path.insert(0, bundled_pip_wheel())
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel
    sys.exit(pip_main(['install', '--upgrade', '--force-reinstall'] + args))


if __name__ == '__main__':
    main()
