from django import forms

from articles.models import Region

MAX_ID = 2**63 - 1


def _is_article_id(value) -> bool:
    text = str(value)
    # The length first: int() refuses strings of more than 4,300 digits with a ValueError.
    return text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= MAX_ID


class RegionChoiceForm(forms.Form):
    region = forms.ModelChoiceField(queryset=Region.objects.all(), empty_label="Choose a region")


class BulkTagForm(forms.Form):
    SELECTED = "selected"
    ALL = "all"

    region = forms.ModelChoiceField(queryset=Region.objects.all(), empty_label="Choose a region")
    scope = forms.ChoiceField(
        choices=[(SELECTED, "The selected articles"), (ALL, "Every result of this search")],
        widget=forms.RadioSelect,
        initial=SELECTED,
    )
    article = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=4000)
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=4000)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any article id may be posted; the view restricts them to the search's results.
        self.fields["article"].valid_value = _is_article_id

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == self.SELECTED and not cleaned.get("article"):
            raise forms.ValidationError("Select at least one article, or tag every result.")
        return cleaned
