"""Privacy by design: the notice and consents, a person's download of their data, erasure,
retention per kind of data and the record of processing activities.

`registry.py` declares every column of every table as personal, secret or not personal; the
export, the erasure, the processing record and the notice all read that one declaration, and a
test fails when a model gains a column the registry does not classify.
"""
