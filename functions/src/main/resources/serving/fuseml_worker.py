"""FuseML prediction worker: serves one MLflow sklearn model at a time, over JSON lines.

It starts without a model and imports the heavy libraries at once, so that it can wait warm; loading a model into a
warm worker then takes milliseconds instead of seconds.

Protocol (one JSON object per line, requests to the worker, answers on its protocol stream):
  (start)                                              -> {"ready": true, "python": "3.11.7"}
  {"load": "/path/model.pkl", "serialization": "pickle"} -> {"loaded": true, "features": [...]} or {"error": ...}
  {"columns": [...] or null, "data": [[...], ...]}     -> {"predictions": [...]} or {"error": ..., "input": bool}
"input" errors (the data does not fit the model) become HTTP 400, others 500. The orchestrator's HTTP front checks
the protocols; this process only loads and predicts. It exits when its request stream closes.

With --fork-server it is the warm parent of an environment's workers (a fork server): after its imports it answers
{"ready": true, "forkServer": true} and then takes, on stdin:
  {"fork": TOKEN, "port": PORT}  a child is forked; it connects to 127.0.0.1:PORT, sends TOKEN and a newline, and is
                                 a worker (as above) over that connection: ready in milliseconds, its imports shared
                                 copy-on-write with the parent
  {"kill": TOKEN}                the child is killed (it did not stop when its connection closed)
and reports {"exited": TOKEN, "status": N} when a child ends, {"error": ...} when a fork fails. When stdin closes it
forks no more and exits once its last child has ended (in a sandbox with its own PID namespace, children end with
the parent).
"""
import json
import numbers
import os
import sys
import warnings


np = None
pd = None


def takes_arrays(model, width):
    """Whether the model predicts a plain array as well as a DataFrame (a pipeline that selects columns by
    name does not): building a DataFrame costs ~0.6 ms a call, ten times a linear model's prediction."""
    try:
        model.predict(np.zeros((1, width)))
        return True
    except Exception:  # noqa: BLE001 - any failure means: keep to DataFrames
        return False


def numeric(data):
    return all(isinstance(v, numbers.Real) and not isinstance(v, bool) for row in data for v in row)


def serve(lines, answer):
    """The worker: loads and predicts, one answer per request line, until the lines end."""
    import pickle
    model, feature_names, arrays = None, [], False
    for line in lines:
        try:
            request = json.loads(line)
            if "load" in request:
                if request.get("serialization") == "cloudpickle":
                    import cloudpickle as loader
                else:
                    loader = pickle
                with open(request["load"], "rb") as f:
                    model = loader.load(f)
                feature_names = [str(n) for n in getattr(model, "feature_names_in_", [])]
                arrays = bool(feature_names) and takes_arrays(model, len(feature_names))
                answer({"loaded": True, "features": feature_names, "arrays": arrays})
                continue
            if model is None:
                answer({"error": "no model is loaded", "input": False})
                continue
            columns, data = request.get("columns"), request["data"]
            if pd is not None and columns:
                X = pd.DataFrame(data, columns=columns)
            elif arrays and data and isinstance(data[0], list) and len(data[0]) == len(feature_names) \
                    and numeric(data):
                X = np.asarray(data, dtype=float)
            elif pd is not None and feature_names and data and isinstance(data[0], list) \
                    and len(data[0]) == len(feature_names):
                X = pd.DataFrame(data, columns=feature_names)
            else:
                X = np.asarray(data)
            predictions = np.asarray(model.predict(X)).tolist()
            answer({"predictions": predictions})
        except (ValueError, TypeError, KeyError, IndexError) as e:
            answer({"error": "%s: %s" % (type(e).__name__, e), "input": True})
        except Exception as e:  # noqa: BLE001 - the worker must answer every request
            answer({"error": "%s: %s" % (type(e).__name__, e), "input": False})


def child(port, token):
    """A forked worker: its own connection to the orchestrator, the parent's imports already in memory."""
    import socket
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.settimeout(None)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    stream = sock.makefile("rw", encoding="utf-8", newline="\n")
    stream.write(token + "\n")

    def answer(obj):
        stream.write(json.dumps(obj) + "\n")
        stream.flush()

    answer({"ready": True, "python": sys.version.split()[0], "forked": True})
    serve(stream, answer)


def fork_server(answer):
    """Forks workers on request and reports their ends, until stdin closes and the last child has ended."""
    import select
    import signal
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # select wakes through the pipe; reaped below
    children = {}
    stdin = sys.stdin.fileno()
    pending, accepting = b"", True

    def reap():
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            token = children.pop(pid, None)
            if token is not None:
                answer({"exited": token, "status": os.waitstatus_to_exitcode(status)})

    answer({"ready": True, "python": sys.version.split()[0], "forkServer": True})
    while accepting or children:
        readable, _, _ = select.select([stdin, wake_r] if accepting else [wake_r], [], [], 5.0)
        if wake_r in readable:
            os.read(wake_r, 512)
        reap()
        if stdin not in readable:
            continue
        data = os.read(stdin, 65536)
        if not data:
            accepting = False  # no more forks; wait for the children to end
            continue
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            try:
                request = json.loads(line)
                if "kill" in request:
                    for pid, token in list(children.items()):
                        if token == request["kill"]:
                            os.kill(pid, signal.SIGKILL)
                    continue
                token, port = str(request["fork"]), int(request["port"])
                pid = os.fork()
                if pid == 0:
                    code = 0
                    try:
                        signal.set_wakeup_fd(-1)
                        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                        os.close(wake_r)
                        os.close(wake_w)
                        devnull = os.open(os.devnull, os.O_RDONLY)
                        os.dup2(devnull, stdin)
                        os.close(PROTOCOL_FD[0])  # the parent's protocol stream is the parent's alone
                        child(port, token)
                    except BaseException as e:  # noqa: BLE001 - a child never returns into the parent's loop
                        print("forked worker failed: %s: %s" % (type(e).__name__, e), file=sys.stderr)
                        code = 1
                    finally:
                        os._exit(code)
                children[pid] = token
            except Exception as e:  # noqa: BLE001 - a bad request or a failed fork is reported, not fatal
                answer({"error": "%s: %s" % (type(e).__name__, e)})


PROTOCOL_FD = [None]


def main():
    global np, pd
    # Keep the protocol stream for ourselves: anything the model's code prints goes to stderr (the server log).
    PROTOCOL_FD[0] = os.dup(1)
    protocol = os.fdopen(PROTOCOL_FD[0], "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def answer(obj):
        protocol.write(json.dumps(obj) + "\n")
        protocol.flush()

    import pickle  # noqa: F401 - warm
    import numpy
    np = numpy
    try:
        import pandas
        pd = pandas
    except ImportError:
        pd = None
    try:
        import sklearn.base  # noqa: F401 - warms the import of what unpickling a model needs
        import sklearn.linear_model  # noqa: F401
    except ImportError:
        pass

    # A model fitted on a DataFrame warns when given an array; the fast path gives it one on purpose.
    warnings.filterwarnings("ignore", message="X does not have valid feature names")
    if "--fork-server" in sys.argv[1:]:
        fork_server(answer)
        return
    answer({"ready": True, "python": sys.version.split()[0]})
    serve(sys.stdin, answer)


if __name__ == "__main__":
    main()
