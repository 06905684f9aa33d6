# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: append every task result, unabridged (``diff`` included), to a JSON-lines file.

The tree callback drops ``diff`` below -vvv, and the integration tests assert on the diff a module returns.
"""
import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
    name: result_file
    type: aggregate
    short_description: write each task result as a JSON line to $RESULT_FILE (tests only)
    description:
      - Used by this collection's integration tests to read what a module returned, including C(diff).
    requirements:
      - the RESULT_FILE environment variable names the output file
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'result_file'
    CALLBACK_NEEDS_ENABLED = True

    def _write(self, result, status):
        path = os.environ.get('RESULT_FILE')
        if not path:
            return
        host = getattr(result, 'host', None) or getattr(result, '_host', None)  # 2.19+: .host; before: ._host
        record = {'task': result.task_name, 'host': host.get_name() if host is not None else None, 'status': status,
                  'result': dict(result._result)}  # pylint: disable=protected-access
        with open(path, 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(record, default=str) + '\n')

    def v2_runner_on_ok(self, result):
        self._write(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._write(result, 'skipped')
