"""The deployment files of deploy/ and docs/deploiement.md: the nginx site passes
nginx's own check and really proxies the app (TLS, WebSocket upgrade, health, a replica
down), the systemd units pass ``systemd-analyze verify``, and ``sppe serve`` answers on
the health endpoint. Without nginx or systemd-analyze the test is skipped loudly (make
test installs them), and fails under CI."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sppe_cli import serve
from tests.browser import free_port
from tests.conftest import migrated
from tests.tiny import TODAY, write_tiny_extracts

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "sppe.conf"
UNITS = DEPLOY / "systemd"
DOC = ROOT / "docs" / "deploiement.md"
INSTALLED_SPPE = "/opt/sppe/venv/bin/sppe"
START_TIMEOUT_S = 60


def tool(name: str, *candidates: str) -> str:
    for path in (shutil.which(name), *candidates):
        if path and os.access(path, os.X_OK):
            return path
    message = f"{name} absent : test IGNORÉ (make test l'installe : scripts/ensure_deploy_tools.sh)"
    if os.environ.get("CI"):
        pytest.fail(f"CI : {message}")
    pytest.skip(message)


# --- sppe serve and the health endpoint ----------------------------------------------------


@pytest.fixture(scope="module")
def app_port(tmp_path_factory):
    """``sppe serve`` on the tiny data set (demo mode), as the service runs it."""
    data_dir = migrated(write_tiny_extracts(tmp_path_factory.mktemp("deploy") / "data"))
    port = free_port()
    env = {**os.environ, "SPPE_DATA_DIR": str(data_dir), "SPPE_TODAY": TODAY.isoformat(),
           "SPPE_AUTH_MODE": "demo"}  # fmt: skip
    env.pop("SPPE_DATABASE_URL", None)
    env["PYTHONPATH"] = str(ROOT)  # run from elsewhere, as the service does
    with (data_dir.parent / "serve.log").open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sppe_cli", "serve", "--port", str(port)],
            cwd=data_dir.parent, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                try:
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/_stcore/health", timeout=2
                    ):
                        break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        log.flush()
                        text = (data_dir.parent / "serve.log").read_text()
                        raise RuntimeError(f"sppe serve n'a pas démarré :\n{text}") from None
                    time.sleep(0.3)
            yield port
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_sppe_serve_answers_on_the_health_endpoint(app_port):
    with urllib.request.urlopen(f"http://127.0.0.1:{app_port}/_stcore/health", timeout=5) as r:
        assert (r.status, r.read()) == (200, b"ok")
    # Bound to the loopback address only (the proxy is the way in).
    outside = _outside_address()
    if outside is not None:
        with pytest.raises(OSError):
            socket.create_connection((outside, app_port), timeout=2).close()


def _outside_address() -> str | None:
    """An address of this machine other than the loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent: only picks the outgoing address
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


# --- nginx -------------------------------------------------------------------------------


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, valid one day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def site_for_test(directory: Path, site: str, *, ports: dict[str, int] | None = None) -> Path:
    """The site with this directory's certificate and logs; with ``ports``, listening on
    free loopback ports and proxying to the test's app (the second replica is down)."""
    cert, key = self_signed(directory)
    text = (
        site.replace("/etc/ssl/sppe/fullchain.pem", str(cert))
        .replace("/etc/ssl/sppe/privkey.pem", str(key))
        .replace("/var/log/nginx/", f"{directory}/")
    )
    if ports:
        text = re.sub(r"\n\s*listen \[::\]:\d+( ssl)?;", "", text)
        text = text.replace("listen 80;", f"listen 127.0.0.1:{ports['http']};")
        text = text.replace("listen 443 ssl;", f"listen 127.0.0.1:{ports['https']} ssl;")
        text = text.replace("127.0.0.1:8501", f"127.0.0.1:{ports['app']}")
        text = text.replace("127.0.0.1:8502", f"127.0.0.1:{ports['down']}")
    (directory / "sppe.conf").write_text(text)
    wrapper = directory / "nginx.conf"
    temp = "\n".join(f"    {k}_temp_path {directory}/{k};"
                     for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))  # fmt: skip
    wrapper.write_text(
        f"pid {directory}/nginx.pid;\nerror_log {directory}/error.log;\nevents {{}}\n"
        f"http {{\n{temp}\n    access_log {directory}/access.log;\n"
        f"    include {directory}/sppe.conf;\n}}\n"
    )
    return wrapper


