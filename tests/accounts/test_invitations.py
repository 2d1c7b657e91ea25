import re

import pytest

from accounts.models import Membership, User
from tests.factories import MembershipFactory, UserFactory


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.mark.django_db
def test_owner_invites_a_colleague_who_sets_a_password_and_becomes_a_member(
        client, mailoutbox, django_capture_on_commit_callbacks):
    owner = MembershipFactory(role="owner").user
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/company/invite/", {"email": "Oskar@Example.se"})
    assert response.status_code == 302
    invited = User.objects.get(email="oskar@example.se")
    assert not invited.has_usable_password()
    assert Membership.objects.get(user=invited).role == "member"
    assert mailoutbox[0].to == ["oskar@example.se"]
    link = _path(re.search(r"https?://\S+/accounts/invitation/\S+/", mailoutbox[0].body).group(0))

    client.logout()
    assert client.get(link).status_code == 200
    response = client.post(link, {"name": "Oskar Lind", "password": "a-long-pass-phrase"})
    assert response.status_code == 302
    assert client.get("/company/").status_code == 200
    # The link is single-use: it stops working once the password is set.
    client.logout()
    assert client.get(link).status_code == 404


@pytest.mark.django_db
def test_a_member_who_is_not_owner_cannot_invite(client):
    member = MembershipFactory(role="member").user
    client.force_login(member)
    assert client.post("/company/invite/", {"email": "x@example.com"}).status_code == 404
    assert not User.objects.filter(email="x@example.com").exists()


@pytest.mark.django_db
def test_inviting_an_existing_member_explains_it(client):
    owner_membership = MembershipFactory(role="owner")
    colleague = MembershipFactory(company=owner_membership.company).user
    client.force_login(owner_membership.user)
    response = client.post("/company/invite/", {"email": colleague.email}, follow=True)
    assert "already a member" in response.content.decode()


@pytest.mark.django_db
def test_an_invalid_invitation_email_re_renders_with_an_error(client):
    owner = MembershipFactory(role="owner").user
    client.force_login(owner)
    response = client.post("/company/invite/", {"email": "not-an-address"})
    assert response.status_code == 400
    assert "valid email" in response.content.decode().lower()


@pytest.mark.django_db
def test_a_tampered_invitation_link_is_404(client):
    user = UserFactory()
    assert client.get("/accounts/invitation/MQ/bad-token/").status_code in (404,)
    assert client.get("/accounts/invitation/!!!/x/").status_code == 404
    assert user.has_usable_password()
