"""The published contract: AsyncAPI document in step with the code, topics complete."""

from pathlib import Path

from contracts import asyncapi, channels, topics

DOC = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.json"


def test_committed_asyncapi_document_is_the_generated_one():
    regenerate = "run: python -m contracts.asyncapi > docs/asyncapi.json"
    assert DOC.read_text() == asyncapi.render(), regenerate


def test_every_consumed_topic_has_a_dead_letter_twin_in_the_document():
    addresses = {c["address"] for c in asyncapi.document()["channels"].values()}
    consumed = [c.topic for c in channels.channels() if c.hub_consumes]
    assert (
        len(consumed) == 11
    )  # submissions, decisions, three agencies, answers, ..., trader and officer commands
    for topic in consumed:
        assert topic in addresses
        assert topics.dead_letter_topic(topic) in addresses
        assert topics.dead_letter_topic(topic) in channels.all_topics()


def test_submission_schema_covers_the_four_steps_of_the_form():
    schemas = asyncapi.document()["components"]["schemas"]
    for step in (
        "RequestInfo",
        "Organisation",
        "Applicant",
        "Attachments",
        "Consent",
        "DocumentRef",
    ):
        assert step in schemas
    assert set(schemas["DocumentRef"]["properties"]) >= {"document_id", "sha256"}


def test_readme_lists_every_reason_code_with_both_texts():
    from contracts import reasons as rc

    readme = (DOC.parents[1] / "README.md").read_text()
    for code in [v for v in vars(rc).values() if isinstance(v, rc.ReasonCode)]:
        assert f"| {code.rule} | `{code.code}` | {code.text_id} | {code.text_en} |" in readme
