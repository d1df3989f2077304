import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the demo editor account (in the editors group, staff so it may use the "
        "admin) with a generated password, and print its credentials. Run again, it sets a "
        "new password and prints it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")

    def handle(self, *args, username, **options):
        password = secrets.token_urlsafe(12)
        user, created = get_user_model().objects.get_or_create(username=username)
        user.is_staff = True
        user.set_password(password)
        user.save()
        from articles.services.accounts import add_to_group

        add_to_group(user=user, group_name="editors")
        verb = "Created" if created else "Reset the password of"
        self.stdout.write(self.style.SUCCESS(f"{verb} the demo editor account."))
        self.stdout.write(f"  user name: {username}")
        self.stdout.write(f"  password:  {password}")
