"""reports: read-only figures for staff and consultants, and the company's data-protection requests.

Owns: WallSettings, DataRequestLog; selectors for the funnel, conversions, revenue, NPS, CSV and SVG charts, the
promoter wall; privacy.py, the export and deletion of a company's data (not a report: it lives here because
reports is the one app allowed to reach every other app's tables).

May import: every app below it.
"""
