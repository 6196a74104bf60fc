"""Named random streams: one seed -> SeedSequence -> one generator per random process.

Each stream is keyed by a stable hash of its name, so adding a stream never shifts another, and
both policies draw the same disputes and calls from the same streams (common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np

#: The random processes of the model. Exogenous ones (drawn before any policy acts, identical in
#: both policies) come first; the rest depend on what the police do.
STREAM_NAMES = (
    "layout",  # the generated township (seeded by township.layout_seed, not the run seed)
    "population",  # residents' attributes
    "dispute_arrivals",  # when, where and what kind of dispute
    "dispute_clocks",  # first-episode flare, escalation, subsidence, discovery, acute clocks
    "call_arrivals",  # non-dispute calls: when, where, kind, on-scene time
    "dispute_fate",  # per-dispute substreams: mediation outcomes and times, later episodes'
    #                  clocks, injuries and reports of later fights, discovery on visits
    "mesa",  # Mesa's own model.rng / model.random (grids, shuffles)
)


def uint32_words(value: int) -> np.ndarray:
    """A non-negative integer as the little-endian 32-bit words ``SeedSequence`` hashes.

    ``SeedSequence`` converts an integer entropy to exactly these words on every construction;
    passing the words instead gives the same pool, the same states and the same draws, for
    half the cost (a prefecture year creates a substream for nearly every dispute: 190,000).
    """
    words = []
    while True:
        words.append(value & 0xFFFFFFFF)
        value >>= 32
        if not value:
            return np.array(words, dtype=np.uint32)


def replication_seed(root: int, replication: int) -> np.random.SeedSequence:
    """The seed sequence of replication ``replication``: SeedSequence(root, spawn_key=(k,)).

    Equal to ``SeedSequence(root).spawn(R)[k]``, but addressable by index, so a resumed sweep
    regenerates the same seeds.
    """
    return np.random.SeedSequence(root, spawn_key=(replication,))


class RandomStreams:
    """A dictionary of independent named generators derived from one seed sequence."""

    def __init__(self, seed: int | np.random.SeedSequence) -> None:
        """Create the streams.

        Args:
            seed: A root seed, or the seed sequence of one replication.

        """
        self.seed_sequence = (seed if isinstance(seed, np.random.SeedSequence)
                              else np.random.SeedSequence(seed))
        self._streams: dict[str, np.random.Generator] = {}
        self._families: dict[str, tuple] = {}

    def child(self, name: str) -> np.random.SeedSequence:
        """The seed sequence of the stream called ``name``."""
        ss = self.seed_sequence
        return np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key,
                                                              zlib.crc32(name.encode())))

    def __getitem__(self, name: str) -> np.random.Generator:
        """The generator of the stream called ``name`` (created on first use)."""
        if name not in STREAM_NAMES:
            raise KeyError(f"unknown random stream {name!r}")
        gen = self._streams.get(name)
        if gen is None:
            gen = self._streams[name] = np.random.default_rng(self.child(name))
        return gen

    def substream(self, name: str, index: int) -> np.random.Generator:
        """Generator number ``index`` of the family ``name`` (e.g. one per dispute).

        Every draw that depends on the police response is taken from the dispute's own
        substream, so the k-th mediation of dispute i uses the same uniforms under every policy
        and differences between policies stay paired dispute by dispute.
        """
        key = self._families.get(name)
        if key is None:
            if name not in STREAM_NAMES:
                raise KeyError(f"unknown random stream {name!r}")
            ss = self.child(name)
            key = self._families[name] = (uint32_words(ss.entropy), ss.spawn_key)
        entropy, spawn_key = key
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(
            entropy, spawn_key=(*spawn_key, index))))

    def integer_seed(self, name: str) -> int:
        """A 63-bit integer seed for libraries that want one (Mesa's ``rng=``)."""
        return int(self.child(name).generate_state(2, np.uint32).view(np.uint64)[0] >> 1)
