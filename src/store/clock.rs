//! Hybrid logical clocks, as the store keeps them: a 64-bit clock (wall-clock milliseconds shifted
//! left by 16 bits, plus a counter for events within one millisecond or while the wall clock lags
//! a clock already seen) and the device that took the stamp as the final tiebreak. Two stamps from
//! different devices never compare equal, and a stamp taken after seeing another is always greater
//! than it, whatever the devices' wall clocks say.
//!
//! Stamps are integers in the database (`sync_stamp`, `sync_field.stamp`) with the device as a
//! small local number (`sync_device`); conflicts and the screens show them as fixed-width text
//! (`0001700000000000-0000000000-<uuid>`, the form of bundle format 1), which sorts like the clock.

use uuid::Uuid;

/// Bits of the clock below the milliseconds: the counter.
const COUNTER_BITS: u32 = 16;

/// One hybrid-logical-clock stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    /// Milliseconds since the Unix epoch << 16 | counter.
    pub clock: i64,
    pub device: Uuid,
}

impl Stamp {
    /// The next stamp of `device` at wall time `now_ms`, after the last clock it issued or saw.
    pub fn next(last_clock: Option<i64>, now_ms: u64, device: Uuid) -> Stamp {
        let wall = i64::try_from(now_ms).unwrap_or(i64::MAX >> COUNTER_BITS) << COUNTER_BITS;
        let clock = match last_clock {
            Some(last) if last >= wall => last + 1,
            _ => wall,
        };
        Stamp { clock, device }
    }

    /// The wall-clock milliseconds of the stamp.
    pub fn physical_ms(&self) -> i64 {
        self.clock >> COUNTER_BITS
    }

    /// The counter within the millisecond.
    pub fn counter(&self) -> i64 {
        self.clock & ((1 << COUNTER_BITS) - 1)
    }

    /// Parses the text form (also the stamps of bundle format 1 and schema 3); `None` for anything
    /// else. A format-1 counter beyond 16 bits carries into the milliseconds, which keeps the order
    /// of one device's stamps.
    pub fn parse(text: &str) -> Option<Stamp> {
        let mut parts = text.splitn(3, '-');
        let ms = parts.next()?;
        let counter = parts.next()?;
        let device = parts.next()?;
        if ms.len() != 16 || counter.len() != 10 {
            return None;
        }
        let ms: i64 = ms.parse().ok()?;
        let counter: i64 = counter.parse().ok()?;
        Some(Stamp {
            clock: ms.checked_shl(COUNTER_BITS)?.checked_add(counter)?,
            device: Uuid::parse_str(device).ok()?,
        })
    }

    /// The current wall time in milliseconds since the Unix epoch.
    pub fn wall_ms() -> u64 {
        chrono::Utc::now().timestamp_millis().max(0) as u64
    }
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:016}-{:010}-{}",
            self.physical_ms(),
            self.counter(),
            self.device.hyphenated()
        )
    }
}

/// What a field version had seen when it was written: for each device, the newest stamp of that
/// device's writes to the field that this version supersedes (its own stamp included). Version
/// `a` saw version `b` exactly when `a.seen[b.device] >= b.stamp`: then `a` overwrote `b` knowingly
/// and `b` is no conflict. Sorted by device, one stamp per device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Seen(Vec<Stamp>);

impl Seen {
    /// The map of a version that saw only itself.
    pub fn only(stamp: Stamp) -> Seen {
        Seen(vec![stamp])
    }

    /// Whether a version carrying this map had seen the write `stamp` (`None`: an unstamped value,
    /// which every stamped write supersedes).
    pub fn covers(&self, stamp: Option<Stamp>) -> bool {
        let Some(stamp) = stamp else {
            return true;
        };
        self.0
            .iter()
            .any(|s| s.device == stamp.device && s.clock >= stamp.clock)
    }

    /// Adds one write (the newer stamp of a device wins).
    pub fn add(&mut self, stamp: Stamp) {
        match self.0.binary_search_by(|s| s.device.cmp(&stamp.device)) {
            Ok(i) => {
                if self.0[i].clock < stamp.clock {
                    self.0[i] = stamp;
                }
            }
            Err(i) => self.0.insert(i, stamp),
        }
    }

    /// Pointwise maximum of two maps.
    pub fn union(&self, other: &Seen) -> Seen {
        let mut out = self.clone();
        for stamp in &other.0 {
            out.add(*stamp);
        }
        out
    }

    pub fn stamps(&self) -> &[Stamp] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<Stamp> for Seen {
    fn from_iter<I: IntoIterator<Item = Stamp>>(iter: I) -> Seen {
        let mut seen = Seen::default();
        for stamp in iter {
            seen.add(stamp);
        }
        seen
    }
}

/// The clock of one field version: its stamp (`None` for a value written before sync existed or
/// by a bulk load) and what it had seen.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct FieldClock {
    pub stamp: Option<Stamp>,
    pub seen: Seen,
}

impl FieldClock {
    /// The clock of a field written by the change `stamp` that saw nothing else.
    pub fn written(stamp: Stamp) -> FieldClock {
        FieldClock {
            stamp: Some(stamp),
            seen: Seen::only(stamp),
        }
    }

