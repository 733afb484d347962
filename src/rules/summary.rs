//! One line per household for the registry list: what the table shows, filters and sorts on.
//! Pure: built from household records, the poverty-line table and the data-quality findings.

use std::cmp::Ordering;
use std::collections::HashMap;

use uuid::Uuid;

use super::income::{self, IncomeFigures, PovertyLines};
use super::monitoring;
use super::quality::Finding;
use crate::model::{Cause, Helper, HouseholdRecord, HouseholdStatus, Thresholds};

#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdSummary {
    pub id: Uuid,
    pub number: String,
    pub head_name: String,
    pub size: usize,
    pub status: HouseholdStatus,
    pub main_cause: Option<Cause>,
    /// Figures of the latest year that has an income record.
    pub latest: Option<IncomeFigures>,
    /// Not registered as poor, but income within the warning band above the line.
    pub marginal: bool,
    /// Number of data-quality findings on this household.
    pub problems: usize,
    /// The helpers the register assigns to the household, by name (、-joined); empty when none.
    pub helper_name: String,
    /// Lower-cased names and ID numbers of all members, for search as you type.
    search_text: String,
}

/// Builds the list lines of `records` (in the same order).
pub fn summarize(
    records: &[HouseholdRecord],
    lines: &PovertyLines,
    thresholds: &Thresholds,
    findings: &[Finding],
    helpers: &[Helper],
) -> Vec<HouseholdSummary> {
    let mut helper_names: HashMap<Uuid, String> = HashMap::new();
    for helper in helpers {
        for id in &helper.household_ids {
            let names = helper_names.entry(*id).or_default();
            if !names.is_empty() {
                names.push('、');
            }
            names.push_str(&helper.name);
        }
    }
    let mut problems: HashMap<Uuid, usize> = HashMap::new();
    for finding in findings {
        *problems.entry(finding.household_id).or_default() += 1;
    }
    records
        .iter()
        .map(|record| {
            let h = &record.household;
            let latest = income::latest_figures(record, lines, thresholds);
            let marginal = monitoring::is_marginal(record, lines, thresholds);
            let mut search_text = String::new();
            for m in &record.members {
                search_text.push_str(&m.name.to_lowercase());
                search_text.push('\u{1f}');
                search_text.push_str(&m.id_number.to_lowercase());
                search_text.push('\u{1f}');
            }
            HouseholdSummary {
                id: h.id,
                number: h.number.clone(),
                head_name: record.head().map(|m| m.name.clone()).unwrap_or_default(),
                size: record.size(),
                status: h.status,
                main_cause: h.main_cause,
                latest,
                marginal,
                problems: problems.get(&h.id).copied().unwrap_or(0),
                helper_name: helper_names.remove(&h.id).unwrap_or_default(),
                search_text,
            }
        })
        .collect()
}

/// Status groups offered by the list's status filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Not yet identified (待识别).
    Unassessed,
    NotRegistered,
    Registered,
    Exited,
    Monitored,
}

impl StatusFilter {
    pub const ALL: [StatusFilter; 5] = [
        StatusFilter::Registered,
        StatusFilter::Exited,
        StatusFilter::Monitored,
        StatusFilter::NotRegistered,
        StatusFilter::Unassessed,
    ];

    pub fn matches(self, status: HouseholdStatus) -> bool {
        matches!(
            (self, status),
            (StatusFilter::NotRegistered, HouseholdStatus::NotRegistered)
                | (StatusFilter::Unassessed, HouseholdStatus::Unassessed)
                | (StatusFilter::Registered, HouseholdStatus::Registered)
                | (StatusFilter::Exited, HouseholdStatus::Exited { .. })
                | (StatusFilter::Monitored, HouseholdStatus::Monitored { .. })
        )
    }
}

/// What the list is narrowed to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFilter {
    /// Part of a member's name or ID number (or the household number).
    pub search: String,
    pub status: Option<StatusFilter>,
    pub cause: Option<Cause>,
    pub marginal_only: bool,
    pub problems_only: bool,
}

impl ListFilter {
    pub fn matches(&self, s: &HouseholdSummary) -> bool {
        if self.status.is_some_and(|f| !f.matches(s.status)) {
            return false;
        }
        if self.cause.is_some_and(|c| s.main_cause != Some(c)) {
            return false;
        }
        if self.marginal_only && !s.marginal {
            return false;
        }
        if self.problems_only && s.problems == 0 {
            return false;
        }
        let needle = self.search.trim().to_lowercase();
        needle.is_empty() || s.number.contains(&needle) || s.search_text.contains(&needle)
    }

    /// How well a listed household answers the search: its number typed in full first, then a
    /// number containing the text, then a name or an ID number containing it (so "033" puts
    /// household 033 before the ID numbers that happen to hold 033).
    pub fn search_rank(&self, s: &HouseholdSummary) -> u8 {
        let needle = self.search.trim().to_lowercase();
        if needle.is_empty() || s.number.to_lowercase() == needle {
            0
        } else if s.number.to_lowercase().contains(&needle) {
            1
        } else {
            2
        }
    }
}

/// Puts the households whose number answers the search before those matched by a name or an ID
/// number; within each group the column order of [`sort`] stays.
pub fn search_first(rows: &mut [&HouseholdSummary], filter: &ListFilter) {
    rows.sort_by_key(|s| filter.search_rank(s));
}

/// Columns the list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Number,
    Head,
    Size,
    Status,
    Cause,
    Income,
    Helper,
    Problems,
}

fn status_rank(status: HouseholdStatus) -> (u8, i32) {
    match status {
        HouseholdStatus::Registered => (0, 0),
        HouseholdStatus::Monitored { kind } => (1, kind as i32),
        HouseholdStatus::Exited { year } => (2, year),
        HouseholdStatus::NotRegistered => (3, 0),
        HouseholdStatus::Unassessed => (4, 0),
    }
}

