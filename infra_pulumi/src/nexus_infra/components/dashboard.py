"""The dashboard: a private bucket behind CloudFront (origin access control), optional WAF."""

# Nested resource arguments are written as plain dicts; pulumi-aws types them as TypedDict unions.
# mypy: disable-error-code="arg-type,list-item,misc,call-overload"

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from nexus_infra.components.buckets import SecureBucket
from nexus_infra.config import InfraConfig

# AWS-managed response headers policy "SecurityHeadersPolicy" (HSTS, nosniff, frame options).
SECURITY_HEADERS_POLICY_ID = "67f7725c-6f97-4210-82d7-5512b31e9d03"
MIN_TLS = "TLSv1.2_2021"


class Dashboard(pulumi.ComponentResource):
    def __init__(self, cfg: InfraConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nexus:web:Dashboard", "dashboard", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = SecureBucket(
            "dashboard", cfg.name("dashboard"), tags=cfg.tags(), defer_policy=True, opts=child
        )
        oac = aws.cloudfront.OriginAccessControl(
            "dashboard-oac",
            name=cfg.name("dashboard"),
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=child,
        )
        ttl = cfg.dashboard_cache_ttl_s
        cache = aws.cloudfront.CachePolicy(
            "static-24h",
            name=cfg.name("static-24h"),
            min_ttl=0,
            default_ttl=ttl,
            max_ttl=ttl,
            parameters_in_cache_key_and_forwarded_to_origin={
                "cookies_config": {"cookie_behavior": "none"},
                "headers_config": {"header_behavior": "none"},
                "query_strings_config": {"query_string_behavior": "none"},
                "enable_accept_encoding_gzip": True,
                "enable_accept_encoding_brotli": True,
            },
            opts=child,
        )
        web_acl = self._waf(cfg) if cfg.enable_waf else None
        self.distribution = aws.cloudfront.Distribution(
            "dashboard-cdn",
            enabled=True,
            comment=cfg.name("dashboard"),
            default_root_object="index.html",
            price_class="PriceClass_100",
            http_version="http2and3",
            aliases=[cfg.dashboard_domain] if cfg.dashboard_domain else None,
            web_acl_id=web_acl.arn if web_acl is not None else None,
            origins=[
                {
                    "origin_id": "dashboard",
                    "domain_name": self.bucket.bucket.bucket_regional_domain_name,
                    "origin_access_control_id": oac.id,
                }
            ],
            default_cache_behavior={
                "target_origin_id": "dashboard",
                "viewer_protocol_policy": "redirect-to-https",
                "allowed_methods": ["GET", "HEAD"],
                "cached_methods": ["GET", "HEAD"],
                "compress": True,
                "cache_policy_id": cache.id,
                "response_headers_policy_id": SECURITY_HEADERS_POLICY_ID,
            },
            # A single-page app: unknown paths serve index.html.
            custom_error_responses=[
                {"error_code": 403, "response_code": 200, "response_page_path": "/index.html"},
                {"error_code": 404, "response_code": 200, "response_page_path": "/index.html"},
            ],
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            viewer_certificate=self._certificate(cfg),
            tags=cfg.tags(),
            opts=child,
        )
        self.bucket.attach_policy(
            [
                {
                    "Sid": "CloudFrontRead",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudfront.amazonaws.com"},
                    "Action": "s3:GetObject",
                    "Resource": pulumi.Output.concat(self.bucket.arn, "/*"),
                    "Condition": {"StringEquals": {"AWS:SourceArn": self.distribution.arn}},
                }
            ]
        )
        self.url = pulumi.Output.concat("https://", self.distribution.domain_name)
        self.register_outputs({"url": self.url})

    @staticmethod
    def _certificate(cfg: InfraConfig) -> aws.cloudfront.DistributionViewerCertificateArgs:
        if cfg.dashboard_certificate_arn:
            return aws.cloudfront.DistributionViewerCertificateArgs(
                acm_certificate_arn=cfg.dashboard_certificate_arn,
                ssl_support_method="sni-only",
                minimum_protocol_version=MIN_TLS,
            )
        # The *.cloudfront.net certificate: CloudFront negotiates TLS 1.2+ with modern clients but
        # the minimum cannot be pinned without an own domain (see docs/deploy.md).
        return aws.cloudfront.DistributionViewerCertificateArgs(cloudfront_default_certificate=True)

    def _waf(self, cfg: InfraConfig) -> aws.wafv2.WebAcl:
        """AWS managed common rules plus a per-IP rate limit; CloudFront ACLs live in us-east-1."""
        rule_metrics = {"cloudwatch_metrics_enabled": True, "sampled_requests_enabled": False}
        return aws.wafv2.WebAcl(
            "dashboard-waf",
            name=cfg.name("dashboard"),
            scope="CLOUDFRONT",
            region="us-east-1",
            default_action={"allow": {}},
            rules=[
                {
                    "name": "aws-common",
                    "priority": 0,
                    "override_action": {"none": {}},
                    "statement": {
                        "managed_rule_group_statement": {
                            "vendor_name": "AWS",
                            "name": "AWSManagedRulesCommonRuleSet",
                        }
                    },
                    "visibility_config": {**rule_metrics, "metric_name": "aws-common"},
                },
                {
                    "name": "rate-limit",
                    "priority": 1,
                    "action": {"block": {}},
                    "statement": {"rate_based_statement": {"limit": 1000, "aggregate_key_type": "IP"}},
                    "visibility_config": {**rule_metrics, "metric_name": "rate-limit"},
                },
            ],
            visibility_config={**rule_metrics, "metric_name": cfg.name("dashboard")},
            tags=cfg.tags(),
            opts=pulumi.ResourceOptions(parent=self),
        )
