"""Settings come from the environment; bad values stop start-up with a clear message."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

PRINT_SETTINGS = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'debug': settings.DEBUG, 'engine': settings.DATABASES['default']['ENGINE'], "
    "'name': str(settings.DATABASES['default']['NAME']), 'hosts': settings.ALLOWED_HOSTS, "
    "'q': {k: v for k, v in settings.Q_CLUSTER.items() if k in ('orm', 'redis')}}))"
)


def run_settings(**environment: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"}
    }
    env.update(environment, DJANGO_SETTINGS_MODULE="procx_site.settings")
    return subprocess.run([sys.executable, "-c", PRINT_SETTINGS], cwd=ROOT, env=env, capture_output=True, text=True)


def test_the_laptop_defaults_are_a_sqlite_file_and_the_orm_broker() -> None:
    result = run_settings()
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is True
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"].endswith("db.sqlite3")
    assert values["q"] == {"orm": "default"}


def test_it_refuses_the_development_key_when_debug_is_off() -> None:
    result = run_settings(DEBUG="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_settings_start_with_a_real_key() -> None:
    result = run_settings(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="procx.example.com")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["hosts"] == ["procx.example.com"]


def test_it_names_a_bad_debug_value() -> None:
    result = run_settings(DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_database_url_selects_postgresql() -> None:
    result = run_settings(DATABASE_URL="postgres://postgres@127.0.0.1:5432/procx")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["engine"] == "django.db.backends.postgresql"


def test_it_names_a_bad_database_url() -> None:
    result = run_settings(DATABASE_URL="nonsense://what")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_redis_url_switches_the_task_broker_to_redis() -> None:
    result = run_settings(REDIS_URL="redis://127.0.0.1:6379/3")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["q"] == {"redis": "redis://127.0.0.1:6379/3"}


def test_it_names_a_bad_redis_url() -> None:
    result = run_settings(REDIS_URL="127.0.0.1:6379")
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    # The test database is in memory (where WAL does not apply); check a file database.
    code = (
        "import django; django.setup(); from django.db import connection; "
        "cursor = connection.cursor(); cursor.execute('PRAGMA journal_mode'); print(cursor.fetchone()[0])"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/wal.sqlite3",
        "DJANGO_SETTINGS_MODULE": "procx_site.settings",
    }
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wal"


def test_it_names_a_bad_worker_count() -> None:
    result = run_settings(PROCX_WORKERS="many")
    assert result.returncode != 0
    assert "PROCX_WORKERS must be a whole number" in result.stderr


def test_the_redis_broker_named_by_redis_url_carries_tasks() -> None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379 (.ci/run starts one)")
    code = (
        "import django; django.setup(); from django_q.brokers import get_broker; "
        "broker = get_broker('procx-settings-test'); broker.purge_queue(); "
        "broker.enqueue('hello'); task = broker.dequeue(); print(type(broker).__name__, task[0][1].decode()); broker.purge_queue()"
    )
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/15", "DJANGO_SETTINGS_MODULE": "procx_site.settings"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Redis", "hello"]


def test_it_refuses_zero_workers() -> None:
    result = run_settings(PROCX_WORKERS="0")
    assert result.returncode != 0
    assert "PROCX_WORKERS must be at least 1" in result.stderr


def test_a_standard_webhooks_secret_that_is_not_base64_stops_start_up() -> None:
    result = run_settings(PROCX_WEBHOOK_SECRET="whsec_not base64!")
    assert result.returncode != 0
    assert "PROCX_WEBHOOK_SECRET must list Standard Webhooks secrets" in result.stderr
    assert "not base64!" not in result.stderr


def test_unsigned_webhooks_are_refused_in_production() -> None:
    result = run_settings(DEBUG="false", SECRET_KEY="x" * 50, PROCX_WEBHOOKS_ALLOW_UNSIGNED="true")
    assert result.returncode != 0
    assert "PROCX_WEBHOOKS_ALLOW_UNSIGNED is for local demos" in result.stderr


def test_offer_caps_name_a_bad_pair() -> None:
    result = run_settings(PROCX_OFFER_CAPS="VIP=20,Loyal=lots")
    assert result.returncode != 0
    assert "'Loyal=lots' is not one" in result.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "PROCX_WEBHOOK_LOG_DAYS must be at least 1"), ("a month", "PROCX_WEBHOOK_LOG_DAYS must be a whole number")],
)
def test_it_names_a_bad_webhook_log_retention(value: str, message: str) -> None:
    result = run_settings(PROCX_WEBHOOK_LOG_DAYS=value)
    assert result.returncode != 0
    assert message in result.stderr
