"""The prepared INSERT of a movement: the one place that leans on private ORM internals.

`PreparedInsert` compiles a movement's INSERT with the ORM before the balance locks
are taken, then fills in the values known only under the locks. It uses Django's
private insert machinery (`sql.InsertQuery`, `insert_values`, the compiler's
`returning_fields` and `as_sql`, `Model._state`), so it lives here alone, and
tests/blanko/test_sql.py checks those internals and the compiled statement: a
Django upgrade that changes them fails that test loudly instead of writing wrong rows.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import sql
from django.utils import timezone

from blanko.models import Balance, Location, Movement


def insert_fields() -> list:
    """The columns Model.save() would insert: every concrete field but the auto pk."""
    meta = Movement._meta
    return [field for field in meta.local_concrete_fields
            if field is not meta.auto_field and not field.generated]


def compile_insert(movement: Movement, fields: list) -> tuple[str, list]:
    """The ORM's own INSERT ... RETURNING id for `movement`, and its parameters."""
    query = sql.InsertQuery(Movement)
    query.insert_values(fields, [movement])
    compiler = query.get_compiler(using=DEFAULT_DB_ALIAS)
    compiler.returning_fields = [Movement._meta.pk]
    [(statement, params)] = compiler.as_sql()
    return statement, list(params)


def _saved(movement: Movement) -> Movement:
    """Marks an instance inserted by hand as Model.save() would have."""
    movement._state.adding = False
    movement._state.db = DEFAULT_DB_ALIAS
    return movement


class PreparedInsert:
    """A movement's INSERT, compiled by the ORM before the balance locks are taken.

    Only the balances after the posting are unknown until the locks are held; they
    are put into the compiled parameters then. The locks are thus held for the
    UPDATE, one INSERT and the COMMIT, and not while the ORM builds the statement,
    which was most of a draw's Python time under the lock (issue 6: with 4 workers
    drawing on one store, a lock holder waiting for a CPU stalls the other three).
    """

    def __init__(self, movement: Movement) -> None:
        self.fields = insert_fields()
        self.sql, self.params = compile_insert(movement, self.fields)
        self.slots = {field.attname: index for index, field in enumerate(self.fields)}
        self.columns = [field.column for field in self.fields]
        self.movement = movement

    def _with_balance_sql(self, after: str) -> tuple[str, list]:
        """The CTE statement of execute_with_balance, and its parameters after the
        UPDATE's three."""
        quote = connection.ops.quote_name
        # Computed in the statement, once the row lock is ours: the new count, and the
        # time of recording (clock_timestamp(), so that recorded_at follows lock order).
        late = {self.slots[after]: "moved.quantity",
                self.slots["recorded_at"]: "clock_timestamp()"}
        select = ", ".join(late.get(index, "%s") for index in range(len(self.columns)))
        params = [value for index, value in enumerate(self.params) if index not in late]
        returning = (Movement._meta.pk.column, self.columns[self.slots[after]],
                     self.columns[self.slots["recorded_at"]])
        statement = (
            f"WITH moved AS (UPDATE {quote(Balance._meta.db_table)} "  # noqa: S608
            "SET quantity = quantity + %s, updated_at = clock_timestamp() "
            "WHERE location_id = %s AND quantity + %s >= 0 RETURNING quantity) "
            f"INSERT INTO {quote(Movement._meta.db_table)} "
            f"({', '.join(quote(column) for column in self.columns)}) "
            f"SELECT {select} FROM moved "
            "RETURNING " + ", ".join(quote(column) for column in returning)
        )
        return statement, params

    def execute_with_balance(self, *, location: Location, delta: int,
                             after: str) -> Movement | None:
        """PostgreSQL: moves the one balance and inserts the movement in one statement.

        The UPDATE ... RETURNING feeds the INSERT through a CTE, so the row lock is
        held for the rest of that statement and the COMMIT only: one round trip
        less under the lock than UPDATE, then INSERT. `after` names the field that
        takes the new count. None when the stock does not suffice (nothing written).
        """
        statement, params = self._with_balance_sql(after)
        with connection.cursor() as cursor:
            cursor.execute(statement, [delta, location.pk, delta, *params])
            row = cursor.fetchone()
        if row is None:
            return None
        movement = self.movement
        movement.pk = row[0]
        setattr(movement, after, row[1])
        movement.recorded_at = row[2]
        return _saved(movement)

    def execute(self, **late_values: int | None) -> Movement:
        """Inserts the movement with the values known only under the locks: the counts
        after it, and the time of recording (so that recorded_at follows lock order)."""
        movement = self.movement
        for attname, value in {**late_values, "recorded_at": timezone.now()}.items():
            setattr(movement, attname, value)
            slot = self.slots[attname]
            self.params[slot] = self.fields[slot].get_db_prep_save(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            movement.pk = cursor.fetchone()[0]
        return _saved(movement)
