# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one family of errors the collection raises on purpose (as amazon.aws's ``AnsibleAWSError``).

Callers catch ``AzureMLError`` once; ``to_dict()`` is what a failed task carries as ``error``. Subclasses:
``arm.ArmError`` (Resource Manager said no, or its answer was unusable), ``AuthError`` below (credentials,
cloud, token cache: raised by cloud.py, credentials.py, token_cache.py and tokens.py, so it lives here),
``account_model.AccountError`` (a change that cannot be made as asked). ``changed`` says whether the
work that failed may already have written something (a failure after a write was sent).
"""

from __future__ import annotations


class AzureMLError(Exception):
    """An error with a code and a message safe to show (never a secret); ``status`` is the HTTP status or 0."""

    default_code = "Error"

    def __init__(self, message, code=None, status=0, details=None, request_id=None, target=None):
        super(AzureMLError, self).__init__(message)
        self.status = status
        self.code = code or self.default_code
        self.message = message
        self.details = list(details or [])
        self.request_id = request_id
        self.target = target
        self.changed = False

    def __str__(self):
        return self.message

    def to_dict(self):
        return dict(status=self.status, code=self.code, message=self.message, details=self.details,
                    request_id=self.request_id, target=self.target)


class AuthError(AzureMLError):
    """A credential or cloud problem: bad configuration, nothing found, or the identity provider said no."""

    def __init__(self, code, message):
        super(AuthError, self).__init__(message, code=code)
