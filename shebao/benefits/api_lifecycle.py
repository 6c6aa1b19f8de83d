"""Qualification certification in the API: staff and system tokens now; the kiosk and the
portal call the same service later."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from shebao.api.schemas import ErrorOut
from shebao.benefits.models import Certification, CertificationChannel
from shebao.benefits.selectors import pensions_visible
from shebao.benefits.services.certification import certification_record
from shebao.core.actors import actor_from_request
from shebao.core.models import Channel
from shebao.core.permissions import OutOfScope

router = Router(tags=["benefits"])


class CertificationIn(Schema):
    certified_on: date
    channel: str = CertificationChannel.API.value
    source: str = ""


class CertificationOut(Schema):
    id: int
    pension: int
    certified_on: date
    channel: str
    source: str
    created: bool
    resumed: bool
    pension_status: str
    recheck_from: int | None


@router.post(
    "/pensions/{pension_id}/certifications",
    response={
        200: CertificationOut,
        201: CertificationOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
    },
    summary="Record a qualification certification; resumes a pension suspended for it",
)
def certification_post(request: HttpRequest, pension_id: int, payload: CertificationIn) -> Any:
    actor = actor_from_request(request, Channel.API)
    pension = pensions_visible(actor).filter(pk=pension_id).first()
    if pension is None:
        raise OutOfScope()
    outcome = certification_record(
        actor=actor,
        pension=pension,
        certified_on=payload.certified_on,
        channel=payload.channel,
        source=payload.source,
    )
    pension.refresh_from_db()
    certification: Certification = outcome.certification
    body = {
        "id": certification.pk,
        "pension": pension.pk,
        "certified_on": certification.certified_on,
        "channel": certification.channel,
        "source": certification.source,
        "created": outcome.created,
        "resumed": outcome.resumed,
        "pension_status": pension.status,
        "recheck_from": pension.recheck_from,
    }
    # A retried request answers the first result (200), a new certification 201.
    return Status(201 if outcome.created else 200, body)
