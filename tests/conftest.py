import pytest

from tests.factories import CompanyFactory, MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(request, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames)
    if uses_db:
        # The cache is Redis under make test-postgres: rate-limit counters must not leak between tests.
        request.getfixturevalue("db") if not request.node.get_closest_marker("django_db") else None
        from django.core.cache import cache

        cache.clear()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def company_owner(db):
    return MembershipFactory(role="owner").user


@pytest.fixture
def staff_user(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def company(db):
    return CompanyFactory()
