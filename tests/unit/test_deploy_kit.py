"""The deployment kit stays in step with the code: compose layout, example config, unit file."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings import Settings, keys_in_file

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
EXAMPLE = ROOT / "deploy" / "gongdan.toml"


def _compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _serves(service: dict[str, Any]) -> bool:
    """An app process: the image's default command (gongdan serve), not a one-off job."""
    return "command" not in service and service.get("image", "").startswith("gongdan")


def test_compose_has_postgres_two_apps_and_nginx() -> None:
    services = _compose()["services"]
    apps = {name: s for name, s in services.items() if _serves(s)}
    assert "postgres" in services and "nginx" in services
    assert len(apps) == 2, sorted(apps)
    urls = {s["environment"]["GONGDAN_DB_URL"] for s in apps.values()}
    assert len(urls) == 1 and "@postgres:" in urls.pop()
    for name, s in apps.items():
        assert "postgres" in s["depends_on"], name
        assert s["environment"]["GONGDAN_HOST"] == "0.0.0.0"
    assert set(apps) <= set(services["nginx"]["depends_on"])
    migrate = services["migrate"]
    assert migrate["command"][:3] == ["gongdan", "db", "upgrade"]
    assert migrate["environment"]["GONGDAN_DB_URL"] == next(
        iter(apps.values()))["environment"]["GONGDAN_DB_URL"]


def test_nginx_balances_over_both_apps_without_stickiness() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    apps = [n for n, s in _compose()["services"].items() if _serves(s)]
    upstream = re.search(r"upstream gongdan \{(.*?)\}", conf, re.S)
    assert upstream is not None
    body = upstream.group(1)
    for app in apps:
        assert f"server {app}:8080" in body
    code = "\n".join(line.split("#")[0] for line in body.splitlines())
    assert not re.search(r"\b(ip_hash|hash|sticky)\b", code)
    assert "X-Forwarded-For" in conf and "client_max_body_size" in conf


def _self_signed(directory: Path) -> None:
    """fullchain.pem and privkey.pem for 127.0.0.1, as certbot would leave them."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + timedelta(days=1))
            .sign(key, hashes.SHA256()))
    (directory / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "privkey.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))


def test_nginx_accepts_the_config(tmp_path: Path) -> None:
    """`nginx -t` on the shipped file, as the systemd path runs it (Debian 12: nginx 1.22):
    only the upstream hosts, ports, certificate folder and log/pid paths are local."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if nginx is None:
        pytest.skip("nginx is not installed here")
    _self_signed(tmp_path)
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    conf = (conf.replace("server app1:8080", "server 127.0.0.1:8080")
            .replace("server app2:8080", "server 127.0.0.1:8081")
            .replace("/etc/nginx/certs/", f"{tmp_path}/")
            .replace("/dev/stdout", f"{tmp_path}/access.log")
            .replace("/dev/stderr", f"{tmp_path}/error.log"))
    (tmp_path / "nginx.conf").write_text(f"pid {tmp_path}/nginx.pid;\n{conf}", encoding="utf-8")
    out = subprocess.run([nginx, "-t", "-q", "-c", str(tmp_path / "nginx.conf"),
                          "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr


def test_compose_trusts_only_its_own_network_for_forwarded_addresses() -> None:
    data = _compose()
    subnet = data["networks"]["backend"]["ipam"]["config"][0]["subnet"]
    for s in data["services"].values():
        if _serves(s):
            assert s["environment"]["GONGDAN_TRUSTED_PROXIES"] == subnet


def _compose_command() -> list[str] | None:
    """Compose v2 (`docker compose`) where installed, else v1 (`docker-compose`, Debian's)."""
    docker = shutil.which("docker")
    if docker is not None and subprocess.run([docker, "compose", "version"], capture_output=True,
                                             timeout=30).returncode == 0:
        return [docker, "compose"]
    v1 = shutil.which("docker-compose")
    return [v1] if v1 is not None else None


def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    """Validated as the IT person runs it: beside a `.env` copied from `.env.example`."""
    compose = _compose_command()
    if compose is None:
        pytest.skip("neither docker compose nor docker-compose is installed here")
    shutil.copy(COMPOSE, tmp_path / "docker-compose.yml")
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    out = subprocess.run([*compose, "config", "-q"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode != 0 and ".env" in out.stderr, "compose must refuse to run without .env"
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    out = subprocess.run([*compose, "config", "-q"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr


def test_example_config_loads_and_lists_every_setting() -> None:
    settings = Settings.load(EXAMPLE, {})
    assert settings.holidays == "cn" and not settings.demo
    missing = {f.name for f in fields(Settings)} - keys_in_file(EXAMPLE)
    assert missing == set(), f"add to deploy/gongdan.toml: {sorted(missing)}"


def test_example_env_names_only_real_settings() -> None:
    names = {f"GONGDAN_{f.name.upper()}" for f in fields(Settings)}
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    used = set(re.findall(r"\b(GONGDAN_[A-Z_]+)=", text))
    assert used and used <= names, sorted(used - names)


def test_dockerfile_and_unit() -> None:
    docker = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert docker.startswith("#") and "FROM python:3.11-slim" in docker
    assert "fonts-noto-cjk" in docker and "USER gongdan" in docker and "pip install ." in docker
    assert "HEALTHCHECK" in docker and "/healthz" in docker
    assert '"serve", "--config", "/etc/gongdan/gongdan.toml"' in docker
    unit = (ROOT / "deploy" / "gongdan.service").read_text(encoding="utf-8")
    for line in ("Restart=on-failure", "EnvironmentFile=", "User=gongdan",
                 "ExecStart=/opt/gongdan/.venv/bin/gongdan serve --config"):
        assert line in unit
