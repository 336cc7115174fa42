"""Notifications end to end: the real `order-api` delivers its outbox by e-mail to an aiosmtpd
server (STARTTLS + AUTH with a throwaway certificate, or plain on loopback) and by signed Standard
Webhooks to a loopback receiver. Every server a test uses is started and stopped by its fixtures."""
from __future__ import annotations

import re
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest

from notify_support import (
    MAIL_DOMAIN, OWNER, SHOP_NAME, SMTP_USER, ApiServer, SmtpServer, WebhookReceiver, add_webhook, api_json, deliveries,
    free_port, mail_env, make_cert, place_order, set_status, verify_signature, wait_until, write_notify_shop,
)
from orderapi import order_body

MESSAGE_ID = re.compile(r"^d(\d+)\.(evt_[0-9a-f]+)@" + re.escape(MAIL_DOMAIN) + r"$")


@pytest.fixture
def shop_root(tmp_path) -> Path:
    return write_notify_shop(tmp_path / "shop")


@pytest.fixture
def cert(tmp_path):
    return make_cert(tmp_path)


@pytest.fixture
def tls_smtp(cert):
    """aiosmtpd requiring STARTTLS and AUTH."""
    with SmtpServer(cert=cert) as server:
        yield server


@pytest.fixture
def smtp():
    """aiosmtpd on loopback without TLS (SMTP_URL ...?tls=none)."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def receiver():
    with WebhookReceiver() as server:
        yield server


@pytest.fixture
def start_api(bin_dir, shop_root):
    """Starts `order-api serve` on the test's shop with extra environment; stops every one at the end."""
    started: list[ApiServer] = []

    def start(env: dict[str, str]) -> ApiServer:
        api = ApiServer(bin_dir, shop_root, env=env)
        started.append(api)
        return api.start()

    yield start
    for api in started:
        api.__exit__()


def shopper_email(tag: str) -> str:
    return f"shopper-{tag}@example.com"


def mails_to(mails, address: str, event: str | None = None):
    return [m for m in mails if address in m.rcpt_tos and (event is None or m.event == event)]


def wait_deliveries(api: ApiServer, predicate, timeout: float, message: str) -> list[dict]:
    return wait_until(lambda: (lambda rows: rows if predicate(rows) else None)(deliveries(api)), timeout, message, interval=0.2)


def all_sent(rows: list[dict]) -> bool:
    return bool(rows) and all(row["status"] == "sent" for row in rows)


def iso_seconds(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def decoded_part(message, subtype: str) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == f"text/{subtype}")
    assert (part.get_content_charset() or "").lower() == "utf-8"
    return part.get_content()


# --- e-mail ------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["cash_on_delivery", "atm"])
def test_order_mails_arrive_over_starttls_with_auth(start_api, tls_smtp, cert, method):
    api = start_api(mail_env(tls_smtp, cert[0]))
    buyer = shopper_email(method.replace("_", "-"))
    order = place_order(api, order_body([("AVO-A", 2)], email=buyer, method=method))
    mails = tls_smtp.wait_count(2, 20)
    assert len(mails) == 2

    (received,) = mails_to(mails, buyer)
    (owner,) = mails_to(mails, OWNER)
    assert received.event == owner.event == "order.created"
    assert received.rcpt_tos == [buyer] and owner.rcpt_tos == [OWNER]
    for mail in (received, owner):
        # The session was protected by STARTTLS and authenticated as the configured user.
        assert mail.tls, "the message was not sent over TLS"
        assert mail.auth_user == SMTP_USER
        assert mail.mail_from == "shop@example.tw"
        message = mail.message
        # RFC 2047: the Chinese subject and sender name travel as encoded words and decode back.
        assert re.match(r"^=\?utf-8\?[bq]\?", mail.raw_header("Subject"), re.I), mail.raw_header("Subject")
        assert re.match(r"^=\?utf-8\?[bq]\?", mail.raw_header("From"), re.I), mail.raw_header("From")
        assert SHOP_NAME in mail.subject and order["id"] in mail.subject
        assert message["From"].addresses[0].display_name == SHOP_NAME
        assert message["From"].addresses[0].addr_spec == "shop@example.tw"
        assert message.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
        text, html = decoded_part(message, "plain"), decoded_part(message, "html")
        assert order["id"] in text and order["id"] in html
        for line in mail.raw.split(b"\r\n"):
            assert len(line) <= 998, f"line of {len(line)} octets"
        match = MESSAGE_ID.match(mail.message_id)
        assert match, mail.message_id
    assert received.subject != owner.subject
    assert "訂單" in received.subject
    # Message-IDs name the delivery and the event of the log.
    rows = wait_deliveries(api, all_sent, 10, "deliveries sent")
    expected = {f"d{row['id']}.{row['eventId']}@{MAIL_DOMAIN}" for row in rows if row["channel"] == "email"}
    assert {m.message_id for m in mails} == expected
    assert {(login[1], login[2]) for login in tls_smtp.logins} == {(SMTP_USER, True)}


