"""Demo data of the chamber app: government departments, the staff, an official and a leader."""

from chamber.models import Department, Official, User
from chamber.roles import sync_secretariat_group

DEPARTMENTS = [
    ("西市区教育局", "教育局"),
    ("西市区发展和改革局", "发改局"),
    ("西市区住房和城乡建设局", "住建局"),
    ("西市区市场监督管理局", "市场监管局"),
    ("西市区人力资源和社会保障局", "人社局"),
    ("西市区财政局", "财政局"),
    ("西市区商务局", "商务局"),
    ("中共西市区委统战部", "统战部"),
]


def demo_user(*, username: str, full_name: str, password: str, **extra) -> User:
    """The demo login, created once; a second run leaves it (and its password hash) as it is."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"full_name": full_name, "email": f"{username}@example.com", **extra},
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def seed(*, password: str) -> None:
    for order, (name, short) in enumerate(DEPARTMENTS, start=1):
        Department.objects.get_or_create(
            name=name, defaults={"short_name": short, "sort_order": order}
        )

    staff = demo_user(
        username="demo-staff", full_name="王秘书", password=password, is_staff=True
    )
    staff.groups.add(sync_secretariat_group())

    official = demo_user(
        username="demo-official", full_name="李科长", password=password
    )
    Official.objects.get_or_create(
        user=official,
        defaults={
            "department": Department.objects.get(name="西市区教育局"),
            "position": "办公室主任",
        },
    )
    leader = demo_user(username="demo-leader", full_name="赵副区长", password=password)
    Official.objects.get_or_create(
        user=leader, defaults={"is_leader": True, "position": "副区长"}
    )
