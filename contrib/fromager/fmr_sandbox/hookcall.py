# SPDX-License-Identifier: Apache-2.0
"""Recognise a PEP 517 in-process hook call and say which paths it needs.

pyproject_hooks (BuildBackendHookCaller) and its earlier name pep517
(Pep517HookCaller) run a hook as

    PYTHON .../in_process/_in_process.py HOOK_NAME CONTROL_DIR

where CONTROL_DIR (a fresh temporary directory the host made for this one
call) holds input.json, {"kwargs": {...}}, and receives output.json.  The
hook's output directory (wheel_directory, sdist_directory, or
metadata_directory for prepare_metadata_*) is named in those kwargs;
build_wheel's metadata_directory is an input.

The step never writes the real output directory (a wheel repository shared
by every build): StepOutputs points the kwargs at a fresh per-step folder
beside it, and afterwards the host moves what the step left there, regular
files and directories only, into the real one.
"""

import json
import os
import shutil
import stat
import tempfile
from typing import List, NamedTuple, Optional, Sequence, Tuple

from . import guard

HOOKS = frozenset({
    "get_requires_for_build_wheel", "prepare_metadata_for_build_wheel", "build_wheel",
    "get_requires_for_build_editable", "prepare_metadata_for_build_editable", "build_editable",
    "get_requires_for_build_sdist", "build_sdist", "_supported_features",
})
OUTPUTS = {
    "build_wheel": "wheel_directory", "build_editable": "wheel_directory", "build_sdist": "sdist_directory",
    "prepare_metadata_for_build_wheel": "metadata_directory",
    "prepare_metadata_for_build_editable": "metadata_directory",
}
INPUTS = {"build_wheel": "metadata_directory", "build_editable": "metadata_directory"}
SCRIPT_NAME = "_in_process.py"


class HookCall(NamedTuple):
    python: str
    script: str
    hook: str
    control_dir: str
    writable: List[str]  # the control dir
    readonly: List[str]  # the script, an input metadata directory


def _kwargs(control_dir: str) -> dict:
    try:
        with open(os.path.join(control_dir, "input.json"), encoding="utf-8") as f:
            data = json.load(f)
        return data if isinstance(data, dict) and isinstance(data.get("kwargs"), dict) else {}
    except (OSError, ValueError):
        return {}


def detect(args: Sequence[str]) -> Optional[HookCall]:
    """The hook call ARGS is, or None when it is some other command."""
    args = [os.fsdecode(a) for a in args]
    if len(args) != 4 or os.path.basename(args[1]) != SCRIPT_NAME or args[2] not in HOOKS:
        return None
    python, script, hook, control = args
    control = os.path.abspath(control)
    if not os.path.isdir(control):
        return None
    readonly = [os.path.abspath(script)]
    key = INPUTS.get(hook)
    value = _kwargs(control).get("kwargs", {}).get(key) if key else None
    if isinstance(value, str) and os.path.isabs(value) and os.path.isdir(value):
        readonly.append(value)
    return HookCall(python, script, hook, control, [control], readonly)


def _check_tree(root: str) -> List[str]:
    """Entries below ROOT that are neither regular files nor directories."""
    bad = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            mode = os.lstat(p).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                bad.append(p)
    return bad


class StepOutputs:
    """The per-step output folder of CALL: made before the step, moved into
    the real output directory after it."""

    def __init__(self, call: Optional[HookCall]):
        self.moves: List[Tuple[str, str]] = []  # (per-step folder, real directory)
        if call is None or call.hook not in OUTPUTS:
            return
        path = os.path.join(call.control_dir, "input.json")
        data = _kwargs(call.control_dir)
        key = OUTPUTS[call.hook]
        real = data.get("kwargs", {}).get(key)
        if not (isinstance(real, str) and os.path.isabs(real) and os.path.isdir(real)):
            return
        # The host creates and later moves into REAL: never through a link
        # an earlier step planted (work/tmp/out -> ~/.ssh).
        real = guard.check_path(real, writable=True)
        step_dir = tempfile.mkdtemp(prefix=".fmr-step-", dir=real)
        self.moves.append((step_dir, real))
        data["kwargs"][key] = step_dir
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(path + ".tmp", path)

    @property
    def writable(self) -> List[str]:
        return [m[0] for m in self.moves]

    def finish(self, ok: bool) -> None:
        """Move the outputs (when the step succeeded); the per-step folders
        go either way.  Raises ValueError for an entry that is not a regular
        file or directory (a link the host would follow)."""
        try:
            for step_dir, real in self.moves:
                if not ok:
                    continue
                bad = _check_tree(step_dir)
                if bad:
                    raise ValueError("the build step left entries that are neither files nor directories in its "
                                     "output: %s (nothing was moved)" % ", ".join(bad))
                for name in os.listdir(step_dir):
                    os.replace(os.path.join(step_dir, name), os.path.join(real, name))
        finally:
            for step_dir, _ in self.moves:
                shutil.rmtree(step_dir, ignore_errors=True)