def test_a_451_refusal_is_retried_with_the_same_message_id(start_api, tls_smtp, cert):
    tls_smtp.refuse_next = 1
    api = start_api(mail_env(tls_smtp, cert[0]))
    buyer = shopper_email("retry")
    place_order(api, order_body([("CHIP-D", 1)], email=buyer))
    # The first DATA is refused; its delivery is tried again about 10 s later (8-12 s with jitter).
    mails = tls_smtp.wait_count(2, 30)
    assert tls_smtp.refused == 1
    rows = wait_deliveries(api, all_sent, 10, "both e-mail deliveries sent")
    attempts = sorted(row["attempts"] for row in rows)
    assert attempts == [1, 2], rows
    retried = next(row for row in rows if row["attempts"] == 2)
    assert retried["lastError"] is None and retried["status"] == "sent"
    ids = [m.message_id for m in mails]
    assert len(ids) == len(set(ids)) == 2
    assert f"d{retried['id']}.{retried['eventId']}@{MAIL_DOMAIN}" in ids
    # Each accepted message arrived once; the refused one came back under the Message-ID of its delivery.
    assert {f"d{row['id']}.{row['eventId']}@{MAIL_DOMAIN}" for row in rows} == set(ids)


def test_mail_waits_while_the_smtp_server_is_down_and_none_is_lost(start_api):
    port = free_port()
    server = SmtpServer(port=port)  # nothing listens on `port` yet
    api = start_api(mail_env(server))
    try:
        orders = [place_order(api, order_body([("AVO-B", 1)], email=shopper_email(f"down{i}"))) for i in range(5)]
        pending = wait_deliveries(
            api, lambda rows: len(rows) == 10 and all(r["status"] == "pending" and r["lastError"] and r["attempts"] >= 1 for r in rows),
            20, "10 pending deliveries with an error")
        # The first retry is about 10 s (x0.8-1.2) after the first attempt, made right after the order.
        for row in pending:
            delay = iso_seconds(row["nextAttemptAt"]) - iso_seconds(row["createdAt"])
            assert 7.9 <= delay <= 60, (delay, row)  # at least the shortest first backoff; not yet the second's
        server.start()
        mails = server.wait_count(10, 60)
        rows = wait_deliveries(api, lambda rows: len(rows) == 10 and all_sent(rows), 20, "10 deliveries sent")
    finally:
        server.stop()
    assert len(mails) == 10
    ids = {m.message_id for m in mails}
    assert ids == {f"d{row['id']}.{row['eventId']}@{MAIL_DOMAIN}" for row in rows}
    for order in orders:
        assert any(order["id"] in m.subject for m in mails_to(mails, OWNER))
    for i in range(5):
        assert len(mails_to(mails, shopper_email(f"down{i}"))) == 1


@pytest.mark.parametrize("server_kind", ["no-starttls", "untrusted-certificate"])
def test_mail_is_not_sent_without_starttls_or_to_an_untrusted_certificate(start_api, cert, server_kind):
    """SMTP_URL smtp://user:pass@... requires STARTTLS: a server without it, or with a certificate
    not signed by a trusted CA (no SMTP_CA_FILE), gets neither the password nor the message."""
    server = SmtpServer() if server_kind == "no-starttls" else SmtpServer(cert=cert)
    with server:
        env = mail_env(server, cert[0])
        del env["SMTP_CA_FILE"]
        api = start_api(env)
        place_order(api, order_body([("AVO-A", 1)]))
        rows = wait_deliveries(
            api, lambda rows: len([r for r in rows if r["eventType"] == "order.created" and r["lastError"]]) == 2, 20, "two failed attempts")
        rows = [r for r in rows if r["eventType"] == "order.created"]  # the owner's alerts may still be on their way
        # Missing STARTTLS is a permanent error (failed, and the owner's alert fails the same way);
        # a certificate problem is retried. Either way nothing and no password reached the server.
        assert all(r["status"] in ("pending", "failed") and r["lastError"] for r in rows), rows
        if server_kind == "no-starttls":
            assert all("STARTTLS" in r["lastError"] for r in rows), rows
        assert server.snapshot() == [] and server.logins == []


