//! Identification from a completed baseline survey (入户调查): the rules' proposal that a person
//! then confirms or overrides with a recorded reason. Per-capita net income of the survey year
//! against that year's line: at or below the line → registered poor; inside the warning band
//! above it → marginal (边缘易致贫户); above the band → not poor. Figures come from
//! `rules::income`, so the line and the band factor are the county's.

use super::income::{self, IncomeStanding, PovertyLines};
use crate::i18n::{Lang, Localize};
use crate::model::{HouseholdRecord, HouseholdStatus, Identification, MonitoredKind, Thresholds};

/// Why no identification can be computed yet: what the survey still lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    IncomeOfYear { year: i32 },
    Members,
    PovertyLine { year: i32 },
}

impl Localize for Missing {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (Missing::IncomeOfYear { year }, Lang::Zh) => {
                format!("调查还缺{year}年的收入，请先录入各项收入。")
            }
            (Missing::IncomeOfYear { year }, Lang::En) => {
                format!("The survey has no {year} income yet; enter the income items first.")
            }
            (Missing::Members, _) => lang
                .pick(
                    "调查还没有登记家庭成员，无法计算人均纯收入。",
                    "The survey has no household members yet, so per-capita income cannot be computed.",
                )
                .to_string(),
            (Missing::PovertyLine { year }, Lang::Zh) => {
                format!("扶贫标准表中没有{year}年或更早的标准，请在设置中补充。")
            }
            (Missing::PovertyLine { year }, Lang::En) => format!(
                "The poverty-line table has no line for {year} or earlier; add it in Settings."
            ),
        }
    }
}

/// The identification the incomes of `year` give, or what is missing to compute it.
pub fn identify(
    rec: &HouseholdRecord,
    year: i32,
    lines: &PovertyLines,
    t: &Thresholds,
) -> Result<Identification, Missing> {
    if rec.income_of(year).is_none() {
        return Err(Missing::IncomeOfYear { year });
    }
    if rec.members.is_empty() {
        return Err(Missing::Members);
    }
    let figures = income::figures(rec, year, lines, t).ok_or(Missing::PovertyLine { year })?;
    Ok(match figures.standing {
        IncomeStanding::Below => Identification::RegisteredPoor,
        IncomeStanding::Marginal => Identification::Marginal,
        IncomeStanding::Above => Identification::NotPoor,
    })
}

/// The household status a confirmed identification leads to, given the current status. An
/// exited household stays exited (its monitoring is `rules::monitoring`'s and the visits' job),
/// and an already monitored household keeps its monitoring kind unless it is found poor.
pub fn status_for(identification: Identification, current: HouseholdStatus) -> HouseholdStatus {
    match (identification, current) {
        (Identification::RegisteredPoor, _) => HouseholdStatus::Registered,
        (_, HouseholdStatus::Exited { .. } | HouseholdStatus::Monitored { .. }) => current,
        (Identification::Marginal, _) => HouseholdStatus::Monitored {
            kind: MonitoredKind::Marginal,
        },
        (Identification::NotPoor, _) => HouseholdStatus::NotRegistered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::fixtures::*;

    fn three_people_earning(net_2016: f64) -> HouseholdRecord {
        let mut rec = household("001", HouseholdStatus::NotRegistered);
        add_adults(&mut rec, 3);
        add_income(&mut rec, 2016, net_2016);
        rec
    }

    fn run(rec: &HouseholdRecord) -> Result<Identification, Missing> {
        identify(rec, 2016, &domain_lines(), &Thresholds::default())
    }

    #[test]
    fn exactly_at_the_line_is_registered_poor() {
        // 8565 ÷ 3 = 2855, the 2016 line.
        assert_eq!(
            run(&three_people_earning(8565.0)),
            Ok(Identification::RegisteredPoor)
        );
        // 9000 ÷ 3 = 3000: inside the band up to 4282.5.
        assert_eq!(
            run(&three_people_earning(9000.0)),
            Ok(Identification::Marginal)
        );
        // 12847.5 ÷ 3 = 4282.5: the band's exclusive end.
        assert_eq!(
            run(&three_people_earning(12847.5)),
            Ok(Identification::NotPoor)
        );
    }

    #[test]
    fn missing_inputs_are_named() {
        let rec = three_people_earning(9000.0);
        assert_eq!(
            identify(&rec, 2015, &domain_lines(), &Thresholds::default()),
            Err(Missing::IncomeOfYear { year: 2015 })
        );
        let mut empty = rec.clone();
        empty.members.clear();
        assert_eq!(run(&empty), Err(Missing::Members));
        let mut old = rec.clone();
        add_income(&mut old, 2012, 9000.0);
        let missing = identify(&old, 2012, &domain_lines(), &Thresholds::default());
        assert_eq!(missing, Err(Missing::PovertyLine { year: 2012 }));
        assert!(
            Missing::PovertyLine { year: 2012 }
                .localize(Lang::Zh)
                .contains("2012年")
        );
        assert!(
            Missing::IncomeOfYear { year: 2015 }
                .localize(Lang::En)
                .contains("2015")
        );
    }

    #[test]
    fn the_band_is_the_county_setting() {
        let wider = Thresholds {
            marginal_factor: 2.0,
            ..Thresholds::default()
        };
        let rec = three_people_earning(15_000.0); // 5000 per person < 2 × 2855
        assert_eq!(
            identify(&rec, 2016, &domain_lines(), &wider),
            Ok(Identification::Marginal)
        );
    }

    #[test]
    fn confirmed_identification_to_status() {
        use HouseholdStatus::*;
        let marginal = Monitored {
            kind: MonitoredKind::Marginal,
        };
        assert_eq!(
            status_for(Identification::RegisteredPoor, NotRegistered),
            Registered
        );
        assert_eq!(
            status_for(Identification::Marginal, NotRegistered),
            marginal
        );
        assert_eq!(
            status_for(Identification::NotPoor, Registered),
            NotRegistered
        );
        let exited = Exited { year: 2016 };
        assert_eq!(status_for(Identification::NotPoor, exited), exited);
        assert_eq!(
            status_for(Identification::RegisteredPoor, exited),
            Registered
        );
        // A household not yet identified (待识别) gets the status its identification says.
        assert_eq!(
            status_for(Identification::NotPoor, Unassessed),
            NotRegistered
        );
        assert_eq!(status_for(Identification::Marginal, Unassessed), marginal);
        assert_eq!(
            status_for(Identification::RegisteredPoor, Unassessed),
            Registered
        );
    }
}
