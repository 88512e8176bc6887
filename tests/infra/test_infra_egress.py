"""The fixed-egress-IP option: nothing of it by default; with sources set, a NAT instance behind an
Elastic IP that only the chosen collectors' functions route through."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nexus_infra.config import NAT_INSTANCE_TYPE, NAT_ROOT_VOLUME_GB, InfraConfig
from nexus_infra.cost.model import Usage, option_lines
from tests.infra.infra_checks import broad_grants, policy_statements
from tests.infra.pulumi_harness import EGRESS_IP, MOCK_AMI, Recorder
from tests.infra.test_infra_collector_stack import COLLECTOR_TYPES

pytestmark = pytest.mark.xdist_group("infra-egress")
NAT_TYPES = ("ec2/instance:Instance", "ec2/eip:Eip", "nexus:network:EgressNat", "ec2/natGateway:NatGateway")


def _one(rec: Recorder, suffix: str) -> dict[str, object]:
    (found,) = rec.of_type(suffix)
    return found.inputs


def test_default_stack_declares_nothing_of_the_egress_option(core_default: Recorder) -> None:
    # Given the default core stack
    # Then no instance, no Elastic IP, no NAT of any kind, only the Fargate task's public subnet
    assert [r.typ for t in NAT_TYPES for r in core_default.of_type(t)] == []
    assert len(core_default.of_type("ec2/subnet:Subnet")) == 1
    assert len(core_default.of_type("ec2/routeTable:RouteTable")) == 1
    # And no egress output for collector stacks to pick up
    assert core_default.outputs
    assert not [k for k in core_default.outputs if k.startswith("egress")]


def test_egress_option_builds_one_nat_instance_behind_an_elastic_ip(core_egress: Recorder) -> None:
    # Given the core stack with egress_ip_sources set
    instance = _one(core_egress, "ec2/instance:Instance")
    # Then one small arm64 instance forwarding for others (source/dest check off), IMDSv2 only
    assert instance["instanceType"] == NAT_INSTANCE_TYPE == "t4g.nano"
    assert instance["sourceDestCheck"] is False
    assert instance["ami"] == MOCK_AMI  # from the AL2023 arm64 public parameter
    assert instance["metadataOptions"]["httpTokens"] == "required"
    assert instance["rootBlockDevice"]["volumeSize"] == NAT_ROOT_VOLUME_GB
    assert instance["rootBlockDevice"]["encrypted"] is True
    user_data = instance["userData"]
    assert "net.ipv4.ip_forward = 1" in user_data
    assert "-j MASQUERADE" in user_data
    assert "service iptables save" in user_data
    # And one Elastic IP on it, exported for the vendor's allow-list
    eip = _one(core_egress, "ec2/eip:Eip")
    assert (eip["domain"], eip["instance"]) == ("vpc", "nat-id")
    assert core_egress.outputs["egress_ip"] == EGRESS_IP
    assert core_egress.outputs["egress_subnet_id"] == "private-a-id"
    assert core_egress.outputs["egress_security_group_id"] == "egress-lambda-id"
    # And no NAT gateway, no interface endpoint (both cost money while idle)
    assert core_egress.of_type("ec2/natGateway:NatGateway") == []
    endpoints = core_egress.of_type("ec2/vpcEndpoint:VpcEndpoint")
    assert {e.inputs["vpcEndpointType"] for e in endpoints} == {"Gateway"}


def test_private_subnet_routes_through_the_instance(core_egress: Recorder) -> None:
    # Given the subnets and route tables
    subnets = {r.name: r.inputs for r in core_egress.of_type("ec2/subnet:Subnet")}
    tables = {r.name: r.inputs for r in core_egress.of_type("ec2/routeTable:RouteTable")}
    # Then the private subnet gets no public IPs and its default route is the instance's interface
    assert subnets["private-a"]["mapPublicIpOnLaunch"] is False
    assert tables["private"]["routes"] == [{"cidrBlock": "0.0.0.0/0", "networkInterfaceId": "eni-nat"}]
    associations = {
        r.inputs["subnetId"]: r.inputs["routeTableId"]
        for r in core_egress.of_type("ec2/routeTableAssociation:RouteTableAssociation")
    }
    assert associations["private-a-id"] == "private-id"
    # And S3 and DynamoDB take the free gateway endpoints from there, not the instance
    gateway = core_egress.of_type("vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation")
    assert sorted(r.inputs["vpcEndpointId"] for r in gateway) == ["gateway-dynamodb-id", "gateway-s3-id"]
    assert {r.inputs["routeTableId"] for r in gateway} == {"private-id"}


def test_nat_accepts_traffic_only_from_the_collectors_group(core_egress: Recorder) -> None:
    groups = {r.name: r.inputs for r in core_egress.of_type("ec2/securityGroup:SecurityGroup")}
    nat, functions = groups["egress-nat"], groups["egress-lambda"]
    # Then the functions' group has no ingress and HTTPS egress only
    assert not functions.get("ingress")
    assert [(e["protocol"], e["fromPort"], e["toPort"]) for e in functions["egress"]] == [("tcp", 443, 443)]
    # And the NAT instance's group lets in only that group, on HTTPS, never an address range
    (rule,) = nat["ingress"]
    assert rule["securityGroups"] == ["egress-lambda-id"]
    assert not rule.get("cidrBlocks")
    assert (rule["protocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 443, 443)


def test_only_the_chosen_collector_runs_in_the_private_subnet(
    collectors_with_egress: dict[str, Recorder],
) -> None:
    # Given lseg (chosen) and entsoe (not chosen) under the same configuration
    lseg = _one(collectors_with_egress["lseg"], "lambda/function:Function")
    entsoe = _one(collectors_with_egress["entsoe"], "lambda/function:Function")
    # Then lseg's function is in the core's private subnet and group, read through the stack reference
    assert lseg["vpcConfig"] == {"subnetIds": ["subnet-0private"], "securityGroupIds": ["sg-0egresslambda"]}
    # And entsoe's is not in a VPC at all
    assert not entsoe.get("vpcConfig")
    # And the chosen collector's stack still declares nothing of the core (the network stays there)
    assert {r.typ for r in collectors_with_egress["lseg"].resources} <= COLLECTOR_TYPES


def test_chosen_collector_gets_interface_permissions_and_nothing_broader(
    collectors_with_egress: dict[str, Recorder],
) -> None:
    def ec2_statements(rec: Recorder) -> list[dict[str, object]]:
        return [s for _, s in policy_statements(rec) if any(a.startswith("ec2:") for a in s["Action"])]

    lseg = ec2_statements(collectors_with_egress["lseg"])
    # Then lseg's role has Lambda's network-interface actions, and entsoe's has none
    actions = sorted(a for s in lseg for a in s["Action"])
    assert actions == [
        "ec2:AssignPrivateIpAddresses",
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:UnassignPrivateIpAddresses",
    ]
    assert ec2_statements(collectors_with_egress["entsoe"]) == []
    # And `*` only where Lambda requires it; deleting is limited to this account's interfaces
    wildcard = [s for s in lseg if "*" in s["Resource"]]
    assert [sorted(s["Action"]) for s in wildcard] == [
        ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
    ]
    (scoped,) = [s for s in lseg if s not in wildcard]
    assert scoped["Resource"] == ["arn:aws:ec2:eu-west-1:123456789012:network-interface/*"]
    # And no statement of the role is a broad grant on data
    assert [p for _, s in policy_statements(collectors_with_egress["lseg"]) for p in broad_grants(s)] == []


def test_egress_sources_must_be_known_collectors() -> None:
    with pytest.raises(ValidationError, match="unknown collector sources"):
        InfraConfig(egress_ip_sources=("lseg", "acme"))
    assert not InfraConfig().nat_instance
    assert InfraConfig(egress_ip_sources=("bloomberg",)).nat_instance


def test_cost_prices_the_instance_that_is_built() -> None:
    # Given the NAT option line of `nexus cost`
    line = option_lines(Usage())["nat_instance"]
    # Then it names the instance type and volume the component declares, and costs money all month
    assert NAT_INSTANCE_TYPE in line.detail
    assert f"{NAT_ROOT_VOLUME_GB} GB gp3" in line.detail
    assert line.usd > 0