def test_a_refused_recipient_fails_tells_the_owner_and_the_admin_can_retry(start_api, smtp):
    buyer = shopper_email("refused")
    smtp.reject_rcpt.add(buyer)
    api = start_api(mail_env(smtp))
    order = place_order(api, order_body([("AVO-A", 1)], email=buyer))
    # 550 at RCPT TO is permanent: the delivery fails at once and the owner hears of it.
    alerts = smtp.wait_for(lambda ms: mails_to(ms, OWNER, "delivery.failed"), 20, "the owner's delivery-failed e-mail")
    assert buyer in decoded_part(alerts[0].message, "plain")
    rows = deliveries(api)
    (failed,) = [r for r in rows if r["destination"] == buyer]
    assert failed["status"] == "failed" and failed["attempts"] == 1 and "550" in failed["lastError"], failed
    assert mails_to(smtp.snapshot(), buyer) == []

    smtp.reject_rcpt.clear()
    _, answer = api_json(api, "POST", f"/admin/deliveries/{failed['id']}/retry", {}, expect=202)
    assert answer["delivery"]["id"] == failed["id"] and answer["delivery"]["status"] == "pending"
    (mail,) = smtp.wait_for(lambda ms: mails_to(ms, buyer), 20, "the retried e-mail")
    assert mail.message_id == f"d{failed['id']}.{failed['eventId']}@{MAIL_DOMAIN}"
    assert order["id"] in mail.subject
    rows = wait_deliveries(api, lambda rows: all_sent([r for r in rows if r["destination"] == buyer]), 10, "the retry sent")
    assert len(rows) == 3  # the shopper's, the owner's new-order and the owner's alert
    assert api_json(api, "GET", "/admin/deliveries?status=failed", expect=200)[1]["deliveries"] == []

    # Retrying a sent delivery sends nothing again (checked after a later order's mail has gone
    # through the same dispatcher); an unknown id is 404.
    _, answer = api_json(api, "POST", f"/admin/deliveries/{failed['id']}/retry", {}, expect=202)
    assert answer["delivery"]["status"] == "sent"
    api_json(api, "POST", "/admin/deliveries/999999/retry", {}, expect=404)
    place_order(api, order_body([("AVO-A", 1)], email=shopper_email("later")))
    smtp.wait_for(lambda ms: mails_to(ms, shopper_email("later")), 20, "the later order's e-mail")
    assert len(mails_to(smtp.snapshot(), buyer)) == 1


# --- webhooks ----------------------------------------------------------------------------------

def test_webhooks_are_signed_and_retried_with_the_same_id(start_api, receiver):
    api = start_api({"WEBHOOK_ALLOW_PRIVATE": "1"})
    ok = add_webhook(api, receiver.route("/ok"))
    flaky = add_webhook(api, receiver.route("/flaky", script=[500]))
    assert ok["secret"].startswith("whsec_") and ok["url"] == receiver.url("/ok")
    order = place_order(api, order_body([("OIL-C", 1)]))

    (hook,) = receiver.wait_for(lambda rs: [r for r in rs if r.path == "/ok"], 10, "order.created at /ok")
    payload = verify_signature(ok["secret"], hook)
    assert set(payload) == {"type", "timestamp", "data"}
    assert payload["type"] == "order.created" and payload["data"]["order"]["id"] == order["id"]
    assert len(hook.body) < 20_000
    rows = wait_deliveries(api, lambda rows: len(rows) == 2 and all_sent(rows), 20, "both webhook deliveries sent")
    by_endpoint = {row["destination"]: row for row in rows}
    assert hook.headers["webhook-id"] == by_endpoint[ok["id"]]["eventId"]
    assert by_endpoint[ok["id"]]["attempts"] == 1

    # 500 first, then 204 about 5 s later: the same webhook-id both times, validly signed each time.
    flaky_hooks = receiver.received("/flaky")
    assert [h.answered for h in flaky_hooks] == [500, 204]
    assert {h.headers["webhook-id"] for h in flaky_hooks} == {hook.headers["webhook-id"]}
    for h in flaky_hooks:
        assert verify_signature(flaky["secret"], h)["type"] == "order.created"
    assert by_endpoint[flaky["id"]]["attempts"] == 2
    gap = flaky_hooks[1].at - flaky_hooks[0].at  # about 5 s (x0.8-1.2), found by a 1 s poll
    assert gap >= 3.9, gap  # no upper bound: a loaded machine may be late, never early

    # The test button delivers a `webhook.test` to that endpoint alone.
    _, answer = api_json(api, "POST", f"/admin/webhooks/{ok['id']}/test", {}, expect=202)
    assert isinstance(answer["deliveryId"], int)
    tests = receiver.wait_for(lambda rs: [r for r in rs if r.path == "/ok" and r.json["type"] == "webhook.test"], 10, "webhook.test")
    assert verify_signature(ok["secret"], tests[0])["type"] == "webhook.test"
    assert len(receiver.received("/flaky")) == 2


