# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action of the fleet module azureml.model_management.accounts: run the module, show its progress as it runs.

A long apply (thousands of writes paced to Resource Manager's buckets) takes minutes, and a module cannot print while
it runs. When the module runs on this controller (a ``local`` connection, no ``become``, no ``async``), this plugin
runs it in a thread, with ``progress_file`` pointing into a private temporary directory, and displays one line read
from that file every ``interval`` seconds (``AZUREML_FLEET_PROGRESS_INTERVAL``, default 5, at most 10): in
ansible-playbook's output, and as ``verbose`` job events under ansible-runner (AWX). Then it displays the plan's first
line (the counts) before Ansible prints the result and the diffs, and removes the directory. Before all that, once per
run, it checks the shape of each declared entry (``fleet_entries``), naming the entry as the caller knows it. Anywhere else (another
connection, ``become``, ``async``) it runs the module as Ansible would, without progress; the module's result is the
same either way. The lines hold counts only (``fleet_progress``): nothing of the arguments or the credential.
"""

from __future__ import annotations

import contextvars
import math
import os
import shutil
import tempfile
import threading
import time

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.azureml.model_management.plugins.module_utils.fleet_entries import entry_shape_problems
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_progress import progress_line, read_progress
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_scope import OptionNames
from ansible_collections.azureml.model_management.plugins.module_utils.option_shapes import CALLER_NAMES_KEY
from ansible_collections.azureml.model_management.plugins.plugin_utils.declared_file import OPTION as FILE_OPTION, read_declared

display = Display()
INTERVAL_VARIABLE = "AZUREML_FLEET_PROGRESS_INTERVAL"
DEFAULT_INTERVAL = 5.0  # seconds between two progress lines
LONGEST_INTERVAL = 10.0
SHORTEST_INTERVAL = 0.1
# The role azureml.model_management.accounts's map of the module's options to its variables (its vars/main.yml): a
# refused value names the variable the user set (accounts_list[3], not accounts[3]).
ROLE, ROLE_NAMES = "azureml.model_management.accounts", "_accounts_option_names"


def progress_interval(environ):
    """Seconds between two progress lines: ``AZUREML_FLEET_PROGRESS_INTERVAL`` within 0.1 to 10, else 5."""
    try:
        value = float(environ.get(INTERVAL_VARIABLE, DEFAULT_INTERVAL))
    except ValueError:
        return DEFAULT_INTERVAL
    return min(LONGEST_INTERVAL, max(SHORTEST_INTERVAL, value)) if not math.isnan(value) else DEFAULT_INTERVAL


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # the module's temporary directory is the connection's
        module_args, problems = self._module_args(task_vars)
        problems = problems or self._entry_problems(module_args)
        if problems:  # once per run, before the module starts: nothing is sent
            return dict(result, failed=True, changed=False, msg="; ".join(problems))
        wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
        if wrap_async or not self._shows_progress():
            result = merge_hash(result, self._execute_module(module_args=module_args, task_vars=task_vars, wrap_async=wrap_async))
        else:
            folder = tempfile.mkdtemp(prefix="azureml-fleet-")
            try:
                result = merge_hash(result, self._run_showing_progress(module_args, task_vars, os.path.join(folder, "progress.json")))
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            summary = result.get("summary")
            if isinstance(summary, list) and summary and isinstance(summary[0], str):
                display.display(summary[0])
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _module_args(self, task_vars):
        """``(the module's arguments, [])``: the task's, with the caller's names of the options (``caller_names``) and
        the entries of ``accounts_file`` read here, on the controller (``declared_file``), in place of ``accounts``;
        or ``(None, [message])``."""
        args = dict(self._task.args)
        names = self._caller_names(args, task_vars)
        path = args.pop(FILE_OPTION, None)
        if path is not None:
            entries, problem = self._declared_in_file(path, args)
            if problem:
                return None, [problem]
            # an entry's message names the file's entry: accounts_file[3] (or the caller's name for accounts_file)
            args["accounts"], names = entries, dict(names, accounts=names.get(FILE_OPTION, FILE_OPTION))
        if names:
            args[CALLER_NAMES_KEY] = names
        return args, []

    def _caller_names(self, args, task_vars):
        """How the caller names the module's options: in a task of the role, the role's map (its variable
        ``ROLE_NAMES``; role variables stay visible to the play's later tasks, which are not the role's), else what the
        arguments carry (``CALLER_NAMES_KEY``), else none (the module's own names)."""
        role = getattr(self._task, "_role", None)
        if role is not None and role.get_name() == ROLE and ROLE_NAMES in (task_vars or {}):
            names = self._templar.template(task_vars[ROLE_NAMES])
        else:
            names = args.get(CALLER_NAMES_KEY)
        return dict(names) if isinstance(names, dict) else {}

    def _declared_in_file(self, path, args):
        """``(entries, None)`` of the file ``accounts_file`` names, else ``(None, message)``."""
        if not isinstance(path, str) or not path:
            return None, "%s must be the path of a file, got %r" % (FILE_OPTION, path)
        if args.get("accounts"):
            return None, "give accounts or %s, not both" % FILE_OPTION
        try:
            found = self._find_needle("files", path)  # as copy's src: the role's or play's files/, then beside them
        except AnsibleError as err:  # its advice about remote_src is for copy, not for this option
            return None, "%s: %s" % (FILE_OPTION, err.message.partition("\nIf you are using a module")[0])
        return read_declared(found)

    def _entry_problems(self, module_args):
        """The shape of each declared entry (``fleet_entries``), each message naming the entry as the caller knows it."""
        return entry_shape_problems(module_args.get("accounts"), OptionNames(module_args.get(CALLER_NAMES_KEY)))

    def _shows_progress(self):
        """Only where the module's file is this controller's file, written by this user, and the user left it to us."""
        local = getattr(self._connection, "transport", None) == "local"
        return local and not self._play_context.become and not self._task.args.get("progress_file")

    def _run_showing_progress(self, module_args, task_vars, path):
        module_args = dict(module_args, progress_file=path)
        outcome = {}
        context = contextvars.copy_context()  # ansible-core 2.19 keeps its templating state in context variables

        def work():
            try:
                outcome["result"] = context.run(self._execute_module, module_args=module_args, task_vars=task_vars)
            except BaseException as exc:  # pylint: disable=broad-except  # raised again in the task's own thread
                outcome["error"] = exc

        worker = threading.Thread(target=work, name="azureml-fleet-module")
        worker.daemon = True
        started = time.monotonic()
        worker.start()
        interval = progress_interval(os.environ)
        while True:
            worker.join(interval)
            if not worker.is_alive():
                break
            display.display(progress_line(read_progress(path), time.monotonic() - started))
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]
