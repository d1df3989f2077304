from django.apps import AppConfig


class DuplicatesConfig(AppConfig):
    name = "duplicates"
    verbose_name = "Duplicates"
    default_auto_field = "django.db.models.BigAutoField"
