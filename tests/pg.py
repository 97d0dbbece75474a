"""A real PostgreSQL server for the tests (pytest plugin, registered by tests/conftest.py).

The first test that asks for a PostgreSQL database starts one throwaway cluster for the
whole session (initdb in a temporary directory, trust authentication, UTF8, locale C,
fsync off, listening on 127.0.0.1 on a free port and on a unix socket in that directory);
it is stopped and deleted at the end of the session. PostgreSQL refuses to run as root:
as root, the cluster belongs to the `postgres` system user. SPPE_TEST_PG_URL names an
existing server to use instead (its user must be allowed to create databases).

Fixtures:
    pg_server     session: the server (version, port, admin connection string)
    pg_databases  a factory of fresh empty databases, all dropped after the test
    pg_url        one fresh empty database: "postgresql+psycopg://postgres@127.0.0.1:PORT/NAME"
    store_url     a migrated store, parametrized "sqlite" / "postgresql"; sets
                  SPPE_DATABASE_URL

Without a server: the test is skipped with a loud reason, or fails when CI is set.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shlex
import shutil
import socket
import stat
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import pytest

EXTERNAL_URL_ENV = "SPPE_TEST_PG_URL"
SUPERUSER = "postgres"
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_connections": "100",
    "log_min_messages": "warning",
}
START_TIMEOUT_S = 30
SHM_MIN_FREE = 1 << 30  # bytes free on /dev/shm to put the cluster there
DB_PREFIX = "sppe_test_"


class PgUnavailable(Exception):
    """No PostgreSQL server can be had: the message says why, in French."""


@dataclass
class PgServer:
    """A reachable PostgreSQL server and how to create databases on it."""

    source: str  # "grappe jetable" or "SPPE_TEST_PG_URL"
    host: str
    port: int
    admin_conninfo: str  # libpq connection string to the maintenance database
    url_template: object  # sqlalchemy URL, database replaced per test
    version: str = ""
    version_num: int = 0
    startup_s: float | None = None
    file_copy: bool = False  # create databases by copying files (our own cluster only)
    created: list[float] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # every database made this session
    dropped: list[float] = field(default_factory=list)
    _admin: object = None

    def url_for(self, dbname: str) -> str:
        url = self.url_template.set(drivername="postgresql+psycopg", database=dbname)
        return url.render_as_string(hide_password=False)

    def admin(self):
        """One autocommit connection to the maintenance database, reopened when lost."""
        import psycopg

        if self._admin is None or self._admin.closed or self._admin.broken:
            self._admin = psycopg.connect(self.admin_conninfo, autocommit=True, connect_timeout=10)
        return self._admin

    def create_database(self) -> str:
        from psycopg import sql

        name = f"{DB_PREFIX}{uuid.uuid4().hex[:12]}"
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if self.file_copy and self.version_num >= 150000:
            # Copying the template's files beats logging them in WAL (the default since
            # PostgreSQL 15) on a throwaway cluster; its checkpoint is cheap without fsync.
            statement += sql.SQL(" STRATEGY = FILE_COPY")
        start = time.perf_counter()
        self.admin().execute(statement)
        self.created.append(time.perf_counter() - start)
        self.names.append(name)
        return name

    def drop_database(self, name: str) -> None:
        """Drops a database, ending the connections still open on it first."""
        from psycopg import sql

        start = time.perf_counter()
        conn = self.admin()
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        force = sql.SQL(" WITH (FORCE)") if self.version_num >= 130000 else sql.SQL("")
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)) + force)
        self.dropped.append(time.perf_counter() - start)

    def close(self) -> None:
        if self._admin is not None and not self._admin.closed:
            self._admin.close()
        self._admin = None

    def describe(self) -> str:
        where = f"{self.host}:{self.port}"
        text = f"PostgreSQL {self.version} sur {where} ({self.source}"
        if self.startup_s is not None:
            text += f", démarrée en {self.startup_s:.2f} s".replace(".", ",")
        text += ")"
        if self.created:
            text += (
                f" ; {len(self.created)} base(s) de test, création"
                f" {1000 * sum(self.created) / len(self.created):.0f} ms"
            )
            if self.dropped:
                text += f", suppression {1000 * sum(self.dropped) / len(self.dropped):.0f} ms"
            text += " en moyenne"
        return text

    def probe(self) -> None:
        row = self.admin().execute("SHOW server_version").fetchone()
        num = self.admin().execute("SHOW server_version_num").fetchone()
        self.version = str(row[0]).split()[0]
        self.version_num = int(num[0])


# The throwaway cluster --------------------------------------------------------------------


def find_server_bin() -> Path | None:
    """The directory holding initdb and pg_ctl: PATH first, then Debian's versioned dirs."""
    initdb = shutil.which("initdb")
    if initdb:
        bindir = Path(initdb).resolve().parent
        if (bindir / "pg_ctl").exists():
            return bindir
    found = []
    for candidate in glob.glob("/usr/lib/postgresql/*/bin"):
        bindir = Path(candidate)
        version = bindir.parent.name
        if all(os.access(bindir / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            key = tuple(int(part) for part in re.findall(r"\d+", version)) or (0,)
            found.append((key, bindir))
    return max(found)[1] if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reachable_by_others(path: Path) -> bool:
    """Whether another user can traverse every directory down to `path`."""
    for parent in [path, *path.parents]:
        try:
            if not parent.stat().st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
    return True


def _in_memory_dir() -> Path | None:
    """/dev/shm when it is a roomy shared tmpfs: databases are created there in a few ms
    instead of hundreds on a busy disk (the cluster is throwaway anyway)."""
    shm = Path("/dev/shm")
    try:
        info = os.statvfs(shm)
        mode = shm.stat().st_mode
    except OSError:
        return None
    roomy = info.f_bavail * info.f_frsize >= SHM_MIN_FREE
    shared = mode & stat.S_ISVTX and mode & stat.S_IWOTH and os.access(shm, os.W_OK | os.X_OK)
    return shm if roomy and shared else None


def _temp_root(as_other_user: bool) -> str:
    root = _in_memory_dir() or Path(tempfile.gettempdir())
    # The unix socket path is limited to 107 bytes: keep the directory short.
    if (as_other_user and not _reachable_by_others(root)) or len(str(root)) > 60:
        root = Path("/tmp")
    return str(root)


class LocalCluster:
    """initdb + pg_ctl in a temporary directory, run as `postgres` when we are root."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.as_root = os.geteuid() == 0
        self.prefix: list[str] = []
        self.owner: tuple[int, int] | None = None
        if self.as_root:
            try:
                entry = pwd.getpwnam(SUPERUSER)
            except KeyError as exc:
                raise PgUnavailable(
                    "l'utilisateur système « postgres » est absent (PostgreSQL refuse de"
                    " tourner en root)"
                ) from exc
            self.owner = (entry.pw_uid, entry.pw_gid)
            if shutil.which("runuser"):
                self.prefix = ["runuser", "-u", SUPERUSER, "--"]
            elif shutil.which("setpriv"):
                self.prefix = [
                    "setpriv",
                    f"--reuid={entry.pw_uid}",
                    f"--regid={entry.pw_gid}",
                    "--init-groups",
                ]
            else:
                raise PgUnavailable("ni runuser ni setpriv pour lancer PostgreSQL hors root")
        self.root = Path(tempfile.mkdtemp(prefix="sppe-pg-", dir=_temp_root(self.as_root)))
        if self.owner:
            os.chown(self.root, *self.owner)
        self.in_memory = self.root.parent == Path("/dev/shm")
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self.running = False
        self.watchdog = self._start_watchdog()

    def _start_watchdog(self) -> subprocess.Popen:
        """A detached shell that stops and deletes the cluster once this process is gone,
        even killed (SIGTERM, SIGKILL) without running its teardown."""
        pg_ctl = str(self.bindir / "pg_ctl")
        stop = shlex.join([*self.prefix, pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"])
        script = (
            f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 1; done; "
            f"{stop} >/dev/null 2>&1; rm -rf {shlex.quote(str(self.root))}"
        )
        return subprocess.Popen(
            ["sh", "-c", script],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # out of reach of the terminal's Ctrl-C
        )

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        return subprocess.run(
            [*self.prefix, *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def _log_tail(self, lines: int = 8) -> str:
        try:
            return " | ".join(self.log.read_text(errors="replace").strip().splitlines()[-lines:])
        except OSError:
            return ""

    def _log_errors(self) -> str:
        """The server log's FATAL/ERROR lines, without their timestamp prefix."""
        lines = self._log_tail(40).split(" | ")
        errors = [re.sub(r"^.*?\b(FATAL|ERROR|PANIC):", r"\1:", line) for line in lines]
        errors = [line for line in errors if line.startswith(("FATAL:", "ERROR:", "PANIC:"))]
        return " | ".join(errors[-3:] or lines[-3:])

    def init(self) -> None:
        done = self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise PgUnavailable(f"initdb a échoué ({' | '.join(detail)})")
        settings = dict(SERVER_SETTINGS, unix_socket_directories=f"'{self.root}'")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# Throwaway test cluster\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def start(self, attempts: int = 3) -> None:
        for _ in range(attempts):
            self.port = _free_port()
            done = self._run(
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                f"-p {self.port}",
                "-w",
                "-t",
                str(START_TIMEOUT_S),
                "start",
                timeout=START_TIMEOUT_S + 10,
            )
            if done.returncode == 0:
                self.running = True
                return
            if "already in use" not in self._log_tail(20):
                break  # another port would not help
        raise PgUnavailable(f"le serveur n'a pas démarré ({self._log_errors()})")

    def stop(self) -> None:
        if self.running:
            self._run(
                str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"
            )
            self.running = False
        shutil.rmtree(self.root, ignore_errors=True)
        if self.watchdog.poll() is None:
            self.watchdog.kill()
            self.watchdog.wait()


def _local_server() -> tuple[PgServer, LocalCluster]:
    bindir = find_server_bin()
    if bindir is None:
        raise PgUnavailable("initdb et pg_ctl introuvables (paquet Debian postgresql)")
    try:
        from sqlalchemy.engine import make_url
    except ImportError as exc:  # pragma: no cover - pinned dependency
        raise PgUnavailable("SQLAlchemy n'est pas installé") from exc
    start = time.perf_counter()
    cluster = LocalCluster(bindir)
    atexit.register(cluster.stop)  # also when the session is interrupted (the
    # watchdog covers a killed process)
    try:
        cluster.init()
        cluster.start()
        server = PgServer(
            source="grappe jetable" + (" en mémoire" if cluster.in_memory else ""),
            host="127.0.0.1",
            port=cluster.port,
            admin_conninfo=(f"host=127.0.0.1 port={cluster.port} user={SUPERUSER} dbname=postgres"),
            url_template=make_url(f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{cluster.port}/"),
            file_copy=True,
        )
        server.probe()
    except BaseException:
        cluster.stop()
        raise
    server.startup_s = time.perf_counter() - start
    return server, cluster


def _external_server(raw: str) -> PgServer:
    """The server named by SPPE_TEST_PG_URL; its database is the maintenance database."""
    import psycopg
    from psycopg.conninfo import make_conninfo
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise PgUnavailable(f"{EXTERNAL_URL_ENV} n'est pas une URL valide") from exc
    if url.get_backend_name() != "postgresql":
        raise PgUnavailable(f"{EXTERNAL_URL_ENV} doit désigner un serveur PostgreSQL")
    params = {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username,
        "password": url.password,
        "dbname": url.database or "postgres",
        **{k: v for k, v in url.query.items() if isinstance(v, str)},
    }
    server = PgServer(
        source=EXTERNAL_URL_ENV,
        host=params["host"],
        port=int(params["port"]),
        admin_conninfo=make_conninfo(**{k: v for k, v in params.items() if v is not None}),
        url_template=url,
    )
    try:
        server.probe()
    except psycopg.Error as exc:
        shown = url.render_as_string(hide_password=True)
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise PgUnavailable(f"serveur {shown} injoignable ({detail})") from exc
    return server


# Fixtures ---------------------------------------------------------------------------------

_STATE_KEY = pytest.StashKey[dict]()


def unavailable(reason: str) -> NoReturn:
    """Skips loudly, or fails under CI, when no PostgreSQL server can be had."""
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL est requis en CI : {reason}.", pytrace=False)
    pytest.skip(
        f"POSTGRESQL INDISPONIBLE, test IGNORÉ : {reason}"
        f" (make postgres, ou {EXTERNAL_URL_ENV}=postgresql://…)."
    )


@pytest.fixture(scope="session")
def pg_server(request) -> Iterator[PgServer]:
    state = request.config.stash.setdefault(_STATE_KEY, {})
    cluster = None
    try:
        raw = os.environ.get(EXTERNAL_URL_ENV, "").strip()
        if raw:
            server = _external_server(raw)
        else:
            server, cluster = _local_server()
    except PgUnavailable as exc:
        state["unavailable"] = str(exc)
    if "unavailable" in state:
        unavailable(state["unavailable"])  # outside the except: no chained traceback
    state["server"] = server
    try:
        yield server
    finally:
        server.close()
        if cluster is not None:
            cluster.stop()


@pytest.fixture
def pg_databases(pg_server) -> Iterator[Callable[[], str]]:
    """Call it for one more fresh empty database (its URL); all dropped after the test."""
    made: list[str] = []

    def new_database() -> str:
        name = pg_server.create_database()
        made.append(name)
        return pg_server.url_for(name)

    yield new_database
    for name in made:
        pg_server.drop_database(name)


@pytest.fixture
def pg_url(pg_databases) -> str:
    """A fresh empty PostgreSQL database for this test (SQLAlchemy URL)."""
    return pg_databases()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tiny_data, monkeypatch) -> Iterator[str]:
    """A migrated store on SQLite (the data directory's file) or PostgreSQL, as configured."""
    from sppe_data import store

    if request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
    else:
        monkeypatch.delenv("SPPE_DATABASE_URL", raising=False)
        url = store.database_url()
    monkeypatch.setenv("SPPE_DATABASE_URL", url)
    store.reset_cache()
    store.migrate(url)
    store.reset_cache()
    yield url
    store.reset_cache()  # release pooled connections before the database is dropped


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    state = config.stash.get(_STATE_KEY, None)
    if not state:
        return
    if "server" in state:
        line = f"PostgreSQL des tests : {state['server'].describe()}"
    else:
        line = f"PostgreSQL des tests : AUCUN SERVEUR ({state['unavailable']})"
    terminalreporter.write_sep("-", "PostgreSQL")
    terminalreporter.write_line(line)
