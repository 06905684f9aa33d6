# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Attributes that every module of the collection shares, and those of the read-only (info) modules.

Use together with ansible.builtin.action_common_attributes and its ACTIONGROUPS, which define the attributes.
"""

from __future__ import annotations


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
attributes:
  platform:
    platforms: all
  action_group:
    support: full
    membership:
      - azureml.model_management.model_management
"""

    INFO_MODULE = r"""
attributes:
  check_mode:
    support: full
    details:
      - The module only reads, so it runs the same way in check mode.
  diff_mode:
    support: none
"""
