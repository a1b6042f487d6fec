"""The forecasting models (statsforecast) and the rolling-origin backtest that picks one:
pure functions on a series of interval counts, no database.

Candidates: the seasonal naive (same slot last week), the same-slot average of the last 8
weeks, and MSTL with a daily and a weekly season (trend by AutoETS). statsforecast is
imported on first use: it costs seconds, and most kefu processes never forecast."""

from dataclasses import dataclass
from typing import Any

import numpy as np

SEASONAL_NAIVE = "seasonal_naive"
SAME_SLOT_AVERAGE = "same_slot_average"
MSTL = "mstl"
MODELS = (SEASONAL_NAIVE, SAME_SLOT_AVERAGE, MSTL)  # ties go to the simpler, earlier one
AVERAGE_WEEKS = 8
# Every model is fitted on the last 8 weeks at most (what the same-slot average uses): older
# weeks add little to a forecast of the next weeks, and MSTL's cost grows with the length.
FIT_WEEKS = 8
BACKTEST_WINDOWS = 3
MIN_WEEKS = 2  # the least history to forecast from (a backtest needs a week to test on)
MSTL_MIN_WEEKS = 2  # MSTL needs two weekly seasons to separate them from the trend
BAND = (0.1, 0.9)  # the band holds 80 % of the backtest's errors


class NotEnoughHistory(ValueError):
    """Fewer whole weeks of history than a forecast needs."""


@dataclass(frozen=True, slots=True)
class Fitted:
    """A forecast: the chosen model, every candidate's backtest WAPE (None when the
    backtest's actuals sum to zero), and per interval the forecast with its band."""

    model: str
    wape: float | None
    backtest: dict[str, float | None]
    values: np.ndarray
    low: np.ndarray
    high: np.ndarray


def _models(names: list[str], day: int, week: int, weeks: int) -> list[Any]:
    from statsforecast import models as sf

    built = {
        SEASONAL_NAIVE: lambda: sf.SeasonalNaive(season_length=week, alias=SEASONAL_NAIVE),
        SAME_SLOT_AVERAGE: lambda: sf.SeasonalWindowAverage(
            season_length=week, window_size=min(AVERAGE_WEEKS, weeks), alias=SAME_SLOT_AVERAGE
        ),
        MSTL: lambda: sf.MSTL(
            season_length=[day, week], trend_forecaster=sf.AutoETS(model="ZZN"), alias=MSTL
        ),
    }
    return [built[name]() for name in names]


def _frame(y: np.ndarray) -> Any:
    import pandas as pd

    return pd.DataFrame({"unique_id": "q", "ds": np.arange(1, len(y) + 1), "y": y.astype(float)})


def _engine(names: list[str], day: int, week: int, weeks: int) -> Any:
    from statsforecast import StatsForecast

    return StatsForecast(models=_models(names, day, week, weeks), freq=1, n_jobs=1)


def wape(actual: np.ndarray, forecast: np.ndarray) -> float | None:
    """Weighted absolute percentage error: Σ|actual − forecast| / Σ actual."""
    total = float(np.sum(actual))
    if total <= 0:
        return None
    return float(np.sum(np.abs(actual - forecast)) / total)


def _candidates(train_weeks: int, models: tuple[str, ...]) -> list[str]:
    return [m for m in models if m != MSTL or train_weeks >= MSTL_MIN_WEEKS]


def backtest(
    y: np.ndarray, *, interval_minutes: int, models: tuple[str, ...] = MODELS
) -> tuple[dict[str, float | None], dict[str, np.ndarray]]:
    """Rolling origin: hold out each of the last (up to) 3 weeks in turn, fit on what came
    before, forecast the week. Returns each model's WAPE over every held-out interval, and
    its errors (actual − forecast) for the band."""
    day = 24 * 60 // interval_minutes
    week = 7 * day
    weeks = len(y) // week
    if weeks < MIN_WEEKS:
        raise NotEnoughHistory(f"{weeks} whole weeks of history; a forecast needs {MIN_WEEKS}")
    # keep two training weeks (MSTL's minimum) when there is a week to spare for testing
    windows = min(BACKTEST_WINDOWS, weeks - MSTL_MIN_WEEKS) if weeks > MSTL_MIN_WEEKS else 1
    train_weeks = min(weeks - windows, FIT_WEEKS)
    names = _candidates(train_weeks, models)
    cv = _engine(names, day, week, train_weeks).cross_validation(
        df=_frame(y), h=week, n_windows=windows, step_size=week,
        input_size=FIT_WEEKS * week,
    )  # fmt: skip
    actual = cv["y"].to_numpy()
    scores: dict[str, float | None] = {}
    errors: dict[str, np.ndarray] = {}
    for name in names:
        predicted = np.clip(cv[name].to_numpy(), 0, None)
        scores[name] = wape(actual, predicted)
        errors[name] = actual - predicted
    return scores, errors


def choose(scores: dict[str, float | None]) -> str:
    """The lowest WAPE; ties and unscorable backtests go to the simplest model."""
    scored = [
        (score, MODELS.index(name), name) for name, score in scores.items() if score is not None
    ]
    return min(scored)[2] if scored else SEASONAL_NAIVE


def forecast(
    y: np.ndarray, *, interval_minutes: int, horizon: int, models: tuple[str, ...] = MODELS
) -> Fitted:
    """Backtest the candidates, then forecast `horizon` intervals after the series' end with
    the best one; the band is the chosen model's 10th–90th percentile backtest error."""
    day = 24 * 60 // interval_minutes
    week = 7 * day
    scores, errors = backtest(y, interval_minutes=interval_minutes, models=models)
    chosen = choose(scores)
    recent = y[-FIT_WEEKS * week :]
    result = _engine([chosen], day, week, len(recent) // week).forecast(
        df=_frame(recent), h=horizon
    )
    values = np.clip(result[chosen].to_numpy(), 0, None)
    low_error, high_error = np.quantile(errors[chosen], BAND)
    return Fitted(
        model=chosen,
        wape=scores[chosen],
        backtest=scores,
        values=values,
        low=np.clip(values + min(low_error, 0.0), 0, None),
        high=values + max(high_error, 0.0),
    )
