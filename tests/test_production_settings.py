"""Production settings: secrets only from the environment, `check --deploy` clean, 2FA never relaxed."""

import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(tmp_path, *args, **env):
    base = {"PATH": "/usr/bin:/bin", "SAFESTAR_VAR": str(tmp_path), "SAFESTAR_PRODUCTION": "1"}
    return subprocess.run(
        [sys.executable, "-m", "safestar", *args], cwd=ROOT, env=base | env, capture_output=True, text=True, timeout=120
    )


SECRETS = {
    "SAFESTAR_SECRET_KEY": secrets.token_urlsafe(60),
    "SAFESTAR_HOSTS": "safestar.example.gov.cn",
    "SAFESTAR_FIELD_KEYS": "{}",
}


def test_check_deploy_is_clean(tmp_path):
    result = run(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **SECRETS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_it_refuses_to_start_without_each_secret(tmp_path, missing):
    env = {k: v for k, v in SECRETS.items() if k != missing}
    result = run(tmp_path, "check", **env)
    assert result.returncode != 0
    assert f"生产环境必须通过环境变量 {missing} 提供该配置" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_production_never_relaxes_two_factor_even_with_the_demo_switch(tmp_path):
    code = "from django.conf import settings as s; print(s.SAFESTAR_REQUIRE_2FA, s.SAFESTAR_DEMO_BANNER, s.DEBUG, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    result = run(tmp_path, "shell", "--no-imports", "-c", code, SAFESTAR_DEMO="1", SAFESTAR_DEBUG="1", **SECRETS)
    assert result.stdout.split() == ["True", "False", "False", "True", "31536000"], result.stderr
