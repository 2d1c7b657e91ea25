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


# --- Real servers for calendar tests ------------------------------------------------------------------------
@pytest.fixture(scope="session")
def radicale(tmp_path_factory):
    """A real Radicale CalDAV server on 127.0.0.1 (a free port), temporary storage, one htpasswd user.

    Yields (base_url, username, password). Tests make their own calendars (names unique per test).
    """
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    folder = tmp_path_factory.mktemp("radicale")
    (folder / "users").write_text("anna:app-password-1\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", "", "--server-hosts", f"127.0.0.1:{port}",
         "--storage-filesystem-folder", str(folder / "collections"), "--auth-type", "htpasswd",
         "--auth-htpasswd-filename", str(folder / "users"), "--auth-htpasswd-encryption", "plain",
         "--rights-type", "owner_only", "--logging-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 (our own loopback server)
            break
        except urllib.error.HTTPError:
            break  # it answers (401 or a redirect): up
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("Radicale did not start: " + process.stderr.read().decode(errors="replace"))
            time.sleep(0.1)
    yield url, "anna", "app-password-1"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
