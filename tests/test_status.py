"""`ctre-xl status`: every expected unit's state with its contact, the reminders file nhac-nop.txt
(exact Vietnamese messages), `--json`, a don-vi.xlsx of the previous version, exit codes, and the
counts at the end of `merge`."""

from __future__ import annotations

import codecs
import json
from datetime import date, datetime

import openpyxl
import pytest
from click.testing import CliRunner

from ctre_xl.cli import main
from ctre_xl.files import Workspace
from ctre_xl.merge.merge import merge_inbox
from ctre_xl.output import chase
from ctre_xl.plan.load import load_catalog
from ctre_xl.plan.units import DEPARTMENTS_SHEET, load_registry, write_registry_workbook
from ctre_xl.plan.vocab import ElementKind
from merge_helpers import deliver, make_workspace
from reading_helpers import set_saved_time

YEAR = 2026
ON_TIME = date(2026, 11, 5)
AFTER_DEADLINE = date(2026, 12, 1)
BEFORE_DEADLINE = date(2026, 11, 8)
SCHOOLS = [("th-hoa-sen", "Trường Tiểu học Hoa Sen", "tieu-hoc", "Cô Lan, 0912 000 111"),
           ("thcs-an-binh", "Trường THCS An Bình", "thcs", "Thầy Bình, 0913 222 333"),
           ("hoi-phu-nu", "Hội Liên hiệp Phụ nữ xã", "doan-the", "")]
CONTACTS = {"kinh-te": "Anh Minh, 0987 654 321", "cong-an": "Đ/c Hùng, 0905 111 222"}
EXPECTED_STATES = {"vhxh": "fine", "kinh-te": "not_sent", "van-phong": "errors", "cong-an": "blank",
                   "th-hoa-sen": "late", "thcs-an-binh": "fine", "mttq": "optional", "hoi-phu-nu": "optional"}


def figures(owner_id: str) -> dict[str, object]:
    """Every figure of a department or a school level filled, consistently (Có for yes/no, 10 for counts)."""
    catalog = load_catalog()
    owner = next(o for o in (*catalog.departments, *catalog.school_levels) if o.id == owner_id)
    return {code: True if catalog.elements[code].kind == ElementKind.YES_NO else 10 for code in owner.elements}


@pytest.fixture(scope="module")
def cycle(tmp_path_factory) -> Workspace:
    """One unit in each state: fine (vhxh, thcs-an-binh), not sent (kinh-te), errors (van-phong: one
    negative figure), blank (cong-an), late (th-hoa-sen); optional: the MTTQ (sent its opinion) and a
    đoàn thể (did not)."""
    workspace = make_workspace(tmp_path_factory.mktemp("status") / "xa", (YEAR,), schools=SCHOOLS)
    write_registry_workbook(workspace.registry_path, load_catalog(), SCHOOLS, department_contacts=CONTACTS)
    deliver(workspace, "vhxh", YEAR, "vhxh.xlsx", figures("vhxh"), report_date=ON_TIME)
    wrong = figures("van-phong")
    wrong[next(code for code, value in wrong.items() if value == 10)] = -3
    deliver(workspace, "van-phong", YEAR, "van phong/bao cao.xlsx", wrong, report_date=ON_TIME)
    deliver(workspace, "cong-an", YEAR, "cong-an.xlsx", {}, report_date=ON_TIME)
    late = deliver(workspace, "th-hoa-sen", YEAR, "hoa-sen.xlsx", figures("tieu-hoc"), report_date=ON_TIME)
    set_saved_time(late, datetime(2026, 11, 20, 3, 0))
    deliver(workspace, "thcs-an-binh", YEAR, "an-binh.xlsx", figures("thcs"), report_date=ON_TIME)
    deliver(workspace, "mttq", YEAR, "mttq.xlsx", {}, free_text={"report_monitoring": "Đã giám sát 3 cuộc."},
            report_date=ON_TIME)
    return workspace


def status(workspace: Workspace, *options: str, day: date = AFTER_DEADLINE, monkeypatch=None):  # noqa: ANN001, ANN201
    monkeypatch.setattr(chase, "today", lambda: day)
    return CliRunner().invoke(main, ["--workspace", str(workspace.root), "status", "--year", str(YEAR), *options])


def reminders_of(workspace: Workspace) -> str:
    raw = (workspace.outbox_dir(YEAR) / "nhac-nop.txt").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8), "Notepad needs the BOM to show Vietnamese"
    text = raw[len(codecs.BOM_UTF8):].decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", ""), "CRLF line ends only"
    return text.replace("\r\n", "\n")


