"""``hubctl acl apply`` and ``hubctl acl show``: the broker's ACLs from :mod:`contracts.acl`.

Why hubctl: the ACLs are part of the hub's contract, so the operators' tool
applies them, from the same declaration SECURITY.md's matrix is rendered
from. devstack runs the same function when it starts a stack, and compose's
init step runs this command.

aiokafka's admin client has no ``create_acls`` (aio-libs/aiokafka#955), but
aiokafka ships the protocol messages of the CreateAcls API (KIP-140), so this
sends them through an admin client's connection; no JVM, and the same
principal options as every other client. Creating an ACL that exists is a
no-op on the broker, so ``apply`` may run any number of times. It only adds:
ACLs that the declaration no longer names are reported, never removed
silently.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import for_code
from aiokafka.protocol.admin import CreateAclsRequest, DescribeAclsRequest

from contracts import acl
from hubctl import console
from runtime.kafka_security import from_environment

ANY_RESOURCE = 1
ANY_PATTERN = 1
ANY_OPERATION = 1
ANY_PERMISSION = 1
HOST_ANY = "*"


async def create(admin: AIOKafkaAdminClient, grants: Sequence[acl.Grant]) -> None:
    """Create every grant as an ALLOW ACL; raises the broker's error for the first refused one."""
    for grant in grants:
        response = await admin._send_request(  # no public API for CreateAcls in aiokafka
            CreateAclsRequest(
                resource_type=int(grant.resource),
                resource_name=grant.name,
                resource_pattern_type_filter=int(grant.pattern),
                principal=grant.user,
                host=HOST_ANY,
                operation=int(grant.operation),
                permission_type=acl.ALLOW,
            )
        )
        for code, message in response.creation_responses:
            if code != 0:
                raise for_code(code)(f"ACL {grant}: {message}")


async def existing(admin: AIOKafkaAdminClient) -> set[acl.Grant]:
    """Every ALLOW ACL the broker holds for a hub principal, as grants."""
    response = await admin._send_request(
        DescribeAclsRequest(
            resource_type=ANY_RESOURCE,
            resource_name=None,  # null matches any name
            resource_pattern_type_filter=ANY_PATTERN,
            principal=None,
            host=None,
            operation=ANY_OPERATION,
            permission_type=ANY_PERMISSION,
        )
    )
    if response.error_code != 0:
        raise for_code(response.error_code)(f"describing ACLs: {response.error_message}")
    found: set[acl.Grant] = set()
    for resource_type, name, pattern, entries in response.resources:
        for principal, _host, operation, permission in entries:
            if permission != acl.ALLOW or not principal.startswith("User:"):
                continue
            try:
                found.add(
                    acl.Grant(
                        principal.removeprefix("User:"),
                        acl.ResourceType(resource_type),
                        name,
                        acl.Pattern(pattern),
                        acl.Operation(operation),
                    )
                )
            except ValueError:  # a kind of ACL the hub never declares: not ours to judge
                continue
    return found


async def apply(
    bootstrap: str, security: Mapping[str, Any], grants: Sequence[acl.Grant] | None = None
) -> tuple[int, list[acl.Grant]]:
    """Create the declared ACLs; return how many, and the ACLs found that are not declared."""
    wanted = list(acl.grants() if grants is None else grants)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="hubctl-acl", **security)
    await admin.start()
    try:
        await create(admin, wanted)
        extra = sorted(await existing(admin) - set(wanted))
    finally:
        await admin.close()
    return len(wanted), extra


async def _apply(args: argparse.Namespace) -> int:
    bootstrap = console.bootstrap_servers(args.bootstrap)
    grants = acl.grants()
    if args.dry_run:
        for grant in grants:
            console.out().print(
                f"{grant.user} {grant.operation.name} {grant.resource.name} "
                f"{grant.pattern.name} {grant.name}"
            )
        return console.EXIT_OK
    count, extra = await apply(bootstrap, from_environment(bootstrap), grants)
    console.err().print(f"acl: {count} ACLs in place for {len(acl.participants())} principals")
    for grant in extra:
        console.err().print(f"acl: not declared (left in place): {grant}")
    return console.EXIT_OK


def _show(_: argparse.Namespace) -> int:
    console.out().print(acl.matrix(), markup=False)
    return console.EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``acl apply`` (needs a principal allowed to alter ACLs) and ``acl show``."""
    parser = commands.add_parser("acl", help="the broker's ACLs, from contracts/acl.py")
    sub = parser.add_subparsers(dest="command", required=True)
    applying = sub.add_parser("apply", help="create every declared ACL (idempotent)")
    console.add_bootstrap(applying)
    applying.add_argument("--dry-run", action="store_true", help="print the ACLs, change nothing")
    applying.set_defaults(run=lambda args: console.run(_apply(args)))
    showing = sub.add_parser("show", help="print the ACL matrix (Markdown)")
    showing.set_defaults(run=_show)
