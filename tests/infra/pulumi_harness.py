"""Run a Pulumi program under the SDK's unit-test mocks and record every resource it declares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi

ACCOUNT = "123456789012"
EGRESS_IP = "203.0.113.10"  # documentation range (RFC 5737)
MOCK_AMI = "ami-0123456789abcdef0"


@dataclass
class Recorded:
    typ: str
    name: str
    inputs: dict[str, Any]


@dataclass
class Recorder(pulumi.runtime.Mocks):
    """Echoes inputs back as outputs, plus an id and an ARN; stack references get `core_outputs`."""

    core_outputs: dict[str, Any] = field(default_factory=dict)
    resources: list[Recorded] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)  # the program's stack outputs, resolved

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resources.append(Recorded(args.typ, args.name, dict(args.inputs)))
        outputs = dict(args.inputs)
        if args.typ == "pulumi:pulumi:StackReference":
            outputs["outputs"] = self.core_outputs
        physical = outputs.get("name") or outputs.get("bucket") or args.name
        outputs.setdefault(
            "arn", f"arn:aws:mock:eu-west-1:{ACCOUNT}:{args.typ.split(':')[-1].lower()}/{physical}"
        )
        outputs.setdefault("url", f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/{physical}")
        for key in ("invokeArn", "executionArn", "apiEndpoint", "repositoryUrl", "domainName"):
            outputs.setdefault(key, f"mock-{key}-{physical}")
        outputs.setdefault("bucketRegionalDomainName", f"{physical}.s3.eu-west-1.amazonaws.com")
        if args.typ == "aws:ec2/eip:Eip":
            outputs.setdefault("publicIp", EGRESS_IP)
        if args.typ == "aws:ec2/instance:Instance":
            outputs.setdefault("primaryNetworkInterfaceId", f"eni-{args.name}")
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/ci", "userId": "ci"}, []
        if args.token == "aws:ssm/getParameter:getParameter":  # public parameters such as AMI ids
            return {"name": args.args["name"], "type": "String", "value": MOCK_AMI}, []
        return {}, []

    def of_type(self, suffix: str) -> list[Recorded]:
        """Resources whose type token ends with `suffix` (e.g. `sqs/queue:Queue`)."""
        return [r for r in self.resources if r.typ.endswith(suffix)]


def run(program: Callable[[], Any], *, stack: str, core_outputs: dict[str, Any] | None = None) -> Recorder:
    """Run `program` to completion under fresh mocks; returns what it declared."""
    recorder = Recorder(core_outputs=core_outputs or {})
    pulumi.runtime.set_mocks(recorder, project="nexus", stack=stack, preview=False)

    @pulumi.runtime.test
    def _run() -> Any:
        result = program()
        exported = getattr(result, "outputs", None)
        if callable(exported):  # the core stack: what `build` exports, resolved for assertions
            return pulumi.Output.all(**exported()).apply(recorder.outputs.update)
        return pulumi.Output.from_input(getattr(result, "done", None))

    _run()
    return recorder
