"""No page answers a junk path or parameter with a 500: unknown things are Chinese 4xx pages."""

import pytest

from tests.web.helpers import sign_in

JUNK = ["/cases/99999999999", "/cases/0", "/cases/abc", "/cases/new/NOPE",
        "/cases/new/REG-PERSON-CHANGE?ssn=%00", "/cases/deadlines?within=-5",
        "/cases/deadlines?within=x", "/employers/%00", "/employers/x/change", "/employers/x/cancel",
        "/persons/x", "/persons/x/history", "/persons/%E4%B8%AD", "/feeds/99999999999",
        "/feeds/abc", "/search?q=%00", "/search?q=" + "x" * 500, "/?q=%25%25",
        "/records/imports/99999999999", "/records/imports/x", "/persons/x/rights",
        "/employers/x/staff", "/employers/x/arrears.csv", "/verify/%00", "/verify/" + "A" * 300,
        "/my/proofs/file/x.pdf", "/activate/confirm", "/cases/new/REC-CORRECTION?ssn=x"]


@pytest.mark.parametrize("roles", [("clerk",), ("data_admin",), ("reviewer_1",), ("accountant",)])
def test_junk_paths_are_4xx_pages(client, make_user, roles):
    sign_in(client, make_user("junk_" + "_".join(roles), *roles))
    for path in JUNK:
        reply = client.get(path)
        assert reply.status_code < 500, (path, reply.status_code)
        if reply.status_code >= 400:
            assert "text/html" in reply.headers["content-type"], path
