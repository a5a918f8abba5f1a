"""Project 06 tasks of the province's Plan 46/KH-UBND (19/02/2023) and their state on the report date."""

from pathlib import Path

import numpy as np

from scripts.sample.csvfile import write_csv
from scripts.sample.province import REPORT_DATE

HEADER = [
    "Mã nhiệm vụ",
    "Nhóm",
    "Nhóm nhiệm vụ",
    "Tên nhiệm vụ",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Thời hạn hoàn thành",
    "Trạng thái",
    "Ngày hoàn thành",
    "Ghi chú",
    "Tình trạng tại ngày",
]
DONE, ONGOING, NOT_STARTED = "Hoàn thành", "Đang thực hiện", "Chưa thực hiện"

GROUPS = {
    1: "Hoàn thiện thể chế, chính sách phục vụ triển khai Đề án 06",
    2: "Phục vụ giải quyết thủ tục hành chính và cung cấp dịch vụ công trực tuyến",
    3: "Phục vụ phát triển kinh tế - xã hội",
    4: "Phục vụ phát triển công dân số",
    5: "Hoàn thiện hệ sinh thái phục vụ kết nối, khai thác, bổ sung, làm giàu dữ liệu dân cư",
    6: "Bảo đảm hạ tầng kỹ thuật, an ninh, an toàn thông tin",
    7: "Chỉ đạo, điều hành của lãnh đạo các cấp",
}

CA, TT, VP, TP, TC = (
    "Công an tỉnh",
    "Sở Thông tin và Truyền thông",
    "Văn phòng Ủy ban nhân dân tỉnh",
    "Sở Tư pháp",
    "Sở Tài chính",
)
YT, GD, LD, GT, TN = (
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Giao thông vận tải",
    "Sở Tài nguyên và Môi trường",
)
KH, NV, THUE, BHXH, NHNN = (
    "Sở Kế hoạch và Đầu tư",
    "Sở Nội vụ",
    "Cục Thuế tỉnh",
    "Bảo hiểm xã hội tỉnh",
    "Ngân hàng Nhà nước Chi nhánh tỉnh Quảng Ninh",
)
HCC, DP = "Trung tâm Phục vụ hành chính công tỉnh", "Ủy ban nhân dân các địa phương"


def _with(*units: str) -> str:
    return "; ".join(units)


