//! Membership by year (家庭人口按年): members join and leave on dates, and the income of a year is
//! divided by the members of that year, so adding a member in 2020 leaves 2016–2019 as they were.
//!
//! A member counts in year `Y` when on the register at the end of that year (年末在册): joined on
//! or before 31 December `Y` (or on the register from the start) and not left by then. A member
//! who left during `Y` does not count in `Y`, so one person moving between two households is
//! counted once. A household that left the registry keeps the years it was there.

use chrono::{Datelike, NaiveDate};

use crate::i18n::{Lang, Localize};
use crate::model::{HouseholdRecord, Member};

/// Whether `m` was a member at the end of `year`.
pub fn member_in(m: &Member, year: i32) -> bool {
    let joined = m.joined_on.is_none_or(|d| d.year() <= year);
    let still_there = m.left_on.is_none_or(|d| d.year() > year);
    joined && still_there
}

/// The household size of `year`: every member, present or former, who was there at its end.
pub fn size_in(rec: &HouseholdRecord, year: i32) -> usize {
    rec.all_members().filter(|m| member_in(m, year)).count()
}

/// Whether the household was on the registry in `year` (it left in a later year, or never).
pub fn household_in(rec: &HouseholdRecord, year: i32) -> bool {
    rec.departure.as_ref().is_none_or(|d| d.date.year() > year)
}

/// What is wrong with a member's join or leave dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipError {
    /// A join or leave date after today.
    InTheFuture,
    /// A leave date before the join date.
    LeftBeforeJoining,
    /// Joined before being born.
    JoinedBeforeBirth,
    /// A leave date without its reason, or a reason without its date.
    LeaveNeedsDateAndReason,
}

impl Localize for MembershipError {
    fn localize(&self, lang: Lang) -> String {
        let (zh, en) = match self {
            MembershipError::InTheFuture => (
                "入户、减员日期不能晚于今天。",
                "A join or leave date cannot be after today.",
            ),
            MembershipError::LeftBeforeJoining => (
                "减员日期早于入户日期，请核对。",
                "The leave date is before the join date; check both.",
            ),
            MembershipError::JoinedBeforeBirth => (
                "入户日期早于出生日期，请核对。",
                "The join date is before the date of birth; check both.",
            ),
            MembershipError::LeaveNeedsDateAndReason => (
                "减员需同时填写日期和原因。",
                "A member leaving needs both the date and the reason.",
            ),
        };
        lang.pick(zh, en).to_string()
    }
}

/// Checks the join and leave dates of `m` against each other, the birth date and `today`.
pub fn validate(m: &Member, today: NaiveDate) -> Vec<MembershipError> {
    let mut errors = Vec::new();
    if m.joined_on.is_some_and(|d| d > today) || m.left_on.is_some_and(|d| d > today) {
        errors.push(MembershipError::InTheFuture);
    }
    if let (Some(joined), Some(left)) = (m.joined_on, m.left_on)
        && left < joined
    {
        errors.push(MembershipError::LeftBeforeJoining);
    }
    if m.joined_on.is_some_and(|d| d < m.birth_date) {
        errors.push(MembershipError::JoinedBeforeBirth);
    }
    if m.left_on.is_some() != m.leave_reason.is_some() {
        errors.push(MembershipError::LeaveNeedsDateAndReason);
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use crate::rules::fixtures::*;
    use crate::rules::income::{self, PovertyLines};

    /// The household: four people, 11,508 yuan a year 2016–2020, so 2,877 each.
    fn four_people() -> HouseholdRecord {
        let mut rec = household("001", HouseholdStatus::Registered);
        add_adults(&mut rec, 4);
        for year in 2016..=2020 {
            add_income(&mut rec, year, 11_508.0);
        }
        rec
    }

    fn per_capita(rec: &HouseholdRecord, year: i32) -> f64 {
        let lines = PovertyLines::default();
        income::figures(rec, year, &lines, &Thresholds::default())
            .expect("figures")
            .per_capita_yuan
    }

    #[test]
    fn a_member_born_in_2020_does_not_re_divide_the_years_before() {
        let mut rec = four_people();
        let baby = add_member(
            &mut rec,
            "李小宝",
            date(2020, 5, 1),
            Sex::Male,
            Relation::Child,
        );
        baby.joined_on = Some(date(2020, 5, 1));
        baby.join_reason = JoinReason::Born;
        for year in 2016..=2019 {
            assert_eq!(size_in(&rec, year), 4, "{year}");
            assert_eq!(per_capita(&rec, year), 2877.0, "{year}");
        }
        assert_eq!(size_in(&rec, 2020), 5);
        assert_eq!(per_capita(&rec, 2020), 2301.6);
    }

    #[test]
    fn a_member_who_left_counts_in_the_years_before_and_not_after() {
        let mut rec = four_people();
        let mut gone = rec.members.pop().expect("four members");
        gone.left_on = Some(date(2018, 7, 1));
        gone.leave_reason = Some(LeaveReason::Died);
        rec.former_members.push(gone);
        assert_eq!(size_in(&rec, 2017), 4);
        assert_eq!(per_capita(&rec, 2017), 2877.0);
        // Left during 2018: not on the register at the end of 2018.
        assert_eq!(size_in(&rec, 2018), 3);
        assert_eq!(per_capita(&rec, 2018), 3836.0);
        assert_eq!(rec.size(), 3);
    }

    #[test]
    fn a_member_on_the_register_from_the_start_counts_in_every_year() {
        let rec = four_people();
        assert!(rec.members.iter().all(|m| member_in(m, 1990)));
        assert_eq!(size_in(&rec, 2016), 4);
    }

    #[test]
    fn a_household_that_left_keeps_the_years_it_was_there() {
        let mut rec = four_people();
        rec.departure = Some(HouseholdDeparture {
            id: uuid::Uuid::new_v4(),
            household_id: rec.household.id,
            date: date(2019, 3, 1),
            reason: HouseholdLeaveReason::MovedAway,
            note: String::new(),
        });
        assert!(household_in(&rec, 2018));
        assert!(!household_in(&rec, 2019));
        assert_eq!(per_capita(&rec, 2018), 2877.0);
    }

    #[test]
    fn dates_are_checked_against_each_other_birth_and_today() {
        let today = date(2020, 12, 31);
        let mut m = Member::new(
            uuid::Uuid::nil(),
            "王芳",
            id_for(date(1990, 1, 1), Sex::Female),
            Sex::Female,
            date(1990, 1, 1),
            Relation::ChildInLaw,
        );
        m.joined_on = Some(date(2015, 6, 1));
        m.join_reason = JoinReason::MarriedIn;
        assert!(validate(&m, today).is_empty());
        m.left_on = Some(date(2014, 1, 1));
        assert_eq!(
            validate(&m, today),
            vec![
                MembershipError::LeftBeforeJoining,
                MembershipError::LeaveNeedsDateAndReason
            ]
        );
        m.leave_reason = Some(LeaveReason::MarriedOut);
        m.left_on = Some(date(2021, 1, 1));
        assert_eq!(validate(&m, today), vec![MembershipError::InTheFuture]);
        m.left_on = None;
        m.leave_reason = None;
        m.joined_on = Some(date(1989, 1, 1));
        assert_eq!(
            validate(&m, today),
            vec![MembershipError::JoinedBeforeBirth]
        );
    }
}
