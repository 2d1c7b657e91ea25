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
