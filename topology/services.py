"""Every process of the hub, declared once: what to run, what it needs, where it listens.

Why: the set of services used to be written three times (the developer
stack, ``docker-compose.yml``, the fault suite) and drifted. Each
:class:`Service` says which module ``python -m`` runs, which infrastructure
it needs (Kafka, Redis), which other listeners it must be told about
(:class:`Link`: an agency's base URL, the SMTP relay), where it listens
(:class:`Listener`) and its consumer groups. Readers turn that into
processes (``devstack.stack``) or compose services (``devstack.compose``);
nothing here knows about ports chosen at run time or container images.

Order matters: services start top to bottom and stop bottom to top.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from contracts import signers
from contracts.agencies import AGENCIES, AgencySpec


class Form(StrEnum):
    """How a :class:`Link` renders a listener's address into a variable."""

    URL = "url"
    """``http://<host>:<port>`` as seen by other services (the compose network, or loopback)."""
    PUBLIC_URL = "public-url"
    """``http://127.0.0.1:<port>`` as seen by a person on the host (links in emails)."""
    HOST = "host"
    PORT = "port"


@dataclass(frozen=True)
class Listener:
    """A port a service listens on.

    ``key`` names it in a stack's port map; ``port`` is its fixed port in
    compose (the developer stack picks a free one). The port is given by the
    ``--port``/``--host`` flags unless ``port_env``/``host_env`` name variables.
    """

    key: str
    port: int
    port_env: str | None = None
    host_env: str | None = None
    published: bool = False
    """Compose publishes it on the host's 127.0.0.1 (an endpoint people or integrators use)."""


@dataclass(frozen=True)
class Link:
    """Variable ``env`` of a service holds the address of listener ``key`` in ``form``."""

    env: str
    key: str
    form: Form = Form.URL


@dataclass(frozen=True)
class Service:
    """One process of the hub (or a stand-in for a system outside it)."""

    name: str
    module: str
    args: tuple[str, ...] = ()
    kafka: bool = True
    redis: bool = True
    links: tuple[Link, ...] = ()
    listener: Listener | None = None
    groups: tuple[str, ...] = ()
    """Consumer groups it commits in (each also has a ``<group>.retry`` twin when it consumes)."""
    stand_in: bool = False
    """It stands in for a system the hub does not run: an agency, CEISA, the SMTP relay."""
    decision_path: bool = True
    """On the way from a submission to its decision (what the benchmark measures)."""
    registration_path: bool = True
    """On the way from a submission to its decision, email and customs message (fault runs)."""
    signer: str | None = None
    """The principal it signs as (:mod:`contracts.signers`): it is given that key only."""


def agency(name: str, agencies: Sequence[AgencySpec] = AGENCIES) -> AgencySpec:
    """The agency whose simulator is called ``name`` (``oss``); KeyError if there is none."""
    for candidate in agencies:
        if candidate.simulator == name:
            return candidate
    raise KeyError(name)


def simulator_name(agency: AgencySpec) -> str:
    """The process name of ``agency``'s simulator."""
    return f"simulator-{agency.simulator}"


def adapter_name(agency: AgencySpec) -> str:
    """The process name of ``agency``'s adapter (``adapters-oss_nib``)."""
    return "adapters-" + agency.adapter.rsplit(".", 1)[-1]


def agency_services(
    agencies: Sequence[AgencySpec] = AGENCIES,
) -> tuple[list[Service], list[Service]]:
    """The simulators and adapters of ``agencies``: the one loop over the agency specs."""
    simulators = [
        Service(
            simulator_name(a),
            "simulators",
            args=(a.simulator,),
            kafka=False,
            redis=False,
            listener=Listener(a.simulator, a.simulator_port),
            stand_in=True,
        )
        for a in agencies
    ]
    adapters = [
        Service(
            adapter_name(a),
            a.adapter,
            links=(Link(a.base_url_env, a.simulator),),
            groups=(a.service,),
            signer=a.signer or None,
            listener=ops_listener(f"ops-{a.simulator}", OPS_PORT_BASE + n),
        )
        for n, a in enumerate(agencies)
    ]
    return simulators, adapters


