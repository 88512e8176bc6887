"""The weekly run's resources: ECS cluster, task definition, the state machine from its ASL file.

A base class of `Provisioner`, kept apart because these are provisioned off the start-up path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nexus_contracts.asl import ASL_PATH, ON_DEMAND, SPOT, render_asl
from nexus_contracts.topology import Topology

if TYPE_CHECKING:
    from nexus_local.provision import Provisioned

log = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[3]


def find_asl(path: str = ASL_PATH) -> Path | None:
    for base in (Path.cwd(), REPO):
        if (base / path).is_file():
            return base / path
    return None


class WeeklyResources:
    _client: Callable[[str], Any]
    region: str
    topo: Topology
    capacity_provider: str = ON_DEMAND  # the weekly task's; FARGATE_SPOT renders the Spot variant

    def name(self, logical: str) -> str:
        raise NotImplementedError

    def arn(self, service: str, resource: str) -> str:
        raise NotImplementedError

    def _ecs(self, out: Provisioned) -> None:
        ec2, ecs = self._client("ec2"), self._client("ecs")
        vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
        out.subnet_id = sorted(s["SubnetId"] for s in subnets)[0]
        out.security_group_id = ec2.create_security_group(
            GroupName=self.name("tasks"), Description="analysis tasks", VpcId=vpc
        )["GroupId"]
        # Both Fargate providers associated, as in AWS: the ASL's strategy may name either
        out.cluster_arn = ecs.create_cluster(
            clusterName=self.name("cluster"),
            capacityProviders=[ON_DEMAND, SPOT],
            defaultCapacityProviderStrategy=[{"capacityProvider": ON_DEMAND, "weight": 1}],
        )["cluster"]["clusterArn"]
        for task in self.topo.tasks:
            registered = ecs.register_task_definition(
                family=self.name(task.family),
                requiresCompatibilities=["FARGATE"],
                networkMode="awsvpc",
                cpu=str(task.cpu),
                memory=str(task.memory_mb),
                # moto's RunTask needs container-level memory even on Fargate
                containerDefinitions=[
                    {"name": task.family, "image": f"nexus-{task.family}:local", "memory": task.memory_mb}
                ],
            )
            out.task_definitions[task.family] = registered["taskDefinition"]["taskDefinitionArn"]

    def placeholders(self, out: Provisioned) -> dict[str, str]:
        return {
            "PlanWeekFunctionArn": out.functions.get("plan-week", ""),
            "ReporterFunctionArn": out.functions.get("reporter", ""),
            "EcsClusterArn": out.cluster_arn,
            "AnalyzerTaskDefinitionArn": out.task_definitions.get("analyzer", ""),
            "SubnetId": out.subnet_id,
            "SecurityGroupId": out.security_group_id,
            "AlertsTopicArn": out.topics.get("alerts", ""),
            "ReportsTopicArn": out.topics.get("reports", ""),
            "AnalysisCapacityProvider": self.capacity_provider,
        }

    def _state_machines(self, out: Provisioned) -> None:
        asl = find_asl()
        if asl is None:
            log.info("no %s yet: state machine not created", ASL_PATH)
            return
        definition = render_asl(asl.read_text(), self.placeholders(out))
        role = self.arn("iam", "role/" + self.name("sfn-role")).replace(f":{self.region}:", "::")
        for logical in self.topo.state_machines:
            created = self._client("stepfunctions").create_state_machine(
                name=self.name(logical), definition=definition, roleArn=role
            )
            out.state_machines[logical] = created["stateMachineArn"]
