# SPDX-License-Identifier: Apache-2.0
"""Recognise a PEP 517 in-process hook call and say which paths it needs.

pyproject_hooks (BuildBackendHookCaller) and its earlier name pep517
(Pep517HookCaller) run a hook as

    PYTHON .../in_process/_in_process.py HOOK_NAME CONTROL_DIR

where CONTROL_DIR (a temporary directory, under /tmp today) holds
input.json, {"kwargs": {...}}, and receives output.json.  The hook's output
directories (wheel_directory, sdist_directory, metadata_directory) are named
in those kwargs.
"""

import json
import os
from typing import List, NamedTuple, Optional, Sequence

from .bundle import interpreter_paths

HOOKS = frozenset({
    "get_requires_for_build_wheel", "prepare_metadata_for_build_wheel", "build_wheel",
    "get_requires_for_build_editable", "prepare_metadata_for_build_editable", "build_editable",
    "get_requires_for_build_sdist", "build_sdist", "_supported_features",
})
OUTPUT_KWARGS = ("wheel_directory", "sdist_directory", "metadata_directory")
SCRIPT_NAME = "_in_process.py"


class HookCall(NamedTuple):
    python: str
    script: str
    hook: str
    control_dir: str
    writable: List[str]  # the control dir and the hook's output directories
    readonly: List[str]  # the script, the interpreter's venv and prefix


def _output_dirs(control_dir: str) -> List[str]:
    try:
        with open(os.path.join(control_dir, "input.json"), encoding="utf-8") as f:
            kwargs = json.load(f).get("kwargs") or {}
    except (OSError, ValueError, AttributeError):
        return []
    found = []
    for key in OUTPUT_KWARGS:
        value = kwargs.get(key)
        if isinstance(value, str) and os.path.isabs(value) and os.path.isdir(value):
            found.append(value)
    return found


def detect(args: Sequence[str]) -> Optional[HookCall]:
    """The hook call ARGS is, or None when it is some other command."""
    args = [os.fsdecode(a) for a in args]
    if len(args) != 4 or os.path.basename(args[1]) != SCRIPT_NAME or args[2] not in HOOKS:
        return None
    python, script, hook, control = args
    control = os.path.abspath(control)
    if not os.path.isdir(control):
        return None
    readonly = [os.path.abspath(script)] + interpreter_paths(python)
    return HookCall(python, script, hook, control, [control] + _output_dirs(control), readonly)
