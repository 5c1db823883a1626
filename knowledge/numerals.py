"""Chinese numerals as used in article numbers (第一百零八条 → 108)."""

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS) + "0123456789０１２３４５６７８９"


def parse_numeral(text: str) -> int:
    """Parse a Chinese or Arabic numeral; raise ValueError on anything else."""
    text = text.strip()
    if not text:
        raise ValueError("empty numeral")
    ascii_digits = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if ascii_digits.isdigit():
        return int(ascii_digits)
    total, pending = 0, None
    for char in text:
        if char in DIGITS:
            if pending is not None and pending != 0:
                raise ValueError(f"malformed numeral: {text}")
            pending = DIGITS[char]
        elif char in UNITS:
            total += (1 if pending is None else pending) * UNITS[char]
            pending = None
        else:
            raise ValueError(f"not a numeral: {text}")
    return total + (pending or 0)


def to_chinese(number: int) -> str:
    """Render 1..9999 the way statutes number their articles (108 → 一百零八)."""
    if not 0 < number < 10000:
        raise ValueError(f"out of range: {number}")
    names = "零一二三四五六七八九"
    parts: list[str] = []
    zero_gap = False
    for unit, unit_name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, number = divmod(number, unit)
        if digit:
            if zero_gap:
                parts.append("零")
            parts.append(names[digit] + unit_name)
            zero_gap = False
        elif parts:
            zero_gap = True
        if number == 0:
            break
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text
