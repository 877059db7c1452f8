"""CloudTrail trails as ``audit_trails``: logging on, multi-region, log validation, KMS encryption and
CloudWatch Logs delivery."""

from __future__ import annotations

from typing import Any

from auditor.collect.aws.context import AwsContext

KIND = "audit_trails"


def trails(ctx: AwsContext, region: str, bucket_retention: dict[str, int | None]) -> list[dict[str, Any]]:
    """Trails whose home is ``region`` (multi-region trails are reported once, by their home region).
    ``retention_days`` is the destination bucket's lifecycle expiration (null: kept indefinitely)."""
    client = ctx.client("cloudtrail", region)
    described = ctx.call(KIND, f"cloudtrail:{region}:DescribeTrails", client.describe_trails,
                         includeShadowTrails=False)
    items = []
    for trail in (described or {}).get("trailList", []):
        arn = trail["TrailARN"]
        home = trail.get("HomeRegion") or region
        if home != region:
            continue
        status = ctx.call(KIND, f"cloudtrail:{region}:{trail['Name']}:GetTrailStatus", client.get_trail_status,
                          Name=arn)
        bucket = trail.get("S3BucketName")
        items.append({
            "id": arn,
            "system": "aws-cloudtrail",
            "account": ctx.account or "unknown",
            "name": trail["Name"],
            # a status that could not be read (recorded) is not logging: fail closed
            "logging_enabled": bool((status or {}).get("IsLogging")),
            "multi_region": bool(trail.get("IsMultiRegionTrail")),
            "log_file_validation": bool(trail.get("LogFileValidationEnabled")),
            "retention_days": bucket_retention.get(bucket) if bucket else None,
            "destination": f"s3://{bucket}" if bucket else None,
            "kms_key": trail.get("KmsKeyId") or None,
            "attributes": {
                "home_region": home,
                "organization_trail": bool(trail.get("IsOrganizationTrail")),
                "include_global_events": bool(trail.get("IncludeGlobalServiceEvents")),
                # whether logs have been delivered, not when: the time changes every few minutes
                "delivered": bool((status or {}).get("LatestDeliveryTime")),
                "latest_delivery_error": (status or {}).get("LatestDeliveryError") or None,
                "retention_source": "destination bucket lifecycle expiration",
                "cloudwatch_logs_group": trail.get("CloudWatchLogsLogGroupArn") or None,
                # whether CloudWatch Logs has received events (not when: that changes every few minutes)
                "cloudwatch_delivered": bool((status or {}).get("LatestCloudWatchLogsDeliveryTime")),
            },
        })
    return items
