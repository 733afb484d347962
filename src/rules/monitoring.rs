//! Prevention of return to poverty (防止返贫监测): which households the income figures suggest
//! should be put under monitoring.
//!
//! The 2020 national rule watched households whose per-capita net income was below about 1.5 ×
//! the year's poverty line; from 2021 each province sets its own band. The factor is therefore
//! `Thresholds::marginal_factor`, never a literal here. Only the income test is automatic: rigid
//! expenses, sharp drops and sudden hardship (突发严重困难户) come from visits and the cadre's
//! judgement, and the decision itself is the county's after village review.

use super::income::{self, IncomeStanding, PovertyLines};
use crate::model::{HouseholdRecord, HouseholdStatus, MonitoredKind, Thresholds};

/// The monitoring kind the latest income suggests, if any:
/// - a household outside the registry (`NotRegistered`, or `Unassessed`: not yet identified)
///   whose latest per-capita income is above the line but below `marginal_factor × line` →
///   [`MonitoredKind::Marginal`] (边缘易致贫户);
/// - an exited household whose latest per-capita income is below `marginal_factor × line`
///   (including at or below the line itself) → [`MonitoredKind::UnstableExited`] (脱贫不稳定户).
///
/// Registered and already-monitored households get `None`: they are already followed. A
/// never-registered household at or below the line is not "marginal" but possibly missed at
/// identification; see [`possibly_missed`].
pub fn suggest(
    rec: &HouseholdRecord,
    lines: &PovertyLines,
    t: &Thresholds,
) -> Option<MonitoredKind> {
    let standing = income::latest_figures(rec, lines, t)?.standing;
    match (rec.household.status, standing) {
        (
            HouseholdStatus::NotRegistered | HouseholdStatus::Unassessed,
            IncomeStanding::Marginal,
        ) => Some(MonitoredKind::Marginal),
        (HouseholdStatus::Exited { .. }, IncomeStanding::Below | IncomeStanding::Marginal) => {
            Some(MonitoredKind::UnstableExited)
        }
        _ => None,
    }
}

/// True for a household that is not a registered poor household — never registered, not yet
/// identified, or monitored as marginal — whose latest per-capita income lies in the warning band
/// above the line. Used by the registry list's "marginal" filter.
pub fn is_marginal(rec: &HouseholdRecord, lines: &PovertyLines, t: &Thresholds) -> bool {
    matches!(
        rec.household.status,
        HouseholdStatus::NotRegistered
            | HouseholdStatus::Unassessed
            | HouseholdStatus::Monitored {
                kind: MonitoredKind::Marginal
            }
    ) && income::latest_figures(rec, lines, t)
        .is_some_and(|f| f.standing == IncomeStanding::Marginal)
}

/// True for a household outside the registry — never registered, or not yet identified — whose
/// latest per-capita income is at or below the line: a candidate for the missed-assessment (漏评)
/// review rather than for monitoring.
pub fn possibly_missed(rec: &HouseholdRecord, lines: &PovertyLines, t: &Thresholds) -> bool {
    rec.household.status.outside_registry()
        && income::latest_figures(rec, lines, t)
            .is_some_and(|f| f.standing == IncomeStanding::Below)
}

