import pytest

from safestar.org.demo import ACCOUNTS


@pytest.mark.parametrize("username", [a[0] for a in ACCOUNTS])
def test_each_persona_sees_its_division_path_and_duties(login, username):
    from safestar.org.models import User
    from safestar.org.roles import spec

    user = User.objects.get(username=username)
    response = login(username).get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert user.division.full_name() in text
    for duty in spec(user.role).duties:
        assert duty in text


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"
