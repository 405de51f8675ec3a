"""Outbound webhooks in the browser (issue 15.6/15.7): in Administration › API and events an admin adds an
endpoint (a local receiver), sees its signing secret once, sends a test event, sees it and a domain event in the
delivery log, and redelivers a failed one."""

import json
import uuid

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.services import webhook_service
from app.services.webhooks import on_event
from app.utils import tenant_context
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.e2e


def _verified(secret: str, request) -> bool:
    headers = request.headers
    return webhook_service.verify_signature(
        secret, headers["webhook-id"], headers["webhook-timestamp"], request.body, headers["webhook-signature"]
    )


def test_an_admin_subscribes_an_endpoint_and_redelivers_from_the_log(app, page, demo, live_server, webhook_receiver):
    sign_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Administration").click()
    page.get_by_role("navigation", name="Administration sections").get_by_role("link", name="API and events").click()
    expect(page.get_by_text("No webhook endpoints yet.")).to_be_visible()

    form = page.get_by_role("form", name="New webhook endpoint")
    form.get_by_label("Endpoint URL").fill(webhook_receiver.url)
    form.get_by_label("Description").fill("ERP bridge")
    form.get_by_label("Incident created").check()
    form.get_by_role("button", name="Add endpoint").click()

    expect(page.get_by_role("alert").filter(has_text="shown only this once")).to_be_visible()
    secret = page.get_by_label("The signing secret of ERP bridge").input_value()
    assert secret.startswith("whsec_")
    endpoints = page.get_by_role("region", name="Webhook endpoints table")
    expect(endpoints).to_contain_text(webhook_receiver.url)
    expect(endpoints).to_contain_text("enabled")
    page.get_by_role("button", name="I have stored the secret").click()
    expect(page.get_by_label("The signing secret of ERP bridge")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(secret)

    endpoints.get_by_role("button", name="Send a test event to ERP bridge").click()
    expect(page.get_by_role("alert").filter(has_text="The test event reached ERP bridge")).to_be_visible()
    log = page.get_by_role("region", name="Webhook deliveries table")
    expect(log).to_contain_text("webhook.test")
    expect(log).to_contain_text("succeeded")
    assert len(webhook_receiver.received) == 1 and _verified(secret, webhook_receiver.received[0])

    # A domain event from the outbox reaches the endpoint; the receiver is down for it.
    event_id = str(uuid.uuid4())
    webhook_receiver.statuses.append(503)
    with app.app_context(), tenant_context.tenant_scope(demo["tenant_id"]):
        on_event(
            {
                "id": event_id,
                "type": "incident.created",
                "tenant_id": demo["tenant_id"],
                "aggregate_type": "incident",
                "aggregate_id": str(uuid.uuid4()),
                "sequence": 1,
                "occurred_at": "2026-12-02T03:00:00Z",
                "data": {"code": "INC-42"},
            }
        )
        db.session.commit()  # the outbox publisher's commit, after which the delivery is queued
    tenant_context.clear()
    assert json.loads(webhook_receiver.received[1].body)["id"] == event_id

    page.get_by_role("navigation", name="Administration sections").get_by_role("link", name="API and events").click()
    page.reload()
    log = page.get_by_role("region", name="Webhook deliveries table")
    row = log.locator("tr", has_text="incident.created")
    expect(row).to_contain_text("pending")
    expect(row).to_contain_text("HTTP 503")

    page.get_by_label("Delivery status").select_option("pending")
    expect(log).not_to_contain_text("webhook.test")
    row.get_by_role("button", name=f"Redeliver incident.created {event_id}").click()
    expect(page.get_by_role("alert").filter(has_text="Redelivered.")).to_be_visible()
    expect(page.get_by_text("No deliveries yet.")).to_be_visible()  # nothing pending any more
    page.get_by_label("Delivery status").select_option("succeeded")
    expect(log.locator("tr", has_text="incident.created")).to_contain_text("succeeded")
    third = webhook_receiver.received[2]
    assert third.headers["webhook-id"] == event_id and _verified(secret, third)

    # Rotating shows the new secret once; disabling shows in the table.
    endpoints = page.get_by_role("region", name="Webhook endpoints table")
    page.once("dialog", lambda dialog: dialog.accept())
    endpoints.get_by_role("button", name="Rotate the secret of ERP bridge").click()
    rotated = page.get_by_label("The signing secret of ERP bridge")
    expect(rotated).to_be_visible()
    assert rotated.input_value().startswith("whsec_") and rotated.input_value() != secret
    endpoints.get_by_role("button", name="Disable ERP bridge").click()
    expect(endpoints.get_by_role("button", name="Enable ERP bridge")).to_be_visible()
    expect(endpoints).to_contain_text("Disabled by an administrator.")
