"""The residents' WeChat text and the badge: per kind and level, times in Beijing time."""

from datetime import datetime

import pytest

from coordinator.warnings import words
from coordinator.warnings.models import KINDS, WeatherWarning


def warning(kind="wind", level="yellow", text=""):
    # 2 Dec 14:00 → 3 Dec 20:00 Beijing, as UTC.
    return WeatherWarning(
        kind=kind,
        level=level,
        valid_from=datetime(2026, 12, 2, 6),
        valid_to=datetime(2026, 12, 3, 12),
        text=text,
    )


def test_the_wind_text_as_the_office_sends_it(app):
    said = warning(
        text="北京市气象台发布大风黄色预警信号：预计2日14时至3日20时，本市大部分地区将出现5级左右"
        "偏北风，阵风可达8级。"
    )
    text = words.wechat_text(said, "红联北村社区", "010-62010001")
    assert text == (
        "【大风黄色预警】气象台发布大风黄色预警，12月2日14时至3日20时有5级左右偏北风，阵风可达8级。"
        "请勿在大树、广告牌下停车或停留，收好阳台花盆和晾晒物品，关好门窗。"
        "如发现树木断枝、物品松动等隐患，请拨打社区电话010-62010001。——红联北村社区"
    )


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_has_its_advice_and_name(app, kind):
    text = words.wechat_text(warning(kind, "orange"), "北太平庄街道", "010-62010000", True)
    name = words.name(kind, "orange")
    assert text.startswith(f"【{name}】") and "12月2日14时至3日20时" in text
    assert str(words.ADVICE[kind]) in text and "街道电话010-62010000" in text
    assert name.endswith("橙色预警")


@pytest.mark.parametrize("kind", ["cold_wave", "heat"])
def test_cold_waves_and_heat_ask_to_look_in_on_elderly_neighbours(app, kind):
    assert "独居老人" in words.wechat_text(warning(kind), "绿树社区", "010-1")


def test_the_badge_carries_its_words_in_the_levels_colour(app):
    badge = str(words.badge(warning(level="red")))
    assert badge == '<span class="badge warning-badge warning-red">大风红色预警</span>'
