"""On-demand list prices, us-east-1, USD, as published by AWS and Anthropic on the date below.

Update the numbers and the date together. Free tiers that never expire (Lambda, CloudWatch
alarms, SNS email) are applied by the model; 12-month introductory tiers are not.
"""

from __future__ import annotations

PRICES_AS_OF = "2026-11-01"
REGION = "us-east-1"

PRICES: dict[str, float] = {
    # Lambda, arm64
    "lambda_gb_second": 0.0000133334,
    "lambda_request": 0.20 / 1e6,
    "lambda_free_gb_seconds": 400_000,
    "lambda_free_requests": 1_000_000,
    # S3
    "s3_standard_gb_month": 0.023,
    "s3_ia_gb_month": 0.0125,
    "s3_glacier_gb_month": 0.0036,
    "s3_deep_archive_gb_month": 0.00099,
    "s3_put_request": 0.005 / 1000,
    "s3_get_request": 0.0004 / 1000,
    "s3_replication_transfer_gb": 0.02,
    # DynamoDB on demand
    "dynamodb_write_request": 0.625 / 1e6,
    "dynamodb_read_request": 0.125 / 1e6,
    "dynamodb_storage_gb_month": 0.25,
    "dynamodb_pitr_gb_month": 0.20,
    # Messaging and orchestration
    "sns_publish": 0.50 / 1e6,
    "sqs_request": 0.40 / 1e6,
    "sfn_state_transition": 0.025 / 1000,
    # Fargate, Linux/ARM, per hour
    "fargate_vcpu_hour": 0.03238,
    "fargate_gb_hour": 0.00356,
    "fargate_spot_discount": 0.70,
    "public_ipv4_hour": 0.005,
    "ecr_storage_gb_month": 0.10,
    # Observability
    "logs_ingest_gb": 0.50,
    "logs_storage_gb_month": 0.03,
    "alarm_month": 0.10,
    "alarm_free_count": 10,
    # Edge and API
    "http_api_request": 1.00 / 1e6,
    "cloudfront_gb": 0.085,
    "cloudfront_free_gb": 1000,
    "athena_tb_scanned": 5.0,
    # Options
    "waf_web_acl_month": 5.00,
    "waf_rule_month": 1.00,
    "waf_request": 0.60 / 1e6,
    "cloudtrail_data_event": 0.10 / 100_000,
    "config_item": 0.003,
    "nat_instance_hour": 0.0042,  # t4g.nano
    "ebs_gp3_gb_month": 0.08,
    # Claude Sonnet, per token
    "claude_input_token": 3.00 / 1e6,
    "claude_output_token": 15.00 / 1e6,
}
