"""Integer codes stored in the column stores (no imports, so every module can use them).

Grades and phases index ``parameters.GRADES`` and ``parameters.PHASES``; roles ``ROLES``.
"""

NO_TRUST = -1
NO_GRADE = -1
OUTSTANDING, GOOD, REQUIRES_IMPROVEMENT, INADEQUATE = range(4)
PRIMARY, SECONDARY, SPECIAL, ALL_THROUGH = range(4)

# leader roles: index into ``leader.ROLES``
ROLES = ("headteacher", "executive_head", "ceo", "improvement_lead", "sle")
HEAD, EXECUTIVE_HEAD, CEO, IMPROVEMENT_LEAD, SLE = range(len(ROLES))

# operating-model levers stored as codes in the trust columns (index into these tuples)
JOINING_POLICIES = ("reopen_debate", "leave_as_is", "require_alignment")
EARNED_AUTONOMY = ("off", "outstanding", "good")
OPERATIONS = ("central", "regional")
GOVERNANCE = ("representative", "skills_based")
REVIEW_POLICIES = ("static", "reactive", "anticipatory")
