//! Hybrid logical clocks: physical milliseconds, a counter for events within one millisecond (or
//! while the wall clock lags a clock already seen), and the device id as the final tiebreak. Two
//! stamps from different devices never compare equal, and a stamp taken after seeing another is
//! always greater than it, whatever the devices' wall clocks say.
//!
//! Stamps are stored as fixed-width text (`0001700000000000-00000-<uuid>`) so that SQLite and
//! string comparison order them exactly like [`Hlc`]'s `Ord`.

use std::collections::BTreeMap;
use std::fmt;

use uuid::Uuid;

/// One hybrid-logical-clock stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hlc {
    pub physical_ms: u64,
    pub counter: u32,
    pub device: Uuid,
}

impl Hlc {
    /// The next stamp of `device` at wall time `now_ms`, after the last stamp it issued or saw.
    pub fn next(last: Option<Hlc>, now_ms: u64, device: Uuid) -> Hlc {
        match last {
            Some(last) if last.physical_ms >= now_ms => Hlc {
                physical_ms: last.physical_ms,
                counter: last.counter + 1,
                device,
            },
            _ => Hlc {
                physical_ms: now_ms,
                counter: 0,
                device,
            },
        }
    }

    /// Parses the stored text form; `None` for anything else.
    pub fn parse(text: &str) -> Option<Hlc> {
        let mut parts = text.splitn(3, '-');
        let ms = parts.next()?;
        let counter = parts.next()?;
        let device = parts.next()?;
        if ms.len() != 16 || counter.len() != 10 {
            return None;
        }
        Some(Hlc {
            physical_ms: ms.parse().ok()?,
            counter: counter.parse().ok()?,
            device: Uuid::parse_str(device).ok()?,
        })
    }

    /// The current wall time in milliseconds since the Unix epoch.
    pub fn wall_ms() -> u64 {
        chrono::Utc::now().timestamp_millis().max(0) as u64
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:016}-{:010}-{}",
            self.physical_ms,
            self.counter,
            self.device.hyphenated()
        )
    }
}

/// What a field version had seen when it was written: for each device, the newest stamp of that
/// device's writes to the field that this version supersedes (its own stamp included). Version
/// `a` saw version `b` exactly when `a.seen[b.device] >= b.stamp`: then `a` overwrote `b` knowingly
/// and `b` is no conflict.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Seen(pub BTreeMap<String, String>);

impl Seen {
    /// Parses the stored JSON; an unreadable value reads as "saw nothing" (so the merge keeps
    /// conflicts rather than dropping values).
    pub fn from_json(text: &str) -> Seen {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a string map serialises")
    }

    /// Whether a version carrying this map had seen the write `stamp`.
    pub fn covers(&self, stamp: &str) -> bool {
        let Some(hlc) = Hlc::parse(stamp) else {
            // The unstamped version of a bulk-loaded record precedes every stamped write.
            return true;
        };
        self.0
            .get(&hlc.device.to_string())
            .is_some_and(|seen| seen.as_str() >= stamp)
    }

    /// Adds one write (newer entries win).
    pub fn add(&mut self, stamp: &str) {
        if let Some(hlc) = Hlc::parse(stamp) {
            let entry = self.0.entry(hlc.device.to_string()).or_default();
            if entry.as_str() < stamp {
                *entry = stamp.to_string();
            }
        }
    }

    /// Pointwise maximum of two maps.
    pub fn union(&self, other: &Seen) -> Seen {
        let mut out = self.clone();
        for stamp in other.0.values() {
            out.add(stamp);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(n: u8) -> Uuid {
        Uuid::from_bytes([n; 16])
    }

    #[test]
    fn a_later_wall_clock_resets_the_counter() {
        let first = Hlc::next(None, 1_000, dev(1));
        assert_eq!((first.physical_ms, first.counter), (1_000, 0));
        let second = Hlc::next(Some(first), 2_000, dev(1));
        assert_eq!((second.physical_ms, second.counter), (2_000, 0));
        assert!(second > first);
    }

    #[test]
    fn a_lagging_wall_clock_still_moves_forward() {
        let seen = Hlc::next(None, 5_000, dev(2));
        let mine = Hlc::next(Some(seen), 1_000, dev(1));
        assert_eq!((mine.physical_ms, mine.counter), (5_000, 1));
        assert!(mine > seen);
    }

    #[test]
    fn equal_time_and_counter_are_ordered_by_device() {
        let a = Hlc::next(None, 7, dev(1));
        let b = Hlc::next(None, 7, dev(2));
        assert!(a < b);
        assert!(a.to_string() < b.to_string());
    }

    #[test]
    fn text_form_round_trips_and_sorts_like_the_clock() {
        let stamps = [
            Hlc::next(None, 9, dev(3)),
            Hlc::next(None, 10, dev(1)),
            Hlc::next(Some(Hlc::next(None, 10, dev(1))), 10, dev(1)),
            Hlc::next(None, 1_700_000_000_000, dev(0)),
        ];
        for s in &stamps {
            assert_eq!(Hlc::parse(&s.to_string()), Some(*s));
        }
        for a in &stamps {
            for b in &stamps {
                assert_eq!(a.cmp(b), a.to_string().cmp(&b.to_string()));
            }
        }
        assert_eq!(Hlc::parse("garbage"), None);
        assert_eq!(Hlc::parse(""), None);
    }

    #[test]
    fn seen_map_covers_older_writes_of_a_device_only() {
        let old = Hlc::next(None, 10, dev(1)).to_string();
        let new = Hlc::next(None, 20, dev(1)).to_string();
        let other = Hlc::next(None, 15, dev(2)).to_string();
        let mut seen = Seen::default();
        seen.add(&new);
        assert!(seen.covers(&old));
        assert!(seen.covers(&new));
        assert!(!seen.covers(&other));
        assert!(seen.covers(""), "an unstamped bulk value is always covered");
        let both = seen.union(&Seen::from_json(&{
            let mut s = Seen::default();
            s.add(&other);
            s.to_json()
        }));
        assert!(both.covers(&other) && both.covers(&new));
        assert_eq!(Seen::from_json("not json"), Seen::default());
    }
}
