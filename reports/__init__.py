"""Documents built from ledger data: the weekly digest chart, the monthly 推进台账 (xlsx), the
quarterly bulletin 季通报 (xlsx, docx), the yearly scorecard 年考评 (xlsx) and entry dumps.

Plain Python over `reports.data` records; the database queries live in services.reports.
"""
