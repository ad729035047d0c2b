"""factory_boy factories for the domain; tests build only what they assert on."""

from decimal import Decimal

import factory

from accounts.models import BusinessUnit, User
from catalog.choices import DataClassification, ModelStatus, PriceSource
from catalog.models import AIModel, Specialty, Vendor

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        if create:
            obj.save()


class BusinessUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessUnit
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.LazyAttribute(lambda u: u.slug.replace("-", " ").title())
    cost_center = "CC-1"
    monthly_budget = Decimal("1000.00")


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"vendor-{n}")
    name = factory.LazyAttribute(lambda v: v.slug.title())
    price_source = PriceSource.MANUAL


class AIModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AIModel
        skip_postgeneration_save = True

    vendor = factory.SubFactory(VendorFactory)
    name = factory.Sequence(lambda n: f"Model {n}")
    slug = factory.Sequence(lambda n: f"model-{n}")
    vendor_model_id = factory.LazyAttribute(lambda m: m.slug)
    status = ModelStatus.APPROVED
    context_window = 128_000
    input_price_per_mtok = Decimal("1.000000")
    output_price_per_mtok = Decimal("2.000000")
    max_data_classification = DataClassification.INTERNAL

    @factory.post_generation
    def specialties(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        if create and extracted:
            obj.specialties.set(Specialty.objects.filter(slug__in=extracted))
