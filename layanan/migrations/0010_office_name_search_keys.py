"""The name search served from an index of the office's own trigrams (issue 10).

The trigram index of 0005 (GIN on UPPER(full_name)) holds the whole country: a search
for "siregar" in one office read the 18,440 matches of every office at 1M requests,
or the planner scanned the office's 35,000 names instead. A multi-column GIN
(btree_gin) does not help: its columns are separate keys, intersected only after
both posting lists are read.

Here each key is the office and one trigram together ("6:sir"), from pg_trgm's
show_trgm, so the posting lists of a search hold that office's rows only: a search
reads about as many rows as it finds. `request_name_keys(office_id, full_name)` is
the indexed expression; `request_name_pattern_keys(office_id, text)` gives the keys a
substring must contain (the trigrams inside its words, none padded by a word
boundary). layanan.selectors.search_requests adds `keys @> pattern_keys` to the
ILIKE, which stays the real test. The functions name pg_trgm's schema, so a restore
with an empty search_path still builds the index. The country-wide index goes.

Built with CREATE INDEX CONCURRENTLY (about a minute at 1M requests), hence not
atomic. Without pg_trgm (no right to create it), nothing is created and the search
reads the office's rows through the (office, full_name) index, as before. SQLite:
nothing to do.
"""

from django.db import migrations

from blanko.migration_ops import valid_index_exists

TABLE = "layanan_servicerequest"
INDEX = "request_office_name_keys"
OLD_INDEX = "request_name_trgm"


def _trgm_schema(schema_editor) -> str | None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                       "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'")
        row = cursor.fetchone()
    return row[0] if row else None


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema = _trgm_schema(schema_editor)
    if schema is None:
        return  # 0005 could not enable pg_trgm: the search reads the office's rows
    show_trgm = f'"{schema}".show_trgm'
    schema_editor.execute(f"""
        CREATE OR REPLACE FUNCTION request_name_keys(office bigint, name text)
        RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
            SELECT coalesce(array_agg(office::text || ':' || t), '{{}}')
            FROM unnest({show_trgm}(name)) AS t
        $$""")
    schema_editor.execute(f"""
        CREATE OR REPLACE FUNCTION request_name_pattern_keys(office bigint, pattern text)
        RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
            SELECT coalesce(array_agg(office::text || ':' || t), '{{}}')
            FROM unnest({show_trgm}(pattern)) AS t WHERE position(' ' in t) = 0
        $$""")
    if not valid_index_exists(schema_editor, INDEX):
        schema_editor.execute(f'CREATE INDEX CONCURRENTLY "{INDEX}" ON {TABLE} '
                              "USING gin (request_name_keys(office_id, full_name))")
    schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{OLD_INDEX}"')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    if _trgm_schema(schema_editor) is not None and not valid_index_exists(schema_editor,
                                                                          OLD_INDEX):
        schema_editor.execute(f'CREATE INDEX CONCURRENTLY "{OLD_INDEX}" ON {TABLE} '
                              "USING gin (UPPER(full_name) gin_trgm_ops)")
    schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{INDEX}"')
    schema_editor.execute("DROP FUNCTION IF EXISTS request_name_pattern_keys(bigint, text)")
    schema_editor.execute("DROP FUNCTION IF EXISTS request_name_keys(bigint, text)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("layanan", "0009_accesslog_search")]

    operations = [migrations.RunPython(forwards, backwards)]
