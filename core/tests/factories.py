"""factory_boy factories for organisation, users, customers and vehicles."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from accounts.models import DealerMembership, RegionMembership, User
from customers.models import Customer, Vehicle, VehicleOwnership
from customers.validators import VIN_ALPHABET, vin_check_digit
from organization.models import Brand, Dealer, Oem, Region


def make_vin(seed: int, wmi: str = "LSV") -> str:
    """A valid VIN (correct check digit) derived from an integer."""
    body = wmi + "".join(VIN_ALPHABET[(seed * 7 + i * 13) % len(VIN_ALPHABET)] for i in range(5))
    tail = "T" + "A" + f"{seed % 1_000_000:06d}"
    vin = body + "0" + tail
    return vin[:8] + vin_check_digit(vin) + vin[9:]


class OemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Oem
        django_get_or_create = ["code"]

    code = "OEM1"
    name = "示范汽车集团"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    oem = factory.SubFactory(OemFactory)
    code = factory.Sequence(lambda n: f"R{n:02d}")
    name = factory.Sequence(lambda n: f"大区{n}")


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ["code"]

    oem = factory.SubFactory(OemFactory)
    code = "VW"
    name = "大众"


class DealerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dealer

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"测试{n}号店")
    region = factory.SubFactory(RegionFactory)
    city = "广州"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-12345-test")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            self.groups.add(Group.objects.get(name=str(role)))

    @factory.post_generation
    def dealers(self, create, extracted, **kwargs):
        for dealer in extracted or []:
            DealerMembership.objects.create(user=self, dealer=dealer)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        for region in extracted or []:
            RegionMembership.objects.create(user=self, region=region)
        self.save()


def staff_user(dealer: Dealer, role: str) -> User:
    """The one user of ``role`` working for ``dealer`` (created on first use, e.g. ``technician_A001``)."""
    username = f"{role}_{dealer.code}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = UserFactory(username=username, roles=[role], dealers=[dealer])
    return user


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    dealer = factory.SubFactory(DealerFactory)
    name = factory.Sequence(lambda n: f"客户{n}")
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    address = "广州市天河区体育西路1号"
    consent = "given"


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle
        skip_postgeneration_save = True

    owner = factory.SubFactory(CustomerFactory)
    dealer = factory.SelfAttribute("owner.dealer")
    vin = factory.Sequence(make_vin)
    plate = factory.Sequence(lambda n: f"粤A{n:05d}")
    brand = "大众"
    series = "朗逸"
    model_name = "1.5L 自动舒适版"

    @factory.post_generation
    def ownership(self, create, extracted, **kwargs):
        if create:
            VehicleOwnership.objects.create(vehicle=self, customer=self.owner, started_on="2024-01-01")


def signature_png() -> bytes:
    """A small PNG like the signature pad posts (a stroke on white)."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (120, 40), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(5, 30), (40, 8), (80, 32), (115, 10)], fill=(0, 0, 0, 255), width=3)
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def signature_data_url() -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(signature_png()).decode()


def signature_file():
    from django.core.files.base import ContentFile

    return ContentFile(signature_png(), name="signature.png")
