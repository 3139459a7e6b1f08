"""Program selection: the applicant's profile, the programs spreadsheet, and the plan of where to apply.

The guide calls program selection "50% of your matching success" for a non-US-citizen IMG with low scores
and asks the applicant to keep a spreadsheet of programs. This package reads that spreadsheet
(:mod:`.table`, written by :mod:`.template`), the applicant's facts (:mod:`.profile`, pre-filled from the
documents by :mod:`.facts`), and turns both into a plan (:mod:`.plan`): hard filters first, each with its
reason, then every eligible program in a tier from a transparent score whose weights live in YAML
(:mod:`.weights`). :mod:`.extract` turns a program's web page into a row. Renderers live in
``reviewer.render.plan_*``; :mod:`.applicant` composes the whole for one applicant folder.

Nothing is imported here: :mod:`reviewer.kinds` imports :mod:`.profile` for the manifest's ``profile:``
block, and that must stay light.
"""
