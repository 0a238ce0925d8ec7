"""A fifth agency that exists only in this test: AHU, Kemenkumham's registry of legal entities.

It verifies the organisation's name (R5) as AHU holds it. Everything the hub
needs to know about it is this one spec row; nothing outside this folder
names it.
"""

from contracts.agencies import AGENCIES, Agencies, AgencySpec

AHU_NAME = AgencySpec(
    check="AHU",
    agency="KEMENKUMHAM",
    request_topic="insw.verification.ahu.requested.v1",
    field="organisation.name",
    settles=("R5",),
    adapter="tests.unit.fifth_agency.adapter",
    service="insw-adapter-ahu",
    signer="adapter-ahu",
    simulator="ahu",
    base_url_env="AHU_BASE_URL",
)

WITH_AHU = Agencies((*AGENCIES, AHU_NAME))
"""The spec list this test passes to the gateway: the shipped three, then AHU."""
