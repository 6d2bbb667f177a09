"""Strings of Django's admin that its bokmål and nynorsk catalogues lack.

Listed here so `make messages` keeps them in our catalogues, which Django reads before
its own (LOCALE_PATHS): without them editors and moderators saw "Start typing to
filter…", "Run" and "Please correct the error below." in English. Checked against
Django 6.1's admin catalogues; never imported."""

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_ADMIN = [
    gettext_noop("Start typing to filter…"),
    gettext_noop("Filter navigation items"),
    gettext_noop("Run"),
    gettext_noop("Select this object for an action - {}"),
    gettext_noop("Select all objects on this page for an action"),
    gettext_noop("Breadcrumbs"),
    gettext_noop("Sidebar"),
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Error:"),
    gettext_noop("Hide counts"),
    gettext_noop("Show counts"),
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: light)"),
    gettext_noop("Toggle theme (current theme: dark)"),
    gettext_noop("Filter by %(field_name)s"),
    gettext_noop("Added:"),
    gettext_noop("Changed:"),
    gettext_noop("Deleted:"),
    gettext_noop("Pagination %(name)s entries"),
    gettext_noop("Pagination %(name)s"),
    gettext_noop("Search %(name)s"),
    gettext_noop("View selected %(model)s"),
    gettext_noop("Logout"),
    gettext_noop("Set password"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("Thanks for spending some quality time with the web site today."),
    gettext_noop("In case you’ve forgotten, you are:"),
    ngettext_lazy("Please correct the error below.", "Please correct the errors below.", 1),
    ngettext_lazy("…and %(count)d more object.", "…and %(count)d more objects.", 1),
    ngettext_lazy("entry", "entries", 1),
]

SIMPLE_HISTORY = [
    gettext_noop("Or press the 'Change History' button to edit the history."),
]

# Django's core catalogue: the empty choice of every select in the admin's forms.
DJANGO_CORE = [
    gettext_noop("- Select an option -"),
]
