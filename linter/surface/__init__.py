"""`corslint surface`: the CORS policy of every server and scope as a
browser experiences it, computed from the same model and probes the rules
judge (surface-contract: the surface document is what the parts exchange).

collect.py builds the document (a JSON-able dict), text.py prints it as a
table; markdown.py and html.py are its review views, diff.py and
revision.py compare it with a git revision.  Nothing here is imported by a
plain lint run.
"""
