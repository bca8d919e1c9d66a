from __future__ import annotations

import factory
from django.contrib.auth.models import Group, User

from blanko import services
from blanko.models import Office, StaffProfile


class OfficeFactory(factory.django.DjangoModelFactory):
    """Offices are made by the service, so each one has its locations and balances."""

    class Meta:
        model = Office

    # Codes 9000-9999, wrapping: the sequence runs over the whole session, which makes
    # more than a thousand offices, and a code has four digits.
    code = factory.Sequence(lambda n: f"{9000 + n % 1000:04d}")
    name = factory.LazyAttribute(lambda o: f"Kantor Uji {o.code}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.create_office(code=kwargs["code"], name=kwargs["name"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"pengguna{n}")
    first_name = "Uji"
    password = factory.django.Password("rahasia-uji-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def office(self, create, extracted, **kwargs):
        """`office=...`, or `office__region="21"`, or `office__national=True`."""
        region = kwargs.get("region", "")
        national = kwargs.get("national", False)
        if extracted is not None or region or national:
            StaffProfile.objects.create(user=self, office=extracted, region_code=region,
                                        national=national)


def make_user(role: str, office: Office | None = None, **kwargs) -> User:
    """A user with one role at one office, fetched fresh so permissions are not cached."""
    user = UserFactory(role=role, office=office, **kwargs)
    return User.objects.get(pk=user.pk)