# (group, task, lead unit, coordinating units, deadline, status, completed on, note). Deadlines and
# completions match what the province reported for mid-2024: 7 of 41 tasks done; 6 tasks were due by
# 30/06/2024 and 5 of them are done; the other 2 done tasks had a later deadline or none.
TASKS = [
    (
        1,
        "Rà soát, đề xuất sửa đổi, bổ sung văn bản quy phạm pháp luật của tỉnh phục vụ triển khai Đề án 06",
        TP,
        _with(CA, VP, "Các sở, ban, ngành"),
        "30/06/2023",
        DONE,
        "26/06/2023",
        "",
    ),
    (
        1,
        "Ban hành Quy chế khai thác, sử dụng dữ liệu dân cư trong giải quyết thủ tục hành chính trên địa bàn tỉnh",
        CA,
        _with(TT, VP, TP),
        "31/12/2023",
        DONE,
        "15/11/2023",
        "",
    ),
    (
        1,
        "Ban hành Quy chế quản lý, vận hành, khai thác Kho dữ liệu dùng chung của tỉnh",
        TT,
        _with(CA, TP, "Các sở, ban, ngành"),
        "31/12/2024",
        ONGOING,
        "",
        "Đang lấy ý kiến các sở, ngành",
    ),
    (
        1,
        "Xây dựng cơ chế hỗ trợ chi phí cho người dân, doanh nghiệp khi thực hiện dịch vụ công trực tuyến",
        TC,
        _with(VP, TP),
        "30/09/2024",
        ONGOING,
        "",
        "",
    ),
    (
        1,
        "Ban hành danh mục dữ liệu mở và kế hoạch công bố dữ liệu mở của tỉnh",
        TT,
        _with(CA, VP, "Các sở, ban, ngành"),
        "31/12/2024",
        ONGOING,
        "",
        "",
    ),
    (
        2,
        (
            "Tái cấu trúc quy trình, cung cấp toàn trình 25 dịch vụ công thiết yếu theo Đề án 06 trên Cổng Dịch vụ công "
            "quốc gia"
        ),
        VP,
        _with(CA, TT, HCC),
        "31/12/2023",
        DONE,
        "28/12/2023",
        "",
    ),
    (
        2,
        (
            "Triển khai đăng nhập Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh chỉ bằng tài khoản định danh "
            "điện tử VNeID"
        ),
        TT,
        _with(CA, VP, HCC),
        "30/06/2024",
        ONGOING,
        "",
        "Chậm so với thời hạn; còn cho phép đăng nhập bằng tài khoản do tỉnh cấp",
    ),
    (
        2,
        "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính còn hiệu lực",
        VP,
        _with(HCC, "Các sở, ban, ngành", DP),
        "",
        ONGOING,
        "",
        "Tỷ lệ số hóa còn thấp ở cấp xã",
    ),
    (
        2,
        "Khai thác Cơ sở dữ liệu quốc gia về dân cư để cắt giảm giấy tờ công dân khi giải quyết thủ tục hành chính",
        HCC,
        _with(CA, VP, DP),
        "",
        ONGOING,
        "",
        "",
    ),
    (
        2,
        (
            "Triển khai liên thông hai nhóm thủ tục hành chính: khai sinh - thường trú - bảo hiểm y tế; khai tử - xóa "
            "thường trú - mai táng phí"
        ),
        TP,
        _with(CA, BHXH, LD, DP),
        "31/03/2024",
        DONE,
        "29/03/2024",
        "",
    ),
    (
        2,
        "Triển khai thanh toán trực tuyến phí, lệ phí trong giải quyết thủ tục hành chính",
        TC,
        _with(VP, NHNN, HCC),
        "",
        ONGOING,
        "",
        "",
    ),
    (
        2,
        "Triển khai cấp Phiếu lý lịch tư pháp trên ứng dụng VNeID",
        TP,
        _with(
            CA,
        ),
        "31/12/2024",
        ONGOING,
        "",
        "",
    ),
    (
        2,
        "Xây dựng dịch vụ công trực tuyến tự động điền thông tin từ cơ sở dữ liệu dân cư và cơ sở dữ liệu chuyên ngành",
        TT,
        _with(CA, VP, "Các sở, ban, ngành"),
        "31/12/2024",
        NOT_STARTED,
        "",
        "",
    ),
    (
        3,
        "Sử dụng thẻ Căn cước công dân gắn chip, ứng dụng VNeID thay thẻ bảo hiểm y tế khi khám chữa bệnh",
        YT,
        _with(BHXH, CA),
        "",
        ONGOING,
        "",
        "",
    ),
    (
        3,
        "Cập nhật, chuẩn hóa thông tin thuê bao di động theo Cơ sở dữ liệu quốc gia về dân cư",
        TT,
        _with(CA, "Các doanh nghiệp viễn thông"),
        "31/12/2023",
        DONE,
        "20/12/2023",
        "Đã chuẩn hóa 100% thuê bao trên địa bàn",
    ),
    (3, "Chi trả an sinh xã hội không dùng tiền mặt qua tài khoản ngân hàng", LD, _with(NHNN, DP), "", ONGOING, "", ""),
    (3, "Ứng dụng dữ liệu dân cư trong tuyển sinh đầu cấp", GD, _with(CA, DP), "31/08/2024", ONGOING, "", ""),
    (
        3,
        "Kết nối dữ liệu giấy phép lái xe với Cơ sở dữ liệu quốc gia về dân cư; cấp đổi giấy phép lái xe trực tuyến",
        GT,
        _with(CA, YT),
        "31/12/2024",
        ONGOING,
        "",
        "",
    ),
    (
        3,
        "Đối soát, làm sạch dữ liệu người nộp thuế; sử dụng số định danh cá nhân thay mã số thuế cá nhân",
        THUE,
        _with(
            CA,
        ),
        "",
        ONGOING,
        "",
        "",
    ),
    (
        3,
        "Xác thực thông tin người tham gia bảo hiểm xã hội, bảo hiểm y tế với Cơ sở dữ liệu quốc gia về dân cư",
        BHXH,
        _with(CA, YT),
        "",
        ONGOING,
        "",
        "",
    ),
    (
        3,
        "Ứng dụng dữ liệu dân cư trong quản lý lao động tại các khu công nghiệp, khu kinh tế",
        "Ban Quản lý Khu kinh tế tỉnh",
        _with(CA, LD),
        "31/12/2024",
        NOT_STARTED,
        "",
        "",
    ),
    (
        4,
        "Đẩy mạnh cấp tài khoản định danh điện tử mức độ 2 cho công dân",
        CA,
        _with(
            DP,
        ),
        "",
        ONGOING,
        "",
        "",
    ),
    (
        4,
        "Tích hợp thông tin giấy tờ (bảo hiểm y tế, giấy phép lái xe, đăng ký xe) trên ứng dụng VNeID",
        CA,
        _with(BHXH, GT),
        "",
        ONGOING,
        "",
        "",
    ),
    (
        4,
        "Tổ chức hội nghị giới thiệu các mô hình điểm của Đề án 06 đến người dân, doanh nghiệp",
        CA,
        _with(TT, VP, "Các sở, ban, ngành"),
        "30/09/2024",
        DONE,
        "24/05/2024",
        "Giới thiệu 45 mô hình điểm",
    ),
    (
        4,
        "Hướng dẫn kỹ năng số cho người dân thông qua Tổ công nghệ số cộng đồng",
        TT,
        _with(CA, DP),
        "",
        ONGOING,
        "",
        "",
    ),
    (
        4,
        "Phát triển ứng dụng công dân số của tỉnh kết nối với ứng dụng VNeID",
        TT,
        _with(
            CA,
        ),
        "31/12/2024",
        ONGOING,
        "",
        "",
    ),
    (4, "Thanh toán không dùng tiền mặt tại trường học, bệnh viện, chợ", NHNN, _with(YT, GD, DP), "", ONGOING, "", ""),
    (
        5,
        "Số hóa dữ liệu hộ tịch, tích hợp vào Cơ sở dữ liệu hộ tịch điện tử toàn quốc",
        TP,
        _with(CA, DP),
        "",
        DONE,
        "14/06/2024",
        "Hoàn thành số hóa sổ hộ tịch lưu trữ",
    ),
    (5, "Xây dựng Kho dữ liệu dùng chung của tỉnh", TT, _with(CA, "Các sở, ban, ngành"), "31/12/2024", ONGOING, "", ""),
    (5, "Xây dựng Cổng dữ liệu mở của tỉnh", TT, _with(CA, VP), "31/12/2024", NOT_STARTED, "", ""),
    (
        5,
        "Kết nối các cơ sở dữ liệu chuyên ngành của tỉnh với Cơ sở dữ liệu quốc gia về dân cư",
        TT,
        _with(CA, "Các sở, ban, ngành"),
        "31/12/2024",
        ONGOING,
        "",
        "",
    ),
    (
        5,
        "Làm sạch dữ liệu đất đai, cập nhật số định danh cá nhân vào hồ sơ địa chính",
        TN,
        _with(CA, DP),
        "31/12/2025",
        NOT_STARTED,
        "",
        "",
    ),
    (5, "Cập nhật, làm giàu dữ liệu người có công, đối tượng bảo trợ xã hội", LD, _with(CA, DP), "", ONGOING, "", ""),
    (6, "Nâng cấp Trung tâm dữ liệu của tỉnh", TT, _with(CA, TC), "31/12/2024", ONGOING, "", ""),
    (
        6,
        "Bảo đảm an ninh, an toàn các hệ thống thông tin kết nối với Cơ sở dữ liệu quốc gia về dân cư",
        CA,
        _with(
            TT,
        ),
        "",
        ONGOING,
        "",
        "",
    ),
    (
        6,
        "Trang bị thiết bị đọc chip Căn cước công dân, xác thực sinh trắc học tại bộ phận một cửa các cấp",
        VP,
        _with(CA, TC, HCC),
        "30/09/2024",
        ONGOING,
        "",
        "",
    ),
    (
        6,
        "Triển khai mạng truyền số liệu chuyên dùng đến các cơ quan cấp xã",
        TT,
        _with(
            DP,
        ),
        "31/12/2024",
        ONGOING,
        "",
        "",
    ),
    (
        6,
        "Tổ chức diễn tập ứng cứu sự cố an toàn thông tin mạng",
        CA,
        _with(
            TT,
        ),
        "31/10/2024",
        NOT_STARTED,
        "",
        "",
    ),
    (7, "Kiện toàn Tổ công tác triển khai Đề án 06 các cấp", CA, _with(NV, DP), "", ONGOING, "", ""),
    (
        7,
        "Tích hợp chỉ tiêu Đề án 06 vào Trung tâm giám sát, điều hành thông minh của tỉnh",
        TT,
        _with(CA, VP),
        "31/12/2024",
        ONGOING,
        "",
        "",
    ),
    (
        7,
        "Sơ kết, đánh giá, báo cáo định kỳ kết quả triển khai Đề án 06; bố trí kinh phí thực hiện",
        CA,
        _with(TC, VP, KH, "Các sở, ban, ngành"),
        "",
        ONGOING,
        "",
        "",
    ),
]

