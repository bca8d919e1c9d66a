"""Production safety: check --deploy, secrets, headers, login throttling, health."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError
from django.urls import reverse

from blanko import access
from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k3v9-" + "x7Qp2mZt8Lw4Rn6Ys1Hb5Jc0Vd3Fg9Ke2Ua7Oi4" * 2,
    "DJANGO_ALLOWED_HOSTS": "siblanko.example.go.id",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_check_deploy_gives_zero_warnings_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_does_complain_in_debug_mode():
    """The check above can fail: the same check with DEBUG on reports problems."""
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    env={**PRODUCTION_ENV, "DJANGO_DEBUG": "1"})
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr  # DEBUG must be False


def test_missing_secret_key_stops_the_app_with_a_clear_message():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY wajib diisi" in result.stderr


def test_no_secret_is_committed():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    pattern = re.compile(r"(SECRET_KEY\s*=\s*['\"](?!django-insecure)[^'\"]{20,})"
                         r"|(BEGIN (RSA|EC|OPENSSH) PRIVATE KEY)")
    offenders = []
    for name in tracked:
        path = ROOT / name
        if path.suffix in {".py", ".env", ".toml", ".cfg", ".ini", ".yml", ".yaml"} \
                and path.is_file() and pattern.search(path.read_text(errors="ignore")):
            offenders.append(name)
    assert not offenders


def test_templates_carry_no_inline_script():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{template.relative_to(ROOT)}: {tag}")
        if re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{template.relative_to(ROOT)}: inline event handler")
    assert not offenders


@pytest.mark.django_db
def test_every_response_has_a_content_security_policy_without_inline_script(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(client, office, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user(access.OPERATOR, office, username="korban")
    user.set_password("sandi-benar-123")
    user.save()
    for _ in range(3):
        response = client.post(reverse("login"),
                               {"username": "korban", "password": "salah"})
    response = client.post(reverse("login"),
                           {"username": "korban", "password": "sandi-benar-123"})
    assert response.status_code in (403, 429)
    assert "Terlalu banyak percobaan" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_works_and_wrong_password_gets_an_indonesian_message(client, office):
    user = make_user(access.OPERATOR, office, username="petugas1")
    user.set_password("sandi-benar-123")
    user.save()
    wrong = client.post(reverse("login"), {"username": "petugas1", "password": "x"})
    assert wrong.status_code == 200
    body = wrong.content.decode()
    assert "Nama pengguna atau sandi salah" in body
    assert "nama pengguna nama pengguna" not in body.lower()
    right = client.post(reverse("login"), {"username": "petugas1",
                                           "password": "sandi-benar-123"})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_health_reports_the_database(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_health_answers_503_when_the_database_fails(client, monkeypatch):
    from blanko.views import ledger as views

    class Broken:
        def cursor(self):
            raise DatabaseError("down")

    monkeypatch.setattr(views, "connection", Broken())
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
