"""The rolling-origin backtest picks the model a series' structure calls for, and reports
each candidate's WAPE. Pure (no database): each fit here is a few statsforecast calls on
five weeks of 30-minute intervals."""

import numpy as np
import pytest

from kefu.workforce import engine

WEEK = 336  # 30-minute intervals
WEEKS = 5
INDEX = np.arange(WEEK * WEEKS)
DAYTIME = np.maximum(0.0, 30 * np.sin(np.pi * ((INDEX % 48) - 12) / 24))  # 06:00–18:00 bump


def _weekly_profile(seed: int) -> np.ndarray:
    return np.tile(np.random.default_rng(seed).uniform(0, 40, WEEK), WEEKS)


def test_a_series_that_just_changed_level_goes_to_the_seasonal_naive() -> None:
    # given a weekly pattern that doubled two weeks ago (a new sales channel opened)
    profile = _weekly_profile(7)
    y = np.concatenate([profile[: WEEK * 3], profile[WEEK * 3 :] * 2.5])
    # when
    scores, _errors = engine.backtest(y, interval_minutes=30)
    # then last week's same slot is the best guess
    assert engine.choose(scores) == engine.SEASONAL_NAIVE
    assert set(scores) == set(engine.MODELS)


def test_a_steady_trend_goes_to_the_multi_seasonal_model() -> None:
    # given a daily shape on a level growing by 10 contacts an interval every week
    y = DAYTIME + 5 + 10 * INDEX / WEEK + np.random.default_rng(7).normal(0, 1, INDEX.size)
    # when
    scores, _errors = engine.backtest(y, interval_minutes=30)
    # then MSTL (trend by AutoETS) follows it; the others lag a week or more behind
    assert engine.choose(scores) == engine.MSTL
    assert scores[engine.MSTL] < 0.05 < scores[engine.SEASONAL_NAIVE]


def test_a_noisy_stable_week_goes_to_the_same_slot_average() -> None:
    # given the same weekly profile every week, with Poisson noise
    rng = np.random.default_rng(1)
    y = rng.poisson(_weekly_profile(3)).astype(float)
    # when only the two simple models compete
    models = (engine.SEASONAL_NAIVE, engine.SAME_SLOT_AVERAGE)
    scores, _errors = engine.backtest(y, interval_minutes=30, models=models)
    # then averaging the weeks beats copying the last one's noise
    assert engine.choose(scores) == engine.SAME_SLOT_AVERAGE
    assert scores[engine.SAME_SLOT_AVERAGE] < scores[engine.SEASONAL_NAIVE] - 0.02


def test_the_forecast_carries_a_band_from_the_backtest_errors() -> None:
    y = np.tile(np.arange(WEEK, dtype=float) % 7, 3)  # exact repetition: no error at all
    fitted = engine.forecast(y, interval_minutes=30, horizon=WEEK, models=(engine.SEASONAL_NAIVE,))
    assert fitted.model == engine.SEASONAL_NAIVE and fitted.wape == 0.0
    assert np.array_equal(fitted.values, y[-WEEK:])
    assert np.array_equal(fitted.low, fitted.values) and np.array_equal(fitted.high, fitted.values)


def test_wape_ties_and_empty_backtests() -> None:
    assert engine.wape(np.array([10.0, 0.0]), np.array([8.0, 1.0])) == pytest.approx(0.3)
    assert engine.wape(np.zeros(3), np.ones(3)) is None
    tie = {engine.MSTL: 0.2, engine.SEASONAL_NAIVE: 0.2}
    assert engine.choose(tie) == engine.SEASONAL_NAIVE  # the simpler model wins a tie
    assert engine.choose({engine.MSTL: None}) == engine.SEASONAL_NAIVE


def test_less_than_two_weeks_is_not_enough() -> None:
    with pytest.raises(engine.NotEnoughHistory, match="1 whole weeks"):
        engine.backtest(np.ones(WEEK + 10), interval_minutes=30)
