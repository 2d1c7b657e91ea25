import types

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.signing import SignedPackage


def _heartbeat(seconds_ago: float = 0):
    """What a running qcluster writes into the broker's cache every cycle."""
    stat = types.SimpleNamespace(cluster_id="test-cluster", timestamp=timezone.now() - timezone.timedelta(
        seconds=seconds_ago), status="Idle")
    get_broker().set_stat(f"{Conf.Q_STAT}:test-cluster", SignedPackage.dumps(stat, True), 30)


@pytest.mark.django_db
def test_healthz_is_200_with_a_database_and_a_live_cluster(client):
    _heartbeat(seconds_ago=2)
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["database"] == "ok"
    assert data["queue"]["clusters"] == 1
    assert 1.5 <= data["queue"]["seconds_since_heartbeat"] < 10


@pytest.mark.django_db
def test_healthz_is_503_without_a_cluster(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["queue"]["error"] == "no cluster heartbeat"


@pytest.mark.django_db
def test_healthz_is_503_with_a_stale_heartbeat(client, settings):
    settings.Q_HEARTBEAT_MAX_AGE = 60
    _heartbeat(seconds_ago=300)
    assert client.get("/healthz").status_code == 503


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_fails(client, monkeypatch):
    _heartbeat()

    class BrokenCursor:
        def __enter__(self):
            raise OperationalError("connection refused")

        def __exit__(self, *exc):
            return False

    from config import views

    monkeypatch.setattr(views.connection, "cursor", lambda: BrokenCursor())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")
