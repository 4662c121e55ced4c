"""The kf window and the signed scene_param: pure rules, no platform."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.kf import MAX_MESSAGES, KfWindow, SceneRejected, sign_scene, verify_scene

T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
SECRET = b"s" * 32


def test_window_opens_with_a_customer_message_and_closes_after_48_hours_or_5_messages() -> None:
    assert not KfWindow().is_open(T0)
    window = KfWindow().after_inbound(T0, "wk1")
    assert window.is_open(T0 + timedelta(hours=47, minutes=59))
    assert not window.is_open(T0 + timedelta(hours=48))
    for _ in range(MAX_MESSAGES - 1):
        window = window.after_send()
    assert window.remaining(T0) == 1
    assert not window.after_send().is_open(T0)
    assert window.closed().remaining(T0) == 0
    reopened = window.closed().after_inbound(T0 + timedelta(hours=1), "")
    assert reopened.remaining(T0 + timedelta(hours=1)) == MAX_MESSAGES
    assert reopened.open_kfid == "wk1"


def test_an_older_message_pulled_late_does_not_reset_the_count() -> None:
    window = KfWindow().after_inbound(T0, "wk1").after_send()
    assert window.after_inbound(T0 - timedelta(minutes=5), "wk1") == window


def test_window_round_trips_through_json_and_tolerates_junk() -> None:
    window = KfWindow(T0, 3, "wk1")
    assert KfWindow.from_json(window.to_json()) == window
    assert KfWindow.from_json(None) == KfWindow()
    assert KfWindow.from_json({"last_inbound": "yesterday"}) == KfWindow()


def test_scene_param_names_the_customer_and_is_url_safe() -> None:
    param = sign_scene(SECRET, "华兴-C03", T0 + timedelta(days=30))
    assert len(param.encode()) <= 128
    assert set(param) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
    assert verify_scene(SECRET, param, T0) == "华兴-C03"


@pytest.mark.parametrize("tamper", [
    lambda p: p[:-1] + ("A" if p[-1] != "A" else "B"),  # signature
    lambda p: p.replace(p.split(".")[1], sign_scene(SECRET, "C99", T0).split(".")[1]),  # code
    lambda p: ".".join([*p.split(".")[:2], "ffffffff", p.split(".")[3]]),  # expiry
    lambda p: "k2" + p[2:],
    lambda p: "garbage",
])
def test_a_tampered_scene_param_is_rejected(tamper: object) -> None:
    param = sign_scene(SECRET, "C01", T0 + timedelta(days=1))
    with pytest.raises(SceneRejected):
        verify_scene(SECRET, tamper(param), T0)  # type: ignore[operator]


def test_an_expired_or_foreign_scene_param_is_rejected() -> None:
    param = sign_scene(SECRET, "C01", T0 + timedelta(days=1))
    with pytest.raises(SceneRejected, match="expired"):
        verify_scene(SECRET, param, T0 + timedelta(days=1))
    with pytest.raises(SceneRejected, match="signature"):
        verify_scene(b"another server", param, T0)


def test_a_customer_code_too_long_for_a_link_is_refused() -> None:
    with pytest.raises(ValueError):
        sign_scene(SECRET, "C" * 100, T0)
