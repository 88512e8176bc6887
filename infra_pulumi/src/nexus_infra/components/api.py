"""Cognito user pool (groups analysts, admins) and the HTTP API with a Cognito JWT authorizer."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from nexus_infra.config import InfraConfig

GROUPS = ("analysts", "admins")


class Identity(pulumi.ComponentResource):
    def __init__(self, cfg: InfraConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nexus:api:Identity", "identity", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.pool = aws.cognito.UserPool(
            "users",
            name=cfg.name("users"),
            admin_create_user_config={"allow_admin_create_user_only": True},
            auto_verified_attributes=["email"],
            username_attributes=["email"],
            mfa_configuration="OPTIONAL",
            software_token_mfa_configuration={"enabled": True},
            password_policy={
                "minimum_length": 12,
                "require_lowercase": True,
                "require_uppercase": True,
                "require_numbers": True,
                "require_symbols": False,
                "temporary_password_validity_days": 3,
            },
            deletion_protection="ACTIVE",
            tags=cfg.tags(),
            opts=child,
        )
        self.client = aws.cognito.UserPoolClient(
            "dashboard-client",
            name=cfg.name("dashboard"),
            user_pool_id=self.pool.id,
            generate_secret=False,
            explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            prevent_user_existence_errors="ENABLED",
            access_token_validity=1,
            id_token_validity=1,
            refresh_token_validity=30,
            token_validity_units={"access_token": "hours", "id_token": "hours", "refresh_token": "days"},
            opts=child,
        )
        for group in GROUPS:
            aws.cognito.UserGroup(f"group-{group}", name=group, user_pool_id=self.pool.id, opts=child)
        self.issuer = pulumi.Output.concat(
            "https://cognito-idp.", cfg.region, ".amazonaws.com/", self.pool.id
        )
        self.register_outputs({"user_pool_id": self.pool.id, "client_id": self.client.id})


class HttpApi(pulumi.ComponentResource):
    """`ANY /{proxy+}` → the api Lambda, every route behind the JWT authorizer."""

    def __init__(
        self,
        cfg: InfraConfig,
        identity: Identity,
        function: aws.lambda_.Function,
        allowed_origin: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("nexus:api:HttpApi", "http-api", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        throttle = cfg.api_throttle()
        self.api = aws.apigatewayv2.Api(
            "api",
            name=cfg.name("api"),
            protocol_type="HTTP",
            cors_configuration={
                "allow_origins": [allowed_origin],
                "allow_methods": ["GET", "POST", "OPTIONS"],
                "allow_headers": ["authorization", "content-type"],
                "max_age": 3600,
            },
            tags=cfg.tags(),
            opts=child,
        )
        authorizer = aws.apigatewayv2.Authorizer(
            "jwt",
            api_id=self.api.id,
            name="cognito",
            authorizer_type="JWT",
            identity_sources=["$request.header.Authorization"],
            jwt_configuration={"issuer": identity.issuer, "audiences": [identity.client.id]},
            opts=child,
        )
        integration = aws.apigatewayv2.Integration(
            "lambda",
            api_id=self.api.id,
            integration_type="AWS_PROXY",
            integration_uri=function.invoke_arn,
            payload_format_version="2.0",
            opts=child,
        )
        aws.apigatewayv2.Route(
            "proxy",
            api_id=self.api.id,
            route_key="ANY /{proxy+}",
            authorization_type="JWT",
            authorizer_id=authorizer.id,
            target=pulumi.Output.concat("integrations/", integration.id),
            opts=child,
        )
        self.access_logs = aws.cloudwatch.LogGroup(
            "api-access-logs",
            name=f"/aws/apigateway/{cfg.name('api')}",
            retention_in_days=cfg.log_retention_days,
            tags=cfg.tags(),
            opts=child,
        )
        aws.apigatewayv2.Stage(
            "default",
            api_id=self.api.id,
            name="$default",
            auto_deploy=True,
            # The whole API's token bucket (one route): caps its concurrent executions without a
            # reservation (nexus_infra.concurrency.ApiThrottle); the per-user limit stays in the app.
            default_route_settings={
                "throttling_burst_limit": throttle.burst,
                "throttling_rate_limit": throttle.rate_per_s,
            },
            access_log_settings={
                "destination_arn": self.access_logs.arn,
                "format": '{"requestId":"$context.requestId","status":"$context.status",'
                '"route":"$context.routeKey","latency":"$context.responseLatency"}',
            },
            opts=child,
        )
        aws.lambda_.Permission(
            "api-invoke",
            action="lambda:InvokeFunction",
            function=function.name,
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(self.api.execution_arn, "/*/*"),
            opts=child,
        )
        self.endpoint = self.api.api_endpoint
        self.register_outputs({"endpoint": self.api.api_endpoint})
