import pytest


@pytest.mark.django_db
def test_home_page_explains_the_offer_to_both_sides(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "For companies" in body
    assert "For consultants" in body


@pytest.mark.django_db
def test_login_page_renders(client):
    assert client.get("/accounts/login/").status_code == 200


@pytest.mark.django_db
def test_owners_find_their_company_data_page_from_the_company_page(client):
    from tests.factories import MembershipFactory

    owner = MembershipFactory(role="owner")
    member = MembershipFactory(role="member", company=owner.company)
    client.force_login(owner.user)
    assert "/company/data/" in client.get("/company/").content.decode()
    client.force_login(member.user)
    assert "/company/data/" not in client.get("/company/").content.decode()
