"""A training interpreter started ahead of its run, so that a re-push does not wait for Python's imports.

FuseML starts it in the sandbox its run will have (the workspace, empty for now, writable; the environment
read-only), with the environment's interpreter. It reads two JSON lines on stdin, its control pipe:

  {"preload": [MODULE, ...], "distributions": [NAME, ...]}
      imported now, quietly and each on its own (one that fails is skipped): the modules the environment's last
      training imported, or at first the top-level packages of the requirements' distributions
  {"argv": [SCRIPT, ARG, ...], "cwd": DIR, "env": {NAME: VALUE}, "imports": FILE}
      the run: SCRIPT runs as `python SCRIPT ARG...` would run it (as __main__, with sys.argv and sys.path[0] set
      as Python sets them, in DIR, with the run's variables added), its output on stdout and stderr, and this
      process exits as that would have. Then the modules it had imported from the environment or the standard
      library are written to FILE, one name a line, for the next warm interpreter of the environment.

A warm interpreter serves one run and is gone; nothing of a run outlives it. When the control pipe closes before
the run (FuseML retired it, or FuseML ended) it exits; when it closes during the run, the run and every process it
started are killed, so no training outlives the orchestrator.
"""
import builtins
import importlib
import importlib.machinery
import json
import os
import re
import signal
import sys
import threading
import tokenize
import types

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
LINE_LIMIT = 1 << 20
MODULE_LIMIT = 5000


def preload(request):
    """Imports what the request names with stdout and stderr silenced: what importing prints is not the run's."""
    names = [n for n in request.get("preload", []) if isinstance(n, str) and NAME.match(n)][:MODULE_LIMIT]
    wanted = {d.lower().replace("_", "-") for d in request.get("distributions", []) if isinstance(d, str)}
    if wanted:
        try:
            from importlib.metadata import packages_distributions
            for top, dists in packages_distributions().items():
                if NAME.match(top) and not top.startswith("_") and \
                        any(d.lower().replace("_", "-") in wanted for d in dists):
                    names.append(top)
        except Exception:  # noqa: BLE001 - a broken distribution's metadata only means less is warm
            pass
    saved = os.dup(1), os.dup(2)
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    try:
        for name in names:
            try:
                importlib.import_module(name)
            except BaseException:  # noqa: BLE001 - a module that fails here is imported, or fails, in the run
                pass
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (quiet,) + saved:
            os.close(fd)


def die_with(control):
    """Kills this process group (the run and its children) when the control pipe closes."""
    def watch():
        try:
            while os.read(control, 65536):
                pass
        except OSError:
            pass
        try:
            os.killpg(0, signal.SIGKILL)
        finally:
            os._exit(137)
    threading.Thread(target=watch, daemon=True).start()


def imported_from(prefixes):
    names = []
    for name, module in list(sys.modules.items()):
        where = getattr(module, "__file__", None)
        if name != "__main__" and NAME.match(name) and isinstance(where, str) and where.startswith(prefixes):
            names.append(name)
    return sorted(names)[:MODULE_LIMIT]


def run_as_main(script):
    """Runs the script as Python runs `python SCRIPT`: compiled from its source, in a new __main__ module."""
    with tokenize.open(script) as source:  # honours a coding line, as Python does
        code = compile(source.read(), script, "exec")
    module = types.ModuleType("__main__")
    module.__file__ = script
    module.__cached__ = None
    module.__loader__ = importlib.machinery.SourceFileLoader("__main__", script)
    module.__builtins__ = builtins
    sys.modules["__main__"] = module  # so that pickle finds the script's classes, as it would
    exec(code, module.__dict__)


def main():
    try:
        os.setsid()  # its own process group, to be killed as one (in a sandbox it already leads a session)
    except OSError:
        pass
    control = os.fdopen(os.dup(0), "rb", buffering=0)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)  # the run reads nothing, as a training under FuseML never does
    os.close(nothing)
    preload(json.loads(control.readline(LINE_LIMIT) or b"{}"))
    line = control.readline(LINE_LIMIT)
    if not line:
        os._exit(0)  # retired before it had a run
    run = json.loads(line)
    die_with(control.fileno())
    os.chdir(run["cwd"])
    os.environ.update({str(k): str(v) for k, v in run.get("env", {}).items()})
    script = os.path.abspath(run["argv"][0])  # __file__ is absolute, as Python makes a script's since 3.9
    sys.argv = [str(a) for a in run["argv"]]
    sys.path[0] = os.path.dirname(script)  # as `python SCRIPT` sets it, not this file's directory
    prefixes = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix})
    try:
        run_as_main(script)
    finally:
        try:
            with open(run["imports"], "w", encoding="utf-8") as out:
                out.write("\n".join(imported_from(prefixes)) + "\n")
        except (OSError, KeyError, TypeError):
            pass


if __name__ == "__main__":
    main()
