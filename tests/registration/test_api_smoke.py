from tests.conftest import employer_body, error_of, person_body


def test_register_employer_and_person(client, login):
    h = login("clerk")
    reply = client.post("/api/v1/employers", json=employer_body(), headers=h)
    assert reply.status_code == 201, reply.text
    reply = client.post("/api/v1/persons", json=person_body(), headers=h)
    assert reply.status_code == 201, reply.text
    ssn = reply.json()["ssn"]
    hist = client.get(f"/api/v1/persons/{ssn}/history", headers=h)
    assert hist.status_code == 200, hist.text
    assert hist.json()[0]["act"] == "registration.register_person"


def test_missing_token(client):
    assert error_of(client.get("/api/v1/persons/x"))["code"] == "auth.missing_token"
