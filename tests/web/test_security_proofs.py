"""A tampered proof on the public verify page (issue 15, bad input): a code with one character
changed, and a stored statement altered after it was issued, each get a clear "not authentic"
and never show the altered content as what the agency stated."""

from fastapi.testclient import TestClient
from sqlalchemy import func, update

from jingban.records.models import Proof
from tests.records.test_proofs import issue, world  # noqa: F401  (the fixture)

NOT_FOUND = "无法证明其真实性"
NOT_AUTHENTIC = "未通过真实性校验"


def test_tampered_code_or_record_is_not_authentic(app, client, login, world, sessions):  # noqa: F811
    code = issue(client, login("clerk"), world.employee, "rights").json()["code"]
    with TestClient(app) as public:
        shown = public.get(f"/verify/{code}")
        assert shown.status_code == 200 and "该证明由本机构出具" in shown.text
        assert NOT_AUTHENTIC not in shown.text and 'id="proof-years"' in shown.text
        flipped = code[:-1] + ("A" if code[-1] != "A" else "B")
        for bad in (flipped, code[:8], code + "Z"):
            page = public.get(f"/verify/{bad}")
            assert page.status_code == 404 and NOT_FOUND in page.text, bad
            assert 'id="proof-years"' not in page.text
        with sessions() as db:
            db.execute(update(Proof).where(Proof.code == code).values(
                facts=func.replace(Proof.facts, '"actual_months":12', '"actual_months":24')))
            db.commit()
        altered = public.get(f"/verify/{code}")
        assert NOT_AUTHENTIC in altered.text and "该证明由本机构出具" not in altered.text
        assert 'id="proof-years"' not in altered.text and 'id="proof-ssn"' not in altered.text
