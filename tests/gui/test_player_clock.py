"""The position arithmetic behind the clock (no Qt)."""

from subtitler.gui.player.clock import (
    MAX_EXTRAPOLATION_MS,
    SEEK_SETTLE_S,
    PositionEstimate,
)


def test_extrapolates_from_the_last_report_and_caps():
    clock = PositionEstimate()
    clock.report(1000, now_s=10.0)
    assert clock.estimate(10.030, rate=1.0, playing=True) == 1030
    assert clock.estimate(10.030, rate=2.0, playing=True) == 1060
    assert clock.estimate(10.030, rate=1.0, playing=False) == 1000
    assert clock.estimate(15.0, rate=1.0, playing=True) == 1000 + MAX_EXTRAPOLATION_MS, "a stalled player is not outrun"
    assert clock.estimate(10.030, rate=1.0, playing=True, duration_ms=1010) == 1010
    clock.report(1000, now_s=10.050)  # the same report again: the anchor stays
    assert clock.estimate(10.060, rate=1.0, playing=True) == 1060


def test_reports_of_the_old_position_after_a_seek_are_ignored():
    clock = PositionEstimate()
    clock.report(1000, now_s=10.0)
    clock.seek(5000, now_s=10.1)
    clock.report(1100, now_s=10.12)  # was already on its way
    assert clock.estimate(10.12, rate=1.0, playing=False) == 5000
    clock.report(5010, now_s=10.15)
    assert clock.pending_seek_ms is None and clock.anchor_ms == 5010
    clock.seek(9000, now_s=11.0)
    clock.report(8000, now_s=11.0 + SEEK_SETTLE_S + 0.01)  # the player clamped it: accept after a while
    assert clock.anchor_ms == 8000
