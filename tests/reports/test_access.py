"""Who may open what: staff reports, the consultant's own feedback page, the wall, company data pages."""

import pytest
from django.urls import reverse

from tests.factories import ConsultantFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["reports:index", "reports:conversions_csv", "reports:leads_csv"]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_signed_out_visitors_are_sent_to_the_login_page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_people_who_are_not_staff_get_403(client, name):
    for user in (UserFactory(), ConsultantFactory().user, MembershipFactory(role="owner").user):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_can_open_the_reports(client, staff_user, name):
    client.force_login(staff_user)
    assert client.get(reverse(name)).status_code == 200


def test_my_feedback_is_404_for_people_who_are_not_consultants(client, user):
    client.force_login(user)
    assert client.get(reverse("reports:my_feedback")).status_code == 404


def test_a_consultant_opens_their_feedback_page(client):
    consultant = ConsultantFactory()
    client.force_login(consultant.user)
    response = client.get(reverse("reports:my_feedback"))
    assert response.status_code == 200
    assert "Your feedback" in response.text


@pytest.mark.parametrize("name", ["reports:data_protection", "reports:company_export", "reports:company_delete"])
def test_company_data_pages_are_404_for_members_who_are_not_owners(client, name):
    member = MembershipFactory(role="member").user
    client.force_login(member)
    assert client.get(reverse(name)).status_code == 404
    client.force_login(UserFactory())
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", ["reports:data_protection", "reports:company_delete"])
def test_owners_open_the_company_data_pages(client, company_owner, name):
    client.force_login(company_owner)
    assert client.get(reverse(name)).status_code == 200
