"""Concurrent use against a real server (gunicorn as deployed, its own database): readers, two editors saving the same
operation at the same moment, a third editor saving another one, exports and an import, all at once for a minute.
On SQLite (the default) and on PostgreSQL when DATABASE_URL names one. No 5xx; every write saved or refused with
its message. The figures it prints are the README's ("Concurrent use")."""

import csv
import http.client
import io
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings

from operations.import_format import COLUMNS, OPERATIONS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SECONDS = float(os.environ.get("CONCURRENCY_SECONDS", "60"))
# Editors each saving their own operation every 2 s besides the pair (README "Concurrent use" ran it with more).
LONE_EDITORS = int(os.environ.get("CONCURRENCY_LONE_EDITORS", "1"))
TIMEOUT = 90  # seconds per request: the gunicorn timeout is 120
IMPORT_ROWS = 300  # operations per imported file: its transaction holds the write lock for a noticeable time
CONCURRENT_EDIT = "Someone saved this operation after you opened it"
READER_URLS = [
    "/",
    "/operations/",
    "/operations/?sort=-victims_rescued",
    "/results/?country=BR&sort=-arrests",
    "/countries/",
    "/countries/br/",
    "/healthz",
]

SETUP = """
import json
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group, User
from django.contrib.sessions.backends.db import SessionStore
from operations.models import Operation

def session(username, group, staff):
    user = User.objects.create_user(username=username, password=None, is_staff=staff)
    user.groups.add(Group.objects.get(name=group))
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key

pair, *lone = Operation.objects.order_by("pk").values_list("pk", flat=True)[:1 + LONE]
print(json.dumps({
    "reader": session("reader", "Analysts", False),
    "exporter": session("exporter", "Staff", False),
    "importer": session("importer", "Editors", True),
    **{f"pair{i}": session(f"pair{i}", "Editors", True) for i in range(2)},
    **{f"lone{i}": session(f"lone{i}", "Editors", True) for i in range(LONE)},
    "pair": pair, "lone": lone,
}))
"""


# --- The server and its database ----------------------------------------------------------------------------------


def free_port():
    for port in range(8116, 8200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port from 8116")


def database_url(tmp_path):
    """A database of the default's kind for the server alone: a file for SQLite, a new database on PostgreSQL."""
    default = settings.DATABASES["default"]
    if default["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{tmp_path / 'concurrency.sqlite3'}", None
    import psycopg2

    name = f"{default['NAME'].removeprefix('test_')}_concurrency"
    params = {key: default[key.upper()] for key in ("user", "password", "host", "port") if default.get(key.upper())}
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    url = f"postgres://{default['USER']}:{default['PASSWORD']}@{default['HOST']}:{default['PORT']}/{name}"
    return url, drop


@pytest.fixture
def server(tmp_path, request):
    """gunicorn with the repo's gunicorn.conf.py, DEBUG off, over a migrated database holding the reference data (a
    test may add environment variables as the fixture's indirect parameter)."""
    url, drop = database_url(tmp_path)
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "trafficking_ops.settings",
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "concurrency-test-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(tmp_path / "static"),
        "REFERENCE_DIR": str(settings.REFERENCE_DIR),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": str(tmp_path / "access.log"),
        "LOG_LEVEL": "WARNING",
        **getattr(request, "param", {}),
    }

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        ).stdout

    manage("migrate", "--no-input", "-v0")
    manage("load_reference")
    manage("collectstatic", "--no-input", "-v0")
    keys = json.loads(manage("shell", "-c", f"LONE = {LONE_EDITORS}\n{SETUP}").strip().splitlines()[-1])
    error_log = tmp_path / "error.log"
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "trafficking_ops.wsgi", "-c", "gunicorn.conf.py"]
        + ["--error-logfile", str(error_log)],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while Client(port).get("/healthz", check=False)[0] != 200:
            assert time.monotonic() < deadline and process.poll() is None, "gunicorn did not start"
            time.sleep(0.3)
        yield {"port": port, "keys": keys, "error_log": error_log, "manage": manage}
    finally:
        process.terminate()
        process.wait(30)
        if drop:
            drop()


