//! CPython's random number generator, bit for bit.
//!
//! The Python tutorial this crate ports rolls dice with the `random` module
//! and prints the rolls. To show that the Rust port behaves the same, it has
//! to print the *same* rolls for the same `--seed`, so "a good random number
//! generator" is not enough: we need the exact one CPython uses.
//!
//! That generator is the Mersenne Twister MT19937 (Matsumoto and Nishimura,
//! 1998). It keeps 624 32-bit words of state. Every 624 draws it "twists"
//! the whole state at once, mixing each word with its neighbour and with
//! the word 397 places ahead; each draw then takes one state word and
//! "tempers" it with a few shifts and masks so that its bits look
//! independent. The period is 2^19937 − 1, hence the name.
//!
//! Three details must match CPython exactly, and [`PyRandom`] copies them:
//!
//! * **Seeding.** `random.seed(n)` takes `abs(n)`, splits it into
//!   little-endian 32-bit words (at least one), and feeds them to the
//!   reference `init_by_array`, which first fills the state from the
//!   constant 19650218 and then stirs the key words in. See
//!   [`PyRandom::from_key`] and [`Seed`].
//! * **Floats.** `random()` draws two words, keeps the top 27 bits of the
//!   first (`a`) and the top 26 bits of the second (`b`), and returns
//!   `(a * 2^26 + b) / 2^53`: a multiple of 2^-53 in `[0, 1)`, using all 53
//!   bits an `f64` mantissa holds. See [`PyRandom::random`].
//! * **Uniform.** `uniform(a, b)` is `a + (b - a) * random()`, rounding and
//!   all. See [`PyRandom::uniform`].
//!
//! [`PyRandom`] also implements the `rand` traits, so anything written
//! against [`rand::Rng`] can use it. Beware one name clash: `rand`'s
//! `RngExt::random::<f64>()` builds floats differently from CPython. The
//! inherent [`PyRandom::random`] wins method lookup, so `rng.random()` is
//! CPython's; only a generic `R: RngExt` caller would get `rand`'s.

use std::convert::Infallible;
use std::fmt;

use rand::rand_core::utils;
use rand::{SeedableRng, TryRng};

use super::seed::Seed;

/// Words of state.
const N: usize = 624;
/// Distance to the word each twisted word is mixed with.
const M: usize = 397;
/// The twist matrix, in the compact form the reference code uses.
const MATRIX_A: u32 = 0x9908_b0df;
/// The twist joins the top bit of one word with the low 31 bits of the next.
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// CPython's Mersenne Twister: the generator behind Python's `random`.
///
/// Create it with [`PyRandom::from_seed_value`] (what `random.seed(n)`
/// does), then draw with [`random`](PyRandom::random),
/// [`uniform`](PyRandom::uniform) or the [`rand::Rng`] methods.
///
/// ```
/// use minimalist_async::demo::{PyRandom, Seed};
///
/// // Python: random.seed(7); random.random()
/// let mut rng = PyRandom::from_seed_value(&Seed::from_u64(7));
/// assert_eq!(rng.random(), 0.32383276483316237);
/// ```
#[derive(Clone)]
pub struct PyRandom {
    /// Boxed because 2.5 KB inline would make every move of the generator,
    /// and every enum or struct holding one, that large.
    state: Box<[u32; N]>,
    /// Next state word to hand out; `N` means "twist first".
    index: usize,
}

impl fmt::Debug for PyRandom {
    /// Shows only the position: 624 words of state help nobody reading a
    /// debug print.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PyRandom").field("index", &self.index).finish_non_exhaustive()
    }
}

