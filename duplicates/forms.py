from django import forms

from duplicates.models import DuplicateCandidate

REASON_LIMIT = 2000


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MergeForm(forms.Form):
    """Which article survives, whose title it keeps, and why. Only the pair's two articles are
    valid choices."""

    survivor = forms.TypedChoiceField(coerce=int, label="Article to keep")
    keep_title_from = forms.TypedChoiceField(coerce=int, required=False, label="Title to keep")
    reason = _reason_field()

    def __init__(self, *args, candidate: DuplicateCandidate, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate = candidate
        choices = [
            (candidate.article_a_id, f"#{candidate.article_a_id}"),
            (candidate.article_b_id, f"#{candidate.article_b_id}"),
        ]
        self.fields["survivor"].choices = choices
        self.fields["keep_title_from"].choices = choices
        self.fields["survivor"].error_messages["invalid_choice"] = (
            "Choose which of the two articles to keep."
        )
        self.fields["keep_title_from"].error_messages["invalid_choice"] = (
            "Choose the title of one of the two articles."
        )

    def articles(self):
        """(survivor, merged, the article whose title is kept) once the form is valid."""
        a, b = self.candidate.article_a, self.candidate.article_b
        survivor, merged = (a, b) if self.cleaned_data["survivor"] == a.pk else (b, a)
        title_from = self.cleaned_data.get("keep_title_from")
        keep = {a.pk: a, b.pk: b}.get(title_from, survivor)
        return survivor, merged, keep


class ReasonForm(forms.Form):
    reason = _reason_field()