OPS_PORT_BASE = 9101
"""Fixed ports (compose) of ``/health``, ``/ready`` and ``/metrics`` of services without HTTP."""


def ops_listener(key: str, port: int) -> Listener:
    """The ops endpoints' listener of a service with no HTTP of its own (``OPS_PORT``)."""
    return Listener(key, port, "OPS_PORT", "OPS_HOST")


CEISA_STEP_DELAY_S = "0.3"
"""Seconds between two documents of a simulated customs story: a story ends in seconds."""


def services(agencies: Sequence[AgencySpec] = AGENCIES) -> list[Service]:
    """Every process of the hub, in start order."""
    simulators, adapters = agency_services(agencies)
    mailbox = Service(
        "mailbox",
        "devstack.mailbox",
        kafka=False,
        redis=False,
        listener=Listener("mailbox", 1025),
        stand_in=True,
        decision_path=False,
    )
    ceisa_adapter = Service(
        "adapters-ceisa",
        "adapters.ceisa",
        groups=("insw-adapter-ceisa",),
        listener=ops_listener("ops-ceisa-adapter", OPS_PORT_BASE + len(agencies)),
    )
    issuer = Service(
        "issuer",
        "devstack.issuer",
        kafka=False,
        redis=False,
        links=(Link("ISSUER_URL", "issuer"), Link("CONSOLE_URL", "officers", Form.PUBLIC_URL)),
        listener=Listener("issuer", 8190, published=True),
        stand_in=True,
        decision_path=False,
        registration_path=False,
    )
    gateway = Service(
        "gateway",
        "gateway",
        links=(
            Link("OFFICER_ISSUER_URL", "issuer"),
            Link("OFFICER_ISSUER_PUBLIC_URL", "issuer", Form.PUBLIC_URL),
            Link("CUSTOMS_STATUS_URL", "customs"),
        ),
        listener=Listener("officers", 8180, "OFFICER_API_PORT", "OFFICER_API_HOST", published=True),
        groups=("insw-gateway",),
        signer=signers.GATEWAY,
    )
    notifier = Service(
        "notifier",
        "notifier",
        links=(
            Link("SMTP_HOST", "mailbox", Form.HOST),
            Link("SMTP_PORT", "mailbox", Form.PORT),
            Link("PUBLIC_BASE_URL", "notifier", Form.PUBLIC_URL),
        ),
        listener=Listener(
            "notifier", 8110, "NOTIFIER_HTTP_PORT", "NOTIFIER_HTTP_HOST", published=True
        ),
        groups=("insw-notifier",),
        decision_path=False,
        signer=signers.NOTIFIER,
    )
    intake = Service(
        "intake",
        "intake",
        listener=Listener("intake", 8200, "INTAKE_PORT", "INTAKE_HOST", published=True),
        decision_path=False,
        registration_path=False,
    )
    ceisa = Service(
        "simulator-ceisa",
        "simulators.ceisa",
        args=("--step-delay", CEISA_STEP_DELAY_S),
        redis=False,
        listener=Listener("ceisa", 8120),
        groups=("ceisa-simulator",),
        signer=signers.CEISA,
        stand_in=True,
        decision_path=False,
        registration_path=False,
    )
    customs = Service(
        "customs",
        "customs",
        links=(Link("OFFICER_ISSUER_URL", "issuer"),),
        listener=Listener(
            "customs", 8300, "CUSTOMS_HTTP_PORT", "CUSTOMS_HTTP_HOST", published=True
        ),
        groups=("insw-customs",),
        signer=signers.CUSTOMS,
        decision_path=False,
        registration_path=False,
    )
    return [
        *simulators,
        mailbox,
        issuer,
        *adapters,
        ceisa_adapter,
        gateway,
        notifier,
        intake,
        ceisa,
        customs,
    ]


def listener_keys(all_services: list[Service]) -> list[str]:
    """The keys of every listener: the ports a stack must choose."""
    return [s.listener.key for s in all_services if s.listener is not None]