# Blemishes of the delivered spreadsheet: codes whose leading zero Excel dropped, cells pasted with
# spaces, dates typed without leading zeros. Fixed rows, so the file is the same at every scale.
LOST_ZERO_ROWS = {2, 6, 8}
SPACED_ROWS = {4, 17, 30}
LOOSE_DATE_ROWS = {1, 9, 22}


def _loose(date: str) -> str:
    if not date:
        return date
    day, month, year = date.split("/")
    return f"{int(day)}/{int(month)}/{year}"


# The day the statuses describe, delivered with every row: the portal counts overdue tasks against it.
STATUS_ON = REPORT_DATE.astype(object).strftime("%d/%m/%Y")


def write(path: Path) -> int:
    """Write project06_tasks.csv."""
    rows = []
    for i, (group, name, lead, partners, deadline, status, done_on, note) in enumerate(TASKS):
        code = f"{i + 1:02d}"
        rows.append(
            [
                code.lstrip("0") if i in LOST_ZERO_ROWS else code,
                str(group),
                GROUPS[group],
                name,
                f" {lead} " if i in SPACED_ROWS else lead,
                partners,
                _loose(deadline) if i in LOOSE_DATE_ROWS else deadline,
                status,
                _loose(done_on) if i in LOOSE_DATE_ROWS else done_on,
                note,
                STATUS_ON,
            ]
        )
    columns = [np.array(c, dtype=object) for c in zip(*rows)]
    return write_csv(path, HEADER, [columns])
