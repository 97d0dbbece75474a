"""Every page, for every role, on the tiny data set: no English word from a list and no
"None", "nan" or "empty" in what the page writes (titles, texts, labels, options, table
headers and text cells). Streamlit's own chrome (upload boxes, hints under the text
boxes, the table toolbar) is checked in the browser tests."""

from __future__ import annotations

import re

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from sppe_data.auth import ROLE_LABELS
from ui.navigation import pages_for

APP = "../app.py"
# Words a page must never show: placeholders of missing values, and English.
FORBIDDEN = {
    "None", "nan", "NaN", "null", "empty", "True", "False", "Download", "Upload", "Submit",
    "Press", "Search", "Error", "Warning", "Page", "not", "found", "the", "and", "of",
    "Skip", "Fullscreen", "Sort", "KB", "MB", "columns",
}  # fmt: skip
TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "info", "success",
                 "warning", "error", "text", "exception")  # fmt: skip
# The audit journal shows the stored records as they are (field codes, JSON « null »):
# what an auditor compares with the database, not a sentence of the app.
RAW_COLUMNS = {"Avant", "Après"}
LABELLED = ("button", "selectbox", "multiselect", "radio", "text_input", "text_area",
            "number_input", "date_input", "checkbox", "toggle", "expander", "tabs", "metric",
            "download_button")  # fmt: skip


def words(text: object) -> set[str]:
    return set(re.findall(r"[A-Za-zÀ-ÿ]+", str(text)))


def page_texts(at: AppTest) -> list[str]:
    texts: list[str] = []
    for kind in TEXT_ELEMENTS:
        texts += [str(e.value) for e in at.get(kind)]
    for kind in LABELLED:
        for element in at.get(kind):
            texts.append(str(getattr(element, "label", "")))
            texts += [str(o) for o in getattr(element, "options", []) or []]
            if kind == "metric":
                texts.append(str(element.value))
    for frame in at.dataframe:
        value = frame.value
        texts += [str(c) for c in value.columns]
        table = pl.from_pandas(value) if not isinstance(value, pl.DataFrame) else value
        for column in table.columns:
            if table[column].dtype == pl.String and column not in RAW_COLUMNS:
                texts += [v for v in table[column].drop_nulls().to_list()]
    return texts


@pytest.mark.parametrize("role", list(ROLE_LABELS))
def test_no_english_nor_missing_value_words_on_any_page(tiny_data, role):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = role
    at.session_state["demo_pole"] = "idf_hdf"
    at.run()
    problems = []
    for spec in pages_for(role):
        at.switch_page(spec.path)
        at.run()
        assert not at.exception, (spec.title, at.exception)
        # An empty grid reads « empty », in English (drawn by the browser): a page says
        # in a French sentence that a table has no row.
        problems += [
            f"{spec.title} : tableau vide ({list(frame.value.columns)[:3]})"
            for frame in at.dataframe
            if len(frame.value) == 0
        ]
        for text in page_texts(at):
            found = words(text) & FORBIDDEN
            if found:
                problems.append(f"{spec.title} : {sorted(found)} dans « {text[:80]} »")
    assert problems == []


def test_streamlit_chrome_in_english_is_hidden_or_rewritten(monkeypatch):
    """What Streamlit writes itself, out of reach of the page (checked in the browser
    tests): the table and chart toolbar (« Search », « Fullscreen », « Download as
    CSV »), the column menu (« Sort ascending »), an uploaded file's size (« 2.1KB »)
    are hidden; the skip link says « Aller au contenu principal »."""
    from ui import components

    written: list[str] = []
    monkeypatch.setattr(components.st, "html", written.append)
    components.french_chrome()
    css = " ".join(written)
    for hidden in ('"stElementToolbar"]', '"stDataFrameColumnMenu"]', '"stFileChipName"]+*'):
        assert hidden + "{display:none}" in css, hidden
    assert '"stSkipToContent"]::after{content:"Aller au contenu principal"' in css
