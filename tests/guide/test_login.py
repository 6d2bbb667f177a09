from __future__ import annotations

import pytest
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
    assert "fem" in locked.content.decode()
    # The right password is refused from that address now; from elsewhere it works.
    assert _login(Client(), "redaktor", "et-langt-passord-123").status_code == 429
    assert _login(Client(), "redaktor", "et-langt-passord-123", "10.9.9.9").status_code == 302


def test_five_strangers_cannot_lock_an_editor_out(db, editor):
    for n in range(1, 6):
        assert _login(Client(), "redaktor", "feil-passord", f"192.0.2.{n}").status_code == 200
    # A sixth stranger's wrong password is still just a wrong password...
    assert _login(Client(), "redaktor", "feil-passord", "192.0.2.6").status_code == 200
    # ...and the editor's own login from their address goes through.
    assert _login(Client(), "redaktor", "et-langt-passord-123", "198.51.100.7").status_code == 302


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("nb", "For mange mislykkede innlogginger"),
        ("nn", "For mange mislukka innloggingar"),
        ("en", "Too many failed logins"),
    ],
)
def test_the_lockout_page_is_in_the_readers_language(db, editor, language, heading):
    client = Client()
    client.cookies["django_language"] = language
    for _ in range(5):
        locked = _login(client, "redaktor", "feil-passord")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert heading in html and f'lang="{language}"' in html


def test_guessing_one_account_from_one_address_does_not_lock_the_others(
    db, editor, django_user_model
):
    django_user_model.objects.create_user("annen", password="et-langt-passord-123", is_staff=True)
    client = Client()
    for _ in range(5):
        _login(client, "redaktor", "feil")
    assert _login(client, "redaktor", "et-langt-passord-123").status_code == 429
    assert _login(client, "annen", "et-langt-passord-123").status_code == 302


def test_a_correct_login_still_works(db, editor):
    client = Client()
    response = _login(client, "redaktor", "et-langt-passord-123")
    assert response.status_code == 302
