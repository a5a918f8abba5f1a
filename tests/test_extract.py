"""Reading raw extracts as delivered: encodings, line numbers, truncated and empty files."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from scripts.build.read.extract import ExtractError, read_csv


def write_bytes(tmp_path, data: bytes):
    path = tmp_path / "source.csv"
    path.write_bytes(data)
    return path


def test_reads_utf8_with_bom_and_crlf_as_stripped_strings(tmp_path):
    path = write_bytes(tmp_path, codecs.BOM_UTF8 + "Mã xã,Tên xã\r\n00123, Phường Hạ Long \r\n".encode())
    raw = read_csv(path)
    assert raw.headers == ["Mã xã", "Tên xã"]
    assert raw.frame.to_dict("records") == [{"Mã xã": "00123", "Tên xã": "Phường Hạ Long"}]
    assert list(raw.lines) == [2]


def test_line_numbers_follow_blank_lines_and_quoted_newlines(tmp_path):
    path = write_bytes(tmp_path, b'a,b\n1,2\n\n3,"x\ny"\n4,5\n')
    raw = read_csv(path)
    assert list(raw.lines) == [2, 4, 6]


def test_utf16_is_decoded_and_reported(tmp_path):
    path = write_bytes(tmp_path, "a,b\r\n1,Hà\r\n".encode("utf-16"))
    raw = read_csv(path)
    assert raw.frame.iloc[0, 1] == "Hà"
    assert any("UTF-16" in note for note in raw.notes)


def test_legacy_code_page_names_line_column_and_encoding(tmp_path):
    legacy = unicodedata.normalize("NFD", "Hạ Long").encode("cp1258")
    path = write_bytes(tmp_path, b"a,b\n1,ok\n2," + legacy + b"\n")
    with pytest.raises(ExtractError, match=r"source.csv:3:5: not valid UTF-8 .*looks like Windows-1258"):
        read_csv(path)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", r":1:1: the file is empty"),
        (b"a,b\r\n", r":2:1: the file has a header but no data rows"),
        (b"a,b,c\n1,2,3\n4,5", r":3:1: the record has 2 fields but the header has 3 \(the file may be truncated\)"),
        (b'a,b\n1,"2\n3,4\n', r"source.csv"),
    ],
)
def test_unusable_files_are_refused_with_their_location(tmp_path, content, message):
    with pytest.raises(ExtractError, match=message):
        read_csv(write_bytes(tmp_path, content))


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ExtractError, match=r"missing.csv: source file not found"):
        read_csv(tmp_path / "missing.csv")


def test_quoted_commas_escaped_quotes_and_newlines_are_not_separators(tmp_path):
    path = write_bytes(tmp_path, 'a,b\r\n"Số 1, tổ ""3""",2\r\n"x\r\ny, z",3\r\n4,5'.encode())
    raw = read_csv(path)
    assert raw.frame["a"].tolist() == ['Số 1, tổ "3"', "x\r\ny, z", "4"]
    assert list(raw.lines) == [2, 3, 5]
