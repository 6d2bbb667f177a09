"""Every public page of the `guide` fixture (tests/conftest.py), for tests that hold for
all of them: that each renders as a page should, and that each shows the consultation
round."""

from __future__ import annotations

PUBLIC_PAGES = [
    "/",
    "/veileder/",
    "/veileder/forord/",
    "/veileder/forord/del-1/",
    "/veileder/ta-stilling/",
    "/veileder/ta-stilling/del-1/",
    "/veileder/ta-stilling/endringer/",
    "/veileder/hele/",
    "/eksempler/",
    "/eksempler/lanekassa/",
    "/eksempler/lanekassa/del-1/",
    "/versjoner/",
    "/versjoner/0.9/",
    "/versjoner/0.9/forord/",
    "/versjoner/0.9/lanekassa/",
    "/endringer/",
    "/kommentarer/",
    "/horing/",
    "/horing/rapport/",
    "/sok/?q=tekst",
    "/personvern/",
    "/tilgjengelighet/",
    "/apne-data/",
]