impl PyRandom {
    /// The generator `init_by_array(key)` produces, where `key` is a list of
    /// 32-bit words, least significant first (how CPython splits a seed).
    ///
    /// An empty key acts as `[0]`, which is what `random.seed(0)` uses.
    ///
    /// ```
    /// use minimalist_async::demo::PyRandom;
    ///
    /// // Python: random.seed(2**32); random.random()
    /// let mut rng = PyRandom::from_key(&[0, 1]);
    /// assert_eq!(rng.random(), 0.11299430095636409);
    ///
    /// // Python: random.seed(0); random.random()
    /// assert_eq!(PyRandom::from_key(&[]).random(), 0.8444218515250481);
    /// ```
    pub fn from_key(key: &[u32]) -> PyRandom {
        let key = if key.is_empty() { &[0][..] } else { key };
        let mut rng = PyRandom::from_u32(19_650_218);
        let mt = &mut rng.state;
        // Stir the key in, cycling through whichever of the state and key
        // is shorter, so that every key word touches the state and every
        // state word is touched.
        let mut i = 1;
        let mut j = 0;
        for _ in 0..N.max(key.len()) {
            let previous = mt[i - 1] ^ (mt[i - 1] >> 30);
            mt[i] = (mt[i] ^ previous.wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        // A second pass without the key spreads the last key words' effect
        // over the whole state.
        for _ in 0..N - 1 {
            let previous = mt[i - 1] ^ (mt[i - 1] >> 30);
            mt[i] = (mt[i] ^ previous.wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        // Guarantees a non-zero state: an all-zero state would only ever
        // produce zeros.
        mt[0] = 0x8000_0000;
        rng
    }

    /// The generator `random.seed(n)` produces for the integer `n`.
    ///
    /// ```
    /// use minimalist_async::demo::{PyRandom, Seed};
    ///
    /// // Python: random.seed(-7) is the same as random.seed(7).
    /// let seed: Seed = "-7".parse().unwrap();
    /// let mut rng = PyRandom::from_seed_value(&seed);
    /// assert_eq!(rng.random(), 0.32383276483316237);
    /// ```
    pub fn from_seed_value(seed: &Seed) -> PyRandom {
        PyRandom::from_key(seed.key())
    }

    /// The reference `init_genrand(seed)`: fills the state from one word
    /// with a linear-congruential recurrence. CPython only uses it as the
    /// first step of [`PyRandom::from_key`].
    fn from_u32(seed: u32) -> PyRandom {
        let mut state = Box::new([0u32; N]);
        state[0] = seed;
        for i in 1..N {
            let previous = state[i - 1] ^ (state[i - 1] >> 30);
            state[i] = previous.wrapping_mul(1_812_433_253).wrapping_add(i as u32);
        }
        PyRandom { state, index: N }
    }

    /// Regenerates all 624 state words at once.
    fn twist(&mut self) {
        let mt = &mut self.state;
        // Indexing modulo N lets one loop cover the wrap-around that the
        // reference code spells out as three loops; the order of updates,
        // and therefore the result, is the same.
        for k in 0..N {
            let y = (mt[k] & UPPER_MASK) | (mt[(k + 1) % N] & LOWER_MASK);
            let odd = if y & 1 == 1 { MATRIX_A } else { 0 };
            mt[k] = mt[(k + M) % N] ^ (y >> 1) ^ odd;
        }
        self.index = 0;
    }

    /// One 32-bit output: the reference `genrand_uint32`.
    fn genrand(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        // Tempering: the raw state words are linear combinations of each
        // other, and these shifts hide that from statistical tests.
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// Python's `random.random()`: a float in `[0, 1)` built from two draws.
    ///
    /// The first draw gives the high 27 bits and the second the low 26 bits
    /// of a 53-bit integer, which is then divided by 2^53. Every step is
    /// exact in `f64`, so the result is the same on every machine.
    ///
    /// ```
    /// use minimalist_async::demo::{PyRandom, Seed};
    ///
    /// // Python: random.seed(0); [random.random() for _ in range(2)]
    /// let mut rng = PyRandom::from_seed_value(&Seed::from_u64(0));
    /// assert_eq!(rng.random(), 0.8444218515250481);
    /// assert_eq!(rng.random(), 0.7579544029403025);
    /// ```
    pub fn random(&mut self) -> f64 {
        let a = f64::from(self.genrand() >> 5);
        let b = f64::from(self.genrand() >> 6);
        (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Python's `random.uniform(a, b)`: `a + (b - a) * random()`.
    ///
    /// Written exactly as Python writes it, so that the rounding matches too;
    /// `b` itself can come out when the product rounds up.
    ///
    /// ```
    /// use minimalist_async::demo::{PyRandom, Seed};
    ///
    /// // Python: random.seed(12); random.uniform(1.0, 3.0)
    /// let mut rng = PyRandom::from_seed_value(&Seed::from_u64(12));
    /// assert_eq!(rng.uniform(1.0, 3.0), 1.9491413573770962);
    /// ```
    pub fn uniform(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.random()
    }
}

/// The `rand` view of the generator. Because the error type is
/// [`Infallible`], `rand` also provides [`rand::Rng`] (`next_u32`,
/// `next_u64`, `fill_bytes`) for it.
///
/// ```
/// use minimalist_async::demo::{PyRandom, Seed};
/// use rand::Rng;
///
/// // Python: random.seed(42); random.getrandbits(32)
/// let mut rng = PyRandom::from_seed_value(&Seed::from_u64(42));
/// assert_eq!(rng.next_u32(), 2746317213);
///
/// // Python: random.seed(7); random.getrandbits(32); random.getrandbits(64)
/// let mut rng = PyRandom::from_seed_value(&Seed::from_u64(7));
/// assert_eq!(rng.next_u32(), 1390851128);
/// assert_eq!(rng.next_u64(), 2782676153706958308);
/// ```
impl TryRng for PyRandom {
    type Error = Infallible;

    /// One tempered Mersenne Twister word; Python's `getrandbits(32)`.
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.genrand())
    }

    /// Low word first, then high word: Python's `getrandbits(64)` fills its
    /// result from the least significant end the same way.
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        utils::next_u64_via_u32(self)
    }

    /// Fills with whole 32-bit words in little-endian byte order.
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        utils::fill_bytes_via_next_word(dst, || self.try_next_u32())
    }
}

/// Seeding through `rand`, defined so that it agrees with Python.
///
/// ```
/// use minimalist_async::demo::PyRandom;
/// use rand::SeedableRng;
///
/// // Python: random.seed(7); random.random()
/// let mut rng = PyRandom::seed_from_u64(7);
/// assert_eq!(rng.random(), 0.32383276483316237);
///
/// // Python: random.seed(int.from_bytes(bytes(range(32)), "little"))
/// let bytes: [u8; 32] = std::array::from_fn(|i| i as u8);
/// let mut rng = PyRandom::from_seed(bytes);
/// assert_eq!(rng.random(), 0.010141655425500384);
/// ```
impl SeedableRng for PyRandom {
    type Seed = [u8; 32];

    /// Same as Python's `random.seed(int.from_bytes(seed, "little"))`.
    fn from_seed(seed: [u8; 32]) -> PyRandom {
        let words: [u32; 8] = utils::read_words(&seed);
        // CPython builds the key from the integer, so high zero words, which
        // the integer does not have, are not part of it.
        let used = words.iter().rposition(|&w| w != 0).map_or(1, |top| top + 1);
        PyRandom::from_key(&words[..used])
    }

    /// Same as Python's `random.seed(state)`. `rand`'s default would first
    /// scramble `state` into 32 bytes, giving different numbers.
    fn seed_from_u64(state: u64) -> PyRandom {
        PyRandom::from_seed_value(&Seed::from_u64(state))
    }
}
