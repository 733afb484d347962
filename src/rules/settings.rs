//! Checks of the county settings a village may edit: the poverty-line table and the thresholds
//! the rules take as parameters. The bounds catch typing errors (a line of 40000, a warning band
//! of 15 times the line); the values themselves are county policy.

use sha2::{Digest, Sha256};

use super::income::PovertyLines;
use super::registry::Problem;
use crate::model::{PovertyLine, Thresholds};

/// A short tag of the settings every village figure depends on (the poverty-line table and the
/// thresholds): kept figures computed under other settings are stale. Exact: any change of a
/// line or a threshold, however small, changes the tag.
pub fn settings_tag(lines: &PovertyLines, thresholds: &Thresholds) -> String {
    let mut hasher = Sha256::new();
    hasher.update(lines.province().as_bytes());
    for row in lines.rows() {
        hasher.update(row.province.as_bytes());
        hasher.update(row.year.to_le_bytes());
        hasher.update(row.line_yuan.to_bits().to_le_bytes());
    }
    hasher.update(serde_json::to_vec(thresholds).expect("thresholds serialize"));
    hex::encode(&hasher.finalize()[..8])
}

/// A field of the settings forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingField {
    Year,
    Province,
    LineYuan,
    MarginalFactor,
    MaxIncidencePercent,
    SchoolAgeMin,
    SchoolAgeMax,
    VisitIntervalDays,
    CaseDeadlineDays,
    NoticeMinDays,
}

fn within(
    problems: &mut Vec<(SettingField, Problem)>,
    field: SettingField,
    value: f64,
    min: f64,
    max: f64,
) {
    if !value.is_finite() {
        problems.push((field, Problem::NotANumber));
    } else if !(min..=max).contains(&value) {
        problems.push((field, Problem::OutOfRange { value, min, max }));
    }
}

/// A year's line or threshold: a plausible year, a province code (or none: national), and a
/// yearly amount between 1 and 20,000 yuan.
pub fn validate_poverty_line(line: &PovertyLine) -> Vec<(SettingField, Problem)> {
    let mut problems = Vec::new();
    if !line.province.is_empty() && !super::registry::is_province_code(&line.province) {
        problems.push((
            SettingField::Province,
            Problem::UnknownProvince(line.province.clone()),
        ));
    }
    within(
        &mut problems,
        SettingField::Year,
        f64::from(line.year),
        2000.0,
        2100.0,
    );
    within(
        &mut problems,
        SettingField::LineYuan,
        line.line_yuan,
        1.0,
        20_000.0,
    );
    problems
}

/// The thresholds: a warning band of 1 to 3 times the line, an incidence limit of at most 20%,
/// school ages between 3 and 20 in order, a visit interval of 1 to 366 days, a monitoring case
/// deadline of 1 to 366 days and a public notice of 1 to 60 days.
pub fn validate_thresholds(t: &Thresholds) -> Vec<(SettingField, Problem)> {
    let mut problems = Vec::new();
    within(
        &mut problems,
        SettingField::MarginalFactor,
        t.marginal_factor,
        1.0,
        3.0,
    );
    within(
        &mut problems,
        SettingField::MaxIncidencePercent,
        t.max_incidence * 100.0,
        0.0,
        20.0,
    );
    within(
        &mut problems,
        SettingField::SchoolAgeMin,
        f64::from(t.school_age_min),
        3.0,
        20.0,
    );
    within(
        &mut problems,
        SettingField::SchoolAgeMax,
        f64::from(t.school_age_max),
        f64::from(t.school_age_min.clamp(3, 20)),
        20.0,
    );
    within(
        &mut problems,
        SettingField::VisitIntervalDays,
        f64::from(t.visit_interval_days),
        1.0,
        366.0,
    );
    within(
        &mut problems,
        SettingField::CaseDeadlineDays,
        f64::from(t.case_deadline_days),
        1.0,
        366.0,
    );
    within(
        &mut problems,
        SettingField::NoticeMinDays,
        f64::from(t.notice_min_days),
        1.0,
        60.0,
    );
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_thresholds_and_the_2020_line_pass() {
        assert!(validate_thresholds(&Thresholds::default()).is_empty());
        for line in crate::model::default_poverty_lines() {
            assert!(validate_poverty_line(&line).is_empty(), "{line:?}");
        }
    }

    #[test]
    fn typing_errors_are_caught_field_by_field() {
        let line = PovertyLine {
            province: "16".into(),
            ..PovertyLine::national(20, 40_000.0)
        };
        let fields: Vec<SettingField> = validate_poverty_line(&line)
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(
            fields,
            [
                SettingField::Province,
                SettingField::Year,
                SettingField::LineYuan
            ]
        );

        let t = Thresholds {
            marginal_factor: 15.0,
            max_incidence: 0.3,
            school_age_min: 12,
            school_age_max: 6,
            visit_interval_days: 0,
            notice_min_days: 0,
            ..Thresholds::default()
        };
        let fields: Vec<SettingField> = validate_thresholds(&t)
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(
            fields,
            [
                SettingField::MarginalFactor,
                SettingField::MaxIncidencePercent,
                SettingField::SchoolAgeMax,
                SettingField::VisitIntervalDays,
                SettingField::NoticeMinDays
            ]
        );
        let nan = Thresholds {
            marginal_factor: f64::NAN,
            ..Thresholds::default()
        };
        assert!(matches!(
            validate_thresholds(&nan)[0].1,
            Problem::NotANumber
        ));
    }
}
