"""Ditjen Dukcapil's central warehouse: office 00 with its locations and balances.

Written out as it was when this migration was made (historical models, frozen
labels), as blanko.services.offices.create_office would make an office. Going back
removes it while nothing was posted there; after that the movements protect it.
"""

from django.db import migrations

CODE = "00"
NAME = "Gudang Pusat Ditjen Dukcapil"
# Location.OFFICE_KINDS and their labels, as they were.
KINDS = [
    ("stock", "Gudang stok"),
    ("spoiled", "Blanko rusak (menunggu pemusnahan)"),
    ("transit", "Dalam perjalanan"),
    ("issued", "Diterbitkan ke penduduk"),
    ("destroyed", "Dimusnahkan"),
    ("adjustment", "Selisih stock opname"),
]
BALANCED = {"stock", "spoiled", "transit"}


def create_central_store(apps, schema_editor):
    Office = apps.get_model("blanko", "Office")
    Location = apps.get_model("blanko", "Location")
    Balance = apps.get_model("blanko", "Balance")
    office, _created = Office._default_manager.get_or_create(code=CODE, defaults={"name": NAME})
    for kind, label in KINDS:
        location, _created = Location.objects.get_or_create(
            code=f"{CODE}-{kind.upper()}",
            defaults={"name": f"{label} {office.name}", "kind": kind, "office": office},
        )
        if kind in BALANCED:
            Balance.objects.get_or_create(location=location, defaults={"quantity": 0})


def remove_central_store(apps, schema_editor):
    # Plain SQL: the ORM's deletion collector trips over the historical models here. A
    # movement, delivery or stock count on the store makes the database refuse (PROTECT).
    office = apps.get_model("blanko", "Office")._meta.db_table
    location = apps.get_model("blanko", "Location")._meta.db_table
    balance = apps.get_model("blanko", "Balance")._meta.db_table
    of_store = (f"SELECT id FROM {location} "  # noqa: S608
                f"WHERE office_id IN (SELECT id FROM {office} WHERE code = %s)")
    schema_editor.execute(f"DELETE FROM {balance} WHERE location_id IN ({of_store})", [CODE])
    schema_editor.execute(f"DELETE FROM {location} WHERE id IN ({of_store})", [CODE])
    schema_editor.execute(f"DELETE FROM {office} WHERE code = %s", [CODE])


class Migration(migrations.Migration):
    dependencies = [("blanko", "0010_supply_cycle")]

    operations = [migrations.RunPython(create_central_store, remove_central_store,
                                       elidable=False)]
