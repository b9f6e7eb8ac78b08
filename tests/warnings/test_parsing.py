"""parsing.read: real-shaped warning texts into the form's fields; anything else, nothing."""

from datetime import date, datetime

import pytest

from coordinator.warnings.parsing import MAX_TEXT, clean, read

TODAY = date(2026, 12, 1)


def test_a_yellow_wind_warning_as_published():
    got = read(
        "北京市气象台2026年12月2日10时00分发布大风黄色预警信号：预计2日14时至3日20时，"
        "本市大部分地区将出现5级左右偏北风，阵风可达8级……",
        today=TODAY,
    )
    assert (got.kind, got.level) == ("wind", "yellow")
    assert got.issued_at == datetime(2026, 12, 2, 10, 0)
    assert (got.valid_from, got.valid_to) == (datetime(2026, 12, 2, 14), datetime(2026, 12, 3, 20))
    assert got.area == "本市大部分地区"


def test_a_blue_rainstorm_warning():
    got = read(
        "北京市气象台2026年7月20日16时30分发布暴雨蓝色预警信号：预计20日20时到21日14时，"
        "我市西部山区将出现暴雨，局地大暴雨。",
        today=date(2026, 7, 20),
    )
    assert (got.kind, got.level, got.area) == ("rainstorm", "blue", "我市西部山区")
    assert got.issued_at == datetime(2026, 7, 20, 16, 30)
    assert (got.valid_from, got.valid_to) == (datetime(2026, 7, 20, 20), datetime(2026, 7, 21, 14))


def test_an_orange_heat_warning_over_whole_days():
    got = read(
        "北京市气象台2026年7月5日11时发布高温橙色预警信号：预计5日至7日，"
        "本市平原地区最高气温将达37℃以上。",
        today=date(2026, 7, 5),
    )
    assert (got.kind, got.level, got.area) == ("heat", "orange", "本市平原地区")
    assert got.valid_from == datetime(2026, 7, 5, 11)  # from its issue, that day
    assert got.valid_to == datetime(2026, 7, 8, 0)  # to the end of the 7th


def test_a_text_without_a_year_is_read_in_the_year_nearest_today():
    got = read(
        "市气象台1月3日8点发布道路结冰黄色预警：预计3日20点—4日10点，全市将出现道路结冰。",
        today=TODAY,
    )
    assert (got.kind, got.level) == ("icy_roads", "yellow")
    assert got.issued_at == datetime(2027, 1, 3, 8)
    assert (got.valid_from, got.valid_to) == (datetime(2027, 1, 3, 20), datetime(2027, 1, 4, 10))


def test_an_end_in_the_next_month():
    got = read(
        "市气象台11月30日16时发布寒潮蓝色预警：预计30日20时至1日08时，本市将出现寒潮天气。",
        today=TODAY,
    )
    assert (got.kind, got.level) == ("cold_wave", "blue")
    assert (got.valid_from, got.valid_to) == (datetime(2026, 11, 30, 20), datetime(2026, 12, 1, 8))
    over_the_year = read("12月31日16时发布大风蓝色预警：预计31日20时至1日08时，全市有大风。", TODAY)
    assert over_the_year.valid_to == datetime(2027, 1, 1, 8)


@pytest.mark.parametrize(
    "kind_word, kind",
    [
        ("暴雪", "snow"),
        ("大雾", "fog"),
        ("沙尘暴", "sandstorm"),
        ("雷电", "lightning"),
        ("冰雹", "hail"),
    ],
)
def test_every_kind_word(kind_word, kind):
    got = read(f"北京市气象台发布{kind_word}红色预警信号：预计今天14时至20时全市……", TODAY)
    assert (got.kind, got.level) == (kind, "red")
    assert (got.valid_from, got.valid_to) == (datetime(2026, 12, 1, 14), datetime(2026, 12, 1, 20))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello world 12:00",
        "今天天气不错，大家出去走走。",
        "\x00\x00\x00",
        "预计99日99时至99日99时",
        "2026年2月30日10时发布：预计30日25时至31日10时",
        "大" * (MAX_TEXT * 3),
        None,
        12345,
    ],
)
def test_garbage_fills_nothing_and_never_raises(text):
    got = read(text, TODAY)
    assert got.found() == [] or set(got.found()) <= {"kind", "level"}
    assert got.valid_from is None and got.valid_to is None


def test_clean_removes_control_bytes_and_bounds_the_text():
    assert clean("大风\x00黄色\x1b预警\n第二行") == "大风黄色预警\n第二行"
    assert len(clean("风" * (MAX_TEXT + 10))) == MAX_TEXT


def test_today_and_tomorrow_are_the_days_they_name():
    got = read(
        "北京市气象台2026年12月2日10时发布寒潮蓝色预警信号：预计今天（2日）20时至明天（3日）"
        "20时，本市大部分地区气温将下降8℃以上。",
        TODAY,
    )
    assert (got.valid_from, got.valid_to) == (datetime(2026, 12, 2, 20), datetime(2026, 12, 3, 20))
    bare = read("12月31日16时发布大风蓝色预警：预计今天20时至明天8时，全市有大风。", TODAY)
    assert (bare.valid_from, bare.valid_to) == (datetime(2026, 12, 31, 20), datetime(2027, 1, 1, 8))
