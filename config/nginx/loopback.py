"""pbplatform.conf run on loopback, as written but for its names, ports and paths: for
tests/serve/test_nginx.py (HTTPS with a self-signed certificate) and `bench/web.py --nginx`
(plain HTTP). Each production value swapped must be in the file, so a renamed one fails
loudly rather than being left in."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

CONF = Path(__file__).with_name("pbplatform.conf")
STATIC = Path(__file__).resolve().parents[2] / "static"
CERT = "/etc/letsencrypt/live/pb.council.example/fullchain.pem"
KEY = "/etc/letsencrypt/live/pb.council.example/privkey.pem"


def render(
    *,
    host: str,
    app: int,
    http: int,
    https: int,
    files: int,
    cache: Path,
    kept: Path,
    tls: tuple[Path, Path] | None,
    download_rate: str = "30r/m",
) -> str:
    """The site file; without `tls` its HTTPS server listens on `https` in plain HTTP. `files`:
    the files server's port; `cache`: the app's FILE_CACHE_DIR; `kept`: nginx's own copies
    of downloads; `download_rate`: the per-address download limit (a benchmark lifts it)."""
    swaps = [
        ("ssl_certificate     " + CERT + ";", f"ssl_certificate     {tls[0]};" if tls else ""),
        ("ssl_certificate_key " + KEY + ";", f"ssl_certificate_key {tls[1]};" if tls else ""),
        ("pb.council.example", host),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app};"),
        ("listen 80;", f"listen 127.0.0.1:{http};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https}{' ssl' if tls else ''};"),
        ("/var/cache/pbplatform/file-cache/", f"{cache}/"),
        ("/var/cache/nginx/pbplatform ", f"{kept} "),
        ("rate=30r/m;", f"rate={download_rate};"),
        ("proxy_pass http://127.0.0.1:8081;", f"proxy_pass http://127.0.0.1:{files};"),
        ("listen 127.0.0.1:8081;", f"listen 127.0.0.1:{files};"),
        ("/srv/pbplatform/static/", f"{STATIC}/"),
    ]
    conf = CONF.read_text()
    for production, here in swaps:
        if production not in conf:
            raise ValueError(f"{production!r} is no longer in {CONF.name}")
        conf = conf.replace(production, here)
    return conf


def main_conf(folder: Path, site: str) -> str:
    """What Debian's /etc/nginx/nginx.conf gives a site, in `folder`. The access log names the
    file nginx sent for an X-Accel-Redirect (never shown to the client), and whether a
    download came from nginx's own copy (kept="HIT")."""
    user = "user www-data;" if os.geteuid() == 0 else ""  # as Debian's nginx runs its workers
    temps = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"};
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    log_format accel '$remote_addr "$request" $status $body_bytes_sent'
                     ' accel="$upstream_http_x_accel_redirect" kept="$upstream_cache_status"';
    access_log {folder / "access.log"} accel;
{temps}
{site}
}}
"""


def certificate(folder: Path, host: str) -> tuple[Path, Path]:
    """A self-signed certificate for `host`, valid a day."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", f"/CN={host}", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def start(nginx: str, folder: Path, site: str, log: Path) -> subprocess.Popen[bytes]:
    """nginx in the foreground on `site`, its pid file, logs and temporary files in `folder`
    (which its workers must be able to enter); the configuration is checked first."""
    main = folder / "nginx.conf"
    main.write_text(main_conf(folder, site))
    argv = [nginx, "-p", str(folder), "-c", str(main), "-e", str(folder / "error.log")]
    checked = subprocess.run([*argv, "-t"], capture_output=True, text=True)
    if checked.returncode != 0:
        raise RuntimeError(checked.stderr)
    with log.open("wb") as out:
        return subprocess.Popen([*argv, "-g", "daemon off;"], stdout=out, stderr=subprocess.STDOUT)
