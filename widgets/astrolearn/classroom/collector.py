"""The classroom's collector: an instructor's own server collects through it.

Each student's inbound folder is theirs alone (:mod:`astrolearn.classroom.exchange`),
so only root can read the submissions, and an instructor's JupyterLab does not run as
root. This small service does, started by the hub beside it
(``python -m astrolearn.classroom.collector FOLDER``). It listens on a Unix socket,
``collector.sock`` at the exchange's root, and asks the kernel who is calling
(``SO_PEERCRED``: a caller cannot claim another account). Only the instructors on the
classroom's roster are answered, and only these requests:

* ``collect``: stage each student's newest acceptable submission of one assignment, with
  the checks of :class:`~astrolearn.classroom.exchange.Collect` (only the student's own
  regular files, bounded in number and size, timed by their change time). The staged
  copies are handed to the instructor's account, and nbgrader, in the instructor's own
  server, copies them into their course: root never writes into a course, so a course
  folder holds nothing root can be tricked into. The copies are removed when the
  caller hangs up, or after ``KEEP_SECONDS``.
* ``list``: the submissions in the inbound folders (``nbgrader list --inbound``).
* ``release``: the caller hands over their release folder of one assignment, open
  (``SCM_RIGHTS``: the service reads only what the caller could open); it is copied
  into ``outbound/`` with the checks of collect, the caller's own files only
  (:func:`~astrolearn.classroom.exchange.release`).
* ``unrelease``: one released assignment is withdrawn (the formgrader's Unrelease).
* ``feedback``: the caller hands over their course's feedback folder, open; each
  roster student's feedback on one assignment is copied into ``feedback/`` under the
  names nbgrader's fetch_feedback looks for
  (:func:`~astrolearn.classroom.exchange.release_feedback`).

The client side is :func:`ask`; the exchange's ``Collect``, ``List``,
``ReleaseAssignment`` and ``ReleaseFeedback`` use it whenever they are not run as root,
so the formgrader's buttons and nbgrader's commands just work in an instructor's server.
Bounds: a request is one line of at most ``MAX_REQUEST`` bytes sent within
``READ_SECONDS``; each instructor has one request open at a time, and submissions are
read for one request at a time; an account has at most ``MAX_OPEN`` connections open.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import pwd
import re
import shutil
import signal
import socket
import socketserver
import stat
import struct
import sys
import threading
import time
from pathlib import Path

from astrolearn.classroom import roster

#: The socket's name, in the exchange's root folder (root's, mode 755).
SOCKET = "collector.sock"
#: A request is one JSON line of at most this many bytes,
MAX_REQUEST = 4096
#: sent within this many seconds of connecting.
READ_SECONDS = 10.0
#: Staged copies are removed when the caller hangs up, or after this many seconds.
KEEP_SECONDS = 600.0
#: After any other answer, the caller has this long to hang up.
HANG_UP_SECONDS = 2.0
#: At most this many connections open from one account: more are closed unanswered.
MAX_OPEN = 4
#: The actions, and whether each is handed an open folder.
ACTIONS = {"collect": False, "list": False, "release": True, "unrelease": False, "feedback": True}
#: An assignment or student name: nbgrader's folder names, never a path.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


class Refused(Exception):
    """A request the collector does not serve; the message says why, to the caller."""


def socket_path(exchange_root: str | Path) -> Path:
    """Where the collector of the exchange at ``exchange_root`` listens."""
    return Path(exchange_root) / SOCKET


# --- The client: the instructor's server ----------------------------------------------


def ask(
    exchange_root: str | Path, request: dict, folder: int | None = None
) -> tuple[socket.socket, dict]:
    """Send ``request`` to the collector; return the open connection and the answer.

    ``folder``, an open folder, is handed over with the request (``release`` and
    ``feedback``). The caller closes the connection when done with what was staged for it.

    Raises
    ------
    Refused
        No collector answers, or it refused (its reason).
    """
    path = socket_path(exchange_root)
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(path))
    except OSError as error:
        connection.close()
        raise Refused(
            f"the classroom's collector does not answer at {path} ({error.strerror or error}):"
            " it runs with the hub (astrolearn classroom start); as root, collect with "
            "`astrolearn grade cycle ASSIGNMENT --exchange`"
        ) from None
    # A caller the collector refuses may be answered before it has sent anything.
    line = json.dumps(request).encode() + b"\n"
    with contextlib.suppress(OSError):
        if folder is None:
            connection.sendall(line)
        else:
            socket.send_fds(connection, [line], [folder])
    try:
        with connection.makefile("rb") as stream:
            answer = json.loads(stream.readline() or b"{}")
    except (OSError, ValueError):
        answer = {}
    if "error" in answer or not answer:
        connection.close()
        raise Refused(answer.get("error", "the collector stopped without an answer"))
    return connection, answer


# --- The service (root) ----------------------------------------------------------------


def peer_uid(connection: socket.socket) -> int:
    """The user id of the process at the other end, as the kernel has it."""
    credentials = connection.getsockopt(
        socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")
    )
    return struct.unpack("3i", credentials)[1]


def read_request(connection: socket.socket, fds: list[int]) -> dict:
    """One JSON line, bounded in size and in time (a slow caller is cut off).

    The descriptors handed over with it are added to ``fds``, for the caller to close.
    """
    deadline = time.monotonic() + READ_SECONDS
    data = b""
    while b"\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Refused(f"no request within {READ_SECONDS:g} s")
        connection.settimeout(left)
        try:
            # At most one descriptor: the kernel closes any more than that.
            chunk, handed, _, _ = socket.recv_fds(connection, MAX_REQUEST + 1 - len(data), 1)
        except TimeoutError:
            continue
        fds += handed
        if len(fds) > 1:  # each is held until the request is read: refuse a pile of them
            raise Refused("a request hands over at most one open folder")
        if not chunk:
            raise Refused("the request ended early")
        data += chunk
        if len(data) > MAX_REQUEST:
            raise Refused(f"a request is at most {MAX_REQUEST} bytes")
    try:
        request = json.loads(data.split(b"\n", 1)[0])
    except (ValueError, RecursionError):  # RecursionError: brackets nested thousands deep
        raise Refused("a request is one line of JSON") from None
    if not isinstance(request, dict):
        raise Refused("a request is a JSON object")
    return request


def checked(request: dict) -> dict:
    """The request's fields, each checked; :class:`Refused` says which is wrong."""
    from astrolearn.classroom.exchange import COURSE_ID

    action = request.get("action")
    if action not in ACTIONS:
        raise Refused(f"the collector does {', '.join(map(repr, ACTIONS))}, nothing else")
    course = request.get("course") or COURSE_ID
    if course != COURSE_ID:
        raise Refused(f"this classroom's exchange holds the course {COURSE_ID!r} only")
    fields = {"action": action}
    for key, anything in (("assignment", action == "list"), ("student", True)):
        value = request.get(key) or "*"
        named = isinstance(value, str) and NAME.fullmatch(value) and ".." not in value
        if not (value == "*" and anything) and not named:
            raise Refused(f"{key} must be a name (letters, digits, _ . -), not {value!r}")
        fields[key] = value
    duedate = request.get("duedate")
    try:
        due = datetime.datetime.fromisoformat(duedate) if duedate else None
    except (TypeError, ValueError):
        raise Refused(f"duedate must be an ISO date and time, not {duedate!r}") from None
    if due is not None and due.tzinfo is not None:  # nbgrader's times are naive UTC
        due = due.astimezone(datetime.UTC).replace(tzinfo=None)
    fields["duedate"] = due
    fields["before_duedate"] = request.get("before_duedate") is True
    fields["force"] = request.get("force") is True
    return fields


