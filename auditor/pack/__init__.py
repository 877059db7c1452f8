"""Signed audit packs: manifest, in-toto/DSSE attestation, signers, build, verify, the locker.

Layout of a pack and how to verify one by hand: ``docs/packs.md``.
"""
