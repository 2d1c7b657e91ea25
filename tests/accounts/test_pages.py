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
