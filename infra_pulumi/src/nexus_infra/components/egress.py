"""A fixed egress IP for vendors that allow-list one (opt-in: `egress_ip_sources`).

A private subnet in the core VPC whose default route is a t4g.nano NAT instance in the public
subnet, behind an Elastic IP (the address the vendor allow-lists). Only the chosen collectors'
functions are placed in the private subnet (their stacks read the subnet and security group from
the core's outputs). Everything they call goes out through the instance too: the vendor's API, SNS,
SSM and CloudWatch Logs; S3 and DynamoDB take the free gateway endpoints instead. No NAT gateway
and no interface endpoint: both cost money every hour even when idle.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from nexus_infra.components.network import Network
from nexus_infra.config import NAT_INSTANCE_TYPE, NAT_ROOT_VOLUME_GB, InfraConfig

PRIVATE_CIDR = "10.42.0.64/26"  # next to the public 10.42.0.0/26 in the core's 10.42.0.0/24
# Amazon Linux 2023, arm64 (t4g): the SSM public parameter always names the current AMI.
AL2023_ARM64_AMI = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"


def nat_user_data(private_cidr: str) -> str:
    """First-boot script: IP forwarding and masquerading for the private subnet, kept over reboots."""
    return f"""#!/bin/bash
set -euo pipefail
dnf install -y iptables-services
systemctl enable --now iptables
echo "net.ipv4.ip_forward = 1" > /etc/sysctl.d/90-nexus-nat.conf
sysctl -p /etc/sysctl.d/90-nexus-nat.conf
IFACE=$(ip -o -4 route show to default | awk '{{print $5; exit}}')
iptables -t nat -A POSTROUTING -o "$IFACE" -s {private_cidr} -j MASQUERADE
iptables -F FORWARD
iptables -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables -A FORWARD -s {private_cidr} -j ACCEPT
iptables -A FORWARD -j DROP
service iptables save
"""


class EgressNat(pulumi.ComponentResource):
    """`subnet` and `lambda_security_group` are for the functions; `egress_ip` for the vendor."""

    def __init__(
        self, cfg: InfraConfig, network: Network, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("nexus:network:EgressNat", "egress", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.subnet = aws.ec2.Subnet(
            "private-a",
            vpc_id=network.vpc.id,
            cidr_block=PRIVATE_CIDR,
            availability_zone=f"{cfg.region}a",
            map_public_ip_on_launch=False,
            tags=cfg.tags(Name=cfg.name("private-a")),
            opts=child,
        )
        self.lambda_security_group = aws.ec2.SecurityGroup(
            "egress-lambda",
            name=cfg.name("egress-lambda"),
            description="collectors with a fixed egress IP: no ingress, HTTPS egress only",
            vpc_id=network.vpc.id,
            egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}],
            tags=cfg.tags(),
            opts=child,
        )
        nat_group = aws.ec2.SecurityGroup(
            "egress-nat",
            name=cfg.name("egress-nat"),
            description="NAT instance: HTTPS in from the collectors' group only, HTTPS out",
            vpc_id=network.vpc.id,
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": 443,
                    "to_port": 443,
                    "security_groups": [self.lambda_security_group.id],
                }
            ],
            egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}],
            tags=cfg.tags(),
            opts=child,
        )
        ami = aws.ssm.get_parameter_output(name=AL2023_ARM64_AMI).value
        self.instance = aws.ec2.Instance(
            "nat",
            ami=ami,
            instance_type=NAT_INSTANCE_TYPE,
            subnet_id=network.subnet.id,
            vpc_security_group_ids=[nat_group.id],
            source_dest_check=False,  # it forwards packets that are neither from nor for itself
            user_data=nat_user_data(PRIVATE_CIDR),
            user_data_replace_on_change=True,
            metadata_options={"http_endpoint": "enabled", "http_tokens": "required"},
            root_block_device={"volume_type": "gp3", "volume_size": NAT_ROOT_VOLUME_GB, "encrypted": True},
            credit_specification={"cpu_credits": "standard"},  # no surplus-credit charges
            maintenance_options={"auto_recovery": "default"},  # EC2 recovers it on host failure
            tags=cfg.tags(Name=cfg.name("nat")),
            # a newer AMI must not replace the instance on every `pulumi up`; replace it on purpose
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["ami"]),
        )
        self.eip = aws.ec2.Eip(
            "egress-ip",
            domain="vpc",
            instance=self.instance.id,
            tags=cfg.tags(Name=cfg.name("egress")),
            opts=child,
        )
        self.egress_ip = self.eip.public_ip
        routes = aws.ec2.RouteTable(
            "private",
            vpc_id=network.vpc.id,
            routes=[
                {
                    "cidr_block": "0.0.0.0/0",
                    "network_interface_id": self.instance.primary_network_interface_id,
                }
            ],
            tags=cfg.tags(Name=cfg.name("private")),
            opts=child,
        )
        aws.ec2.RouteTableAssociation(
            "private-a", subnet_id=self.subnet.id, route_table_id=routes.id, opts=child
        )
        for service, endpoint in network.gateway_endpoints.items():  # S3, DynamoDB: free, off the NAT
            aws.ec2.VpcEndpointRouteTableAssociation(
                f"private-{service}",
                vpc_endpoint_id=endpoint.id,
                route_table_id=routes.id,
                opts=child,
            )
        self.register_outputs({"egress_ip": self.egress_ip, "subnet": self.subnet.id})
