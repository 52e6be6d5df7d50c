"""Realistic synthetic plan files for the benchmarks (and the reliability tests).

    python benchmarks/generate.py --tasks 10000 --out benchmarks/out/10000
    python benchmarks/generate.py --notes benchmarks/out/10000/bench.db

The first form writes N tasks across 20–200 plan files (``plan-NNN.toml``) in DIR, with
60 agencies named in Vietnamese, subtasks two and three levels deep, dependencies without
cycles, quarterly and yearly duties (RRULEs), deadlines written the way committee documents
write them ("end of Q3 2026", "April 2026", "30/4/2026", "quý III/2026", ISO), a realistic
spread of statuses with about 15 % overdue as of 2026-11-26, KPI tasks, tags, sources and
completion evidence.  It also writes ``manifest.json`` (counts, the seed, the expected
number of overdue tasks) so the timing script can check the program's answers.

The second form adds progress notes and edits through the Store API to an imported
database, so that history exists (the import itself only records "created"); ``import_plans`` imports
with the history stamped on a fixed day before them, as the benchmarks need.

Same ``--seed``, same files, byte for byte.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from actionplan.core.dates import parse_deadline  # noqa: E402
from actionplan.core.recurrence import next_occurrence  # noqa: E402

#: "Today" of the benchmarks: the overdue share is computed as of this day.
AS_OF = date(2026, 11, 26)
OVERDUE_SHARE = 0.15

# --- agencies -----------------------------------------------------------------------------

#: key, name, short name, parent
COMMITTEE = [
    ("NSC", "Ban Chỉ đạo An toàn, an ninh mạng quốc gia", "BCĐ ATANM", ""),
    ("OFFICE", "Văn phòng Ban Chỉ đạo An toàn, an ninh mạng quốc gia", "Văn phòng BCĐ", "NSC"),
    ("SUB-LEGAL", "Tiểu ban Thể chế, pháp luật", "Tiểu ban Pháp luật", "NSC"),
    ("SUB-TECH", "Tiểu ban Công nghệ, hạ tầng và công nghiệp", "Tiểu ban Công nghệ", "NSC"),
    ("SUB-HR", "Tiểu ban Phát triển nguồn nhân lực", "Tiểu ban Nhân lực", "NSC"),
    ("SUB-INTL", "Tiểu ban Hợp tác quốc tế", "Tiểu ban Quốc tế", "NSC"),
]
MINISTRIES = [
    ("MPS", "Bộ Công an", "BCA"),
    ("MND", "Bộ Quốc phòng", "BQP"),
    ("MIC", "Bộ Thông tin và Truyền thông", "Bộ TT&TT"),
    ("MOFA", "Bộ Ngoại giao", "BNG"),
    ("MOJ", "Bộ Tư pháp", "BTP"),
    ("MOET", "Bộ Giáo dục và Đào tạo", "Bộ GD&ĐT"),
    ("MOF", "Bộ Tài chính", "BTC"),
    ("MPI", "Bộ Kế hoạch và Đầu tư", "Bộ KH&ĐT"),
    ("MOIT", "Bộ Công Thương", "BCT"),
    ("MOST", "Bộ Khoa học và Công nghệ", "Bộ KH&CN"),
    ("MOH", "Bộ Y tế", "BYT"),
    ("MOHA", "Bộ Nội vụ", "BNV"),
    ("MOLISA", "Bộ Lao động - Thương binh và Xã hội", "Bộ LĐTBXH"),
    ("MARD", "Bộ Nông nghiệp và Phát triển nông thôn", "Bộ NN&PTNT"),
    ("MONRE", "Bộ Tài nguyên và Môi trường", "Bộ TN&MT"),
    ("MOT", "Bộ Giao thông vận tải", "Bộ GTVT"),
    ("MOC", "Bộ Xây dựng", "BXD"),
    ("MOCST", "Bộ Văn hóa, Thể thao và Du lịch", "Bộ VHTTDL"),
    ("SBV", "Ngân hàng Nhà nước Việt Nam", "NHNN"),
    ("GOV-OFFICE", "Văn phòng Chính phủ", "VPCP"),
    ("GI", "Thanh tra Chính phủ", "TTCP"),
    ("CEMA", "Ủy ban Dân tộc", "UBDT"),
    ("VTV", "Đài Truyền hình Việt Nam", "VTV"),
    ("VNA", "Thông tấn xã Việt Nam", "TTXVN"),
    ("VOV", "Đài Tiếng nói Việt Nam", "VOV"),
    ("VAST", "Viện Hàn lâm Khoa học và Công nghệ Việt Nam", "Viện HLKHCN"),
]
PROVINCES = [
    ("HN", "thành phố Hà Nội", "Hà Nội"),
    ("HCM", "Thành phố Hồ Chí Minh", "TP. Hồ Chí Minh"),
    ("HP", "thành phố Hải Phòng", "Hải Phòng"),
    ("DN", "thành phố Đà Nẵng", "Đà Nẵng"),
    ("CT", "thành phố Cần Thơ", "Cần Thơ"),
    ("HUE", "thành phố Huế", "Huế"),
    ("QN", "tỉnh Quảng Ninh", "Quảng Ninh"),
    ("BN", "tỉnh Bắc Ninh", "Bắc Ninh"),
    ("TN", "tỉnh Thái Nguyên", "Thái Nguyên"),
    ("LC", "tỉnh Lào Cai", "Lào Cai"),
    ("NA", "tỉnh Nghệ An", "Nghệ An"),
    ("TH", "tỉnh Thanh Hóa", "Thanh Hóa"),
    ("HT", "tỉnh Hà Tĩnh", "Hà Tĩnh"),
    ("QB", "tỉnh Quảng Bình", "Quảng Bình"),
    ("QNAM", "tỉnh Quảng Nam", "Quảng Nam"),
    ("QNG", "tỉnh Quảng Ngãi", "Quảng Ngãi"),
    ("BDI", "tỉnh Bình Định", "Bình Định"),
    ("KH", "tỉnh Khánh Hòa", "Khánh Hòa"),
    ("DL", "tỉnh Đắk Lắk", "Đắk Lắk"),
    ("LD", "tỉnh Lâm Đồng", "Lâm Đồng"),
    ("DNAI", "tỉnh Đồng Nai", "Đồng Nai"),
    ("BDU", "tỉnh Bình Dương", "Bình Dương"),
    ("BRVT", "tỉnh Bà Rịa - Vũng Tàu", "Bà Rịa - Vũng Tàu"),
    ("LA", "tỉnh Long An", "Long An"),
    ("AG", "tỉnh An Giang", "An Giang"),
    ("KG", "tỉnh Kiên Giang", "Kiên Giang"),
    ("CM", "tỉnh Cà Mau", "Cà Mau"),
    ("ST", "tỉnh Sóc Trăng", "Sóc Trăng"),
]

FAMILY = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh".split()
MIDDLE = "Văn Thị Hữu Đức Minh Quốc Thanh Ngọc Xuân Hồng Anh Thu".split()
GIVEN = (
    "An Bình Cường Dũng Giang Hà Hải Hạnh Hiếu Hùng Hương Khánh Lan Long Mai Nam Phong Quân Sơn "
    "Thảo Trung Tuấn Việt Yến Thắng Nghĩa Phúc Tâm Trang Đạt"
).split()

# --- words of the tasks -------------------------------------------------------------------

VERBS = [
    "Xây dựng",
    "Hoàn thiện",
    "Triển khai",
    "Ban hành",
    "Rà soát",
    "Tổ chức",
    "Đánh giá",
    "Nâng cấp",
    "Phê duyệt",
    "Tổng kết",
    "Kiểm tra",
    "Sửa đổi, bổ sung",
    "Thí điểm",
    "Nhân rộng",
    "Vận hành",
]
OBJECTS = [
    "hệ thống giám sát an toàn thông tin mạng",
    "phương án bảo đảm an toàn hệ thống thông tin theo cấp độ",
    "quy chế ứng cứu sự cố an ninh mạng",
    "Nghị định xử phạt vi phạm hành chính về an ninh mạng",
    "chương trình đào tạo chuyên gia an ninh mạng",
    "Trung tâm điều hành an ninh mạng (SOC)",
    "cơ sở dữ liệu quốc gia về dân cư",
    "bộ chỉ số đánh giá an toàn thông tin",
    "diễn tập thực chiến an ninh mạng",
    "chiến dịch tuyên truyền nâng cao nhận thức về lừa đảo trực tuyến",
    "danh mục sản phẩm an ninh mạng nội địa",
    "hạ tầng điện toán đám mây Chính phủ",
    "quy trình cấp phép hệ thống thông tin cấp độ 3",
    "mạng lưới ứng cứu sự cố quốc gia",
    "đề án bảo vệ trẻ em trên không gian mạng",
    "kế hoạch bảo vệ bí mật nhà nước trên môi trường mạng",
    "hồ sơ đề xuất cấp độ cho hệ thống thông tin",
    "báo cáo Chỉ số an toàn an ninh mạng toàn cầu (GCI)",
    "cơ chế chia sẻ thông tin về mã độc",
    "quy định về định danh và xác thực điện tử",
]
QUALIFIERS = [
    "",
    "",
    "năm 2026",
    "giai đoạn 2026–2030",
    "cho các hệ thống cấp độ 3 trở lên",
    "tại các cơ quan trung ương",
    "trong lĩnh vực ngân hàng",
    "tại {province}",
    "đợt 2",
    "theo Chỉ thị 09/CT-TTg",
]
OUTPUTS = [
    "Báo cáo kết quả gửi Văn phòng Ban Chỉ đạo",
    "Quyết định phê duyệt của Thủ tướng Chính phủ",
    "Nghị định của Chính phủ",
    "Thông tư hướng dẫn",
    "Kế hoạch triển khai được ban hành",
    "Biên bản nghiệm thu hệ thống",
    "Hồ sơ cấp độ được phê duyệt",
    "Kịch bản và báo cáo diễn tập",
    "Danh sách học viên hoàn thành khoá đào tạo",
    "Văn bản góp ý gửi Bộ Tư pháp",
]
DESCRIPTIONS = [
    "Chủ trì, phối hợp với các bộ, ngành liên quan {verb} {obj}.",
    "Bảo đảm tiến độ, chất lượng; báo cáo Ban Chỉ đạo trước ngày 15 của tháng cuối quý.",
    "Ưu tiên nguồn lực cho các hệ thống thông tin quan trọng quốc gia.",
    "Lấy ý kiến các cơ quan, tổ chức và doanh nghiệp; tổng hợp, tiếp thu, giải trình.",
    "Coordinate with the Office on the budget estimate and the list of systems in scope.",
    "",
]
SOURCES = [
    "Kế hoạch số {n}/KH-BCĐ, mục II.{c}",
    "Quyết định {n}/QĐ-TTg, Điều 2, khoản {c}",
    "Chỉ thị 09/CT-TTg, mục {c}",
    "Nghị quyết 57-NQ/TW, nhiệm vụ {c}",
    "Kết luận phiên họp thứ nhất năm 2026 của Ban Chỉ đạo, mục {c}",
    "Luật An ninh mạng 2025, Điều {n2}",
]
TAGS = [
    "legal",
    "training",
    "infrastructure",
    "international",
    "awareness",
    "level-3",
    "soc",
    "incident-response",
    "data",
    "cloud",
    "procurement",
    "domestic-products",
    "kpi-2030",
    "banking",
    "health",
    "education",
    "children-online",
    "fraud",
    "pháp-luật",
    "đào-tạo",
    "ứng-cứu",
    "báo-cáo-định-kỳ",
]
EVIDENCE = [
    "Đã ban hành Quyết định số {n}/QĐ-{org} ngày {d}",
    "Báo cáo số {n}/BC-{org} gửi Văn phòng BCĐ ngày {d}",
    "Hệ thống nghiệm thu, biên bản ngày {d}",
    "Published on the ministry portal on {d}",
    "Công văn số {n}/{org}-VP ngày {d}",
]
BLOCKED = [
    "chờ ý kiến thẩm định của Bộ Tư pháp",
    "chưa được bố trí kinh phí",
    "waiting for the MIC technical opinion",
    "chờ phê duyệt chủ trương đầu tư",
    "nhà thầu chậm bàn giao thiết bị",
]
KPIS = [
    ("Số chuyên gia an ninh mạng được đào tạo", 10000, "người", 2000),
    ("Xếp hạng Chỉ số an ninh mạng toàn cầu (GCI)", 10, "hạng", 25),
    ("Tỷ lệ hệ thống thông tin được phê duyệt cấp độ", 100, "%", 40),
    ("Thị phần sản phẩm an ninh mạng nội địa", 90, "%", 60),
    ("Số cuộc diễn tập thực chiến", 12, "cuộc", 0),
    ("Tỷ lệ cán bộ được phổ biến kiến thức an toàn thông tin", 100, "%", 30),
]
RECURRENCES = [
    "quarterly",
    "FREQ=MONTHLY;INTERVAL=3",
    "hằng quý",
    "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=15",
    "yearly",
    "FREQ=MONTHLY;INTERVAL=6",
]
MONTHS = "January February March April May June July August September October November December".split()
ROMAN = ["I", "II", "III", "IV"]


@dataclass
class Stats:
    """What the generator wrote; saved as manifest.json."""

    tasks: int = 0
    plans: int = 0
    orgs: int = 60
    overdue: int = 0
    done: int = 0
    cancelled: int = 0
    recurring: int = 0
    kpi: int = 0
    with_dependencies: int = 0
    subtasks: int = 0
    by_plan: dict[str, int] = field(default_factory=dict)


#: Departments of a provincial people's committee: key prefix, name, short name (for more than 60 agencies).
DEPARTMENTS = [
    ("STTTT", "Sở Thông tin và Truyền thông", "Sở TT&TT"),
    ("CA", "Công an", "CA"),
    ("STC", "Sở Tài chính", "Sở TC"),
    ("SYT", "Sở Y tế", "Sở YT"),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "Sở GD&ĐT"),
    ("SCT", "Sở Công Thương", "Sở CT"),
    ("SKHCN", "Sở Khoa học và Công nghệ", "Sở KH&CN"),
    ("SNV", "Sở Nội vụ", "Sở NV"),
    ("STP", "Sở Tư pháp", "Sở TP"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", "Sở KH&ĐT"),
    ("SGTVT", "Sở Giao thông vận tải", "Sở GTVT"),
    ("SXD", "Sở Xây dựng", "Sở XD"),
    ("STNMT", "Sở Tài nguyên và Môi trường", "Sở TN&MT"),
    ("SNN", "Sở Nông nghiệp và Phát triển nông thôn", "Sở NN&PTNT"),
    ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội", "Sở LĐTBXH"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "Sở VHTTDL"),
]


def all_orgs(count: int = 60) -> list[dict[str, str]]:
    """The agencies, as plan-file [[orgs]] tables (without heads): the 60 of the committee's plans,
    then, when *count* asks for more, the departments of the provinces (up to 508)."""
    orgs = [dict(key=k, name=n, short_name=s, parent=p) for k, n, s, p in COMMITTEE]
    orgs += [dict(key=k, name=n, short_name=s, parent="") for k, n, s in MINISTRIES]
    orgs += [
        dict(key=f"PROV-{k}", name=f"Ủy ban nhân dân {n}", short_name=f"UBND {s}", parent="") for k, n, s in PROVINCES
    ]
    assert len(orgs) == 60
    for dept, name, short in DEPARTMENTS:
        for k, province, province_short in PROVINCES:
            if len(orgs) >= count:
                return orgs
            orgs.append(
                dict(
                    key=f"{dept}-{k}",
                    name=f"{name} {province}",
                    short_name=f"{short} {province_short}",
                    parent=f"PROV-{k}",
                )
            )
    return orgs


class Generator:
    """Deterministic source of plans, tasks and the words in them."""

    def __init__(self, seed: int, orgs: int = 60) -> None:
        self.rng = random.Random(seed)
        self.orgs = all_orgs(orgs)
        r = self.rng
        for o in self.orgs:
            o["head"] = self.person()
            o["head_title"] = (
                "Bộ trưởng"
                if o["key"] in {m[0] for m in MINISTRIES}
                else ("Chủ tịch" if o["key"].startswith("PROV-") else "Trưởng ban")
            )
            o["email"] = f"{o['key'].lower()}@example.gov.vn"
        self.keys = [o["key"] for o in self.orgs]
        # a few agencies lead most tasks, as in real plans
        self.lead_weights = [
            8 if k in ("MPS", "MIC", "MND", "OFFICE") else (3 if not k.startswith("PROV-") else 1) for k in self.keys
        ]
        self.stats = Stats(orgs=len(self.orgs))
        self._serial = r.randint(100, 900)

    def person(self) -> str:
        r = self.rng
        return f"{r.choice(FAMILY)} {r.choice(MIDDLE)} {r.choice(GIVEN)}"

    def day_between(self, a: date, b: date) -> date:
        return a + timedelta(days=self.rng.randint(0, (b - a).days))

    def deadline(self, low: date, high: date) -> tuple[Any, date]:
        """A deadline written in one of the accepted forms that resolves inside [low, high]."""
        r = self.rng
        for _attempt in range(20):
            d = self.day_between(low, high)
            form = r.choices(
                [
                    "iso",
                    "toml",
                    "dmy",
                    "long",
                    "month",
                    "end-month",
                    "by-month",
                    "vn-month",
                    "quarter",
                    "vn-quarter",
                    "half",
                    "year",
                ],
                [20, 6, 14, 6, 12, 8, 6, 6, 10, 5, 4, 3],
            )[0]
            q = (d.month - 1) // 3 + 1
            text: Any = {
                "iso": d.isoformat(),
                "toml": d,
                "dmy": f"{d.day}/{d.month}/{d.year}",
                "long": f"{d.day} {MONTHS[d.month - 1]} {d.year}",
                "month": f"{MONTHS[d.month - 1]} {d.year}",
                "end-month": f"end of {MONTHS[d.month - 1]} {d.year}",
                "by-month": f"by {MONTHS[d.month - 1]} {d.year}",
                "vn-month": f"tháng {d.month}/{d.year}",
                "quarter": f"end of Q{q} {d.year}",
                "vn-quarter": f"quý {ROMAN[q - 1]}/{d.year}",
                "half": f"H{1 if d.month <= 6 else 2} {d.year}",
                "year": f"end of {d.year}",
            }[form]
            resolved = parse_deadline(text)
            if low <= resolved <= high:
                return text, resolved
        d = self.day_between(low, high)
        return d.isoformat(), d

    def title(self) -> str:
        r = self.rng
        q = r.choice(QUALIFIERS).format(province=r.choice(PROVINCES)[2])
        return " ".join(p for p in (r.choice(VERBS), r.choice(OBJECTS), q) if p)

    def number(self) -> int:
        self._serial += self.rng.randint(1, 40)
        return self._serial % 9000 + 100

    # one task -------------------------------------------------------------------------------

    def task(self, plan_key: str, key: str, parent: str, earlier: list[str], ancestors: set[str]) -> dict[str, Any]:
        r = self.rng
        s = self.stats
        lead = r.choices(self.keys, self.lead_weights)[0]
        t: dict[str, Any] = {"key": key}
        if parent:
            t["parent"] = parent
            s.subtasks += 1
        verb, obj = r.choice(VERBS), r.choice(OBJECTS)
        t["title"] = self.title()
        desc = r.choice(DESCRIPTIONS).format(verb=verb.lower(), obj=obj)
        if desc:
            t["description"] = desc
        t["lead"] = lead
        t["accountable"] = (
            f"{r.choice(['Thứ trưởng', 'Phó Chủ tịch', 'Cục trưởng', 'Vụ trưởng', 'Chánh Văn phòng'])} {self.person()}"
        )
        coord = r.sample([k for k in self.keys if k != lead], r.choices([0, 1, 2, 3], [30, 35, 25, 10])[0])
        if coord:
            t["coordinating"] = coord
        kind = r.random()
        recurring = r.random() < 0.03
        if kind < OVERDUE_SHARE:
            category = "overdue"
        elif kind < OVERDUE_SHARE + 0.33:
            category = "done"
        elif kind < OVERDUE_SHARE + 0.36:
            category = "cancelled"
        else:
            category = "future"
        if recurring:
            rule = r.choice(RECURRENCES)
            start = r.choice([date(2026, 3, 31), date(2026, 1, 15), date(2025, 12, 31), date(2026, 6, 30)])
            after = self.day_between(date(2026, 6, 1), date(2026, 11, 25)) if category == "overdue" else AS_OF
            nxt = next_occurrence(rule, start, after)
            if nxt is not None:
                if category == "overdue" and nxt >= AS_OF:
                    category = "future"
                if category in ("done", "cancelled"):
                    category = "future"
                t["start"] = start
                t["deadline"] = nxt.isoformat()
                t["recurrence"] = rule
                s.recurring += 1
                resolved = nxt
            else:
                recurring = False
        if not recurring:
            if category == "overdue":
                text, resolved = self.deadline(date(2025, 7, 1), AS_OF - timedelta(days=1))
            elif category == "future":
                text, resolved = self.deadline(AS_OF, date(2027, 12, 31))
            else:
                text, resolved = self.deadline(date(2025, 3, 1), date(2027, 6, 30))
            if category == "future" and r.random() < 0.02:
                resolved = None
            else:
                t["deadline"] = text
            if r.random() < 0.25 and resolved:
                t["start"] = resolved - timedelta(days=r.randint(30, 240))
        if category == "overdue":
            s.overdue += 1
            status = r.choices(["in progress", "not started", "blocked"], [60, 25, 15])[0]
        elif category == "done":
            s.done += 1
            status = "done"
        elif category == "cancelled":
            s.cancelled += 1
            status = "cancelled"
        else:
            status = r.choices(["in progress", "not started", "blocked"], [55, 35, 10])[0]
        if status != "not started":
            t["status"] = status
        if status == "done":
            t["progress"] = 100
            # none after the import day: the import refuses a completion after its today
            done_on = min(resolved + timedelta(days=r.randint(-40, 30)), IMPORTED_AT.date())
            t["completed_on"] = done_on
            if "start" in t and t["start"] > done_on:
                del t["start"]
            t["evidence"] = r.choice(EVIDENCE).format(n=self.number(), org=lead, d=done_on.strftime("%d/%m/%Y"))
        elif status in ("in progress", "blocked"):
            t["progress"] = r.choice([10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90])
        if status == "blocked":
            t["blocked_reason"] = r.choice(BLOCKED)
        pr = r.choices(["low", "normal", "high", "critical"], [10, 60, 22, 8])[0]
        if pr != "normal":
            t["priority"] = pr
        t["output"] = r.choice(OUTPUTS)
        candidates = [k for k in earlier[-40:] if k not in ancestors]
        if candidates and r.random() < 0.15:
            t["depends_on"] = r.sample(candidates, min(len(candidates), r.choice([1, 1, 2])))
            s.with_dependencies += 1
        tags = r.sample(TAGS, r.choices([0, 1, 2, 3], [25, 40, 25, 10])[0])
        if tags:
            t["tags"] = tags
        t["source"] = r.choice(SOURCES).format(n=self.number(), c=r.randint(1, 12), n2=r.randint(1, 45))
        if r.random() < 0.05:
            metric, target, unit, baseline = r.choice(KPIS)
            span = target - baseline
            t["kpi"] = {
                "metric": metric,
                "target": target,
                "current": baseline + round(span * r.random()),
                "unit": unit,
                "baseline": baseline,
            }
            s.kpi += 1
        return t

    # one plan -------------------------------------------------------------------------------

    def plan(self, index: int, size: int) -> dict[str, Any]:
        r = self.rng
        issuer_org = r.choice(self.orgs)
        key = f"plan-{index:03d}"
        tasks: list[dict[str, Any]] = []
        earlier: list[str] = []
        top = 0
        while len(tasks) < size:
            top += 1
            stack = [(str(top), "", set())]
            while stack and len(tasks) < size:
                key_, parent, ancestors = stack.pop(0)
                tasks.append(self.task(key, key_, parent, earlier, ancestors))
                earlier.append(key_)
                depth = key_.count(".")
                if depth < 2:
                    n_children = r.choices([0, 1, 2, 3, 4], [35, 15, 25, 15, 10] if depth == 0 else [70, 10, 15, 5, 0])[
                        0
                    ]
                    stack += [(f"{key_}.{i}", key_, ancestors | {key_}) for i in range(1, n_children + 1)]
        used: set[str] = set()
        for t in tasks:
            used.add(t["lead"])
            used.update(t.get("coordinating", []))
        by_key = {o["key"]: o for o in self.orgs}
        for k in list(used):
            if by_key[k]["parent"]:
                used.add(by_key[k]["parent"])
        orgs = [{k: v for k, v in o.items() if v} for o in self.orgs if o["key"] in used]
        plan = {
            "key": key,
            "reference": f"Kế hoạch số {self.number()}/KH-{issuer_org['key']}",
            "title": f"Kế hoạch hành động năm 2026 của {issuer_org['name']} về an toàn, an ninh mạng (số {index})",
            "issuer": issuer_org["name"],
            "issued_on": self.day_between(date(2026, 1, 5), date(2026, 4, 30)),
            "period": "2026",
            "status": "active",
        }
        self.stats.plans += 1
        self.stats.tasks += len(tasks)
        self.stats.by_plan[key] = len(tasks)
        return {"plan": plan, "orgs": orgs, "tasks": tasks}


def plan_count(tasks: int) -> int:
    """20 plans for 1k tasks, 100 for 10k, 200 for 100k."""
    return max(1, min(200, max(20, tasks // 100), tasks))


def generate(tasks: int, out: Path, seed: int = 7, plans: int | None = None, orgs: int = 60) -> Stats:
    """Write the plan files and manifest.json into *out*; returns what was written."""
    import tomli_w

    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("plan-*.toml"):
        old.unlink()
    gen = Generator(seed, orgs)
    n_plans = plans or plan_count(tasks)
    sizes = [tasks // n_plans + (1 if i < tasks % n_plans else 0) for i in range(n_plans)]
    for i, size in enumerate(sizes, 1):
        if size == 0:
            continue
        doc = gen.plan(i, size)
        text = f"# Synthetic plan for the benchmarks (seed {seed}); not real data.\n\n" + tomli_w.dumps(doc)
        (out / f"plan-{i:03d}.toml").write_text(text, encoding="utf-8")
    stats = gen.stats
    (out / "manifest.json").write_text(
        json.dumps({"seed": seed, "as_of": AS_OF.isoformat(), **stats.__dict__}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    return stats


# --- history: notes and edits through the Store API --------------------------------------------


#: When the benchmark database was imported and edited: both before AS_OF, so the history is
#: consistent with it (a past --as-of between the two rebuilds the state before the edits).
IMPORTED_AT = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
EDITED_AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def import_plans(db: Path, files: list[Path], at: datetime = IMPORTED_AT) -> int:
    """Import *files* into *db* through the services, the history stamped *at*; the tasks imported.

    The command line stamps an import with the real clock, which would put it after the
    edits and after AS_OF: every as-of would then be a past that begins with no tasks.
    """
    from actionplan.services.planfile import import_plan_files
    from actionplan.store import Store

    store = Store(db, actor="thu-ky", clock=lambda: at)
    try:
        reports = import_plan_files(store, files)
    finally:
        store.close()
    return sum(len(r.added) for r in reports)


def add_history(db: Path, share: float = 0.1, seed: int = 7) -> dict[str, int]:
    """Progress notes on *share* of the open tasks and edits on a few, in one transaction.

    Uses the Store API (add_note, update_task), so history rows are written exactly as a
    secretary's work would write them.  Overdue tasks stay overdue (deadlines are only
    moved on tasks that are not late).
    """
    from actionplan.store import Store

    store = Store(db, actor="thu-ky", clock=lambda: EDITED_AT)
    rng = random.Random(seed)
    briefs = [b for b in store.brief_tasks() if b.status not in ("done", "cancelled")]
    briefs.sort(key=lambda b: (b.plan, b.key))
    chosen = rng.sample(briefs, int(len(briefs) * share))
    notes = edits = 0
    texts = [
        "Đã họp triển khai với các đơn vị phối hợp",
        "Dự thảo đã gửi lấy ý kiến",
        "Hoàn thành khảo sát hiện trạng",
        "Draft sent to the Ministry of Justice for review",
        "Đang chờ ý kiến của Văn phòng Chính phủ",
        "Đã tổ chức tập huấn cho cán bộ đầu mối",
    ]
    with store.write():
        for b in chosen:
            ref = f"{b.plan}/{b.key}"
            for i in range(rng.choice([1, 1, 2, 3])):
                progress = min(95, b.progress + 10 * (i + 1)) if rng.random() < 0.6 else None
                store.add_note(ref, rng.choice(texts), progress, on=AS_OF - timedelta(days=rng.randint(1, 120)))
                notes += 1
            if rng.random() < 0.3:
                task = store.get_task(ref)
                changes: dict[str, Any] = {"priority": rng.choice(["high", "critical", "normal"])}
                if task.deadline and task.deadline >= AS_OF and not task.recurrence and rng.random() < 0.5:
                    changes["deadline"] = task.deadline + timedelta(days=rng.choice([30, 60, 90]))
                    changes["deadline_text"] = ""
                store.update_task(ref, changes, task.version)
                edits += 1
    store.close()
    return {"notes": notes, "edits": edits}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, help="How many tasks in all (e.g. 10000).")
    ap.add_argument("--out", type=Path, help="Folder for the plan files (created; old plan-*.toml removed).")
    ap.add_argument("--seed", type=int, default=7, help="Random seed (default 7).")
    ap.add_argument("--plans", type=int, help="How many plan files (default: 20 to 200 by size).")
    ap.add_argument(
        "--orgs", type=int, default=60, help="How many agencies, 60 to 508 (default 60), each with an email."
    )
    ap.add_argument(
        "--notes", type=Path, metavar="DB", help="Instead: add progress notes and edits to an imported database DB."
    )
    ap.add_argument("--share", type=float, default=0.1, help="With --notes: share of open tasks noted (0.1).")
    args = ap.parse_args(argv)
    if args.notes:
        done = add_history(args.notes, args.share, args.seed)
        print(f"{args.notes}: {done['notes']} notes, {done['edits']} edits")
        return 0
    if not args.tasks or not args.out:
        ap.error("give --tasks N and --out DIR (or --notes DB)")
    stats = generate(args.tasks, args.out, args.seed, args.plans, args.orgs)
    print(
        f"{args.out}: {stats.tasks} tasks in {stats.plans} plans; {stats.overdue} overdue as of {AS_OF}, "
        f"{stats.done} done, {stats.recurring} recurring, {stats.kpi} KPI, {stats.subtasks} subtasks"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
