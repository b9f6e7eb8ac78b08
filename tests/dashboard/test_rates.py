"""The arithmetic of the three rates, on hand-made call-backs (DOMAIN.md)."""

from types import SimpleNamespace as Answer

import pytest

from coordinator.dashboard import rates


def answers(*rows):
    return [Answer(contacted=c, solved=s, satisfaction=sat) for c, s, sat in rows]


def test_each_formula_on_its_own():
    got = rates.from_answers(
        answers(
            (True, True, "satisfied"),
            (True, False, "basically"),
            (False, False, "not"),
            (True, True, "basically"),
        )
    )
    assert got.callbacks == 4
    assert got.response == pytest.approx(3 / 4)
    assert got.resolution == pytest.approx(2 / 4)
    assert got.satisfaction == pytest.approx((1 + 0.9 + 0 + 0.9) / 4)
    assert got.composite == pytest.approx(100 * (0.1 * 0.75 + 0.5 * 0.5 + 0.4 * 0.7))


def test_all_satisfied_is_100_and_none_is_0():
    best = rates.from_answers(answers(*[(True, True, "satisfied")] * 5))
    assert (best.response, best.resolution, best.satisfaction) == (1, 1, 1)
    assert rates.points(best.composite) == 100.0
    worst = rates.from_answers(answers((False, False, "not")))
    assert rates.points(worst.composite) == 0.0 and rates.percent(worst.response) == 0.0


def test_no_callbacks_is_no_rate_not_zero():
    got = rates.from_answers([])
    assert got == rates.Rates(0, None, None, None, None)
    assert rates.percent(got.response) is None and rates.points(got.composite) is None


def test_weights_come_from_the_caller():
    rows = answers((True, False, "not"), (True, False, "not"))
    assert rates.from_answers(rows).composite == pytest.approx(10.0)
    only_response = {"response": 1.0, "resolution": 0.0, "satisfaction": 0.0}
    assert rates.from_answers(rows, only_response).composite == pytest.approx(100.0)
    half = {"response": 0.5}  # the others keep DOMAIN.md's
    assert rates.from_answers(rows, half).composite == pytest.approx(50.0)


def test_rounding_half_up_from_the_unrounded_values():
    assert rates.percent(2 / 3) == 66.7
    assert rates.percent(0.0005) == 0.1  # 0.05 % rounds up
    assert rates.percent(0.12345) == 12.3
    assert rates.points(87.125) == 87.13
    assert rates.points(87.124999) == 87.12
    # The composite comes from the exact rates, not from the rounded per cents: 1/3 each.
    rows = answers((True, True, "satisfied"), (False, False, "not"), (False, False, "not"))
    got = rates.from_answers(rows)
    assert rates.points(got.composite) == 33.33
    rounded_first = 0.1 * 33.3 + 0.5 * 33.3 + 0.4 * 33.3
    assert rates.points(rounded_first) == 33.3  # what rounding first would have said


def test_basically_counts_nine_tenths():
    got = rates.from_answers(answers(*[(True, True, "basically")] * 10))
    assert rates.percent(got.satisfaction) == 90.0


def test_on_time_ratio():
    assert rates.ratio_percent(2, 3) == 66.7
    assert rates.ratio_percent(0, 0) is None


def test_ranks_ties_share_and_none_is_unranked():
    assert rates.ranks({"a": 90.0, "b": 95.0, "c": 90.0, "d": None, "e": 80.0}) == {
        "b": 1,
        "a": 2,
        "c": 2,
        "e": 4,
        "d": None,
    }
    assert rates.ranks({}) == {}
