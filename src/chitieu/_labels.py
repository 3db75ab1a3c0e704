"""Words shown to people, in Vietnamese first and English second."""

from __future__ import annotations

_WORDS: dict[str, tuple[str, str]] = {
    "actual": ("thực hiện", "actual"),
    "estimate": ("ước tính", "estimate"),
    "preliminary": ("sơ bộ", "preliminary"),
    "level": ("mức", "level"),
    "average_growth": ("tăng bình quân/năm", "average annual growth"),
    "change_per_year": ("thay đổi bình quân (điểm/năm)", "change per year (points)"),
    "cumulative": ("lũy kế", "cumulative"),
    "not_started": ("chưa báo cáo", "no report"),
    "in_progress": ("đang thực hiện", "in progress"),
    "done": ("hoàn thành", "done"),
    "cancelled": ("dừng", "cancelled"),
    "annually": ("hằng năm", "annually"),
    "ongoing": ("thường xuyên", "ongoing"),
    # A figure's or target's qualifier, stored as Vietnamese writes it ("trên 1.670").
    "khoảng": ("khoảng", "about"),
    "gần": ("gần", "nearly"),
    "trên": ("trên", "over"),
    "hơn": ("hơn", "more than"),
    "dưới": ("dưới", "under"),
    "xấp xỉ": ("xấp xỉ", "approximately"),
    "ít nhất": ("ít nhất", "at least"),
    "tối thiểu": ("tối thiểu", "at least"),
    "tối đa": ("tối đa", "at most"),
    "chưa đến": ("chưa đến", "less than"),
    # A region's tier (``Region.level``): what tells two places of one name apart.
    "country": ("cả nước", "country"),
    "province": ("tỉnh, thành phố", "province or city"),
    "district": ("huyện, thị xã", "district"),
    "commune": ("xã, phường", "commune or ward"),
}


# What a document says it is (``document.models.DOCUMENT_KINDS``), or what its source says.
_DOCUMENT_KINDS: dict[str, tuple[str, str]] = {
    "statistics": ("báo cáo thống kê", "statistics report"),
    "plan": ("kế hoạch, đề án (quyết định ban hành)", "plan or scheme (issued by a decision)"),
    "resolution": ("nghị quyết", "resolution"),
    "report": ("báo cáo", "report"),
    "news": ("tin, bài báo", "news"),
    # Kinds the embedded dataset states for its sources.
    "decision": ("quyết định", "decision"),
    "workshop": ("báo cáo hội thảo", "workshop report"),
    "web": ("trang web", "web page"),
}


# Units the catalogue writes in Vietnamese, in English words for an English reader.
_UNITS_EN = {
    "lượt": "visits",
    "dự án": "projects",
    "doanh nghiệp": "enterprises",
    "người": "people",
    "xã": "communes",
    "huyện": "districts",
    "khu": "parks",
    "cụm": "clusters",
    "lần": "times",
    "năm": "years",
    "hạng": "rank",
    "chỉ số": "index",
    "chỉ tiêu": "targets",
    "điểm %": "percentage points",
    "USD/người": "USD/person",
    "VND/người": "VND/person",
    "VND/lao động": "VND/worker",
    "giường/10.000 dân": "beds/10,000 people",
    "bác sĩ/10.000 dân": "doctors/10,000 people",
}


def unit_word(unit: str, lang: str) -> str:
    """A unit as the reader's language writes it ("lần" is "times" in English)."""
    return _UNITS_EN.get(unit, unit) if lang == "en" else unit


# How a figure without a document or an agency came in (``observation.models.SOURCE_KINDS``).
_SOURCE_KINDS: dict[str, tuple[str, str]] = {
    "document": ("tài liệu", "a document"),
    "submission": ("báo cáo của cơ quan", "an agency's report"),
    "import": ("tệp nhập", "an imported file"),
    "manual": ("nhập tay", "entered by hand"),
}


def source_kind_word(kind: str, lang: str) -> str:
    return tr(lang, *_SOURCE_KINDS.get(kind, ("nguồn khác", "another source")))


def document_kind(key: str | None, lang: str) -> str:
    return tr(lang, *_DOCUMENT_KINDS[key]) if key in _DOCUMENT_KINDS else (key or "")


def word(key: str | None, lang: str) -> str:
    if key is None:
        return ""
    pair = _WORDS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "vi" else pair[1]


def tr(lang: str, vi: str, en: str) -> str:
    return vi if lang == "vi" else en
