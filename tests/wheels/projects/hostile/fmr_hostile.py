# SPDX-License-Identifier: Apache-2.0
"""The module of the hostile test package: its setup.py is the attack."""
