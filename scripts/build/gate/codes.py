"""Reference codes behind Vietnamese personal identifiers: provinces, mobile prefixes, area codes, card BINs."""

from __future__ import annotations

# The 63 pre-2025 province codes that open a citizen ID (Circular 07/2016/TT-BCA): the place the birth was
# registered. IDs issued after the 2025 merger of provinces keep these codes, so the list does not shrink.
CITIZEN_ID_PROVINCES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

# First two digits of a 9-digit national mobile number (after the trunk 0 or +84), since the 2018 switch to
# 10 digits. 055 is Reddi's prefix, 087 Itelecom's.
MOBILE_PREFIXES: frozenset[str] = frozenset(
    [f"3{d}" for d in "23456789"]
    + ["52", "55", "56", "58", "59", "70", "76", "77", "78", "79"]
    + [f"8{d}" for d in "123456789"]
    + [f"9{d}" for d in "0123456789"]
)

# First three digits of a pre-2018 11-digit mobile number (after the trunk 0): MobiFone and VinaPhone 012x,
# Viettel 0162-0169, Vietnamobile 0186/0188, Gmobile 0199.
OLD_MOBILE_PREFIXES: frozenset[str] = frozenset(
    [f"12{d}" for d in "0123456789"] + [f"16{d}" for d in "23456789"] + ["186", "188", "199"]
)

# Landline area codes since 2017 (after the trunk 0): Hà Nội 24 and HCMC 28 take 8 subscriber digits, the other
# provinces 3-digit codes with 7 digits, so every landline has 10 national digits.
LANDLINE_AREAS: dict[str, str] = {
    "24": "Hà Nội",
    "28": "Hồ Chí Minh",
    "203": "Quảng Ninh",
    "204": "Bắc Giang",
    "205": "Lạng Sơn",
    "206": "Cao Bằng",
    "207": "Tuyên Quang",
    "208": "Thái Nguyên",
    "209": "Bắc Kạn",
    "210": "Phú Thọ",
    "211": "Vĩnh Phúc",
    "212": "Sơn La",
    "213": "Lai Châu",
    "214": "Lào Cai",
    "215": "Điện Biên",
    "216": "Yên Bái",
    "218": "Hòa Bình",
    "219": "Hà Giang",
    "220": "Hải Dương",
    "221": "Hưng Yên",
    "222": "Bắc Ninh",
    "225": "Hải Phòng",
    "226": "Hà Nam",
    "227": "Thái Bình",
    "228": "Nam Định",
    "229": "Ninh Bình",
    "232": "Quảng Bình",
    "233": "Quảng Trị",
    "234": "Thừa Thiên Huế",
    "235": "Quảng Nam",
    "236": "Đà Nẵng",
    "237": "Thanh Hóa",
    "238": "Nghệ An",
    "239": "Hà Tĩnh",
    "251": "Đồng Nai",
    "252": "Bình Thuận",
    "254": "Bà Rịa - Vũng Tàu",
    "255": "Quảng Ngãi",
    "256": "Bình Định",
    "257": "Phú Yên",
    "258": "Khánh Hòa",
    "259": "Ninh Thuận",
    "260": "Kon Tum",
    "261": "Đắk Nông",
    "262": "Đắk Lắk",
    "263": "Lâm Đồng",
    "269": "Gia Lai",
    "270": "Vĩnh Long",
    "271": "Bình Phước",
    "272": "Long An",
    "273": "Tiền Giang",
    "274": "Bình Dương",
    "275": "Bến Tre",
    "276": "Tây Ninh",
    "277": "Đồng Tháp",
    "290": "Cà Mau",
    "291": "Bạc Liêu",
    "292": "Cần Thơ",
    "293": "Hậu Giang",
    "294": "Trà Vinh",
    "296": "An Giang",
    "297": "Kiên Giang",
    "299": "Sóc Trăng",
}

# Domestic debit cards (NAPAS) all start with this BIN and need no Luhn check to be taken as cards.
NAPAS_BIN = "9704"

# International card ranges common in Vietnam: Visa, Mastercard (old and 2-series), JCB, UnionPay.
CARD_PREFIXES: tuple[str, ...] = (
    ("4", "51", "52", "53", "54", "55", "62")
    + tuple(str(n) for n in range(2221, 2721))
    + tuple(str(n) for n in range(3528, 3590))
)

# Letters that open ordinary Vietnamese passport numbers; other letters count only where the context says passport.
PASSPORT_SERIES: frozenset[str] = frozenset("BCN")