def nginx_check(nginx: str, wrapper: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [nginx, "-t", "-p", str(wrapper.parent), "-c", str(wrapper), "-e", "stderr"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip


def test_nginx_site_passes_nginx_check(tmp_path):
    nginx = tool("nginx", "/usr/sbin/nginx")
    site = SITE.read_text()
    done = nginx_check(nginx, site_for_test(tmp_path, site))
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr
    assert "[warn]" not in done.stderr and "[emerg]" not in done.stderr, done.stderr
    # The check can fail: a missing semicolon is refused.
    broken = tmp_path / "broken"
    broken.mkdir()
    done = nginx_check(nginx, site_for_test(broken, site.replace("ip_hash;", "ip_hash")))
    assert done.returncode != 0 and "[emerg]" in done.stderr


def test_nginx_site_settings():
    site = SITE.read_text()
    upstream = re.search(r"upstream sppe_app \{(.*?)\}", site, re.S)[1]
    assert "ip_hash;" in upstream  # a Streamlit session lives in one process
    assert re.findall(r"server (127\.0\.0\.1:\d+)", upstream) == ["127.0.0.1:8501",
                                                                  "127.0.0.1:8502"]  # fmt: skip
    body = int(re.search(r"client_max_body_size (\d+)m;", site)[1])
    assert serve.UPLOAD_LIMIT_MB < body <= serve.UPLOAD_LIMIT_MB + 5
    stream = re.search(r"location /_stcore/stream \{(.*?)\}", site, re.S)[1]
    assert "proxy_buffering off;" in stream
    assert "proxy_set_header Upgrade $http_upgrade;" in site
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in site
    assert "location = /_stcore/health" in site
    assert "return 301 https://" in site
    # nginx drops inherited proxy headers in a location that sets its own: none does.
    for location in re.findall(r"location [^{]+\{(.*?)\}", site, re.S):
        assert "proxy_set_header" not in location


@pytest.fixture
def proxy(tmp_path, app_port):
    """nginx running the site on free loopback ports, in front of ``sppe serve``."""
    nginx = tool("nginx", "/usr/sbin/nginx")
    ports = {"http": free_port(), "https": free_port(), "app": app_port, "down": free_port()}
    wrapper = site_for_test(tmp_path, SITE.read_text(), ports=ports)
    proc = subprocess.Popen(
        [nginx, "-p", str(tmp_path), "-c", str(wrapper), "-e", "stderr", "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=(tmp_path / "nginx.out").open("w"),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", ports["https"]), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError((tmp_path / "nginx.out").read_text()) from None
                time.sleep(0.1)
        context = ssl.create_default_context(cafile=str(tmp_path / "fullchain.pem"))
        yield ports, context
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_nginx_proxies_the_app_over_tls_with_websockets(proxy):
    ports, context = proxy
    https = f"https://127.0.0.1:{ports['https']}"
    for _ in range(3):  # whichever replica ip_hash picks first, the live one answers
        with urllib.request.urlopen(f"{https}/_stcore/health", context=context, timeout=10) as r:
            assert (r.status, r.read()) == (200, b"ok")
    with urllib.request.urlopen(f"{https}/", context=context, timeout=10) as r:
        assert r.status == 200 and b"<html" in r.read().lower()
        assert r.headers["Strict-Transport-Security"] == "max-age=63072000"

    # Plain HTTP is sent to HTTPS.
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(f"http://127.0.0.1:{ports['http']}/controles?annee=2026", timeout=10)
    assert redirect.value.code == 301
    assert redirect.value.headers["Location"] == "https://127.0.0.1/controles?annee=2026"

    # The session's WebSocket goes through: 101 Switching Protocols, then frames flow.
    with (
        socket.create_connection(("127.0.0.1", ports["https"]), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(
            (
                "GET /_stcore/stream HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{ports['https']}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                "Sec-WebSocket-Version: 13\r\n"
                f"Origin: https://127.0.0.1:{ports['https']}\r\n\r\n"
            ).encode()
        )
        head = tls.recv(4096).decode("latin-1")
    assert head.startswith("HTTP/1.1 101"), head
    assert "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in head

    # Over the upload limit: refused by the proxy on the announced size, before any byte
    # of the body reaches the app.
    size = (serve.UPLOAD_LIMIT_MB + 3) * 1024 * 1024
    with (
        socket.create_connection(("127.0.0.1", ports["https"]), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(
            (
                "PUT /_stcore/upload_file/x/y HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{ports['https']}\r\nContent-Length: {size}\r\n\r\n"
            ).encode()
        )
        head = tls.recv(4096).decode("latin-1")
    assert head.startswith("HTTP/1.1 413"), head


# --- systemd -------------------------------------------------------------------------------


UNIT_FILES = ["sppe.service", "sppe@.service", "sppe-backup.service", "sppe-backup.timer"]
SECTIONS = {"Unit", "Service", "Timer", "Install"}


def parse_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A strict reading of a unit file: sections and Key=Value lines only, no
    continuation lines, no duplicate section."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            assert header[1] in SECTIONS and header[1] not in sections, (path.name, number)
            current = sections.setdefault(header[1], [])
            continue
        pair = re.fullmatch(r"([A-Z][A-Za-z]+)=(.*)", line)
        assert pair and current is not None and not line.endswith("\\"), (path.name, number)
        current.append((pair[1], pair[2]))
    return sections


def settings(path: Path) -> dict[str, str]:
    return {k: v for pairs in parse_unit(path).values() for k, v in pairs}


def test_units_run_sppe_as_a_dedicated_user_with_hardening():
    for name in UNIT_FILES:
        parse_unit(UNITS / name)
    app = settings(UNITS / "sppe.service")
    assert app["ExecStart"].startswith(f"{INSTALLED_SPPE} serve --address 127.0.0.1 --port 8501")
    assert (app["User"], app["EnvironmentFile"]) == ("sppe", "/etc/sppe/sppe.env")
    assert (app["StateDirectory"], app["StateDirectoryMode"], app["UMask"]) == ("sppe", "0700",
                                                                                "0077")  # fmt: skip
    for key, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
                       "PrivateTmp": "yes", "CapabilityBoundingSet": ""}.items():  # fmt: skip
        assert app[key] == value, key
    replica = settings(UNITS / "sppe@.service")
    assert "--port %i " in replica["ExecStart"]
    assert {k: v for k, v in replica.items() if k not in ("ExecStart", "Description")} == {
        k: v for k, v in app.items() if k not in ("ExecStart", "Description")
    }  # fmt: skip
    backup = settings(UNITS / "sppe-backup.service")
    assert backup["ExecStart"] == f"{INSTALLED_SPPE} backup --out /var/backups/sppe"
    assert backup["User"] == "sppe" and backup["Type"] == "oneshot"
    timer = settings(UNITS / "sppe-backup.timer")
    assert timer["Unit"] == "sppe-backup.service" and timer["Persistent"] == "true"
    env = (DEPLOY / "sppe.env.example").read_text()
    for variable in ("SPPE_DATA_DIR=/var/lib/sppe", "SPPE_DATABASE_URL=postgresql://",
                     "SPPE_AUTH_MODE=oidc"):  # fmt: skip
        assert re.search(rf"^{re.escape(variable)}", env, re.M), variable


def test_units_pass_systemd_analyze_verify(tmp_path):
    analyze = tool("systemd-analyze")
    shim = tmp_path / "sppe"  # verify checks that ExecStart's program exists
    shim.write_text("#!/bin/sh\nexit 0\n")
    shim.chmod(0o755)
    units = tmp_path / "units"
    units.mkdir()
    for name in UNIT_FILES:
        text = (UNITS / name).read_text().replace(INSTALLED_SPPE, str(shim))
        (units / name).write_text(text)
    # A template is verified through an instance.
    shutil.copy(units / "sppe@.service", units / "sppe@8502.service")
    files = [str(units / n) for n in ("sppe.service", "sppe@8502.service", "sppe-backup.service",
                                      "sppe-backup.timer")]  # fmt: skip
    done = subprocess.run([analyze, "verify", "--man=no", *files],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr  # no warning (unknown key, bad value...)
    # The check can fail: an unknown option is reported.
    (units / "sppe.service").write_text(
        (units / "sppe.service").read_text().replace("NoNewPrivileges=yes", "NoNewPrivilege=yes")
    )
    done = subprocess.run([analyze, "verify", "--man=no", str(units / "sppe.service")],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert "NoNewPrivilege" in done.stderr


# --- the guide ------------------------------------------------------------------------------


def test_the_guide_names_every_deploy_file_and_only_existing_ones():
    guide = DOC.read_text(encoding="utf-8")
    named = set(re.findall(r"deploy/[\w./@-]+\w", guide))
    existing = {p.relative_to(ROOT).as_posix() for p in DEPLOY.rglob("*") if p.is_file()}
    assert named == existing
    for command in ("sppe migrate", "sppe backup", "sppe restore", "sppe serve",
                    "systemd-analyze verify", "nginx -t", "redirect_uri", "SPPE_DATABASE_URL",
                    "CREATE ROLE", "0700", "0600", "/_stcore/health"):  # fmt: skip
        assert command in guide, command