def test_a_gone_endpoint_is_turned_off_and_the_owner_is_told(start_api, smtp, receiver):
    api = start_api({**mail_env(smtp), "WEBHOOK_ALLOW_PRIVATE": "1"})
    gone = add_webhook(api, receiver.route("/gone", mode="410"))
    place_order(api, order_body([("AVO-A", 1)]))
    receiver.wait_for(lambda rs: rs, 10, "the POST to /gone")

    def turned_off():
        _, data = api_json(api, "GET", "/admin/webhooks", expect=200)
        endpoint = next(e for e in data["webhooks"] if e["id"] == gone["id"])
        return endpoint if not endpoint["enabled"] else None

    endpoint = wait_until(turned_off, 10, "the endpoint to be turned off")
    assert "410" in (endpoint["disabledReason"] or "")
    alerts = smtp.wait_for(lambda ms: mails_to(ms, OWNER, "delivery.failed"), 20, "the owner's delivery-failed e-mail")
    assert len(alerts) == 1
    text = decoded_part(alerts[0].message, "plain")
    assert "order.created" in text and (gone["id"] in text or "/gone" in text), text
    rows = deliveries(api)
    webhook_row = next(r for r in rows if r["channel"] == "webhook")
    assert webhook_row["status"] == "failed" and webhook_row["attempts"] == 1
    # No further POST reaches a turned-off endpoint.
    place_order(api, order_body([("AVO-A", 1)]))
    smtp.wait_for(lambda ms: len(mails_to(ms, OWNER, "order.created")) == 2, 20, "the second order's owner e-mail")
    assert len(receiver.received("/gone")) == 1


def test_dead_and_slow_endpoints_do_not_delay_mail_or_a_healthy_endpoint(start_api, smtp, receiver):
    api = start_api({**mail_env(smtp), "WEBHOOK_ALLOW_PRIVATE": "1"})
    never = add_webhook(api, receiver.route("/never", mode="never"))
    slow = add_webhook(api, receiver.route("/slow", mode="slow"))
    add_webhook(api, receiver.route("/ok"))
    for i in range(5):
        place_order(api, order_body([("CHIP-D", 1)], email=shopper_email(f"lane{i}")))
    # Inside the 15 s webhook time-out, so nothing could have waited for the stuck endpoints.
    smtp.wait_count(10, 14)
    receiver.wait_for(lambda rs: len([r for r in rs if r.path == "/ok"]) >= 5, 14, "5 posts at /ok")
    # And the stuck endpoints' first attempts are still in flight: none of their deliveries has finished one.
    stuck = [r for r in deliveries(api) if r["destination"] in (never["id"], slow["id"])]
    assert len(stuck) == 10 and all(r["status"] == "pending" and r["attempts"] == 0 for r in stuck), stuck
    assert len(smtp.snapshot()) == 10
    assert {r.json["type"] for r in receiver.received("/ok")} == {"order.created"}
    # The other two endpoints were reached and are still holding their lanes.
    assert receiver.received("/never") and receiver.received("/slow")
    assert all(r.answered is None for r in receiver.received("/never") + receiver.received("/slow"))


# --- bad input ---------------------------------------------------------------------------------

def test_bad_webhook_urls_and_events_are_refused(start_api):
    api = start_api({})
    for url in ["http://example.com/x", "https://127.0.0.1/x", "https://10.0.0.1/x", "not a url"]:
        status, data = api_json(api, "POST", "/admin/webhooks", {"url": url})
        assert status == 400, (url, data)
        assert data["error"]["code"] == "invalid_request"
        assert data["error"]["fields"].get("url"), (url, data)
    status, data = api_json(api, "POST", "/admin/webhooks", {"url": "https://example.com/x", "events": ["nope"]})
    assert status == 400 and data["error"]["fields"].get("events"), data
    _, data = api_json(api, "GET", "/admin/webhooks", expect=200)
    assert data["webhooks"] == []


