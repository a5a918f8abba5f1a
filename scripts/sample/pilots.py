"""The 45 Project 06 pilot models the province presented to citizens and businesses."""

from pathlib import Path

import numpy as np

from scripts.sample.csvfile import write_csv

HEADER = ["Mã mô hình", "Tên mô hình", "Lĩnh vực", "Đơn vị triển khai", "Đối tượng phục vụ", "Ngày triển khai",
          "Phạm vi triển khai", "Mô tả"]
CITIZENS, BUSINESSES, BOTH = "Người dân", "Doanh nghiệp", "Người dân, doanh nghiệp"
PROVINCE_WIDE = "Toàn tỉnh"

# (name, sector, implementing unit, audience, launch date, scope, description)
MODELS = [
    ("Khám chữa bệnh bằng thẻ Căn cước công dân gắn chip và ứng dụng VNeID", "Y tế", "Sở Y tế", CITIZENS,
     "15/03/2023", PROVINCE_WIDE, "Người bệnh dùng thẻ căn cước hoặc VNeID thay thẻ bảo hiểm y tế khi đăng ký khám"),
    ("Thanh toán viện phí không dùng tiền mặt", "Y tế", "Bệnh viện Đa khoa tỉnh", CITIZENS, "03/04/2023",
     "Các bệnh viện tuyến tỉnh", "Thanh toán viện phí qua mã QR và tài khoản ngân hàng đã xác thực"),
    ("Sổ sức khỏe điện tử tích hợp trên VNeID", "Y tế", "Sở Y tế", CITIZENS, "12/06/2023", PROVINCE_WIDE,
     "Người dân tra cứu lịch sử khám chữa bệnh, tiêm chủng trên ứng dụng VNeID"),
    ("Đơn thuốc điện tử liên thông với nhà thuốc", "Y tế", "Sở Y tế", CITIZENS, "20/11/2023",
     "Phường Hồng Gai, Phường Bãi Cháy, Phường Cẩm Phả", "Nhà thuốc tra cứu đơn thuốc điện tử theo số định danh"),
    ("Giấy khám sức khỏe lái xe điện tử liên thông", "Y tế", "Sở Y tế", CITIZENS, "05/09/2023", PROVINCE_WIDE,
     "Cơ sở khám gửi giấy khám sức khỏe điện tử để cấp đổi giấy phép lái xe trực tuyến"),
    ("Bệnh án điện tử", "Y tế", "Bệnh viện Bãi Cháy", CITIZENS, "28/12/2023", "Phường Bãi Cháy",
     "Bệnh án điện tử gắn với số định danh cá nhân của người bệnh"),
    ("Tuyển sinh đầu cấp trực tuyến sử dụng dữ liệu dân cư", "Giáo dục", "Sở Giáo dục và Đào tạo", CITIZENS,
     "10/05/2023", PROVINCE_WIDE, "Hồ sơ tuyển sinh tự điền thông tin học sinh từ Cơ sở dữ liệu quốc gia về dân cư"),
    ("Thu học phí không dùng tiền mặt", "Giáo dục", "Sở Giáo dục và Đào tạo", CITIZENS, "05/09/2023",
     PROVINCE_WIDE, "Phụ huynh nộp học phí, các khoản thu qua ngân hàng và ví điện tử"),
    ("Điểm danh học sinh bằng thẻ định danh", "Giáo dục", "Sở Giáo dục và Đào tạo", CITIZENS, "15/01/2024",
     "Một số trường trung học phổ thông", "Thẻ học sinh liên kết số định danh cá nhân dùng để điểm danh, thư viện"),
    ("Chi trả trợ cấp xã hội qua tài khoản ngân hàng", "An sinh xã hội", "Sở Lao động - Thương binh và Xã hội",
     CITIZENS, "01/07/2023", PROVINCE_WIDE, "Trợ cấp hằng tháng chuyển vào tài khoản đã xác thực số định danh"),
    ("Chi trả lương hưu, trợ cấp bảo hiểm xã hội qua tài khoản", "Bảo hiểm xã hội", "Bảo hiểm xã hội tỉnh",
     CITIZENS, "01/06/2023", PROVINCE_WIDE, "Người hưởng nhận lương hưu qua tài khoản ngân hàng chính chủ"),
    ("Rà soát hộ nghèo, hộ cận nghèo bằng dữ liệu dân cư", "An sinh xã hội", "Sở Lao động - Thương binh và Xã hội",
     CITIZENS, "15/10/2023", PROVINCE_WIDE, "Đối chiếu danh sách hộ nghèo với dữ liệu cư trú để tránh trùng lặp"),
    ("Xác thực người nhận chế độ người có công", "An sinh xã hội", "Sở Lao động - Thương binh và Xã hội", CITIZENS,
     "10/01/2024", PROVINCE_WIDE, "Xác thực sinh trắc học khi nhận trợ cấp người có công"),
    ("Đăng ký bảo hiểm xã hội tự nguyện trực tuyến", "Bảo hiểm xã hội", "Bảo hiểm xã hội tỉnh", CITIZENS,
     "20/02/2024", PROVINCE_WIDE, "Đăng ký, gia hạn bảo hiểm xã hội tự nguyện trên VNeID"),
    ("Cấp Phiếu lý lịch tư pháp qua ứng dụng VNeID", "Tư pháp", "Sở Tư pháp", CITIZENS, "01/04/2024",
     PROVINCE_WIDE, "Nộp hồ sơ, nhận Phiếu lý lịch tư pháp điện tử trên VNeID"),
    ("Liên thông khai sinh - thường trú - bảo hiểm y tế", "Tư pháp", "Sở Tư pháp", CITIZENS, "29/03/2024",
     PROVINCE_WIDE, "Một hồ sơ cho cả ba thủ tục đối với trẻ em dưới 6 tuổi"),
    ("Liên thông khai tử - xóa thường trú - mai táng phí", "Tư pháp", "Sở Tư pháp", CITIZENS, "29/03/2024",
     PROVINCE_WIDE, "Một hồ sơ cho cả ba thủ tục khi người thân qua đời"),
    ("Xác thực khách hàng tại tổ chức hành nghề công chứng", "Tư pháp", "Sở Tư pháp", BOTH, "12/12/2023",
     PROVINCE_WIDE, "Công chứng viên đọc chip thẻ căn cước để xác thực người yêu cầu công chứng"),
    ("Đổi giấy phép lái xe trực tuyến", "Giao thông", "Sở Giao thông vận tải", CITIZENS, "15/09/2023",
     PROVINCE_WIDE, "Đổi giấy phép lái xe trên Cổng Dịch vụ công quốc gia, nhận kết quả qua bưu chính"),
    ("Đăng ký xe trực tuyến", "Giao thông", "Công an tỉnh", CITIZENS, "01/08/2023", PROVINCE_WIDE,
     "Đăng ký xe, cấp biển số định danh trên Cổng Dịch vụ công"),
    ("Vé tàu cao tốc ra đảo xác thực định danh", "Giao thông", "Sở Giao thông vận tải", CITIZENS, "01/05/2024",
     "Đặc khu Vân Đồn, Đặc khu Cô Tô", "Hành khách mua vé, lên tàu bằng VNeID thay giấy tờ tùy thân"),
    ("Làm thủ tục tại Cảng hàng không quốc tế Vân Đồn bằng VNeID", "Giao thông", "Cảng hàng không quốc tế Vân Đồn",
     CITIZENS, "01/02/2024", "Đặc khu Vân Đồn", "Hành khách làm thủ tục bay nội địa bằng tài khoản định danh mức 2"),
    ("Khai báo lưu trú trực tuyến tại cơ sở lưu trú du lịch", "Du lịch", "Công an tỉnh", BUSINESSES, "20/04/2023",
     PROVINCE_WIDE, "Cơ sở lưu trú khai báo khách qua ứng dụng, đọc thông tin từ chip thẻ căn cước"),
    ("Vé tham quan điện tử Vịnh Hạ Long", "Du lịch", "Ban Quản lý Vịnh Hạ Long", CITIZENS, "01/06/2023",
     "Phường Bãi Cháy, Phường Tuần Châu", "Bán vé tham quan điện tử, kiểm soát khách bằng mã QR"),
    ("Quản lý khách lưu trú homestay trên đảo", "Du lịch", "Công an tỉnh", BUSINESSES, "15/04/2024",
     "Đặc khu Cô Tô", "Chủ homestay khai báo khách lưu trú bằng ứng dụng"),
    ("Thanh toán không dùng tiền mặt tại điểm du lịch", "Du lịch", "Sở Du lịch", BOTH, "10/07/2023", PROVINCE_WIDE,
     "Điểm tham quan, nhà hàng chấp nhận thanh toán mã QR"),
    ("Mở tài khoản ngân hàng bằng xác thực VNeID", "Ngân hàng", "Ngân hàng Nhà nước Chi nhánh tỉnh Quảng Ninh",
     CITIZENS, "15/08/2023", PROVINCE_WIDE, "Ngân hàng xác thực khách hàng qua ứng dụng VNeID khi mở tài khoản"),
    ("Xác thực sinh trắc học giao dịch ngân hàng", "Ngân hàng", "Ngân hàng Nhà nước Chi nhánh tỉnh Quảng Ninh",
     CITIZENS, "15/05/2024", PROVINCE_WIDE,
     "Đối chiếu sinh trắc học với chip thẻ căn cước cho giao dịch giá trị lớn"),
    ("Chợ 4.0 thanh toán bằng mã QR", "Ngân hàng", "Ngân hàng Nhà nước Chi nhánh tỉnh Quảng Ninh", BOTH,
     "25/10/2023", "Phường Hồng Gai, Phường Móng Cái 1", "Tiểu thương bán hàng, nhận tiền qua mã QR"),
    ("Thanh toán dịch vụ điện, nước không dùng tiền mặt", "Ngân hàng", "Ngân hàng Nhà nước Chi nhánh tỉnh Quảng Ninh",
     CITIZENS, "01/03/2023", PROVINCE_WIDE, "Hóa đơn điện, nước thanh toán tự động qua tài khoản"),
    ("Ký hợp đồng mua bán điện trực tuyến", "Điện lực", "Công ty Điện lực Quảng Ninh", BOTH, "10/04/2023",
     PROVINCE_WIDE, "Ký hợp đồng điện sinh hoạt trực tuyến, xác thực khách hàng bằng số định danh"),
    ("Đăng ký cấp nước sạch trực tuyến", "Cấp nước", "Công ty Cổ phần Nước sạch Quảng Ninh", BOTH, "15/05/2023",
     PROVINCE_WIDE, "Đăng ký lắp đặt, ký hợp đồng cấp nước trực tuyến"),
    ("Khai thuế, lệ phí trước bạ trực tuyến dùng số định danh", "Thuế", "Cục Thuế tỉnh", BOTH, "01/07/2023",
     PROVINCE_WIDE, "Số định danh cá nhân dùng làm mã số thuế khi khai, nộp lệ phí trước bạ"),
    ("Hoàn thuế thu nhập cá nhân trực tuyến", "Thuế", "Cục Thuế tỉnh", CITIZENS, "15/03/2024", PROVINCE_WIDE,
     "Quyết toán, hoàn thuế thu nhập cá nhân vào tài khoản chính chủ"),
    ("Cấp Giấy chứng nhận quyền sử dụng đất có khai thác dữ liệu dân cư", "Đất đai",
     "Sở Tài nguyên và Môi trường", CITIZENS, "10/10/2023", "Phường Quảng Yên, Phường Đông Triều",
     "Không yêu cầu nộp bản sao giấy tờ nhân thân khi đăng ký đất đai"),
    ("Quản lý ngư dân, tàu cá ra vào cảng bằng thẻ căn cước", "Thủy sản", "Sở Nông nghiệp và Phát triển nông thôn",
     CITIZENS, "01/12/2023", "Phường Hà An, Đặc khu Vân Đồn, Xã Cái Chiên",
     "Xác nhận thuyền viên ra vào cảng cá bằng chip thẻ căn cước"),
    ("Quản lý người lao động tại khu công nghiệp bằng thẻ căn cước", "Lao động", "Ban Quản lý Khu kinh tế tỉnh",
     BUSINESSES, "05/03/2024", "Phường Đông Mai, Phường Hiệp Hòa, Phường Phong Cốc",
     "Doanh nghiệp chấm công, quản lý lao động bằng thẻ căn cước gắn chip"),
    ("Đăng ký tạm trú trực tuyến cho lao động khu công nghiệp", "Lao động", "Công an tỉnh", BOTH, "15/03/2024",
     "Phường Đông Mai, Phường Hiệp Hòa", "Doanh nghiệp hỗ trợ người lao động đăng ký tạm trú trực tuyến"),
    ("Kiosk dịch vụ công tự phục vụ", "Hành chính công", "Trung tâm Phục vụ hành chính công tỉnh", CITIZENS,
     "20/07/2023", "Phường Hồng Gai", "Người dân tự nộp hồ sơ, tra cứu kết quả bằng thẻ căn cước tại kiosk"),
    ("Bộ phận một cửa không giấy tờ", "Hành chính công", "Trung tâm Phục vụ hành chính công tỉnh", BOTH,
     "01/11/2023", PROVINCE_WIDE, "Không yêu cầu giấy tờ đã có trong cơ sở dữ liệu khi tiếp nhận hồ sơ"),
    ("Cấp Căn cước công dân lưu động tại vùng cao", "An ninh trật tự", "Công an tỉnh", CITIZENS, "10/03/2023",
     "Xã Bình Liêu, Xã Hoành Mô, Xã Lục Hồn, Xã Ba Chẽ", "Tổ công tác thu nhận hồ sơ căn cước tại thôn, bản"),
    ("Xã, phường điểm thực hiện Đề án 06", "An ninh trật tự", "Công an tỉnh", CITIZENS, "15/06/2023",
     "Phường Hạ Long, Phường Uông Bí, Xã Tiên Yên", "Mỗi địa bàn điểm triển khai đồng bộ các tiện ích của Đề án 06"),
    ("Tổ công nghệ số cộng đồng hướng dẫn dùng VNeID", "Chuyển đổi số", "Sở Thông tin và Truyền thông", CITIZENS,
     "01/04/2023", PROVINCE_WIDE, "Tổ công nghệ số hướng dẫn người dân kích hoạt, sử dụng tài khoản định danh"),
    ("Chữ ký số cá nhân tích hợp tài khoản định danh", "Chuyển đổi số", "Sở Thông tin và Truyền thông", BOTH,
     "15/12/2023", PROVINCE_WIDE, "Cấp chữ ký số từ xa gắn với tài khoản định danh điện tử mức 2"),
    ("Ứng dụng công dân số Quảng Ninh kết nối VNeID", "Chuyển đổi số", "Sở Thông tin và Truyền thông", CITIZENS,
     "10/05/2024", PROVINCE_WIDE, "Đăng nhập ứng dụng công dân số của tỉnh bằng tài khoản VNeID"),
]

SPACED_ROWS = {5, 18, 33}
LOOSE_DATE_ROWS = {0, 11, 29, 40}


def _loose(date: str) -> str:
    day, month, year = date.split("/")
    return f"{int(day)}/{int(month)}/{year}"


def write(path: Path) -> int:
    """Write pilot_models.csv."""
    rows = []
    for i, (name, sector, unit, audience, launched, scope, description) in enumerate(MODELS):
        rows.append([
            f"MH{i + 1:02d}",
            f" {name} " if i in SPACED_ROWS else name,
            sector,
            unit,
            audience,
            _loose(launched) if i in LOOSE_DATE_ROWS else launched,
            scope,
            description,
        ])
    columns = [np.array(c, dtype=object) for c in zip(*rows)]
    return write_csv(path, HEADER, [columns])
