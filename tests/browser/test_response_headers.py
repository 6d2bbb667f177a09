"""Chromium accepts the headers every answer carries: a Permissions-Policy feature it
does not know is reported on the console, and would mean the policy is not what we
think it is."""

from __future__ import annotations


def test_chromium_accepts_the_permissions_policy(published_guide, page):
    complaints = []
    page.on(
        "console",
        lambda message: complaints.append(message.text) if "ermissions" in message.text else None,
    )
    for path in ["/", "/veileder/", "/personvern/"]:
        response = page.goto(published_guide + path, wait_until="load")
        assert response.status == 200, path
        assert "camera=()" in response.headers["permissions-policy"]
        # A feature turned off is reported as off.
        assert page.evaluate("document.featurePolicy.allowsFeature('camera')") is False
    assert complaints == []
