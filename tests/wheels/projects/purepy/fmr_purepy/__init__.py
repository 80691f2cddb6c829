# SPDX-License-Identifier: Apache-2.0
"""A pure-Python test package."""


def greet(name):
    return "hello, %s" % name
