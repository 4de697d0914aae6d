"""The edit operations: each one reads one kind of change ("remove the shipping", "set item 2
quantity to 5") and applies it to the document's data.

An operation returns the new data and what changed, None when the text is not its kind of change
(the next operation is tried), or raises `EditError` when it is but cannot be done. The order in
which they are tried is in `read_edit`.
"""
