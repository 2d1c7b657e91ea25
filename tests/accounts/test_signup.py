import re

import pytest
from allauth.account.models import EmailAddress

from accounts.models import Company, Membership, User
from tests.factories import CompanyFactory

SIGNUP = {
    "name": "Karin Holm", "email": "karin@example.se", "password1": "a-long-pass-phrase", "password2":
    "a-long-pass-phrase", "company_name": "Bostäder i Lidköping AB", "country": "SE", "org_number": "5566778899",
    "industry": "housing", "size": "50-249",
}


@pytest.fixture
def mandatory_verification(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"


@pytest.mark.django_db
def test_signing_up_creates_the_company_with_the_user_as_owner(client, mandatory_verification,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email="karin@example.se")
    assert user.name == "Karin Holm"
    company = Company.objects.get()
    assert company.name == "Bostäder i Lidköping AB"
    assert company.org_number == "556677-8899"  # stored in the canonical Swedish form
    assert Membership.objects.get(user=user, company=company).role == "owner"


@pytest.mark.django_db
def test_an_invalid_org_number_re_renders_the_form_with_the_typed_values(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "org_number": "5566778898"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "valid check digit" in body
    assert 'value="Bostäder i Lidköping AB"' in body
    assert not User.objects.exists()
    assert not Company.objects.exists()


@pytest.mark.django_db
def test_a_danish_cvr_number_is_validated_by_the_cvr_check(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "country": "DK", "org_number": "10150818"})
    assert "CVR check" in response.content.decode()
    response = client.post("/accounts/signup/", {**SIGNUP, "country": "DK", "org_number": "DK 10 15 08 17"})
    assert response.status_code == 302
    assert Company.objects.get().org_number == "10150817"


@pytest.mark.django_db
def test_an_org_number_already_registered_in_the_country_is_refused(client):
    CompanyFactory(country="SE", org_number="556677-8899")
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 200
    assert "already registered" in response.content.decode()
    assert Company.objects.count() == 1


@pytest.mark.django_db
def test_verification_is_mandatory_when_debug_is_off(client, mandatory_verification,
                                                     django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", SIGNUP)
    # Not verified yet: logging in lands on "verify your e-mail", not on the dashboard.
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/", {"login": SIGNUP["email"], "password": SIGNUP["password1"]})
    assert response.status_code == 302
    assert "confirm-email" in response["Location"] or "verification" in response["Location"]
    assert client.get("/dashboard/").status_code == 302  # still anonymous

    path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mailoutbox[0].body).group(1)
    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email=SIGNUP["email"]).verified
    assert client.get("/dashboard/").status_code == 302
    assert client.get("/company/").status_code == 200


@pytest.mark.django_db
def test_settings_make_verification_mandatory_without_debug(settings):
    # The value comes from settings.py: DEBUG is off in tests, so it must be mandatory.
    from config import settings as project_settings

    assert project_settings.DEBUG is False
    assert project_settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"


@pytest.mark.django_db
def test_the_sign_up_mail_names_the_site_from_site_url(client, settings, mandatory_verification, mailoutbox,
                                                       django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://probono.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", SIGNUP)
    body = mailoutbox[-1].body
    assert "on probono.example.com" in body, body
    assert " on ." not in body


@pytest.mark.django_db
def test_signing_up_with_a_known_address_reveals_nothing_when_verification_is_mandatory(
        client, mandatory_verification, mailoutbox, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    UserFactory(email="karin@example.se")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/accounts/signup/", {**SIGNUP, "company_name": "Another AB", "org_number": ""})
    fresh_client = type(client)()
    with django_capture_on_commit_callbacks(execute=True):
        fresh = fresh_client.post("/accounts/signup/", {**SIGNUP, "email": "new@example.se",
                                                        "company_name": "Third AB", "org_number": ""})
    assert known.status_code == fresh.status_code == 302
    assert known["Location"] == fresh["Location"]
    assert "already" not in client.get(known["Location"]).content.decode()
    # The owner of the address is told by mail instead.
    assert any(m.to == ["karin@example.se"] and "already exists" in m.body for m in mailoutbox)
