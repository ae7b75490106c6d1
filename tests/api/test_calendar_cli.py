"""`zhifa calendar` and `zhifa deadlines` from the shell: the days output
format, add-workdays across National Day 2024 and Spring Festival 2025,
usage errors (exit 2 with a one-line reason), and importing a fake 2027
schedule into a fresh data directory, which `days` then reflects.

The binary is $ZHIFA_BIN or build/zhifa.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("ZHIFA_BIN", os.path.join(ROOT, "build", "zhifa"))
CJK = re.compile(r"[\u4e00-\u9fff]")
LINE = re.compile(r"^\d{4}-\d{2}-\d{2}\t(workday|restday)\t[^\t]*$")


def zhifa(*args, env=None):
    e = dict(os.environ)
    e.pop("ZHIFA_DATA", None)
    e.update(env or {})
    return subprocess.run([BIN] + list(args), capture_output=True, text=True, env=e, timeout=60)


@pytest.fixture(scope="module")
def data_dir():
    root = tempfile.mkdtemp(prefix="zhifa-cal-cli-")
    d = os.path.join(root, "data")
    r = zhifa("init", d)
    assert r.returncode == 0, r.stderr
    yield d
    shutil.rmtree(root, ignore_errors=True)


def test_help_is_chinese():
    for cmd in (["calendar", "--help"], ["deadlines", "--help"], ["help", "calendar"]):
        r = zhifa(*cmd)
        assert r.returncode == 0, r.stderr
        assert "用法" in r.stdout and CJK.search(r.stdout)
    r = zhifa("--help")
    assert "calendar" in r.stdout and "deadlines" in r.stdout


def test_days_format_national_day_2024():
    r = zhifa("calendar", "days", "2024-09-28", "2024-10-08")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 11
    assert all(LINE.match(l) for l in lines), lines
    assert lines[0] == "2024-09-28\trestday\t"
    assert lines[1] == "2024-09-29\tworkday\t国庆节"
    assert lines[2] == "2024-09-30\tworkday\t"
    assert lines[3:10] == ["2024-10-%02d\trestday\t国庆节" % d for d in range(1, 8)]
    assert lines[10] == "2024-10-08\tworkday\t"


def test_days_spring_festival_2025():
    r = zhifa("calendar", "days", "2025-01-26", "2025-02-08")
    assert r.returncode == 0, r.stderr
    got = dict(l.split("\t", 1) for l in r.stdout.splitlines())
    assert got["2025-01-26"] == "workday\t春节"      # Sunday worked
    assert got["2025-01-27"] == "workday\t"
    for d in ["2025-01-28", "2025-01-31", "2025-02-01", "2025-02-04"]:
        assert got[d] == "restday\t春节", d
    assert got["2025-02-05"] == "workday\t"
    assert got["2025-02-08"] == "workday\t春节"      # Saturday worked


def test_days_single_day_and_leap_day():
    r = zhifa("calendar", "days", "2024-02-29", "2024-02-29")
    assert r.returncode == 0 and r.stdout == "2024-02-29\tworkday\t\n"


@pytest.mark.parametrize("date,n,expected", [
    ("2024-09-30", "1", "2024-10-08"),
    ("2024-09-30", "2", "2024-10-09"),
    ("2024-09-27", "1", "2024-09-29"),
    ("2024-09-29", "7", "2024-10-14"),   # 30 Sep, then 8 9 10 11 12(Sat, worked) 14
    ("2025-01-27", "1", "2025-02-05"),
    ("2025-01-24", "1", "2025-01-26"),
    ("2025-01-24", "2", "2025-01-27"),
    ("2025-02-07", "1", "2025-02-08"),
    ("2025-01-27", "0", "2025-01-27"),
    ("2024-12-31", "1", "2025-01-02"),   # across the year end, 1 January off
])
def test_add_workdays(date, n, expected):
    r = zhifa("calendar", "add-workdays", date, n)
    assert r.returncode == 0, r.stderr
    assert r.stdout == expected + "\n"


@pytest.mark.parametrize("args", [
    ["days", "2025-02-30", "2025-03-01"],
    ["days", "2025-2-3", "2025-03-01"],
    ["days", "", "2025-03-01"],
    ["days", "2025-03-01", ""],
    ["days", "2025-03-01", "2025-02-01"],          # FROM after TO
    ["days", "2010-01-01", "2021-01-02"],          # over 10 years
    ["days", "2025-01-01"],
    ["days", "2025-01-01", "2025-01-02", "2025-01-03"],
    ["days", "2025/01/01", "2025-01-02"],
    ["add-workdays", "2025-02-30", "1"],
    ["add-workdays", "2025-2-3", "1"],
    ["add-workdays", "", "1"],
    ["add-workdays", "2025-01-01", "-1"],
    ["add-workdays", "2025-01-01", "3651"],
    ["add-workdays", "2025-01-01", "99999999999999999999999"],
    ["add-workdays", "2025-01-01", "abc"],
    ["add-workdays", "2025-01-01", ""],
    ["add-workdays", "2025-01-01", "1.5"],
    ["add-workdays", "2025-01-01"],
    ["nosuch"],
    [],
])
def test_usage_errors_exit_2(args):
    r = zhifa("calendar", *args)
    assert r.returncode == 2, (args, r.returncode, r.stdout, r.stderr)
    assert r.stdout == "" or not args
    if args:
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert CJK.search(r.stderr)


def test_import_needs_data_dir(tmp_path):
    f = tmp_path / "y.tsv"
    f.write_text("2027-01-01\toff\t元旦\n", encoding="utf-8")
    r = zhifa("calendar", "import", str(f))
    assert r.returncode == 2 and "数据目录" in r.stderr


FAKE_2027 = {
    "year": 2027,
    "papers": ["https://example.org/fake-2027"],
    "days": [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
        {"name": "春节", "date": "2027-02-06", "isOffDay": False},
        {"name": "春节", "date": "2027-02-08", "isOffDay": True},
        {"name": "春节", "date": "2027-02-09", "isOffDay": True},
        {"name": "春节", "date": "2027-02-07", "isOffDay": True},   # a Sunday: warned, legal
    ],
}


def test_import_json_then_days(data_dir, tmp_path):
    f = tmp_path / "2027.json"
    f.write_text(json.dumps(FAKE_2027, ensure_ascii=False), encoding="utf-8")
    before = zhifa("calendar", "days", "2027-02-05", "2027-02-09", "--data", data_dir)
    assert before.stdout.splitlines()[1] == "2027-02-06\trestday\t"   # Saturday, nothing loaded

    r = zhifa("calendar", "import", str(f), "--data", data_dir)
    assert r.returncode == 0, r.stderr
    assert "2027.1" in r.stdout
    assert "2027-02-07" in r.stderr and "警告" in r.stderr   # the redundant Sunday
    assert "2027-02-08" not in r.stderr

    r = zhifa("calendar", "days", "2027-02-05", "2027-02-09", "--data", data_dir)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "2027-02-05\tworkday\t",
        "2027-02-06\tworkday\t春节",
        "2027-02-07\trestday\t春节",
        "2027-02-08\trestday\t春节",
        "2027-02-09\trestday\t春节",
    ]
    # ZHIFA_DATA works like --data; without either the shipped calendar is used
    r = zhifa("calendar", "add-workdays", "2027-02-05", "1", env={"ZHIFA_DATA": data_dir})
    assert r.stdout == "2027-02-06\n"
    r = zhifa("calendar", "add-workdays", "2027-02-05", "1")
    assert r.stdout == "2027-02-08\n"

    # idempotent
    r = zhifa("calendar", "import", str(f), "--data", data_dir)
    assert r.returncode == 0, r.stderr
    assert "未作任何更改" in r.stdout

    r = zhifa("calendar", "years", "--data", data_dir)
    assert r.returncode == 0, r.stderr
    rows = {l.split("\t")[0]: l.split("\t") for l in r.stdout.splitlines()[1:]}
    assert rows["2027"][1] == "2027.1" and rows["2027"][2] == "导入"
    assert "https://example.org/fake-2027" in rows["2027"][6]
    assert rows["2024"][2] == "内置"


def test_import_tsv_new_version(data_dir, tmp_path):
    f = tmp_path / "2027.tsv"
    f.write_text("date\tkind\tname\n2027-01-01\toff\t元旦\n2027-02-08\toff\t春节\n", encoding="utf-8")
    r = zhifa("calendar", "import", str(f), "--data", data_dir)
    assert r.returncode == 0, r.stderr
    r = zhifa("calendar", "days", "2027-02-06", "2027-02-09", "--data", data_dir)
    assert r.stdout.splitlines() == [
        "2027-02-06\trestday\t", "2027-02-07\trestday\t", "2027-02-08\trestday\t春节",
        "2027-02-09\tworkday\t"]


@pytest.mark.parametrize("content", [
    "",
    "{\"year\": 2027,",
    json.dumps({"year": 2027, "days": [{"name": "x", "date": "2027-02-30", "isOffDay": True}]}),
    json.dumps({"year": 2027, "days": [{"name": "x", "date": "2027-2-3", "isOffDay": True}]}),
    json.dumps({"year": 2027, "days": [{"name": "x", "date": "2027-01-01", "isOffDay": True},
                                       {"name": "y", "date": "2027-01-01", "isOffDay": False}]}),
    json.dumps({"year": 2027, "days": [{"name": "x", "date": "2025-01-01", "isOffDay": True}]}),
    "2027-01-01\tholiday\t元旦\n",
    "2027-01-32\toff\t元旦\n",
])
def test_import_bad_files_exit_2_and_change_nothing(data_dir, tmp_path, content):
    before = zhifa("calendar", "years", "--data", data_dir).stdout
    f = tmp_path / "bad.json"
    f.write_text(content, encoding="utf-8")
    r = zhifa("calendar", "import", str(f), "--data", data_dir)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1 and CJK.search(r.stderr)
    assert zhifa("calendar", "years", "--data", data_dir).stdout == before


def test_import_missing_file(data_dir):
    r = zhifa("calendar", "import", "/nonexistent/2027.json", "--data", data_dir)
    assert r.returncode == 2 and "/nonexistent/2027.json" in r.stderr


def test_deadlines_command(data_dir):
    r = zhifa("deadlines", "--data", data_dir)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith("编号\t部门")
    for args in (["--state", "late"], ["--state", "done-late"], ["--dept"], ["--bogus"],
                 ["--dept", "NO_SUCH_DEPT"]):
        r = zhifa("deadlines", "--data", data_dir, *args)
        assert r.returncode == 2, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1
    r = zhifa("deadlines", "--state", "due-soon", "--data", data_dir)
    assert r.returncode == 0, r.stderr


def test_deadlines_days_left_in_the_clocks_own_unit():
    """A calendar-day clock (行政处罚法 第六十条, 90 日) shows calendar days
    left, a working-day clock working days, each labelled with its kind."""
    import datetime
    root = tempfile.mkdtemp(prefix="zhifa-cal-cli-demo-")
    try:
        d = os.path.join(root, "data")
        assert zhifa("init", d, "--demo").returncode == 0
        r = zhifa("deadlines", "--data", d)
        assert r.returncode == 0, r.stderr
        lines = r.stdout.splitlines()
        assert lines[0].split("\t")[6] == "剩余天数"
        today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).date()
        kinds = set()
        for line in lines[1:]:
            cols = line.split("\t")
            m = re.fullmatch(r"(-?\d+)（(工作日|自然日)）", cols[6])
            assert m, line
            kinds.add(m.group(2))
            if cols[2] == "行政处罚决定期限":  # calendar days
                due = datetime.date.fromisoformat(cols[5])
                assert m.group(2) == "自然日" and int(m.group(1)) == (due - today).days, line
        assert kinds == {"工作日", "自然日"}, r.stdout
    finally:
        shutil.rmtree(root, ignore_errors=True)