/// True for an exited household whose latest per-capita income is at or below the line: it
/// would not pass 一超 today, so it counts towards the county's wrong-exit (错退) rate.
pub fn wrongly_exited(rec: &HouseholdRecord, lines: &PovertyLines, t: &Thresholds) -> bool {
    matches!(rec.household.status, HouseholdStatus::Exited { .. })
        && income::latest_figures(rec, lines, t)
            .is_some_and(|f| f.standing == IncomeStanding::Below)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::fixtures::*;

    /// A one-person household with the given status and 2016 per-capita income
    /// (2016 line 2855, warning line 4282.5).
    fn one_person(status: HouseholdStatus, per_capita_2016: f64) -> HouseholdRecord {
        let mut rec = household("001", status);
        add_adults(&mut rec, 1);
        add_income(&mut rec, 2016, per_capita_2016);
        rec
    }

    fn suggestion(status: HouseholdStatus, per_capita_2016: f64) -> Option<MonitoredKind> {
        suggest(
            &one_person(status, per_capita_2016),
            &domain_lines(),
            &Thresholds::default(),
        )
    }

    #[test]
    fn never_registered_in_the_band_is_marginal() {
        let s = HouseholdStatus::NotRegistered;
        assert_eq!(suggestion(s, 3000.0), Some(MonitoredKind::Marginal));
        assert_eq!(suggestion(s, 2855.01), Some(MonitoredKind::Marginal));
        assert_eq!(suggestion(s, 4282.49), Some(MonitoredKind::Marginal));
        assert_eq!(suggestion(s, 4282.5), None); // 1.5 × 2855, the band's exclusive end
        assert_eq!(suggestion(s, 2855.0), None); // at the line: possibly missed, not marginal
    }

    #[test]
    fn exited_below_the_band_is_unstable() {
        let s = HouseholdStatus::Exited { year: 2016 };
        assert_eq!(suggestion(s, 4000.0), Some(MonitoredKind::UnstableExited));
        assert_eq!(suggestion(s, 2800.0), Some(MonitoredKind::UnstableExited));
        assert_eq!(suggestion(s, 4282.5), None);
    }

    #[test]
    fn registered_and_monitored_households_get_no_suggestion() {
        assert_eq!(suggestion(HouseholdStatus::Registered, 3000.0), None);
        let monitored = HouseholdStatus::Monitored {
            kind: MonitoredKind::SuddenHardship,
        };
        assert_eq!(suggestion(monitored, 3000.0), None);
    }

    #[test]
    fn no_income_record_no_suggestion() {
        let mut rec = household("001", HouseholdStatus::NotRegistered);
        add_adults(&mut rec, 2);
        assert_eq!(suggest(&rec, &domain_lines(), &Thresholds::default()), None);
        assert!(!is_marginal(&rec, &domain_lines(), &Thresholds::default()));
    }

    #[test]
    fn the_latest_year_decides() {
        let mut rec = one_person(HouseholdStatus::NotRegistered, 3000.0);
        add_income(&mut rec, 2017, 5000.0); // 2017 line 3026 → band to 4539
        assert_eq!(suggest(&rec, &domain_lines(), &Thresholds::default()), None);
    }

    #[test]
    fn the_band_factor_is_a_county_setting() {
        let rec = one_person(HouseholdStatus::NotRegistered, 5000.0);
        assert_eq!(suggest(&rec, &domain_lines(), &Thresholds::default()), None);
        let wider = Thresholds {
            marginal_factor: 2.0,
            ..Thresholds::default()
        };
        assert_eq!(
            suggest(&rec, &domain_lines(), &wider),
            Some(MonitoredKind::Marginal)
        );
        assert!(is_marginal(&rec, &domain_lines(), &wider));
    }

    #[test]
    fn marginal_filter_covers_unregistered_and_monitored_marginal() {
        let lines = domain_lines();
        let t = Thresholds::default();
        let marginal = |status| is_marginal(&one_person(status, 3000.0), &lines, &t);
        assert!(marginal(HouseholdStatus::NotRegistered));
        assert!(marginal(HouseholdStatus::Monitored {
            kind: MonitoredKind::Marginal
        }));
        assert!(!marginal(HouseholdStatus::Monitored {
            kind: MonitoredKind::SuddenHardship
        }));
        assert!(!marginal(HouseholdStatus::Registered));
        assert!(!marginal(HouseholdStatus::Exited { year: 2016 }));
        assert!(!is_marginal(
            &one_person(HouseholdStatus::NotRegistered, 2855.0),
            &lines,
            &t
        ));
    }

    #[test]
    fn exited_at_or_below_the_line_is_wrongly_exited() {
        let lines = domain_lines();
        let t = Thresholds::default();
        let exited = HouseholdStatus::Exited { year: 2016 };
        assert!(wrongly_exited(&one_person(exited, 2855.0), &lines, &t));
        assert!(!wrongly_exited(&one_person(exited, 2855.5), &lines, &t));
        assert!(!wrongly_exited(
            &one_person(HouseholdStatus::NotRegistered, 2000.0),
            &lines,
            &t
        ));
    }

    #[test]
    fn never_registered_at_or_below_the_line_is_possibly_missed() {
        let lines = domain_lines();
        let t = Thresholds::default();
        assert!(possibly_missed(
            &one_person(HouseholdStatus::NotRegistered, 2855.0),
            &lines,
            &t
        ));
        assert!(!possibly_missed(
            &one_person(HouseholdStatus::NotRegistered, 3000.0),
            &lines,
            &t
        ));
        assert!(!possibly_missed(
            &one_person(HouseholdStatus::Registered, 2000.0),
            &lines,
            &t
        ));
    }

    #[test]
    fn an_unassessed_household_is_looked_at_for_missed_and_marginal() {
        let lines = domain_lines();
        let t = Thresholds::default();
        let unassessed = HouseholdStatus::Unassessed;
        assert!(possibly_missed(&one_person(unassessed, 2855.0), &lines, &t));
        assert!(!possibly_missed(
            &one_person(unassessed, 2855.5),
            &lines,
            &t
        ));
        assert!(is_marginal(&one_person(unassessed, 3000.0), &lines, &t));
        assert_eq!(
            suggest(&one_person(unassessed, 3000.0), &lines, &t),
            Some(MonitoredKind::Marginal)
        );
        assert!(!wrongly_exited(&one_person(unassessed, 2000.0), &lines, &t));
    }

    #[test]
    fn after_2020_marginal_and_unstable_households_are_found_against_the_years_threshold() {
        // Sichuan 2024: threshold 7,300 (national reference figure), not 1.5 × 4,000 = 6,000.
        let lines = crate::rules::income::PovertyLines::default().for_province("51");
        let t = Thresholds::default();
        let in_2024 = |status, per_capita| {
            let mut rec = household("001", status);
            add_adults(&mut rec, 1);
            add_income(&mut rec, 2024, per_capita);
            rec
        };
        let never = in_2024(HouseholdStatus::NotRegistered, 7000.0);
        assert!(is_marginal(&never, &lines, &t));
        assert_eq!(suggest(&never, &lines, &t), Some(MonitoredKind::Marginal));
        assert!(!is_marginal(
            &in_2024(HouseholdStatus::NotRegistered, 7300.0),
            &lines,
            &t
        ));
        let exited = in_2024(HouseholdStatus::Exited { year: 2019 }, 7000.0);
        assert_eq!(
            suggest(&exited, &lines, &t),
            Some(MonitoredKind::UnstableExited)
        );
    }
}
