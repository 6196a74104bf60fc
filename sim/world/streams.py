"""Named random streams: one seed -> SeedSequence -> one generator per random process.

Each stream is keyed by a stable hash of its name, so adding a stream never shifts another, and
both policies draw the same disputes and calls from the same streams (common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np
from numpy.random.bit_generator import ISeedSequence

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
    # The mechanisms of issue 15 (each used only when its switch is on, so the draws above
    # are untouched when they are off):
    "report_fate",  # per-dispute substreams: whether, when and to whom flares are reported
    "acute_fate",  # per-dispute substreams: quarrels' calm clocks, fights' durations/injuries
    "household_repeats",  # the exogenous cascade of repeat disputes (counts and delays)
    "repeat_clocks",  # first-episode clocks of those repeats
    "household_frailty",  # households' dispute proneness (households.frailty_cv > 0)
    "household_fate",  # per-dispute substreams: repeats after a failed mediation
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


# SeedSequence's hashing constants (NumPy's bit_generator.pyx, after M. O'Neill's seed_seq_fe).
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R, _M32, _POOL = 0xCA01F9DD, 0x4973F715, 0xFFFFFFFF, 4


def seed_states(entropy: np.ndarray, spawn_key: tuple[int, ...], n: int) -> np.ndarray:
    """``SeedSequence(entropy, spawn_key=(*spawn_key, i)).generate_state(4, uint64)``, i < n.

    The same hashing as NumPy's ``SeedSequence`` (mix the assembled entropy into a pool of four
    32-bit words, then hash the pool out), done for all ``n`` spawn indices at once in uint32
    arrays: one substream per dispute then costs 1 us to start instead of 13 us. The test suite
    checks the result against ``SeedSequence`` itself.

    Args:
        entropy: The root entropy as 32-bit words (:func:`uint32_words`).
        spawn_key: The family's spawn key; index ``i`` is appended to it.
        n: Number of indices (below 2**32).

    Returns:
        An ``(n, 4)`` uint64 array: row ``i`` is the state a ``PCG64`` seeds itself from.

    """
    if n > 2**32:
        raise ValueError(f"seed_states: {n} indices do not fit one 32-bit word each")
    run = list(np.asarray(entropy, dtype=np.uint32).tolist())
    run += [0] * max(0, _POOL - len(run))  # padded because a spawn key follows
    key = [w for k in spawn_key for w in uint32_words(k).tolist()]
    words = [np.full(n, w, dtype=np.uint32) for w in run + key]
    words.append(np.arange(n, dtype=np.uint32))
    hash_a = _INIT_A

    def hashmix(value: np.ndarray) -> np.ndarray:
        nonlocal hash_a
        value = value ^ np.uint32(hash_a)
        hash_a = (hash_a * _MULT_A) & _M32
        value = value * np.uint32(hash_a)
        return value ^ (value >> np.uint32(16))

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        r = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y
        return r ^ (r >> np.uint32(16))

    pool = [hashmix(words[i]) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(_POOL, len(words)):
        for dst in range(_POOL):
            pool[dst] = mix(pool[dst], hashmix(words[src]))
    out = np.empty((n, 8), dtype=np.uint32)
    hash_b = _INIT_B
    for i in range(8):
        v = pool[i % _POOL] ^ np.uint32(hash_b)
        hash_b = (hash_b * _MULT_B) & _M32
        v = v * np.uint32(hash_b)
        out[:, i] = v ^ (v >> np.uint32(16))
    return out.astype("<u4").view("<u8").astype(np.uint64)


class _KnownState(ISeedSequence):
    """A seed sequence whose generated state is already known (from :func:`seed_states`)."""

    __slots__ = ("_state",)

    def __init__(self, state: np.ndarray) -> None:
        self._state = state

    def generate_state(self, n_words: int, dtype=np.uint32) -> np.ndarray:
        """The known state (only for PCG64's request: 4 words of uint64)."""
        if n_words != 4 or np.dtype(dtype) != np.uint64:
            raise ValueError("only PCG64's request (4 uint64 words) is known")
        return self._state


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
        self._states: dict[str, np.ndarray] = {}  # precomputed substream seeds, by family

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
        states = self._states.get(name)  # prepared: the name was checked then
        if states is not None and index < len(states):
            return np.random.Generator(np.random.PCG64(_KnownState(states[index])))
        entropy, spawn_key = self._family(name)
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(
            entropy, spawn_key=(*spawn_key, index))))

    def prepare_substreams(self, name: str, n: int) -> None:
        """Compute the seeds of substreams 0..n-1 of ``name`` at once (same streams, faster)."""
        self._states[name] = seed_states(*self._family(name), n)

    def _family(self, name: str) -> tuple[np.ndarray, tuple[int, ...]]:
        """The entropy words and spawn key shared by the substreams of ``name``."""
        key = self._families.get(name)
        if key is None:
            if name not in STREAM_NAMES:
                raise KeyError(f"unknown random stream {name!r}")
            ss = self.child(name)
            key = self._families[name] = (uint32_words(ss.entropy), ss.spawn_key)
        return key

    def integer_seed(self, name: str) -> int:
        """A 63-bit integer seed for libraries that want one (Mesa's ``rng=``)."""
        return int(self.child(name).generate_state(2, np.uint32).view(np.uint64)[0] >> 1)