    /// The clock every field of a record has unless it was changed on its own since: the record's
    /// stamp, having seen only itself (or unstamped).
    pub fn of_record(stamp: Option<Stamp>) -> FieldClock {
        stamp.map_or_else(FieldClock::default, FieldClock::written)
    }
}

/// Splits the clocks of a record's fields into the record's stamp and the fields whose clock
/// differs from it: the stamp chosen is the one most fields share, so a record written in one
/// change carries one stamp and no field clocks.
pub fn compress(clocks: &[FieldClock]) -> (Option<Stamp>, Vec<(usize, FieldClock)>) {
    let mut best: (usize, Option<Stamp>) = (0, None);
    for candidate in clocks {
        if candidate.stamp.is_some() && *candidate != FieldClock::of_record(candidate.stamp) {
            continue;
        }
        let shared = clocks.iter().filter(|c| *c == candidate).count();
        if shared > best.0 {
            best = (shared, candidate.stamp);
        }
    }
    let default = FieldClock::of_record(best.1);
    let overrides = clocks
        .iter()
        .enumerate()
        .filter(|(_, c)| **c != default)
        .map(|(i, c)| (i, c.clone()))
        .collect();
    (best.1, overrides)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(n: u8) -> Uuid {
        Uuid::from_bytes([n; 16])
    }

    #[test]
    fn a_later_wall_clock_resets_the_counter() {
        let first = Stamp::next(None, 1_000, dev(1));
        assert_eq!((first.physical_ms(), first.counter()), (1_000, 0));
        let second = Stamp::next(Some(first.clock), 2_000, dev(1));
        assert_eq!((second.physical_ms(), second.counter()), (2_000, 0));
        assert!(second > first);
    }

    #[test]
    fn a_lagging_wall_clock_still_moves_forward() {
        let seen = Stamp::next(None, 5_000, dev(2));
        let mine = Stamp::next(Some(seen.clock), 1_000, dev(1));
        assert_eq!((mine.physical_ms(), mine.counter()), (5_000, 1));
        assert!(mine > seen);
    }

    #[test]
    fn equal_clocks_are_ordered_by_device() {
        let a = Stamp::next(None, 7, dev(1));
        let b = Stamp::next(None, 7, dev(2));
        assert!(a < b);
        assert!(a.to_string() < b.to_string());
    }

    #[test]
    fn text_form_round_trips_and_sorts_like_the_clock() {
        let stamps = [
            Stamp::next(None, 9, dev(3)),
            Stamp::next(None, 10, dev(1)),
            Stamp::next(Some(Stamp::next(None, 10, dev(1)).clock), 10, dev(1)),
            Stamp::next(None, 1_700_000_000_000, dev(0)),
        ];
        for s in &stamps {
            assert_eq!(Stamp::parse(&s.to_string()), Some(*s));
        }
        for a in &stamps {
            for b in &stamps {
                assert_eq!(a.cmp(b), a.to_string().cmp(&b.to_string()));
            }
        }
        // The stamps of bundle format 1 read as the same clock.
        let old = format!("{:016}-{:010}-{}", 1_700_000_000_123u64, 2, dev(4));
        let parsed = Stamp::parse(&old).unwrap();
        assert_eq!(
            (parsed.physical_ms(), parsed.counter()),
            (1_700_000_000_123, 2)
        );
        assert_eq!(parsed.to_string(), old);
        assert_eq!(Stamp::parse("garbage"), None);
        assert_eq!(Stamp::parse(""), None);
    }

    #[test]
    fn seen_map_covers_older_writes_of_a_device_only() {
        let old = Stamp::next(None, 10, dev(1));
        let new = Stamp::next(None, 20, dev(1));
        let other = Stamp::next(None, 15, dev(2));
        let mut seen = Seen::default();
        seen.add(new);
        seen.add(old);
        assert_eq!(seen.stamps(), &[new]);
        assert!(seen.covers(Some(old)) && seen.covers(Some(new)));
        assert!(!seen.covers(Some(other)));
        assert!(
            seen.covers(None),
            "an unstamped bulk value is always covered"
        );
        let both = seen.union(&Seen::only(other));
        assert!(both.covers(Some(other)) && both.covers(Some(new)));
    }

    #[test]
    fn a_record_written_at_once_keeps_one_stamp_and_no_field_clocks() {
        let a = Stamp::next(None, 10, dev(1));
        let b = Stamp::next(None, 20, dev(2));
        let same = vec![FieldClock::written(a); 5];
        assert_eq!(compress(&same), (Some(a), vec![]));
        let mut edited = same.clone();
        edited[3] = FieldClock {
            stamp: Some(b),
            seen: [a, b].into_iter().collect(),
        };
        assert_eq!(compress(&edited), (Some(a), vec![(3, edited[3].clone())]));
        // A bulk-loaded record with one stamped edit stays unstamped.
        let mut bulk = vec![FieldClock::default(); 4];
        bulk[1] = FieldClock::written(b);
        assert_eq!(compress(&bulk), (None, vec![(1, FieldClock::written(b))]));
    }
}
