"""A minimal public network for the weekly Fargate task: no NAT gateway, no interface endpoints.

The task gets a public IP in one public subnet and a security group with no ingress and HTTPS
egress only; S3 and DynamoDB traffic goes through free gateway endpoints.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from nexus_infra.config import InfraConfig


class Network(pulumi.ComponentResource):
    def __init__(self, cfg: InfraConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nexus:network:Network", "network", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.vpc = vpc = aws.ec2.Vpc(
            "vpc",
            cidr_block="10.42.0.0/24",
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=cfg.tags(Name=cfg.name("vpc")),
            opts=child,
        )
        igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id, tags=cfg.tags(), opts=child)
        self.subnet = aws.ec2.Subnet(
            "public-a",
            vpc_id=vpc.id,
            cidr_block="10.42.0.0/26",
            availability_zone=f"{cfg.region}a",
            map_public_ip_on_launch=True,
            tags=cfg.tags(Name=cfg.name("public-a")),
            opts=child,
        )
        routes = aws.ec2.RouteTable(
            "public",
            vpc_id=vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}],
            tags=cfg.tags(),
            opts=child,
        )
        aws.ec2.RouteTableAssociation(
            "public-a", subnet_id=self.subnet.id, route_table_id=routes.id, opts=child
        )
        self.gateway_endpoints = {
            service: aws.ec2.VpcEndpoint(
                f"gateway-{service}",
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{cfg.region}.{service}",
                vpc_endpoint_type="Gateway",
                route_table_ids=[routes.id],
                tags=cfg.tags(),
                opts=child,
            )
            for service in ("s3", "dynamodb")
        }
        self.security_group = aws.ec2.SecurityGroup(
            "analyzer",
            name=cfg.name("analyzer"),
            description="weekly analysis task: no ingress, HTTPS egress only",
            vpc_id=vpc.id,
            egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}],
            tags=cfg.tags(),
            opts=child,
        )
        self.register_outputs({"subnet": self.subnet.id, "security_group": self.security_group.id})
