"""The public verify endpoint on an altered proof (issue 15, bad input): the API answers only
that the proof is not authentic, with a Chinese message, and none of the stored facts (not the
masked name or SSN, not the altered amounts); the OpenAPI documents both answers."""

from sqlalchemy import func, update

from jingban.records.models import Proof
from tests.records.test_proofs import API, issue, world  # noqa: F401  (the fixture)


def test_altered_proof_answers_only_not_authentic(client, login, world, sessions):  # noqa: F811
    out = issue(client, login("clerk"), world.employee, "enrollment").json()
    before = client.get(f"{API}/verify/{out['code']}").json()
    assert before["authentic"] is True and before["facts"]
    with sessions() as db:  # the name in the stored facts changed afterwards
        db.execute(update(Proof).where(Proof.code == out["code"]).values(
            facts=func.replace(Proof.facts, before["facts"]["title"], "伪造证明")))
        db.commit()
    reply = client.get(f"{API}/verify/{out['code']}")
    assert reply.status_code == 200
    message = "该证明记录已被改动，未通过真实性校验，不能作为有效证明，请向经办机构核实"
    assert reply.json() == {"code": out["code_grouped"], "authentic": False, "message": message}
    for fact in ("伪造证明", before["ssn"], before["name"], "enrollments", "issued_at"):
        assert fact not in reply.text


def test_openapi_documents_both_answers(app):
    schema = app.openapi()
    answer = schema["paths"]["/api/v1/verify/{code}"]["get"]["responses"]["200"]
    refs = {s["$ref"].rsplit("/", 1)[1] for s in answer["content"]["application/json"]["schema"]["anyOf"]}
    assert refs == {"VerifyOut", "NotAuthenticOut"}
    bad = schema["components"]["schemas"]["NotAuthenticOut"]
    assert set(bad["properties"]) == {"code", "authentic", "message"}
