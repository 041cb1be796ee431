"""The sealed ballot box: ballots are stored encrypted while voting is open, unsealed at the close.

`keys` derives each cycle's keypair from a secret the deployment provides (never stored in the
database; only the public key is); `services` seals a ballot in the cast transaction and, when
voting closes, unseals the cycle's box into the ordinary `ballots` tables in random order.
"""
