"""``sppe serve``: the app under Streamlit, as ``streamlit run app.py`` with the project's
configuration, wherever the app is installed.

The configuration (``.streamlit/config.toml`` of the repository, shipped in the package
as ``streamlit_config.toml``) is passed as command-line options, so the app behaves the
same from a checkout, from a wheel, and whatever the working directory; Streamlit
still reads the working directory's ``.streamlit/secrets.toml`` (sign-in settings),
which is where a deployment puts it (docs/deploiement.md).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from sppe_cli.common import EXIT_FAILED, CommandError, os_reason, require_store
from sppe_data.settings import get_settings

PACKAGE_DIR = Path(__file__).resolve().parent
APP = PACKAGE_DIR.parent / "app.py"  # app.py sits beside the packages, checkout or install
CONFIG = PACKAGE_DIR / "streamlit_config.toml"
DEFAULT_PORT = 8501
DEFAULT_ADDRESS = "127.0.0.1"  # behind the reverse proxy; --address 0.0.0.0 to expose it
# The largest file a user may upload, in MB. The app refuses files over 5 MB itself with
# a French message (imports); Streamlit's own limit stops anything much larger before it
# reaches the app, and the reverse proxy's client_max_body_size matches it
# (deploy/nginx/sppe.conf).
UPLOAD_LIMIT_MB = 10


def _flatten(table: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def _flag_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def streamlit_options(port: int, address: str) -> dict[str, object]:
    """The project's configuration, then what ``serve`` always sets."""
    with CONFIG.open("rb") as fh:
        options = _flatten(tomllib.load(fh))
    options.update(
        {
            "server.port": port,
            "server.address": address,
            "server.headless": True,
            "server.maxUploadSize": UPLOAD_LIMIT_MB,
            "browser.gatherUsageStats": False,
        }
    )
    return options


def streamlit_command(port: int, address: str, extra: list[str]) -> list[str]:
    command = [sys.executable, "-m", "streamlit", "run", str(APP)]
    for name, value in streamlit_options(port, address).items():
        command += [f"--{name}", _flag_value(value)]
    return command + extra


class ServerStartError(RuntimeError):
    """The app did not answer on its port in time (French message)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(env: dict[str, str], log_dir: Path, timeout_s: float = 60) -> Iterator[str]:
    """The app started as ``sppe serve`` starts it, on a free local port, with ``env``
    added to this process's environment; yields its URL once it answers, stops it after.
    Its output goes to a log file in ``log_dir`` (a pipe nobody reads would fill up and
    stall the server). For the benchmarks and the browser tests."""
    port = free_port()
    with (log_dir / f"streamlit-{port}.log").open("w") as log:
        proc = subprocess.Popen(
            streamlit_command(port, "127.0.0.1", []), cwd=APP.parent,
            env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + timeout_s
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise ServerStartError(
                            f"Streamlit n'a pas démarré en {timeout_s:g} s."
                        ) from None
                    time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"port invalide « {text} » (1 à 65535)")
    return int(text)


def cmd_serve(args: argparse.Namespace) -> int:
    if not APP.is_file():
        raise CommandError(f"application introuvable : {APP} (installation incomplète).")
    # The app refuses a store it cannot use; say it here too, before starting, so that
    # the service manager's log names the problem and the command to run.
    require_store()
    command = streamlit_command(args.port, args.address, args.streamlit_args)
    print(
        f"Pilotage SPPE sur http://{args.address}:{args.port} "
        f"(données : {get_settings().data_dir}).",
        flush=True,
    )
    try:
        os.execv(sys.executable, command)  # Streamlit takes over this process (signals)
    except OSError as exc:
        raise CommandError(
            f"Streamlit n'a pas pu démarrer ({os_reason(exc)}).", EXIT_FAILED
        ) from exc
    return 0  # not reached


def register(sub) -> None:
    p = sub.add_parser(
        "serve",
        help="démarre l'application (Streamlit)",
        description=(
            "Démarre l'application comme « streamlit run app.py » avec la configuration du "
            "projet, sans statistiques d'usage. Les options après « -- » vont à Streamlit "
            "(ex. -- --server.baseUrlPath sppe)."
        ),
    )
    p.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, metavar="PORT", help=f"défaut : {DEFAULT_PORT}"
    )
    p.add_argument(
        "--address",
        default=DEFAULT_ADDRESS,
        metavar="ADRESSE",
        help=f"adresse d'écoute (défaut : {DEFAULT_ADDRESS}, derrière le proxy)",
    )
    p.add_argument("streamlit_args", nargs="*", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_serve)
