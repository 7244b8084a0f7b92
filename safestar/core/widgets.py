"""Form widgets every page shares.

`DateInput` is the one date input: `<input type="date">` with the value written in ISO
(2023-11-30), the only form a browser's date input accepts. Django would otherwise write the
locale's format (2023/11/30 in zh-hans), which the browser rejects and shows as blank, so an edit
form saved unchanged lost its date. Every date field of a form uses it (core/tests/test_widgets.py
checks that no other date input is declared).
"""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
