# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Secrets out of the controller's output: the plugin's messages and the log lines of azure-identity and msal.

Modules have ``no_log``; an inventory plugin runs in the controller process and has nothing of the kind. An
identity endpoint may quote the request it refused (the posted form, with ``client_secret=...``) in its error, and
azure-identity logs that error on its own logger, which Python prints on stderr when nothing else handles it.
"""

from __future__ import annotations

import contextlib
import json
import logging
from urllib.parse import quote, quote_plus

MASK = "********"


def secret_forms(secrets):
    """Every spelling of ``secrets`` that may reach a message: as is, form-encoded, URL-encoded and JSON-escaped.

    Longest first, so that a form containing a shorter one is masked whole.
    """
    forms = set()
    for secret in secrets:
        if not isinstance(secret, str) or not secret:
            continue
        forms.update((secret, quote_plus(secret), quote(secret, safe=""), json.dumps(secret)[1:-1]))
    return sorted(forms, key=lambda form: (-len(form), form))


def mask(text, forms):
    """``text`` with each of ``forms`` (from ``secret_forms``) replaced by MASK."""
    text = "%s" % (text,)
    for form in forms:
        if form in text:
            text = text.replace(form, MASK)
    return text


def _mask_record(record, forms):
    try:
        message = record.getMessage()
    except Exception:  # pylint: disable=broad-except
        message = "%s" % (record.msg,)  # a bad format string: logging would report it later, the raw text is enough
    masked = mask(message, forms)
    if masked != message:
        record.msg, record.args = masked, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = mask(logging.Formatter().formatException(record.exc_info), forms)  # formatters use exc_text as is
    if record.stack_info:
        record.stack_info = mask(record.stack_info, forms)
    return record


@contextlib.contextmanager
def masked_log_records(secrets):
    """While active, every log record created in this process has ``secrets`` masked, whichever logger and handler.

    A record factory rather than a filter: filters on a logger do not see the records of its child loggers
    (``azure.identity._internal...``, ``msal.application``), and the handler may be Python's last-resort one.
    """
    forms = secret_forms(secrets)
    if not forms:
        yield
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        return _mask_record(previous(*args, **kwargs), forms)

    logging.setLogRecordFactory(factory)
    try:
        yield
    finally:
        if logging.getLogRecordFactory() is factory:
            logging.setLogRecordFactory(previous)
