import pytest

from tests.security.world import build_world


@pytest.fixture
def world(db):
    """One of everything, owned by the six actors of the security matrix (tests/security/world.py)."""
    return build_world()


@pytest.fixture
def as_actor(client, world):
    """The test client signed in as one of the world's actors."""

    def login(actor: str):
        client.logout()
        if world.users[actor] is not None:
            client.force_login(world.users[actor])
        return client

    return login