def test_every_state_is_listed_with_its_contact(cycle, monkeypatch):
    result = status(cycle, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == ("Tình hình nộp báo cáo năm 2026 — hạn nộp trước ngày 10/11/2026 (chậm nhất ngày 09/11/2026), "
                        "đã qua hạn.")
    assert lines[1] == ("Đơn vị phải nộp: 6 — chưa nộp: 1, gửi biểu mẫu trống: 1, có lỗi: 1, nộp muộn: 1, "
                        "đủ và đúng hạn: 2.")
    groups: dict[str, list[str]] = {}
    for line in lines[2:-1]:
        if line.startswith("  - "):
            groups[title].append(line[4:])
        else:
            title = line
            groups[title] = []
    assert groups["Chưa nộp (1):"] == ["Phòng Kinh tế xã [kinh-te] — liên hệ: Anh Minh, 0987 654 321"]
    assert groups["Gửi biểu mẫu trống (1):"] == ["Công an xã [cong-an] — liên hệ: Đ/c Hùng, 0905 111 222"]
    # No contact in don-vi.xlsx: the preparer named in the return stands in.
    assert groups["Có lỗi (1):"] == ["Văn phòng HĐND-UBND xã [van-phong] — 1 lỗi — gửi ngày 05/11/2026 — "
                                     "người lập báo cáo: Trần Thị Lan, 0912 345 678"]
    assert groups["Nộp muộn (1):"] == ["Trường Tiểu học Hoa Sen [th-hoa-sen] — 1 cảnh báo — gửi ngày 20/11/2026 (muộn) — "
                                       "liên hệ: Cô Lan, 0912 000 111"]
    assert [line.split(" [")[0] for line in groups["Đủ và đúng hạn (2):"]] == ["Phòng Văn hoá - Xã hội xã",
                                                                              "Trường THCS An Bình"]
    assert groups["Không bắt buộc (MTTQ, đoàn thể) (2):"] == [
        "Ủy ban MTTQ Việt Nam xã [mttq] — đã gửi ý kiến", "Hội Liên hiệp Phụ nữ xã [hoi-phu-nu] — chưa gửi ý kiến"]
    assert lines[-1] == (f"Cần nhắc: 1 chưa nộp, 1 gửi biểu mẫu trống, 1 có lỗi — xem "
                         f"{cycle.outbox_dir(YEAR) / 'nhac-nop.txt'}")


def test_json_gives_the_same_list(cycle, monkeypatch):
    result = status(cycle, "--json", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["year"] == YEAR and data["overdue"] is True and data["last_day_on_time"] == "2026-11-09"
    assert data["counts"] == {"not_sent": 1, "blank": 1, "errors": 1, "late": 1, "fine": 2, "optional": 2}
    units = {unit["id"]: unit for unit in data["units"]}
    assert {unit_id: unit["state"] for unit_id, unit in units.items()} == EXPECTED_STATES
    assert units["kinh-te"]["contact"] == "Anh Minh, 0987 654 321" and units["kinh-te"]["to_chase"] is True
    assert units["kinh-te"]["send_back"] == "templates/2026/kinh-te.xlsx"
    assert units["cong-an"]["send_back"] == "templates/2026/cong-an.xlsx" and units["cong-an"]["received"] is False
    assert units["van-phong"]["send_back"] == "outbox/2026/phan-hoi/van-phong.xlsx"
    assert units["van-phong"]["errors"] == 1 and units["van-phong"]["file"] == "van phong/bao cao.xlsx"
    assert units["van-phong"]["preparer"] == "Trần Thị Lan" and units["van-phong"]["contact"] is None
    assert units["th-hoa-sen"]["on_time"] is False and units["th-hoa-sen"]["sent_on"] == "2026-11-20"
    assert units["vhxh"]["send_back"] is None and units["vhxh"]["to_chase"] is False
    assert units["mttq"]["required"] is False and units["hoi-phu-nu"]["label"] == "Không bắt buộc"
    assert data["reminders"] == str(cycle.outbox_dir(YEAR) / "nhac-nop.txt")


HEADER = ["NHẮC NỘP BÁO CÁO NĂM 2026 — xã Xuân Trường",
          "Lập ngày 01/12/2026: 3 đơn vị cần nhắc. Mỗi tin nhắn dưới đây chép gửi qua Zalo hoặc e-mail cho đơn vị, "
          "kèm tệp ghi ở dòng “Gửi kèm”."]
SEND_TO = "gửi về UBND xã Xuân Trường (qua Phòng Văn hoá - Xã hội)"
LATE = "sớm nhất có thể (hạn nộp chậm nhất ngày 09/11/2026 đã qua)."


def test_the_reminders_are_ready_to_paste(cycle, monkeypatch):
    assert status(cycle, monkeypatch=monkeypatch).exit_code == 0
    blocks = reminders_of(cycle).rstrip("\n").split("\n\n" + chase.SEPARATOR + "\n")
    assert blocks[0].split("\n") == HEADER
    assert blocks[1].split("\n") == [
        "1. Phòng Kinh tế xã — chưa nộp", "Liên hệ: Anh Minh, 0987 654 321", "Gửi kèm: templates/2026/kinh-te.xlsx", "",
        "Kính gửi Phòng Kinh tế xã,",
        "Báo cáo năm 2026 thực hiện Kế hoạch hành động vì trẻ em của đơn vị hiện chưa được gửi về. Đề nghị đơn vị "
        f"điền biểu mẫu gửi kèm (kinh-te.xlsx) và {SEND_TO} {LATE}",
        "Trân trọng cảm ơn!"]
    errors = blocks[2].split("\n")
    assert errors[:4] == ["2. Văn phòng HĐND-UBND xã — có lỗi", "Liên hệ: Trần Thị Lan, 0912 345 678",
                          "Gửi kèm: outbox/2026/phan-hoi/van-phong.xlsx", ""]
    assert errors[4:] == [
        "Kính gửi Văn phòng HĐND-UBND xã,",
        "Báo cáo năm 2026 đơn vị gửi ngày 05/11/2026 còn 1 lỗi cần sửa. Các ô cần sửa đã được tô màu, kèm ghi "
        "chú cách sửa, trong tệp gửi kèm (van-phong.xlsx). Đề nghị đơn vị sửa ngay trên tệp đó, lưu lại và "
        f"{SEND_TO} {LATE}",
        "Trân trọng cảm ơn!"]
    assert blocks[3].split("\n") == [
        "3. Công an xã — gửi biểu mẫu trống", "Liên hệ: Đ/c Hùng, 0905 111 222", "Gửi kèm: templates/2026/cong-an.xlsx",
        "", "Kính gửi Công an xã,",
        "Tệp báo cáo năm 2026 đơn vị gửi về chưa có số liệu nào (biểu mẫu còn trống). Đề nghị đơn vị điền số liệu "
        f"vào biểu mẫu gửi kèm (cong-an.xlsx) và {SEND_TO} {LATE}",
        "Trân trọng cảm ơn!"]
    assert len(blocks) == 4, "late and fine units are not chased, nor the optional ones"


def test_before_the_deadline_the_message_gives_it(cycle):
    catalog = load_catalog()
    registry = load_registry(cycle.root, catalog)
    result = merge_inbox(catalog, registry, cycle, YEAR)
    report = chase.chase_report(result, catalog, registry, BEFORE_DEADLINE)
    assert report.overdue is False
    [not_sent] = [s for s in report.standings if s.unit.id == "kinh-te"]
    assert chase.reminder(not_sent, report, catalog)[1].endswith(
        f"{SEND_TO} trước ngày 10/11/2026 (chậm nhất ngày 09/11/2026).")
    assert "đã qua hạn" not in chase.status_text(report).splitlines()[0]


def test_merge_ends_with_the_same_counts_and_writes_the_same_reminders(cycle, monkeypatch):
    assert status(cycle, monkeypatch=monkeypatch).exit_code == 0
    from_status = reminders_of(cycle)
    result = CliRunner().invoke(main, ["--workspace", str(cycle.root), "merge", "--year", str(YEAR)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (f"Cần nhắc: 1 chưa nộp, 1 gửi biểu mẫu trống, 1 có lỗi — xem "
                                              f"{cycle.outbox_dir(YEAR) / 'nhac-nop.txt'}")
    assert reminders_of(cycle) == from_status


def test_an_empty_inbox_lists_every_unit_as_not_sent(tmp_path, monkeypatch):
    workspace = Workspace(tmp_path / "xa")
    workspace.ensure()
    result = status(workspace, "--json", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {u["state"] for u in data["units"] if u["required"]} == {"not_sent"}
    assert data["counts"]["not_sent"] == 7  # 4 departments + the 3 example schools


def test_a_don_vi_of_the_previous_version_still_works(tmp_path, monkeypatch):
    """Sheet "Danh sách trường", header "Tên trường", no departments' sheet: the schools and their
    contacts are read, the departments simply have none."""
    workspace = Workspace(tmp_path / "xa")
    workspace.ensure()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách trường"
    sheet.append(["Mã đơn vị", "Tên trường", "Cấp học", "Liên hệ"])
    sheet.append(["mn-hoa-mai", "Trường Mầm non Hoa Mai", "Mầm non", "Cô Mai, 0977 123 456"])
    sheet.append(["th-dong-tien", "Trường Tiểu học Đồng Tiến", "Tiểu học", None])
    workbook.save(workspace.registry_path)
    result = status(workspace, "--json", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    units = {unit["id"]: unit for unit in json.loads(result.stdout)["units"]}
    assert list(units) == ["vhxh", "kinh-te", "van-phong", "cong-an", "mn-hoa-mai", "th-dong-tien", "mttq"]
    assert units["mn-hoa-mai"]["contact"] == "Cô Mai, 0977 123 456" and units["th-dong-tien"]["contact"] is None
    assert units["kinh-te"]["contact"] is None and units["kinh-te"]["state"] == "not_sent"
    text = status(workspace, monkeypatch=monkeypatch).output
    assert "Trường Mầm non Hoa Mai [mn-hoa-mai] — liên hệ: Cô Mai, 0977 123 456" in text
    assert "Phòng Kinh tế xã [kinh-te] — chưa có liên hệ (nhập vào don-vi.xlsx)" in text


def test_init_writes_the_departments_sheet_and_its_contacts_are_read(runner, tmp_path):
    root = tmp_path / "xa"
    assert runner.invoke(main, ["--workspace", str(root), "init"]).exit_code == 0
    sheet = openpyxl.load_workbook(root / "don-vi.xlsx")[DEPARTMENTS_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["vhxh", "kinh-te", "van-phong", "cong-an", "mttq"]
    workbook = openpyxl.load_workbook(root / "don-vi.xlsx")
    workbook[DEPARTMENTS_SHEET]["C3"] = "Anh Minh, 0987 654 321"  # kinh-te
    workbook[DEPARTMENTS_SHEET].append([None, "Công an xã", "Đ/c Hùng"])  # matched by its name
    workbook.save(root / "don-vi.xlsx")
    registry = load_registry(root, load_catalog())
    assert registry.get("kinh-te").contact == "Anh Minh, 0987 654 321"
    assert registry.get("cong-an").contact == "Đ/c Hùng" and registry.get("vhxh").contact == ""


def test_exit_codes(cycle, runner, tmp_path, monkeypatch):
    assert status(cycle, monkeypatch=monkeypatch).exit_code == 0  # units to chase are not an error
    missing_year = runner.invoke(main, ["--workspace", str(cycle.root), "status"])
    assert missing_year.exit_code == 2
    nowhere = runner.invoke(main, ["status", "--year", "2026", "--workspace", str(tmp_path / "khong-co")])
    assert nowhere.exit_code == 2 and "ctre-xl init" in nowhere.output
    bad = Workspace(tmp_path / "xa")
    bad.ensure()
    write_registry_workbook(bad.registry_path, load_catalog())
    workbook = openpyxl.load_workbook(bad.registry_path)
    workbook[DEPARTMENTS_SHEET].append(["phong-y-te", "Trạm Y tế", "Chị Hoa"])
    workbook.save(bad.registry_path)
    refused = runner.invoke(main, ["--workspace", str(bad.root), "status", "--year", "2026"])
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert f"trang “{DEPARTMENTS_SHEET}”, dòng 7: “phong-y-te” không phải một phòng, ban" in refused.output
    assert not (bad.outbox_dir(YEAR) / "nhac-nop.txt").exists()


def test_help_is_vietnamese(runner):
    result = runner.invoke(main, ["status", "-h"])
    assert result.exit_code == 0
    assert "Xem tình hình nộp báo cáo" in result.output and "--workspace" in result.output
    assert "--json" in result.output and "--catalog" in result.output


def test_a_refused_file_says_why_in_the_list_and_the_message(tmp_path, monkeypatch):
    """A unit whose only file was refused (here: sample data) has not sent, and is told why."""
    from ctre_xl.template.writer import write_template
    from reading_helpers import fill

    workspace = Workspace(tmp_path / "xa")
    workspace.ensure()
    catalog = load_catalog()
    template = write_template(catalog, load_registry(workspace.root, catalog).get("kinh-te"), YEAR,
                              tmp_path / "mau" / "kinh-te.xlsx", sample=True)
    fill(template, figures("kinh-te"), workspace.inbox / "kinh-te.xlsx", report_date=ON_TIME)
    data = json.loads(status(workspace, "--json", monkeypatch=monkeypatch).stdout)
    [unit] = [u for u in data["units"] if u["id"] == "kinh-te"]
    assert unit["state"] == "not_sent" and "minh hoạ" in unit["refused"]
    assert f"tệp gửi về bị từ chối: {unit['refused']}" in status(workspace, monkeypatch=monkeypatch).output
    message = reminders_of(workspace).split("Kính gửi Phòng Kinh tế xã,\n")[1].split("\n")[0]
    assert message.startswith("Tệp báo cáo năm 2026 đơn vị gửi về chưa dùng được: ")
    assert message.endswith(f"Đề nghị đơn vị điền biểu mẫu gửi kèm (kinh-te.xlsx) và {SEND_TO} {LATE}")
