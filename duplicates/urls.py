from django.urls import path, register_converter

from duplicates import views

app_name = "duplicates"


class IdConverter:
    """A database id: digits that fit a signed 64-bit integer. Anything else is a 404, not an
    overflow in the database driver."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > 2**63 - 1:
            raise ValueError("too large for an id")
        return number

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "dbid")

urlpatterns = [
    path("", views.queue, name="queue"),
    path("history/", views.history, name="history"),
    path("<dbid:pk>/", views.compare, name="compare"),
    path("<dbid:pk>/merge/", views.merge, name="merge"),
    path("<dbid:pk>/not-duplicate/", views.not_duplicate, name="not-duplicate"),
    path("merges/<dbid:pk>/", views.merge_detail, name="merge-detail"),
    path("merges/<dbid:pk>/undo/", views.undo, name="undo"),
]