@pytest.mark.parametrize("url", ["smtp://mail.example.com:587?tls=none", "ftp://x"])
def test_an_invalid_smtp_url_stops_start_up(bin_dir, shop_root, url):
    api = ApiServer(bin_dir, shop_root, env={"SMTP_URL": url, "MAIL_FROM": "Shop <shop@example.tw>"})
    try:
        with pytest.raises(RuntimeError) as failure:
            api.start(timeout=30)
    finally:
        api.__exit__()
    assert api.process.returncode not in (0, None)
    assert "SMTP_URL" in str(failure.value) or "SMTP_URL" in api.log_path.read_text()


def test_storefront_check_names_the_line_of_a_broken_email_template(bin_dir, shop_root):
    emails = shop_root / "themes" / "default" / "emails"
    emails.mkdir(parents=True)
    template = emails / "order-shipped.text.mustache"
    template.write_text("Hello {{order.customerName}}\n\nTracking:\n{{#order.trackingNumber}}\n{{order.trackingNumber}}\n{{/order.id}}\n")
    result = subprocess.run([str(bin_dir / "storefront"), "check"], cwd=shop_root, capture_output=True, text=True, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert re.search(r"order-shipped\.text\.mustache:6\b", output), output
    template.unlink()
    result = subprocess.run([str(bin_dir / "storefront"), "check"], cwd=shop_root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


# --- the admin moves orders on -----------------------------------------------------------------

def test_admin_status_changes_mail_the_shopper(start_api, smtp):
    api = start_api(mail_env(smtp))
    cod_buyer, atm_buyer, cancel_buyer = shopper_email("cod"), shopper_email("atm"), shopper_email("cancel")
    cod = place_order(api, order_body([("AVO-A", 1)], email=cod_buyer, method="cash_on_delivery"))
    atm = place_order(api, order_body([("AVO-B", 1)], email=atm_buyer, method="atm"))
    cancelled = place_order(api, order_body([("OIL-C", 1)], email=cancel_buyer, method="atm"))
    cod_paid_buyer = shopper_email("cod-paid")
    cod_paid = place_order(api, order_body([("CHIP-D", 1)], email=cod_paid_buyer, method="cash_on_delivery"))

    tracking = "TW123456789"
    assert set_status(api, cod["id"], "shipped", tracking)["status"] == "shipped"
    assert set_status(api, cod["id"], "delivered")["status"] == "delivered"
    assert set_status(api, atm["id"], "paid")["status"] == "paid"
    assert set_status(api, atm["id"], "shipped", "TW987654321")["status"] == "shipped"
    assert set_status(api, cancelled["id"], "cancelled")["status"] == "cancelled"
    assert set_status(api, cod_paid["id"], "paid")["status"] == "paid"
    # created 4x (shopper + owner), shipped 2x, ATM paid (shopper + owner), cancelled, cash on
    # delivery paid (owner only): 14 e-mails.
    mails = smtp.wait_count(14, 20)
    rows = wait_deliveries(api, lambda rows: len(rows) == 14 and all_sent(rows), 10, "14 deliveries sent")
    assert len(rows) == 14

    def events_of(address):
        return sorted(m.event for m in mails_to(mails, address))

    assert events_of(cod_buyer) == ["order.created", "order.shipped"]  # delivered: no shopper mail
    assert events_of(atm_buyer) == ["order.created", "order.paid", "order.shipped"]
    assert events_of(cancel_buyer) == ["order.cancelled", "order.created"]
    assert events_of(cod_paid_buyer) == ["order.created"]  # no order-paid for cash on delivery
    assert events_of(OWNER) == ["order.created"] * 4 + ["order.paid"] * 2
    assert any(cod_paid["id"] in m.subject for m in mails_to(mails, OWNER, "order.paid"))

    (shipped,) = mails_to(mails, cod_buyer, "order.shipped")
    assert cod["id"] in shipped.subject
    assert tracking in decoded_part(shipped.message, "plain")
    assert tracking in decoded_part(shipped.message, "html")
    (cancel_mail,) = mails_to(mails, cancel_buyer, "order.cancelled")
    assert cancelled["id"] in cancel_mail.subject and cancelled["id"] in decoded_part(cancel_mail.message, "plain")
