from __future__ import annotations

from django.test import Client


def _login(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_five_failed_logins_lock_the_account_out_with_a_clear_message(db, editor):
    client = Client()
    for _ in range(4):
        assert _login(client, "redaktor", "feil-passord").status_code == 200
    locked = _login(client, "redaktor", "feil-passord")
    assert locked.status_code == 429
    assert "fem" in locked.content.decode() or "five" in locked.content.decode()
    # Even the right password is refused now, from anywhere.
    assert _login(Client(), "redaktor", "et-langt-passord-123", "10.9.9.9").status_code == 429


def test_the_client_is_locked_out_too(db, editor, django_user_model):
    django_user_model.objects.create_user("annen", password="et-langt-passord-123", is_staff=True)
    client = Client()
    for n in range(5):
        _login(client, f"gjett{n}", "feil")
    assert _login(client, "annen", "et-langt-passord-123").status_code == 429


def test_a_correct_login_still_works(db, editor):
    client = Client()
    response = _login(client, "redaktor", "et-langt-passord-123")
    assert response.status_code == 302
