"""``nas dashboard``: the command (an entry point of the group ``nas.commands``)."""

from __future__ import annotations

import ipaddress
import socket
import threading

import click

from nas_core import ConfigError, NasError


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but a loopback address lets other machines read your studies: there is no login.")  # fmt: skip
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="Port (0: any free one).")
def dashboard(paths: tuple[str, ...], host: str, port: int) -> None:
    """Serve a read-only web view of the study files and nas bench results in PATHS (folders,
    scanned for .db, .sqlite, .sqlite3 and .json files; or files), the current folder by default.
    Studies update live while searches write them; new files appear without a restart."""
    import uvicorn  # the server is imported when it serves, not when nas lists its commands

    from nas_dashboard.app import LOOPBACK_NAMES, create_app
    from nas_dashboard.roots import Roots

    roots = Roots.of(paths)
    loopback = _is_loopback(host)
    sock = _listen(host, port)
    app = create_app(roots, LOOPBACK_NAMES if loopback else ("*",))
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    click.echo(f"nas dashboard: http://{shown}:{bound_port}/ showing {', '.join(map(str, (*roots.folders, *roots.files)))} (Ctrl-C stops it)")
    if not loopback:
        click.echo(f"warning: listening on {host}: anyone who can reach this machine can read these files", err=True)
    # read the files as the list page does while the user opens a browser: the first page they
    # open is then served from memory (each file is read once; a request meanwhile waits for it)
    threading.Thread(target=app.state.catalog.listing, name="nas-dashboard-warm-up", daemon=True).start()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    server.run(sockets=[sock])


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket, or one line saying why there is none (a port in use, say)."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        raise NasError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"invalid --host {host!r}: {exc}") from None
    sock.set_inheritable(True)
    return sock
