"""One student at the classroom hub, over HTTP as a browser would: log in with a
first-use password, start a server, run code in a kernel of that server.

The tests and the benchmark run it as a program inside the hub's loopback-only network
namespace, one process per student, and read one line of JSON back::

    python student.py URL NAME PASSWORD [CODE ...]
    python student.py --login-only URL NAME PASSWORD
    python student.py --until-culled URL NAME PASSWORD
    python student.py --calls URL NAME PASSWORD '[["GET", "formgrader", {}], ...]'

Each CODE runs in one kernel, in order; the JSON has, for each, the text it printed and
the error it raised, the seconds each step took, and the HTTP status the student gets
when listing the hub's users (only instructors may). Only requests and websocket-client
(both installed with JupyterLab) are imported.
"""

from __future__ import annotations

import json
import sys
import time
import uuid

import requests
import websocket

TIMEOUT = 240  # seconds for any one step: five servers start at once on two cores


class Student:
    """A browser-like session of one student at the hub at ``url``."""

    def __init__(self, url: str, name: str, password: str) -> None:
        self.url, self.name, self.password = url.rstrip("/"), name, password
        self.session = requests.Session()
        self.user_path = f"/user/{name}/"

    def xsrf(self, path: str) -> str:
        """The ``_xsrf`` cookie the hub (``/hub/``) or the student's server set."""
        for cookie in self.session.cookies:
            if cookie.name == "_xsrf" and path.startswith(cookie.path.rstrip("/") + "/"):
                return cookie.value
        raise RuntimeError(f"no _xsrf cookie for {path}")

    def login(self) -> None:
        """Post the login form; the first login sets the password."""
        self.session.get(f"{self.url}/hub/login", timeout=TIMEOUT).raise_for_status()
        form = {"username": self.name, "password": self.password, "_xsrf": self.xsrf("/hub/")}
        answer = self.session.post(
            f"{self.url}/hub/login", data=form, allow_redirects=False, timeout=TIMEOUT
        )
        if answer.status_code != 302:
            raise PermissionError(f"login of {self.name} refused (HTTP {answer.status_code})")

    def hub_api(self, method: str, path: str) -> requests.Response:
        """Call the hub's REST API with the login cookie (and its XSRF token)."""
        headers = {"X-XSRFToken": self.xsrf("/hub/")}
        return self.session.request(
            method, f"{self.url}/hub/api{path}", headers=headers, timeout=TIMEOUT
        )

    def server_ready(self) -> bool | None:
        """True when the student's server runs, False while it starts, None if none."""
        answer = self.hub_api("GET", f"/users/{self.name}")
        answer.raise_for_status()
        server = answer.json()["servers"].get("")
        return None if server is None else bool(server["ready"])

    def start_server(self) -> None:
        """Ask the hub to start the student's server and wait until it is ready."""
        answer = self.hub_api("POST", f"/users/{self.name}/server")
        if answer.status_code not in (201, 202):
            raise RuntimeError(f"spawn of {self.name}: HTTP {answer.status_code} {answer.text}")
        deadline = time.monotonic() + TIMEOUT
        while not self.server_ready():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the server of {self.name} did not start")
            time.sleep(0.5)

    def open_lab(self) -> str:
        """Load JupyterLab (the OAuth redirects log the student in to their server)."""
        answer = self.session.get(f"{self.url}{self.user_path}lab", timeout=TIMEOUT)
        answer.raise_for_status()
        return answer.url

    def start_kernel(self) -> str:
        """Start a Python kernel through the server's REST API; return its id."""
        answer = self.session.post(
            f"{self.url}{self.user_path}api/kernels",
            json={"name": "python3"},
            headers={"X-XSRFToken": self.xsrf(self.user_path)},
            timeout=TIMEOUT,
        )
        answer.raise_for_status()
        return answer.json()["id"]

    def execute(self, kernel: str, codes: list[str]) -> list[dict]:
        """Run each code in the kernel over its websocket; what each printed and raised."""
        session = uuid.uuid4().hex
        address = self.url.replace("http", "ws", 1) + self.user_path
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.session.cookies)
        channel = websocket.create_connection(
            f"{address}api/kernels/{kernel}/channels?session_id={session}",
            cookie=cookies,
            timeout=TIMEOUT,
        )
        try:
            return [self._run(channel, session, code) for code in codes]
        finally:
            channel.close()

    def _run(self, channel, session: str, code: str) -> dict:
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "msg_type": "execute_request", "session": session}
        header |= {"username": self.name, "version": "5.3", "date": ""}
        content = {"code": code, "silent": False, "store_history": True}
        content |= {"user_expressions": {}, "allow_stdin": False, "stop_on_error": True}
        message = {"header": header, "parent_header": {}, "metadata": {}, "content": content}
        channel.send(json.dumps(message | {"channel": "shell", "buffers": []}))
        result = {"stdout": "", "error": None}
        while True:
            reply = json.loads(channel.recv())
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, body = reply["msg_type"], reply["content"]
            if kind == "stream":
                result["stdout"] += body["text"]
            elif kind == "error":
                result["error"] = f"{body['ename']}: {body['evalue']}"
            elif kind == "status" and body["execution_state"] == "idle":
                return result


def run(url: str, name: str, password: str, *codes: str) -> dict:
    """Log in, start the server, open JupyterLab, run ``codes``; times in seconds."""
    student, times = Student(url, name, password), {}
    start = time.monotonic()
    student.login()
    times["login"] = time.monotonic() - start
    student.start_server()
    times["server"] = time.monotonic() - start
    lab = student.open_lab()
    kernel = student.start_kernel()
    times["kernel"] = time.monotonic() - start
    outputs = student.execute(kernel, list(codes))
    times["code"] = time.monotonic() - start
    users = student.hub_api("GET", "/users").status_code
    return {"name": name, "lab": lab, "times": times, "outputs": outputs, "list_users": users}


def login_only(url: str, name: str, password: str) -> dict:
    """Whether the hub lets ``name`` in with ``password``."""
    try:
        Student(url, name, password).login()
    except PermissionError:
        return {"login": False}
    return {"login": True}


def until_culled(url: str, name: str, password: str) -> dict:
    """Start the server, leave it alone; seconds until ready and until the hub stopped it."""
    student = Student(url, name, password)
    start = time.monotonic()
    student.login()
    student.start_server()
    ready = time.monotonic() - start
    while student.server_ready() is not None:
        if time.monotonic() - start > TIMEOUT:
            raise TimeoutError(f"the idle server of {name} was not culled")
        time.sleep(1)
    return {"ready": ready, "culled": time.monotonic() - start}


def calls(url: str, name: str, password: str, requests_json: str) -> dict:
    """Start the server, then make each request (method, path, form), following redirects.

    A path is under the student's /user/NAME/, or from the hub's root if it starts with /.
    """
    student = Student(url, name, password)
    student.login()
    if student.server_ready() is None:  # a second call finds it running
        student.start_server()
    student.open_lab()
    answers = []
    for method, path, form in json.loads(requests_json):
        answer = student.session.request(
            method,
            student.url + (path if path.startswith("/") else student.user_path + path),
            data=form,
            headers={"X-XSRFToken": student.xsrf(student.user_path)},
            timeout=TIMEOUT,
        )
        answers.append({"status": answer.status_code, "body": answer.text})
    return {"answers": answers}


if __name__ == "__main__":
    modes = {"--login-only": login_only, "--until-culled": until_culled, "--calls": calls}
    mode = modes.get(sys.argv[1], run)
    print(json.dumps(mode(*sys.argv[2 if mode is not run else 1 :])))
