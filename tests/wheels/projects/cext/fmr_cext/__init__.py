# SPDX-License-Identifier: Apache-2.0
"""A test package whose add() is written in C."""
from ._speedup import add  # noqa: F401
