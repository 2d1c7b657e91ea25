"""Hostile input to the sign-up, profile, company, invite and invitation forms."""

from hypothesis import given

from tests.fuzz.hostile import FUZZ, check_post, field_values

SIGNUP = {"email": "new.person@example.com", "password1": "a-long-pass-phrase-42",
          "password2": "a-long-pass-phrase-42", "name": "Nina New", "company_name": "Nya Bolaget AB",
          "country": "SE", "org_number": "", "industry": "retail", "size": "10-49"}
PROFILE = {"name": "Maja M", "time_zone": "Europe/Stockholm", "language": "en"}
COMPANY = {"company_name": "Owning Company AB", "country": "SE", "org_number": "556677-8899", "industry": "retail",
           "size": "10-49"}
INVITATION = {"name": "Ivar Invited", "password": "a-long-pass-phrase-42"}


@FUZZ
@given(data=field_values(SIGNUP))
def test_signup_survives_hostile_input(client, world, data):
    client.logout()
    check_post(client, "/accounts/signup/", data)
    client.logout()  # a valid sign-up logs in; the next example starts signed out again


@FUZZ
@given(data=field_values(PROFILE))
def test_profile_survives_hostile_input(as_actor, data):
    check_post(as_actor("member"), "/me/profile/", data)


@FUZZ
@given(data=field_values(COMPANY))
def test_company_details_survive_hostile_input(as_actor, data):
    check_post(as_actor("member"), "/company/", data)


@FUZZ
@given(data=field_values({"email": "colleague@example.com"}))
def test_company_invite_survives_hostile_input(as_actor, data):
    check_post(as_actor("member"), "/company/invite/", data)


@FUZZ
@given(data=field_values(INVITATION))
def test_invitation_accept_survives_hostile_input(client, world, data):
    client.logout()
    url = f"/accounts/invitation/{world.tokens['invitation_uidb64']}/{world.tokens['invitation']}/"
    check_post(client, url, data)


@FUZZ
@given(data=field_values({"confirm_name": "Other Company AB"}))
def test_the_company_deletion_confirmation_survives_hostile_input(as_actor, world, data):
    """The owner of the other company types anything but its exact name: refused, nothing deleted."""
    if data.get("confirm_name") == "Other Company AB":
        data["confirm_name"] = "Other Company AB?"
    check_post(as_actor("other_member"), "/company/data/delete/", data)


@FUZZ
@given(data=field_values({"login": "maja@example.com", "password": "not-her-password", "remember": "on"}))
def test_the_login_form_survives_hostile_input(client, world, data):
    client.logout()
    check_post(client, "/accounts/login/", data)
    client.logout()


@FUZZ
@given(data=field_values({"email": "maja@example.com"}))
def test_password_reset_and_login_code_requests_survive_hostile_input(client, world, data):
    client.logout()
    for url in ("/accounts/password/reset/", "/accounts/login/code/"):
        check_post(client, url, data)
