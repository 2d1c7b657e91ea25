# The security tests' world and signed-in client, shared rather than copied.
from tests.security.conftest import as_actor, world  # noqa: F401