# --- A client with cookies, and the admin's forms -----------------------------------------------------------------


class ServerError(Exception):
    pass


class Client:
    """One browser: its cookies (session, CSRF, messages), one connection per request, every answer recorded."""

    def __init__(self, port, session_key=None, log=None, kind="page"):
        self.port, self.log, self.kind = port, log if log is not None else [], kind
        self.cookies = {"sessionid": session_key} if session_key else {}

    def request(self, method, path, body=None, content_type=None, check=True):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if content_type:
            headers["Content-Type"] = content_type
        if method == "POST":
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except OSError as error:
            if not check:
                return 0, b"", {}
            self.log.append((self.kind, 0, time.monotonic() - started))
            raise ServerError(f"{method} {path}: {error!r}") from error
        finally:
            connection.close()
        seconds = time.monotonic() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if check:
            self.log.append((self.kind, response.status, seconds))
            if response.status >= 500:
                raise ServerError(f"{method} {path}: {response.status} {content[:300]!r}")
        return response.status, content, response.headers

    def get(self, path, check=True):
        return self.request("GET", path, check=check)

    def post_form(self, path, fields):
        body = "&".join(
            f"{_quote(name)}={_quote(value)}" for name, values in fields.items() for value in _listed(values)
        )
        return self.request("POST", path, body.encode(), "application/x-www-form-urlencoded")

    def post_files(self, path, fields, files):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, data) in files.items():
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            parts.append(head.encode() + b"Content-Type: text/csv\r\n\r\n" + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request("POST", path, body, f"multipart/form-data; boundary={boundary}")


def _quote(text):
    from urllib.parse import quote_plus

    return quote_plus(str(text))


def _listed(values):
    return values if isinstance(values, list) else [values]


class FormFields(HTMLParser):
    """What a browser submits from the page's form with `form_id`: inputs (checked boxes only), selects' chosen
    options (the first when none is), textareas."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, {}
        self.select, self.select_first, self.textarea = None, None, None

    def add(self, name, value):
        self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file", "image", "reset"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.add(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self.select, self.select_first, self.select_chosen = name, None, False
            self.multiple = "multiple" in attrs
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            if self.select_first is None:
                self.select_first = value
            if "selected" in attrs:
                self.add(self.select, value)
                self.select_chosen = True
        elif tag == "textarea" and name:
            self.textarea = name
            self.add(name, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            if not self.select_chosen and not self.multiple and self.select_first is not None:
                self.add(self.select, self.select_first)
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea][-1] += data.removeprefix("\n") if not self.fields[self.textarea][-1] else data


def form_fields(html: bytes, form_id: str) -> dict:
    parser = FormFields(form_id)
    parser.feed(html.decode())
    return parser.fields


# --- The actors ---------------------------------------------------------------------------------------------------


class Run:
    """Shared state of one run: the deadline, every answer, the writes and what each write came to."""

    def __init__(self, server):
        self.port, self.keys = server["port"], server["keys"]
        self.deadline = time.monotonic() + SECONDS
        self.log, self.errors = [], []
        self.saved, self.refused, self.imported, self.exports = 0, 0, 0, 0
        self.pair_rounds, self.last_pair_text = [], None
        self.lock = threading.Lock()

    def running(self):
        return time.monotonic() < self.deadline

    def client(self, key, kind):
        return Client(self.port, self.keys[key], self.log, kind)


def change_path(pk):
    return f"/admin/operations/operation/{pk}/change/"


def open_form(client, pk):
    status, html, _ = client.get(change_path(pk))
    assert status == 200, status
    fields = form_fields(html, "operation_form")
    assert fields.get("edit_token"), "the change form carries its edit token"
    return fields


def save(client, pk, fields, text):
    """Post the form with a new summary: 'saved' (302), or 'refused' with the concurrent-edit message."""
    status, html, _ = client.post_form(change_path(pk), {**fields, "summary": text, "_save": "Save"})
    if status == 302:
        return "saved"
    if status == 200 and CONCURRENT_EDIT.encode() in html:
        return "refused"
    raise AssertionError(f"save answered {status} without the concurrent-edit message: {html[:2000]!r}")


def reader(run, index):
    client = run.client("reader", "page")
    urls = READER_URLS[index:] + READER_URLS[:index]
    while run.running():
        for url in urls:
            status, _, _ = client.get(url)
            assert status == 200, (url, status)


def editor_pair(run):
    """Two editors open the same operation, then both save at the same moment: one is saved, the other refused."""
    barrier = threading.Barrier(2)
    pk = run.keys["pair"]
    outcomes = [None, None]

    def editor(i):
        client = run.client(f"pair{i}", "admin save")
        try:
            while True:
                barrier.wait()
                if not run.running():
                    return
                fields = open_form(client, pk)
                barrier.wait()  # both have opened the form at the same version
                text = f"Concurrency round {len(run.pair_rounds)}: editor {i} {uuid.uuid4().hex}"
                outcomes[i] = (save(client, pk, fields, text), text)
                barrier.wait()
                if i == 0:
                    run.pair_rounds.append(tuple(outcome for outcome, _ in outcomes))
                    run.last_pair_text = next((text for outcome, text in outcomes if outcome == "saved"), None)
        except threading.BrokenBarrierError:
            return  # the other editor failed; its error is recorded
        except Exception as error:
            run.errors.append(f"editor {i}: {error!r}"[:3000])
            barrier.abort()

    threads = [threading.Thread(target=editor, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def lone_editor(run, index):
    client = run.client(f"lone{index}", "admin save")
    pk = run.keys["lone"][index]
    while run.running():
        fields = open_form(client, pk)
        assert save(client, pk, fields, f"Lone edit {uuid.uuid4().hex}") == "saved"
        with run.lock:
            run.saved += 1
        time.sleep(2)


def exporter(run):
    client = run.client("exporter", "export")
    while run.running():
        status, content, _ = client.get("/results/?_export=csv")
        assert status == 200 and content.endswith(b"\r\n"), status
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))
        assert rows and all(row["operation_slug"] for row in rows)
        status, content, headers = client.get("/operations/?_export=xlsx")
        assert status == 200 and content.startswith(b"PK"), status
        with run.lock:
            run.exports += 2


def importer(run):
    """Upload, preview, confirm: a file of new operations each round, saved or refused with the report."""
    client = run.client("importer", "import")
    path = "/admin/operations/operation/import/"
    round_ = 0
    while run.running():
        round_ += 1
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS[OPERATIONS], extrasaction="ignore")
        writer.writeheader()
        for i in range(IMPORT_ROWS):
            writer.writerow(
                {
                    "name": f"Synthetic concurrency import {round_}-{i} {uuid.uuid4().hex[:8]}",
                    "coordinator": "Synthetic coordinator",
                    "start_date": "2024-03-01",
                    "arrests": str(i),
                    "source_url": f"https://example.org/synthetic/concurrency/{round_}",
                }
            )
        client.get(path)  # the CSRF cookie
        status, html, _ = client.post_files(
            path,
            {"csrfmiddlewaretoken": client.cookies["csrftoken"]},
            {"operations_file": ("ops.csv", buffer.getvalue().encode())},
        )
        assert status == 200, (status, html[:3000])
        token = re.search(rb'name="token" value="([0-9a-f]{32})"', html)
        assert token, html[:3000]
        status, html, headers = client.post_form(
            path, {"csrfmiddlewaretoken": client.cookies["csrftoken"], "token": token.group(1).decode(), "confirm": "1"}
        )
        assert status == 302, (status, html[:3000])
        with run.lock:
            run.imported += IMPORT_ROWS


def guard(run, actor, *args):
    try:
        actor(run, *args)
    except Exception as error:  # recorded; the other actors go on, so every actor's errors are seen
        run.errors.append(f"{actor.__name__}: {error!r}"[:3000])


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, int(fraction * len(values)))] if values else 0


def test_readers_two_editors_an_export_and_an_import_at_once_get_no_5xx_and_every_write_is_saved_or_refused(server):
    run = Run(server)
    actors = [
        *(threading.Thread(target=guard, args=(run, reader, i)) for i in range(4)),
        threading.Thread(target=editor_pair, args=(run,)),
        *(threading.Thread(target=guard, args=(run, lone_editor, i)) for i in range(LONE_EDITORS)),
        threading.Thread(target=guard, args=(run, exporter)),
        threading.Thread(target=guard, args=(run, importer)),
    ]
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    for actor in actors:
        actor.start()
    for actor in actors:
        actor.join()
    elapsed = time.monotonic() - started

    statuses = {}
    for _kind, status, _seconds in run.log:
        statuses[status // 100 * 100] = statuses.get(status // 100 * 100, 0) + 1
    latencies = [seconds for _kind, _status, seconds in run.log]
    per_kind = {
        kind: round(percentile([s for k, _, s in run.log if k == kind], 0.99), 2) for kind in {k for k, _, _ in run.log}
    }
    pair_saved = sum(outcomes.count("saved") for outcomes in run.pair_rounds)
    pair_refused = sum(outcomes.count("refused") for outcomes in run.pair_rounds)
    figures = {
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "seconds": round(elapsed, 1),
        "requests": len(run.log),
        "statuses": statuses,
        "lone_editors": LONE_EDITORS,
        "lone_saves": run.saved,
        "pair_rounds": len(run.pair_rounds),
        "pair_saved": pair_saved,
        "pair_refused_with_message": pair_refused,
        "imported_rows": run.imported,
        "exports": run.exports,
        "p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "p99_s": round(percentile(latencies, 0.99), 2),
        "p99_s_per_kind": per_kind,
        "load_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    print("CONCURRENCY", json.dumps(figures))
    error_log = server["error_log"].read_text()
    assert run.errors == []
    assert not statuses.get(500) and not statuses.get(0)
    assert "Traceback" not in error_log and "WORKER TIMEOUT" not in error_log, error_log[-3000:]
    # Each round of the pair: exactly one save went through, the other was refused with the message.
    assert run.pair_rounds and all(sorted(outcomes) == ["refused", "saved"] for outcomes in run.pair_rounds)
    assert run.saved > 0 and run.imported > 0 and run.exports > 0
    # The saved text is the one in the database: nothing refused was written over it.
    summary = server["manage"](
        "shell",
        "-c",
        f"from operations.models import Operation; print(Operation.objects.get(pk={run.keys['pair']}).summary)",
    )
    assert summary.strip().splitlines()[-1] == run.last_pair_text


TOKEN = """
from django.contrib.auth.models import Group, User
from operations.api.tokens import create_token
user = User.objects.create_user(username="api-client", password=None)
user.groups.add(Group.objects.get(name="Analysts"))
print(create_token(user, "concurrency")[1])
"""


@pytest.mark.parametrize(
    "server",
    # Two single-threaded processes (and each worker's pid in the access log): requests sent at once reach both.
    [
        {
            "API_RATE_LIMIT": "5/day",  # a window that cannot end between the 16 requests (but at midnight)
            "GUNICORN_WORKERS": "2",
            "GUNICORN_WORKER_CLASS": "sync",
            "GUNICORN_CMD_ARGS": "--access-logformat='%(p)s %(s)s %(U)s'",
        }
    ],
    indirect=True,
)
def test_a_tokens_rate_limit_is_shared_by_every_server_process(server, tmp_path):
    token = server["manage"]("shell", "-c", TOKEN).strip().splitlines()[-1]

    def call(results):
        connection = http.client.HTTPConnection("127.0.0.1", server["port"], timeout=TIMEOUT)
        try:
            connection.request("GET", "/api/v1/", headers={"Authorization": f"Bearer {token}"})
            response = connection.getresponse()
            response.read()
            results.append((response.status, response.getheader("Retry-After")))
        finally:
            connection.close()

    results = []
    callers = [threading.Thread(target=call, args=(results,)) for _ in range(16)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 5 + [429] * 11, statuses
    assert all(0 < int(wait) <= 86400 for status, wait in results if status == 429)
    served = [line.split() for line in (tmp_path / "access.log").read_text().splitlines() if line.strip()]
    pids = {pid for pid, status, path in served if path == "/api/v1/"}
    assert len(pids) == 2, served  # both processes answered, and together let 5 requests through
