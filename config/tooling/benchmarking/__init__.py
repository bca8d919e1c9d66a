"""`manage.py benchmark`: the figures of issue 6, measured and printed as JSON.

machine.py describes the machine and database, draws.py measures ledger draws
against pgbench, pages.py page latency, http.py the print queue under gunicorn,
and sized.py builds the databases of the sizes asked for.
"""
