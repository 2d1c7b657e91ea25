"""Staff invite consultants (command and admin action) and can hide a profile."""

import re

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from consultants.models import Consultant
from tests.factories import ConsultantFactory

pytestmark = pytest.mark.django_db


def test_invite_consultant_creates_the_account_and_profile_and_mails_a_link(
        client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("invite_consultant", "Mads@Example.dk", "--name", "Mads Nørgaard",
                     "--time-zone", "Europe/Copenhagen", "--language", "da")
    user = User.objects.get(email="mads@example.dk")
    consultant = Consultant.objects.get(user=user)
    assert (consultant.display_name, consultant.slug, consultant.time_zone) == (
        "Mads Nørgaard", "mads-norgaard", "Europe/Copenhagen")
    assert not user.has_usable_password()
    [mail] = mailoutbox
    assert mail.to == ["mads@example.dk"]
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", mail.body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)
    response = client.post(path, {"name": "Mads Nørgaard", "password": "a-long-pass-phrase"})
    assert response.status_code == 302
    assert client.get("/me/calendar/").status_code == 200


def test_invited_consultants_get_unique_slugs(django_capture_on_commit_callbacks):
    ConsultantFactory(slug="anna-berg")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("invite_consultant", "anna1@example.com", "--name", "Anna Berg")
        call_command("invite_consultant", "anna2@example.com", "--name", "Anna Berg")
    assert sorted(Consultant.objects.values_list("slug", flat=True)) == ["anna-berg", "anna-berg-2", "anna-berg-3"]


def test_inviting_an_active_consultant_again_is_refused(django_capture_on_commit_callbacks):
    c = ConsultantFactory()
    with pytest.raises(CommandError):
        call_command("invite_consultant", c.user.email)
    assert Consultant.objects.count() == 1


def test_the_admin_action_sends_invitations_only_to_those_without_a_password(
        client, staff_user, mailoutbox, django_capture_on_commit_callbacks):
    invited = ConsultantFactory()
    invited.user.set_unusable_password()
    invited.user.save()
    active = ConsultantFactory()
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/consultants/consultant/", {
            "action": "send_invitation", "_selected_action": [invited.pk, active.pk]}, follow=True)
    assert response.status_code == 200
    assert [m.to for m in mailoutbox] == [[invited.user.email]]
    assert "/accounts/invitation/" in mailoutbox[0].body
    assert "already has a password" in response.content.decode()


def test_staff_hide_a_profile_from_the_admin_and_it_disappears(client, staff_user):
    c = ConsultantFactory(display_name="Visible Vera", slug="vera")
    client.force_login(staff_user)
    client.post("/admin/consultants/consultant/", {"action": "hide_profiles", "_selected_action": [c.pk]})
    c.refresh_from_db()
    assert c.hidden_by_staff
    client.logout()
    assert "Visible Vera" not in client.get("/consultants/").content.decode()
    assert client.get("/consultants/vera/").status_code == 404


def test_admin_pages_render(client, staff_user):
    c = ConsultantFactory()
    client.force_login(staff_user)
    for url in ("/admin/consultants/consultant/", f"/admin/consultants/consultant/{c.pk}/change/",
                "/admin/consultants/slot/", "/admin/consultants/blackout/"):
        assert client.get(url).status_code == 200, url


def test_staff_invite_a_new_consultant_from_the_admin(client, staff_user, mailoutbox,
                                                       django_capture_on_commit_callbacks):
    client.force_login(staff_user)
    assert "/admin/consultants/consultant/invite/" in client.get("/admin/consultants/consultant/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/consultants/consultant/invite/", {
            "email": "sofia@example.com", "name": "Sofia Berg", "time_zone": "Europe/Stockholm", "language": "en"})
    assert response.status_code == 302
    assert Consultant.objects.get(user__email="sofia@example.com").slug == "sofia-berg"
    assert mailoutbox[0].to == ["sofia@example.com"] and "/accounts/invitation/" in mailoutbox[0].body


def test_people_who_are_not_staff_cannot_invite_from_the_admin(client, consultant):
    client.force_login(consultant.user)
    response = client.post("/admin/consultants/consultant/invite/", {"email": "x@example.com", "name": "X",
                                                                     "time_zone": "UTC", "language": "en"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not User.objects.filter(email="x@example.com").exists()
