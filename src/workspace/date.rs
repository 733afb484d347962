//! The one rule for the date a village is evaluated at (ages, school age, ID birth dates, visit
//! intervals, survey imports, printed dates). The clock is read only at the edges (the window when
//! it opens or refreshes, the command line when it starts) and passed in from there.

use chrono::NaiveDate;

use crate::demo::demo_today;
use crate::model::Village;

/// Today's date on this computer. Call it only at an edge (App construction and refresh, CLI
/// start) and pass the date on: a date read deep inside makes two screens disagree.
pub fn clock_today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The date a village's data is evaluated against: for a generated demo village its fixed date
/// (2020-12-31), because its members' ages and school attendance describe the end of 2020; for a
/// real village, `clock_today`.
pub fn evaluation_date(village: &Village, clock_today: NaiveDate) -> NaiveDate {
    if village.is_demo {
        demo_today()
    } else {
        clock_today
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_demo_village_is_evaluated_at_its_fixed_date_a_real_one_today() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        let mut village =
            crate::demo::generate_village(&crate::demo::DemoSpec::default(), 0).village;
        assert!(village.is_demo);
        assert_eq!(
            evaluation_date(&village, today),
            NaiveDate::from_ymd_opt(2020, 12, 31).unwrap()
        );
        village.is_demo = false;
        assert_eq!(evaluation_date(&village, today), today);
    }
}
