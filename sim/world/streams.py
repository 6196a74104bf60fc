"""Named random streams: one seed -> SeedSequence -> one generator per random process.

Each stream is keyed by a stable hash of its name, so adding a stream never shifts another, and
both policies draw the same disputes and calls from the same streams (common random numbers).
Every process of a township has its own stream, addressed by (replication, township, process),
so a township's events do not depend on which other townships are in the run, and a run can be
split by township across workers with the same numbers.

What the police response decides about a dispute (how an episode after the first goes, whether
a mediation settles it, how long it takes, whether a later fight injures, whether a visit finds
it) is drawn by address, not in sequence: the draw for (dispute, purpose, number) is a fixed
function of the dispute's key and that address (:func:`dispute_uniform`). The same decision of
the same dispute therefore meets the same number under both policies, whatever happened to it
before (issue 14: a shared per-dispute sequence consumed in a history-dependent order left the
policies' escalation outcomes uncorrelated).
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
    "dispute_fate",  # per-dispute keys of the addressed draws (:func:`dispute_uniform`):
    #                  mediation outcomes and times, later episodes' clocks, injuries and
    #                  reports of later fights, discovery on visits
    # The mechanisms of issue 15 (each used only when its switch is on, so the draws above
    # are untouched when they are off); per township (:meth:`RandomStreams.township`). What
    # they decide about a dispute after the police act is drawn by address (REPORT, ...).
    "household_repeats",  # the exogenous cascade of repeat disputes (counts and delays)
    "repeat_clocks",  # first-episode clocks of those repeats
    "household_frailty",  # households' dispute proneness (households.frailty_cv > 0)
    "festival_leave",  # per township: who is on leave in a Spring Festival window (rhythm)
    "mesa",  # Mesa's own model.rng / model.random (grids, shuffles)
    "dispatch_lottery",  # per township: each responder's dispatch tie-break number
    "dispatch_random",  # the 'random' dispatch tie-break
    "on_call_answer",  # whether an auxiliary phoned at home answers at once
    "officer_attendance",  # time on scene of an officer sent after an auxiliary
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


# SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators",
# OOPSLA; the finaliser is Stafford's "Mix13"): output number p of the stream seeded with
# ``key`` is mix(key + (p + 1) * gamma). It passes BigCrush as a sequence; here it serves as a
# counter-based generator, the counter being the address of the draw.
_M64, _GAMMA = 0xFFFFFFFFFFFFFFFF, 0x9E3779B97F4A7C15
_MIX1, _MIX2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB

#: Purposes of a dispute's addressed draws (the ``purpose`` of :func:`dispute_uniform`).
EPISODE_CLOCKS = 0  # number = episode (2, 3, ...); ``j`` = which clock (Clocks field order)
MEDIATION_OUTCOME = 1  # number = the intervention's rank (1st, 2nd, ...)
ON_SCENE = 2  # number = the intervention's rank
CONVENE = 3  # number = the referral (there is at most one)
INJURY = 4  # number = the fight's rank (2nd fight on: the first's is drawn with its episode)
FIGHT_REPORT = 5  # number = the fight's rank (likewise)
DETECTION = 6  # number = the screening visit's rank among those that met the dispute latent
# The mechanisms of issue 15 (drawn only when their switch is on):
REPORT = 7  # reporting channel, a flare's report: number = the flare's rank; j = 0 whether,
#             1 to whom, 2 the delay
FIGHT_ROUTE = 8  # reporting channel, a reported fight: number = the fight's rank; j as REPORT
CALM = 9  # acute.quarrel_clocks: number = the flare's rank (the quarrel's calm clock)
FIGHT_COURSE = 10  # acute.fight_duration: number = the fight's rank; j = 0 its length, 1 the
#                    time of an injury
FAILED_MEDIATION = 11  # households: number = the failed intervention's rank; j = 0 how many
#                        repeats, 1.. their delays
REPEAT_KEY = 12  # households: number = that rank; j = which repeat (its dispute key)
_PURPOSES, _SLOTS = 8, 16  # purposes 0-7 in one block, and up to 16 draws per address
_BLOCK = 1 << 40  # purposes 8-15 address numbers shifted by this (0-7 keep their addresses)


def dispute_uniform(key: int, purpose: int, number: int, j: int = 0) -> float:
    """The uniform draw of one dispute at one address, in the open interval (0, 1).

    Args:
        key: The dispute's 64-bit key (:meth:`RandomStreams.dispute_keys`).
        purpose: One of the purpose constants above.
        number: Which episode, intervention, fight or visit.
        j: Which draw at that address (0 to 15).

    """
    return ((dispute_bits(key, purpose, number, j) >> 11) + 0.5) * 1.1102230246251565e-16


def dispute_bits(key: int, purpose: int, number: int, j: int = 0) -> int:
    """The 64 random bits behind :func:`dispute_uniform` (e.g. the key of a dispute it starts).

    Purposes 8 and above address numbers shifted by 2**40 per block of eight, so adding them
    left the addresses of purposes 0-7 (and their draws) unchanged.
    """
    number += (purpose // _PURPOSES) * _BLOCK
    purpose %= _PURPOSES
    z = (key + ((number * _PURPOSES + purpose) * _SLOTS + j + 1) * _GAMMA) & _M64
    z = ((z ^ (z >> 30)) * _MIX1) & _M64
    z = ((z ^ (z >> 27)) * _MIX2) & _M64
    return z ^ (z >> 31)


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
        self._township_streams: dict[tuple[str, int], np.random.Generator] = {}
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

    def township(self, name: str, township: int) -> np.random.Generator:
        """The generator of process ``name`` in township ``township`` of this replication.

        ``SeedSequence(root, spawn_key=(replication, crc32(name), township))``: independent of
        how many townships the run has and of which of them a worker simulates. Created on
        first use; every later call returns the same generator.
        """
        gen = self._township_streams.get((name, township))
        if gen is None:  # created once: later calls go on drawing from the same generator
            if name not in STREAM_NAMES:
                raise KeyError(f"unknown random stream {name!r}")
            ss = self.child(name)
            gen = self._township_streams[(name, township)] = np.random.default_rng(
                np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, township)))
        return gen

    def dispute_keys(self, township: int, n: int) -> list[int]:
        """The keys of disputes 0..n-1 of a township (in the order they arise there).

        Key ``k`` is the first 64-bit word of ``SeedSequence(root, spawn_key=(replication,
        crc32("dispute_fate"), township, k))``'s state, computed for all ``k`` at once.
        """
        entropy, spawn_key = self._family("dispute_fate")
        if n == 0:
            return []
        return seed_states(entropy, (*spawn_key, township), n)[:, 0].tolist()

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
