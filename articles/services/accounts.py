from django.contrib.auth.models import Group


def add_to_group(*, user, group_name: str) -> None:
    user.groups.add(Group.objects.get(name=group_name))