class Collector(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """The service: answers the classroom's instructors, one request each at a time."""

    daemon_threads = True

    def __init__(self, folder: Path):
        self.folder = folder
        self.exchange = folder / "exchange"
        self.busy: set[int] = set()  # the instructors with a request open
        self.staged: set[str] = set()  # the staging folders not removed yet
        self.open: dict[int, int] = {}  # connections open, by caller
        self.lock = threading.Lock()  # guards busy and open
        self.reading = threading.Lock()  # one request reads the students' folders at a time
        path = socket_path(self.exchange)
        if path.is_socket():
            path.unlink()  # left by a collector that was killed
        super().__init__(str(path), Handler)
        # Anyone may connect; the kernel tells who did, and only instructors are served.
        path.chmod(0o666)

    def process_request(self, request: socket.socket, client_address) -> None:
        """Start a thread for the connection, unless its caller has ``MAX_OPEN`` already:
        a flood of connections costs one account's few threads, not the service."""
        uid = peer_uid(request)
        with self.lock:
            if self.open.get(uid, 0) >= MAX_OPEN:
                self.shutdown_request(request)
                return
            self.open[uid] = self.open.get(uid, 0) + 1
        super().process_request(request, client_address)

    def process_request_thread(self, request: socket.socket, client_address) -> None:
        uid = peer_uid(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.lock:
                self.open[uid] -= 1
                if not self.open[uid]:
                    del self.open[uid]

    def instructor(self, uid: int) -> pwd.struct_passwd:
        """The caller's account, if an instructor on the roster (read at each request,
        so that a roster changed by ``classroom init`` counts at once)."""
        try:
            account = pwd.getpwuid(uid)
        except KeyError:
            raise Refused(f"user id {uid} has no account") from None
        if account.pw_name not in self.members("instructor"):
            raise Refused(f"only the class's instructors may ask; {account.pw_name} is not one")
        return account

    def members(self, role: str) -> list[str]:
        """The names on the roster with this role."""
        try:
            return roster.names(roster.read(self.folder / "roster.csv"), role)
        except roster.RosterError as error:
            raise Refused(f"the class's roster cannot be read: {error}") from None

    def answer(
        self, account: pwd.struct_passwd, request: dict, fds: list[int]
    ) -> tuple[dict, str | None]:
        """The answer to a checked request, and the staged folder to remove later."""
        from astrolearn.classroom import exchange

        action = request["action"]
        # A FIFO or a socket handed over would only fail later, less plainly.
        folders = [fd for fd in fds if stat.S_ISDIR(os.fstat(fd).st_mode)]
        if len(folders) != len(fds) or len(fds) != ACTIONS[action]:
            raise Refused(f"{action} is handed {'one open folder' if ACTIONS[action] else 'none'}")
        with self.reading:
            if action == "list":
                found = exchange.inbound(self.exchange, request["assignment"], request["student"])
                return {"submissions": found}, None
            if action in ("release", "feedback"):
                return {"log": self.publish(account, request, fds[0])}, None
            if action == "unrelease":
                return {"log": exchange.unrelease(self.exchange, request["assignment"])}, None
            records, messages, staging = exchange.stage(
                self.exchange,
                request["assignment"],
                request["student"],
                request["duedate"],
                request["before_duedate"],
            )
        hand_over(staging, account)
        for record in records:
            record["timestamp"] = record["timestamp"].isoformat()
        return {"records": records, "log": messages}, staging

    def publish(self, account: pwd.struct_passwd, request: dict, folder: int) -> list[str]:
        """Release an assignment or feedback from the caller's folder, open as ``folder``."""
        from astrolearn.classroom import exchange

        assignment = request["assignment"]
        try:
            if request["action"] == "release":
                return exchange.release(
                    self.exchange,
                    folder,
                    assignment,
                    account.pw_uid,
                    request["force"],
                    request["duedate"],
                )
            students = self.members("student")
            wanted = request["student"]
            if wanted != "*" and wanted not in students:
                raise Refused(f"{wanted} is not a student on the class's roster")
            named = students if wanted == "*" else [wanted]
            return exchange.release_feedback(
                self.exchange, folder, assignment, named, account.pw_uid
            )
        except exchange.RefusedSubmission as error:
            raise Refused(f"{request['action']} of {assignment} refused: {error}") from None


def hand_over(staging: str, account: pwd.struct_passwd) -> None:
    """Give the staged copies (made by root, in root's private folder) to the instructor;
    the folder around them stays root's, so only root removes them."""
    for _, folders, files, fd in os.fwalk(staging, follow_symlinks=False):
        for name in [*folders, *files]:
            os.chown(name, account.pw_uid, account.pw_gid, dir_fd=fd, follow_symlinks=False)
    os.chmod(staging, 0o711)


class Handler(socketserver.BaseRequestHandler):
    """One caller: who, what, the answer; then wait for the hang-up to clean up."""

    def handle(self) -> None:
        connection, server = self.request, self.server
        uid = peer_uid(connection)
        staging = None
        fds: list[int] = []
        try:
            account = server.instructor(uid)
            with server.lock:
                if uid in server.busy:
                    raise Refused("you have a request open already: wait until it is done")
                server.busy.add(uid)
            try:
                request = checked(read_request(connection, fds))
                try:
                    reply, staging = server.answer(account, request, fds)
                    if staging:
                        server.staged.add(staging)
                except OSError as error:  # the exchange itself is broken: say so
                    print(f"collector: {request['action']} failed: {error}", flush=True)
                    raise Refused(f"{request['action']} failed: {error}") from None
                # The instructor's server copies the staged submissions meanwhile.
                answer(connection, reply, KEEP_SECONDS if staging else HANG_UP_SECONDS)
            finally:
                if staging:
                    shutil.rmtree(staging, ignore_errors=True)
                    server.staged.discard(staging)
                with server.lock:
                    server.busy.discard(uid)
        except Refused as error:
            print(f"collector: refused uid {uid}: {error}", flush=True)
            answer(connection, {"error": f"collector: {error}"}, HANG_UP_SECONDS)
        finally:
            for fd in fds:
                os.close(fd)


def answer(connection: socket.socket, reply: dict, wait: float) -> None:
    """Send the reply, then wait up to ``wait`` seconds for the caller to hang up.

    Closing first would throw away the answer of a caller refused before its request
    was read (the kernel resets a connection closed with data unread).
    """
    try:
        connection.settimeout(READ_SECONDS)  # a caller that does not read is let go
        connection.sendall(json.dumps(reply).encode() + b"\n")
        connection.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            connection.settimeout(left)
            if not connection.recv(MAX_REQUEST):
                return
    except OSError:
        pass


def main(argv: list[str] | None = None) -> int:
    """Serve the classroom in the folder given until the hub interrupts."""
    (folder,) = argv if argv is not None else sys.argv[1:]
    if os.geteuid() != 0:
        print("collector: run as root (it reads each student's private folder)", file=sys.stderr)
        return 4
    server = Collector(Path(folder).resolve())
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(
            number, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start()
        )
    print(f"collector: listening on {server.server_address}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        Path(server.server_address).unlink(missing_ok=True)
        # The threads waiting for their callers to hang up stop with the service: their
        # copies of the students' work would be left in the temporary folder.
        for staging in list(server.staged):
            shutil.rmtree(staging, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
