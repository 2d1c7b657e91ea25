import pytest

from tests.factories import ConsultantFactory


@pytest.fixture
def consultant(db):
    return ConsultantFactory(display_name="Anna Lindqvist", slug="anna-lindqvist")


@pytest.fixture
def consultant_client(client, consultant):
    client.force_login(consultant.user)
    return client
