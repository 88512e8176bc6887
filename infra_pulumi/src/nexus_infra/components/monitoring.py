"""Alarms into the alerts topic, alert subscriptions, the budget, the audit trail."""

# Nested resource arguments are written as plain dicts; pulumi-aws types them as TypedDict unions.
# mypy: disable-error-code="arg-type,list-item,misc,call-overload"

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from nexus_infra import iam
from nexus_infra.components.buckets import SecureBucket, expire_after
from nexus_infra.config import InfraConfig

GIB = 1024**3


class Alarms(pulumi.ComponentResource):
    """The platform-wide alarms: DLQ depth, failed or slow analyses, storage near its quota."""

    def __init__(
        self,
        cfg: InfraConfig,
        *,
        alerts_topic_arn: pulumi.Output[str],
        dlq_names: dict[str, pulumi.Output[str]],
        state_machine_arn: pulumi.Output[str],
        bucket_name: pulumi.Output[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("nexus:monitoring:Alarms", "alarms", None, opts)
        self._cfg, self._topic = cfg, alerts_topic_arn
        for logical, physical in dlq_names.items():
            self._alarm(
                f"{logical}-depth",
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                {"QueueName": physical},
                "Maximum",
                0,
                f"messages in {logical}: redrive after fixing the cause",
            )
        sm = {"StateMachineArn": state_machine_arn}
        self._alarm(
            "analysis-failed", "AWS/States", "ExecutionsFailed", sm, "Sum", 0, "weekly analysis failed"
        )
        self._alarm(
            "analysis-slow",
            "AWS/States",
            "ExecutionTime",  # milliseconds
            sm,
            "Maximum",
            cfg.analysis_max_minutes * 60 * 1000,
            f"weekly analysis took longer than {cfg.analysis_max_minutes} minutes",
        )
        self._alarm(
            "storage-quota",
            "AWS/S3",
            "BucketSizeBytes",
            {"BucketName": bucket_name, "StorageType": "StandardStorage"},
            "Maximum",
            0.8 * cfg.storage_quota_gb * GIB,
            f"data bucket above 80 % of its {cfg.storage_quota_gb} GB quota",
            period=86400,
        )
        self.register_outputs({})

    def _alarm(
        self,
        name: str,
        namespace: str,
        metric: str,
        dimensions: dict[str, pulumi.Input[str]],
        statistic: str,
        threshold: float,
        description: str,
        period: int = 300,
    ) -> None:
        aws.cloudwatch.MetricAlarm(
            name,
            name=self._cfg.name(name),
            namespace=namespace,
            metric_name=metric,
            dimensions=dimensions,
            statistic=statistic,
            period=period,
            evaluation_periods=1,
            threshold=threshold,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
            alarm_actions=[self._topic],
            alarm_description=description,
            tags=self._cfg.tags(),
            opts=pulumi.ResourceOptions(parent=self),
        )


def subscription_filter(sub_policy: dict[str, list[str]]) -> str:
    """SNS filter policy: alarm notifications carry no attributes, so absence also matches severity."""
    policy: dict[str, list[object]] = {key: list(values) for key, values in sub_policy.items()}
    policy["severity"] = [*policy.get("severity", []), {"exists": False}]
    return json.dumps(policy)


class AlertRouting(pulumi.ComponentResource):
    """Who hears about what: the alerts topic's policy, subscriptions and the monthly budget."""

    def __init__(
        self,
        cfg: InfraConfig,
        *,
        alerts_topic: aws.sns.Topic,
        account_id: pulumi.Output[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("nexus:monitoring:AlertRouting", "alert-routing", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        aws.sns.TopicPolicy(
            "alerts-publishers",
            arn=alerts_topic.arn,
            policy=iam.document(
                [
                    {
                        "Sid": "AccountPublish",
                        "Effect": "Allow",
                        "Principal": {"AWS": pulumi.Output.concat("arn:aws:iam::", account_id, ":root")},
                        "Action": ["sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes"],
                        "Resource": alerts_topic.arn,
                    },
                    {
                        "Sid": "BudgetsAndAlarms",
                        "Effect": "Allow",
                        "Principal": {"Service": ["budgets.amazonaws.com", "cloudwatch.amazonaws.com"]},
                        "Action": "sns:Publish",
                        "Resource": alerts_topic.arn,
                        "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                    },
                ]
            ),
            opts=child,
        )
        for i, sub in enumerate(cfg.alert_subscriptions):
            aws.sns.TopicSubscription(
                f"alert-sub-{i}-{sub.protocol}",
                topic=alerts_topic.arn,
                protocol=sub.protocol,
                endpoint=sub.endpoint,
                filter_policy=subscription_filter(sub.filter_policy()),
                opts=child,
            )
        notify = {"subscriber_sns_topic_arns": [alerts_topic.arn]}
        if cfg.budget_emails:
            notify["subscriber_email_addresses"] = list(cfg.budget_emails)  # type: ignore[list-item]
        aws.budgets.Budget(
            "monthly",
            name=cfg.name("monthly"),
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=f"{cfg.budget_limit_usd:.2f}",
            limit_unit="USD",
            notifications=[
                {
                    "comparison_operator": "GREATER_THAN",
                    "notification_type": "ACTUAL",
                    "threshold": cfg.budget_alert_usd,
                    "threshold_type": "ABSOLUTE_VALUE",
                    **notify,
                },
                {
                    "comparison_operator": "GREATER_THAN",
                    "notification_type": "FORECASTED",
                    "threshold": cfg.budget_limit_usd,
                    "threshold_type": "ABSOLUTE_VALUE",
                    **notify,
                },
            ],
            opts=child,
        )
        self.register_outputs({})


class Audit(pulumi.ComponentResource):
    """The management-events CloudTrail trail (first copy free), AWS Config as an option."""

    def __init__(
        self,
        cfg: InfraConfig,
        *,
        account_id: pulumi.Output[str],
        data_bucket_arn: pulumi.Output[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("nexus:monitoring:Audit", "audit", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        trail_name = cfg.name("trail")
        trail_arn = pulumi.Output.concat(
            "arn:aws:cloudtrail:", cfg.region, ":", account_id, ":trail/", trail_name
        )
        self.bucket = SecureBucket(
            "audit",
            cfg.name("audit"),
            tags=cfg.tags(),
            lifecycle_rules=[expire_after(365)],
            defer_policy=True,
            opts=child,
        )
        arn = self.bucket.arn
        statements = [
            {
                "Sid": "CloudTrailAcl",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": arn,
                "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
            },
            {
                "Sid": "CloudTrailWrite",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": pulumi.Output.concat(arn, "/cloudtrail/AWSLogs/", account_id, "/*"),
                "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
            },
        ]
        if cfg.enable_aws_config:
            statements += self._config_statements(arn, account_id)
        policy = self.bucket.attach_policy(statements)
        if cfg.enable_cloudtrail:
            selectors = []
            if cfg.enable_cloudtrail_data_events:
                selectors = [
                    {
                        "read_write_type": "All",
                        "include_management_events": True,
                        "data_resources": [
                            {
                                "type": "AWS::S3::Object",
                                "values": [pulumi.Output.concat(data_bucket_arn, "/")],
                            }
                        ],
                    }
                ]
            aws.cloudtrail.Trail(
                "trail",
                name=trail_name,
                s3_bucket_name=self.bucket.bucket.bucket,
                s3_key_prefix="cloudtrail",
                is_multi_region_trail=True,
                include_global_service_events=True,
                enable_log_file_validation=True,
                event_selectors=selectors or None,
                tags=cfg.tags(),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
            )
        if cfg.enable_aws_config:
            self._config(cfg)
        self.register_outputs({"bucket": self.bucket.bucket.bucket})

    @staticmethod
    def _config_statements(
        arn: pulumi.Output[str], account_id: pulumi.Output[str]
    ) -> list[dict[str, object]]:
        cond = {"StringEquals": {"aws:SourceAccount": account_id}}
        principal = {"Service": "config.amazonaws.com"}
        return [
            {
                "Sid": "ConfigAcl",
                "Effect": "Allow",
                "Principal": principal,
                "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
                "Resource": arn,
                "Condition": cond,
            },
            {
                "Sid": "ConfigWrite",
                "Effect": "Allow",
                "Principal": principal,
                "Action": "s3:PutObject",
                "Resource": pulumi.Output.concat(arn, "/config/AWSLogs/", account_id, "/Config/*"),
                "Condition": cond,
            },
        ]

    def _config(self, cfg: InfraConfig) -> None:
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            "config-role",
            name=cfg.name("config"),
            assume_role_policy=iam.trust("config.amazonaws.com"),
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            "config-managed",
            role=role.name,
            policy_arn="arn:aws:iam::aws:policy/service-role/AWS_ConfigRole",
            opts=child,
        )
        recorder = aws.cfg.Recorder(
            "config",
            name=cfg.name("config"),
            role_arn=role.arn,
            recording_group={"all_supported": True, "include_global_resource_types": False},
            opts=child,
        )
        channel = aws.cfg.DeliveryChannel(
            "config",
            name=cfg.name("config"),
            s3_bucket_name=self.bucket.bucket.bucket,
            s3_key_prefix="config",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[recorder]),
        )
        aws.cfg.RecorderStatus(
            "config",
            name=recorder.name,
            is_enabled=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[channel]),
        )