/// Sorts list lines by `key`; ties keep household-number order.
pub fn sort(rows: &mut [&HouseholdSummary], key: SortKey, ascending: bool) {
    rows.sort_by(|a, b| {
        let primary = match key {
            SortKey::Number => Ordering::Equal,
            SortKey::Head => a.head_name.cmp(&b.head_name),
            SortKey::Size => a.size.cmp(&b.size),
            SortKey::Status => status_rank(a.status).cmp(&status_rank(b.status)),
            SortKey::Cause => a.main_cause.cmp(&b.main_cause),
            SortKey::Income => {
                let pc = |s: &HouseholdSummary| s.latest.as_ref().map(|f| f.per_capita_yuan);
                pc(a).partial_cmp(&pc(b)).unwrap_or(Ordering::Equal)
            }
            SortKey::Helper => a.helper_name.cmp(&b.helper_name),
            SortKey::Problems => a.problems.cmp(&b.problems),
        };
        let ordering = primary.then_with(|| a.number.cmp(&b.number));
        if ascending {
            ordering
        } else {
            ordering.reverse()
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use chrono::NaiveDate;

    fn record(number: &str, status: HouseholdStatus, per_capita_net: f64) -> HouseholdRecord {
        let household_id = Uuid::new_v4();
        let birth = NaiveDate::from_ymd_opt(1970, 3, 1).unwrap();
        HouseholdRecord {
            household: Household {
                id: household_id,
                village_id: Uuid::nil(),
                number: number.into(),
                address: String::new(),
                phone: String::new(),
                bank_account: String::new(),
                attribute: PovertyAttribute::General,
                status,
                main_cause: Some(Cause::Illness),
                other_causes: vec![],
                living: LivingConditions::surveyed_safe(),
                unmatched_helper_name: String::new(),
            },
            members: vec![Member::new(
                household_id,
                format!("王{number}"),
                crate::rules::id_number::compose("510824", birth, 11, Sex::Male),
                Sex::Male,
                birth,
                Relation::Head,
            )],
            incomes: vec![IncomeYear {
                id: Uuid::new_v4(),
                household_id,
                year: 2016,
                wage_yuan: per_capita_net,
                production_yuan: 0.0,
                property_yuan: 0.0,
                transfer_yuan: 0.0,
                production_expense_yuan: 0.0,
            }],
            former_members: Vec::new(),
            departure: None,
        }
    }

    #[test]
    fn a_search_for_a_number_lists_that_household_before_id_numbers_holding_it() {
        let birth = NaiveDate::from_ymd_opt(1970, 3, 1).unwrap();
        let mut holds_033 = record("001", HouseholdStatus::Registered, 2000.0);
        holds_033.members[0].id_number =
            crate::rules::id_number::compose("510824", birth, 33, Sex::Male);
        assert!(holds_033.members[0].id_number.contains("033"));
        let records = vec![
            holds_033,
            record("0330", HouseholdStatus::Registered, 2000.0),
            record("033", HouseholdStatus::Registered, 2000.0),
        ];
        let rows = summarize(
            &records,
            &PovertyLines::default(),
            &Thresholds::default(),
            &[],
            &[],
        );
        let filter = ListFilter {
            search: " 033 ".into(),
            ..Default::default()
        };
        let mut hits: Vec<_> = rows.iter().filter(|r| filter.matches(r)).collect();
        sort(&mut hits, SortKey::Number, true);
        assert_eq!(
            hits[0].number, "001",
            "by number alone the ID match comes first"
        );
        search_first(&mut hits, &filter);
        let numbers: Vec<_> = hits.iter().map(|r| r.number.as_str()).collect();
        assert_eq!(numbers, ["033", "0330", "001"]);
    }

    #[test]
    fn marginal_filter_search_and_sort() {
        let records = vec![
            record("002", HouseholdStatus::NotRegistered, 3000.0), // 2016 line 2855: marginal
            record("001", HouseholdStatus::Registered, 2000.0),
            record("003", HouseholdStatus::NotRegistered, 9000.0),
        ];
        let rows = summarize(
            &records,
            &PovertyLines::default(),
            &Thresholds::default(),
            &[],
            &[],
        );
        assert!(rows[0].marginal);
        assert!(!rows[1].marginal && !rows[2].marginal);

        let filter = ListFilter {
            marginal_only: true,
            ..Default::default()
        };
        let hits: Vec<_> = rows.iter().filter(|r| filter.matches(r)).collect();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].number, "002");

        let filter = ListFilter {
            search: "王003".into(),
            ..Default::default()
        };
        assert_eq!(rows.iter().filter(|r| filter.matches(r)).count(), 1);
        let filter = ListFilter {
            search: "510824".into(),
            ..Default::default()
        };
        assert_eq!(rows.iter().filter(|r| filter.matches(r)).count(), 3);
        let filter = ListFilter {
            status: Some(StatusFilter::Registered),
            ..Default::default()
        };
        assert_eq!(rows.iter().filter(|r| filter.matches(r)).count(), 1);

        let mut sorted: Vec<_> = rows.iter().collect();
        sort(&mut sorted, SortKey::Income, false);
        let numbers: Vec<_> = sorted.iter().map(|r| r.number.as_str()).collect();
        assert_eq!(numbers, ["003", "002", "001"]);
        sort(&mut sorted, SortKey::Number, true);
        let numbers: Vec<_> = sorted.iter().map(|r| r.number.as_str()).collect();
        assert_eq!(numbers, ["001", "002", "003"]);
    }
}
