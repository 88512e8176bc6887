"""Cognito for the local runtime: user pool, dashboard app client, groups and two demo users.

The local runtime's provisioning does not create Cognito, so the local front does it here, once
per start (idempotent by pool name). moto signs every pool with one built-in key and issues
tokens with the AWS issuer, so the JWKS URL is the local endpoint while the issuer is AWS's form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3

POOL_NAME = "nexus-local-users"
CLIENT_NAME = "nexus-dashboard"
# Demo credentials for a laptop-only emulator; printed by `nexus up`, never used in AWS.
DEMO_PASSWORD = "Nexus-demo-2024!"  # noqa: S105
DEMO_USERS = {"analyst@nexus.local": ("analysts",), "admin@nexus.local": ("analysts", "admins")}


@dataclass(frozen=True)
class LocalAuth:
    region: str
    endpoint: str
    pool_id: str
    client_id: str

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"

    @property
    def jwks_url(self) -> str:
        return f"{self.endpoint.rstrip('/')}/{self.pool_id}/.well-known/jwks.json"


def _pool_id(idp: Any) -> str:
    for pool in idp.list_user_pools(MaxResults=60)["UserPools"]:
        if pool["Name"] == POOL_NAME:
            return str(pool["Id"])
    return str(idp.create_user_pool(PoolName=POOL_NAME)["UserPool"]["Id"])


def _client_id(idp: Any, pool_id: str) -> str:
    for client in idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]:
        if client["ClientName"] == CLIENT_NAME:
            return str(client["ClientId"])
    created = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=CLIENT_NAME,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )
    return str(created["UserPoolClient"]["ClientId"])


def _ensure_user(idp: Any, pool_id: str, username: str, groups: tuple[str, ...]) -> None:
    try:
        idp.admin_get_user(UserPoolId=pool_id, Username=username)
    except idp.exceptions.UserNotFoundException:
        idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=DEMO_PASSWORD, Permanent=True)
    for group in groups:
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)


def provision(endpoint: str, region: str) -> LocalAuth:
    """Create (or find) the pool, client, groups `analysts`/`admins` and the demo users."""
    idp = boto3.client("cognito-idp", region_name=region, endpoint_url=endpoint)
    pool_id = _pool_id(idp)
    existing = {g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"]}
    for group in ("analysts", "admins"):
        if group not in existing:
            idp.create_group(UserPoolId=pool_id, GroupName=group)
    for username, groups in DEMO_USERS.items():
        _ensure_user(idp, pool_id, username, groups)
    return LocalAuth(region=region, endpoint=endpoint, pool_id=pool_id, client_id=_client_id(idp, pool_id))
