"""VISCII 1.1, the Vietnamese Standard Code for Information Interchange (Viet-Std Group, 1992;
published as RFC 1456, "Conventions for Encoding the Vietnamese Language"): one byte per letter,
134 precomposed letters, six of them on C0 control positions. Python has no ``viscii`` codec; the
table below is RFC 1456's, and ``tests/test_realfiles_text.py`` checks it byte for byte against
the system's iconv (GNU libc ships a VISCII charmap) where one is installed.
"""

from __future__ import annotations

# Bytes 0x80-0xFF, in order.
_HIGH = ("ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲÕắằặấầẩậẽẹếềểễệốồổỗỠƠộờởịỰỨỪỬơớƯ"
         "ÀÁÂÃẢĂẳẵÈÉÊẺÌÍĨỳĐứÒÓÔạỷừửÙÚỹỵÝỡưàáâãảăữẫèéêẻìíĩỉđựòóôõỏọụùúũủýợỮ")
# The six letters VISCII puts on C0 control positions.
_LOW = {0x02: "Ẳ", 0x05: "Ẵ", 0x06: "Ẫ", 0x14: "Ỷ", 0x19: "Ỹ", 0x1E: "Ỵ"}

DECODE: tuple[str, ...] = tuple(_LOW.get(i, chr(i)) for i in range(0x80)) + tuple(_HIGH)
ENCODE: dict[str, int] = {c: i for i, c in enumerate(DECODE)}
assert len(DECODE) == 256 and len(ENCODE) == 256


def decode_viscii(data: bytes) -> str:
    """VISCII bytes to text (every byte is defined)."""
    return "".join(DECODE[b] for b in data)


def encode_viscii(text: str) -> bytes:
    """Text (NFC) to VISCII; UnicodeEncodeError for a character VISCII lacks."""
    out = bytearray()
    for i, c in enumerate(text):
        if c not in ENCODE:
            raise UnicodeEncodeError("viscii", text, i, i + 1, "not in VISCII")
        out.append(ENCODE[c])
    return bytes(out)


__all__ = ["DECODE", "ENCODE", "decode_viscii", "encode_viscii"]
