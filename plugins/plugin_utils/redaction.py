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
import logging
import re

MASK = "********"
# Credentials azure-identity reads from the environment by itself, besides the secrets connection.environment_secrets
# knows: the managed identity endpoint's header values, and the file of a workload identity's federated token.
IDENTITY_HEADER_ENV = ("IDENTITY_HEADER", "MSI_SECRET")
FEDERATED_TOKEN_FILE_ENV = "AZURE_FEDERATED_TOKEN_FILE"
TOKEN_FILE_MAX_BYTES = 65536


def held_credentials(env):
    """The credentials azure-identity may send that come from ``env``: the identity header values and the federated
    token (the file's text, as is and stripped). A file that cannot be read holds nothing to mask."""
    found = [env[name] for name in IDENTITY_HEADER_ENV if env.get(name)]
    path = env.get(FEDERATED_TOKEN_FILE_ENV)
    if path:
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read(TOKEN_FILE_MAX_BYTES)
        except (OSError, UnicodeError):
            text = ""
        found += [text, text.strip()]
    return [value for value in found if value]


def _case_free_hex(value, digits):
    return "".join("[%s%s]" % (c.lower(), c.upper()) if c.isalpha() else c for c in "%0*x" % (digits, value))


def _json_escapes(character):
    code = ord(character)
    if code > 0xFFFF:  # JSON spells a character outside the BMP as a surrogate pair
        code -= 0x10000
        return [r"\\u" + _case_free_hex(0xD800 + (code >> 10), 4) + r"\\u" + _case_free_hex(0xDC00 + (code & 0x3FF), 4)]
    found = [r"\\u" + _case_free_hex(code, 4)]
    if character in '"\\/':
        found.append(re.escape("\\" + character))
    return found


def _character_pattern(character):
    """Every spelling of one character in a form, a URL or JSON: as is; percent-encoded (UTF-8, hex in either case,
    also encoded twice: ``%257E``); ``+`` for a space; JSON's ``\\uXXXX`` and ``\\"`` escapes."""
    percent = "".join("%(?:25)?" + _case_free_hex(byte, 2) for byte in character.encode("utf-8", "surrogatepass"))
    spellings = [re.escape(character), percent] + _json_escapes(character)
    if character == " ":
        spellings.append(r"\+")
    return "(?:%s)" % "|".join(spellings)


def secret_matcher(secrets):
    """One regular expression matching each of ``secrets`` in every spelling a message may carry (see
    ``_character_pattern``), any mix of them included: ``~`` re-encoded as ``%7E`` by an identity endpoint, a form's
    ``+`` for a space, a JSON-escaped quote. Longest first, so a secret containing a shorter one is masked whole.
    None when there is nothing to mask."""
    texts = sorted(set(s for s in secrets if isinstance(s, str) and s), key=lambda s: (-len(s), s))
    if not texts:
        return None
    return re.compile("|".join("".join(_character_pattern(ch) for ch in text) for text in texts))


def mask(text, matcher):
    """``text`` with every match of ``matcher`` (from ``secret_matcher``) replaced by MASK."""
    text = "%s" % (text,)
    return matcher.sub(MASK, text) if matcher is not None else text


def _mask_record(record, matcher):
    try:
        message = record.getMessage()
    except Exception:  # pylint: disable=broad-except
        message = "%s" % (record.msg,)  # a bad format string: logging would report it later, the raw text is enough
    masked = mask(message, matcher)
    if masked != message:
        record.msg, record.args = masked, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = mask(logging.Formatter().formatException(record.exc_info), matcher)  # formatters use exc_text as is
    if record.stack_info:
        record.stack_info = mask(record.stack_info, matcher)
    return record


@contextlib.contextmanager
def masked_log_records(matcher):
    """While active, every log record created in this process has what ``matcher`` (from ``secret_matcher``) matches
    masked, whichever logger and handler.

    A record factory rather than a filter: filters on a logger do not see the records of its child loggers
    (``azure.identity._internal...``, ``msal.application``), and the handler may be Python's last-resort one.
    """
    if matcher is None:
        yield
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        return _mask_record(previous(*args, **kwargs), matcher)

    logging.setLogRecordFactory(factory)
    try:
        yield
    finally:
        if logging.getLogRecordFactory() is factory:
            logging.setLogRecordFactory(previous)
