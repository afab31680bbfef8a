"""The "what changed between versions" table, generated from :data:`kafkalab.profiles.CHANGES`.

* :func:`version_table` — one row per setting or behaviour, one column per profile, the KIP that
  changed it and what a learner sees change; nothing is typed in here, every cell comes from the profiles.
"""
from __future__ import annotations

from .. import profiles as kprofiles

__all__ = ["version_table"]


def version_table(profiles=None, changed_only: bool = False, effects: bool = False):
    """A DataFrame: ``what`` and ``KIP``, then one column per profile (``"2.8 (2.4–2.8)"``, …).

    ``changed_only`` keeps the rows that differ between the first and last profile shown; ``effects``
    adds the column saying what the difference does in the simulator.
    """
    import pandas as pd

    names = list(profiles or kprofiles.PROFILES)
    for p in names:
        kprofiles.check_profile(p)
    rows = []
    for c in kprofiles.CHANGES:
        if changed_only and c.values[names[0]] == c.values[names[-1]]:
            continue
        row = {"what": c.what, "KIP": c.kip}
        row.update({f"{p} ({kprofiles.PROFILE_RANGE[p]})" if kprofiles.PROFILE_RANGE[p] != p else p: c.display(p)
                    for p in names})
        if effects:
            row["what you see"] = c.effect
        rows.append(row)
    return pd.DataFrame(rows).set_index("what")
