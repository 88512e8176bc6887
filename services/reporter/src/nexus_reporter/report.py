"""Render, store and announce one weekly report."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from nexus_contracts import Envelope, EventType
from nexus_contracts.analysis import AnalysisDocument, ReportPublished
from nexus_reporter.errors import AnalysisMissing, TransientError
from nexus_reporter.pdf import render_pdf

LINK_TTL = timedelta(days=7)
_TRANSIENT = {
    "SlowDown",
    "Throttling",
    "ThrottlingException",
    "InternalError",
    "ServiceUnavailable",
    "RequestTimeout",
}


def _aws(call: Any, **kwargs: Any) -> Any:
    """Run one AWS call, mapping throttling and 5xx to TransientError (retried by the state machine)."""
    try:
        return call(**kwargs)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        if code in _TRANSIENT or status >= 500:
            raise TransientError(f"{code or status}: {exc}") from exc
        if code in ("NoSuchKey", "404"):
            raise AnalysisMissing(str(kwargs.get("Key"))) from exc
        raise
    except BotoCoreError as exc:
        raise TransientError(str(exc)) from exc


def publish_report(
    week: str, execution: str, s3: Any, bucket: str, repo: Any, now: datetime, presigner: Any | None = None
) -> dict[str, Any]:
    """Render reports/pdf/<week>.pdf from reports/json/<week>.json, record the run, return the message.

    `presigner` is an S3 client configured for SigV4, the scheme whose links honour a 7-day expiry.
    """
    json_key, pdf_key = f"reports/json/{week}.json", f"reports/pdf/{week}.pdf"
    body = _aws(s3.get_object, Bucket=bucket, Key=json_key)["Body"].read()
    doc = AnalysisDocument.model_validate_json(body)
    pdf, pages = render_pdf(doc)
    _aws(s3.put_object, Bucket=bucket, Key=pdf_key, Body=pdf, ContentType="application/pdf")
    url = (presigner or s3).generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": pdf_key}, ExpiresIn=int(LINK_TTL.total_seconds())
    )
    payload = ReportPublished(
        week=week,
        execution=execution,
        pdf_key=pdf_key,
        json_key=json_key,
        pdf_url=url,
        url_expires_at=now + LINK_TTL,
        pages=pages,
        headline=doc.narrative.headline[:300],
        narrative_source=doc.narrative.source,
        simulated=doc.simulated,
    )
    envelope = Envelope[ReportPublished](
        event_type=EventType.REPORT_PUBLISHED, producer="reporter", correlation_id=execution, payload=payload
    )
    n = doc.narrative
    _aws(
        repo.put_run,
        week=week,
        execution=execution,
        fields={
            "status": "REPORTED",
            "reported_at": now.isoformat(),
            "analysis_generated_at": doc.generated_at.isoformat(),
            "pdf_key": pdf_key,
            "json_key": json_key,
            "pages": pages,
            "narrative_source": n.source,
            "narrative_model": n.model or "",
            "input_tokens": n.input_tokens,
            "output_tokens": n.output_tokens,
            "cost_usd": str(n.cost_usd),
        },
    )
    return {"message": envelope.model_dump_json(), "pdf_key": pdf_key, "json_key": json_key, "pages": pages}
