//! Follow-up visits (走访): which households are due for one, and what a visit to an exited
//! household means for its monitoring — a risk event, or income below the warning band, flags it
//! as 脱贫不稳定户 (exited but unstable). Drafts (autosaved forms) never count as visits.

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use super::income::{self, IncomeItem, IncomeStanding, PovertyLines, yuan};
use super::workflow_records::visit_income_item;
use crate::i18n::{Label, Lang, Localize};
use crate::model::{
    HouseholdRecord, HouseholdStatus, IncomeYear, MonitoredKind, RiskEvent, Thresholds, Visit,
};

/// True for households the team keeps visiting: registered, exited (monitored after exit) and
/// monitored ones; a never-registered or not yet identified household is not followed.
pub fn followed(status: HouseholdStatus) -> bool {
    !status.outside_registry()
}

/// The date of the latest finished (non-draft) visit of a household.
pub fn last_visit<'a>(
    household_id: Uuid,
    visits: impl IntoIterator<Item = &'a Visit>,
) -> Option<NaiveDate> {
    visits
        .into_iter()
        .filter(|v| v.household_id == household_id && !v.is_draft)
        .map(|v| v.date)
        .max()
}

/// A followed household due for a visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueVisit {
    pub household_id: Uuid,
    pub household_number: String,
    /// `None` when the household was never visited.
    pub last_visit: Option<NaiveDate>,
    pub days_since: Option<i64>,
}

impl Localize for DueVisit {
    fn localize(&self, lang: Lang) -> String {
        let number = &self.household_number;
        match (self.last_visit, self.days_since, lang) {
            (Some(date), Some(days), Lang::Zh) => {
                format!("户{number}：上次走访{date}，已{days}天未走访。")
            }
            (Some(date), Some(days), Lang::En) => {
                format!("Household {number}: last visited {date}, {days} days ago.")
            }
            (_, _, Lang::Zh) => format!("户{number}：还没有走访记录。"),
            (_, _, Lang::En) => format!("Household {number}: never visited."),
        }
    }
}

/// Followed households whose last finished visit is more than `t.visit_interval_days` days before
/// `today`, or who were never visited: never-visited first, then the longest ago.
pub fn due_for_visit(
    records: &[HouseholdRecord],
    visits: &[Visit],
    today: NaiveDate,
    t: &Thresholds,
) -> Vec<DueVisit> {
    let mut latest: std::collections::HashMap<Uuid, NaiveDate> = Default::default();
    for v in visits.iter().filter(|v| !v.is_draft) {
        let entry = latest.entry(v.household_id).or_insert(v.date);
        *entry = (*entry).max(v.date);
    }
    let mut due: Vec<DueVisit> = records
        .iter()
        .filter(|r| followed(r.household.status))
        .filter_map(|r| {
            let last = latest.get(&r.household.id).copied();
            let days = last.map(|d| (today - d).num_days());
            let is_due = days.is_none_or(|d| d > i64::from(t.visit_interval_days));
            is_due.then(|| DueVisit {
                household_id: r.household.id,
                household_number: r.household.number.clone(),
                last_visit: last,
                days_since: days,
            })
        })
        .collect();
    due.sort_by(|a, b| {
        (a.last_visit, &a.household_number).cmp(&(b.last_visit, &b.household_number))
    });
    due
}

/// The household's income of the visit's income year as updated at the visit: items asked at the
/// visit replace the stored ones, items not asked keep the stored value (0 when the year has no
/// record yet). `None` when the visit recorded no income.
pub fn updated_income(rec: &HouseholdRecord, visit: &Visit) -> Option<IncomeYear> {
    let at_visit = visit.income.as_ref()?;
    let mut merged = rec.income_of(at_visit.year).cloned().unwrap_or(IncomeYear {
        id: Uuid::nil(),
        household_id: rec.household.id,
        year: at_visit.year,
        wage_yuan: 0.0,
        production_yuan: 0.0,
        property_yuan: 0.0,
        transfer_yuan: 0.0,
        production_expense_yuan: 0.0,
    });
    for item in IncomeItem::ALL {
        if let Some(amount) = visit_income_item(at_visit, item) {
            let slot = match item {
                IncomeItem::Wage => &mut merged.wage_yuan,
                IncomeItem::Production => &mut merged.production_yuan,
                IncomeItem::Property => &mut merged.property_yuan,
                IncomeItem::Transfer => &mut merged.transfer_yuan,
                IncomeItem::ProductionExpense => &mut merged.production_expense_yuan,
            };
            *slot = amount;
        }
    }
    Some(merged)
}

/// Why an exited household should be monitored as unstable.
#[derive(Debug, Clone, PartialEq)]
pub enum UnstableReason {
    RiskEvents {
        visit_date: NaiveDate,
        events: Vec<RiskEvent>,
    },
    IncomeBelowBand {
        visit_date: NaiveDate,
        per_capita_yuan: f64,
        warning_line_yuan: f64,
    },
}

impl Localize for UnstableReason {
    fn localize(&self, lang: Lang) -> String {
        match self {
            UnstableReason::RiskEvents { visit_date, events } => {
                let names: Vec<&str> = events.iter().map(|e| e.label(lang)).collect();
                match lang {
                    Lang::Zh => format!("{visit_date}走访记录了风险事件：{}。", names.join("、")),
                    Lang::En => format!(
                        "The visit of {visit_date} recorded risk events: {}.",
                        names.join(", ")
                    ),
                }
            }
            UnstableReason::IncomeBelowBand {
                visit_date,
                per_capita_yuan,
                warning_line_yuan,
            } => {
                let (pc, line) = (yuan(*per_capita_yuan), yuan(*warning_line_yuan));
                match lang {
                    Lang::Zh => {
                        format!("{visit_date}走访更新的人均纯收入{pc}元，低于监测线{line}元。")
                    }
                    Lang::En => format!(
                        "Per-capita net income updated at the visit of {visit_date} is {pc} yuan, below the warning line of {line} yuan."
                    ),
                }
            }
        }
    }
}

/// A status change the rules suggest, with its reasons; the village review decides.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusSuggestion {
    pub status: HouseholdStatus,
    pub reasons: Vec<UnstableReason>,
}

/// For a finished visit to an exited household, in or after its exit year: suggests monitoring as
/// 脱贫不稳定户 when the visit recorded risk events, or when the income updated at the visit puts
/// per-capita net income below the watch band of that income year (`marginal_factor × line` to
/// 2020, the year's monitoring threshold after).
pub fn flag_unstable(
    rec: &HouseholdRecord,
    visit: &Visit,
    lines: &PovertyLines,
    t: &Thresholds,
) -> Option<StatusSuggestion> {
    let HouseholdStatus::Exited { year } = rec.household.status else {
        return None;
    };
    if visit.is_draft || visit.household_id != rec.household.id || visit.date.year() < year {
        return None;
    }
    let mut reasons = Vec::new();
    if !visit.risk_events.is_empty() {
        reasons.push(UnstableReason::RiskEvents {
            visit_date: visit.date,
            events: visit.risk_events.clone(),
        });
    }
    if let Some(updated) = updated_income(rec, visit)
        && let Some(per_capita_yuan) =
            income::per_capita(&updated, super::membership::size_in(rec, updated.year))
        && let Some(standard) = lines.standard_for(updated.year, t)
        && standard.standing(per_capita_yuan) != IncomeStanding::Above
    {
        reasons.push(UnstableReason::IncomeBelowBand {
            visit_date: visit.date,
            per_capita_yuan,
            warning_line_yuan: standard.warning_yuan,
        });
    }
    (!reasons.is_empty()).then_some(StatusSuggestion {
        status: HouseholdStatus::Monitored {
            kind: MonitoredKind::UnstableExited,
        },
        reasons,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::VisitIncome;
    use crate::rules::fixtures::*;

    fn today() -> NaiveDate {
        date(2017, 9, 1)
    }

    #[test]
    fn due_after_the_interval_or_never_visited_drafts_do_not_count() {
        let t = Thresholds::default(); // 30 days
        let mut a = household("001", HouseholdStatus::Registered);
        add_adults(&mut a, 1);
        let b = household("002", HouseholdStatus::Exited { year: 2016 });
        let c = household("003", HouseholdStatus::Registered);
        let d = household("004", HouseholdStatus::NotRegistered);
        let visits = vec![
            visit(&a, date(2017, 8, 2)), // 30 days ago: not yet due
            visit(&b, date(2017, 8, 1)), // 31 days ago: due
            Visit {
                is_draft: true,
                ..visit(&c, date(2017, 8, 31))
            },
        ];
        let due = due_for_visit(&[a, b.clone(), c.clone(), d], &visits, today(), &t);
        let numbers: Vec<&str> = due.iter().map(|d| d.household_number.as_str()).collect();
        assert_eq!(numbers, ["003", "002"]);
        assert_eq!(due[0].last_visit, None);
        assert_eq!(due[1].days_since, Some(31));
        assert_eq!(due[0].localize(Lang::Zh), "户003：还没有走访记录。");
        assert_eq!(
            due[1].localize(Lang::En),
            "Household 002: last visited 2017-08-01, 31 days ago."
        );
        let t60 = Thresholds {
            visit_interval_days: 60,
            ..Thresholds::default()
        };
        assert_eq!(due_for_visit(&[b], &visits, today(), &t60), vec![]);
        assert_eq!(last_visit(c.household.id, &visits), None);
    }

    fn exited_family() -> HouseholdRecord {
        let mut rec = household("001", HouseholdStatus::Exited { year: 2016 });
        add_adults(&mut rec, 3);
        add_income(&mut rec, 2017, 15_000.0); // 5000 per person, above 1.5 × 3026 = 4539
        rec
    }

    #[test]
    fn a_risk_event_flags_an_exited_household() {
        let rec = exited_family();
        let mut v = visit(&rec, today());
        assert_eq!(
            flag_unstable(&rec, &v, &domain_lines(), &Thresholds::default()),
            None
        );
        v.risk_events = vec![RiskEvent::SeriousIllness, RiskEvent::LostWork];
        let s = flag_unstable(&rec, &v, &domain_lines(), &Thresholds::default()).unwrap();
        assert_eq!(
            s.status,
            HouseholdStatus::Monitored {
                kind: MonitoredKind::UnstableExited
            }
        );
        assert_eq!(
            s.reasons[0].localize(Lang::Zh),
            "2017-09-01走访记录了风险事件：大病、失业/务工中断。"
        );
        // A draft, or a visit to a household that is not exited, suggests nothing.
        let draft = Visit {
            is_draft: true,
            ..v.clone()
        };
        assert_eq!(
            flag_unstable(&rec, &draft, &domain_lines(), &Thresholds::default()),
            None
        );
        let mut registered = rec.clone();
        registered.household.status = HouseholdStatus::Registered;
        assert_eq!(
            flag_unstable(&registered, &v, &domain_lines(), &Thresholds::default()),
            None
        );
        // A visit before the exit year is history, not a sign of instability.
        let early = Visit {
            date: date(2015, 6, 1),
            ..v
        };
        assert_eq!(
            flag_unstable(&rec, &early, &domain_lines(), &Thresholds::default()),
            None
        );
    }

    #[test]
    fn income_updated_below_the_band_flags_it() {
        let rec = exited_family();
        let mut v = visit(&rec, today());
        // The wage drops to 6000: 6000 ÷ 3 = 2000 per person, below 1.5 × 3026 = 4539.
        v.income = Some(VisitIncome {
            year: 2017,
            wage_yuan: Some(6000.0),
            production_yuan: None,
            property_yuan: None,
            transfer_yuan: None,
            production_expense_yuan: None,
        });
        let s = flag_unstable(&rec, &v, &domain_lines(), &Thresholds::default()).unwrap();
        assert_eq!(
            s.reasons,
            [UnstableReason::IncomeBelowBand {
                visit_date: today(),
                per_capita_yuan: 2000.0,
                warning_line_yuan: 4539.0
            }]
        );
        assert!(s.reasons[0].localize(Lang::En).contains("4539.00 yuan"));
        // Exactly at the band's end (4539 per person) is above it.
        v.income.as_mut().unwrap().wage_yuan = Some(13_617.0);
        assert_eq!(
            flag_unstable(&rec, &v, &domain_lines(), &Thresholds::default()),
            None
        );
    }

    #[test]
    fn updated_income_merges_over_the_stored_year() {
        let mut rec = exited_family();
        rec.incomes[0].transfer_yuan = 800.0;
        let mut v = visit(&rec, today());
        assert_eq!(updated_income(&rec, &v), None);
        v.income = Some(VisitIncome {
            year: 2017,
            wage_yuan: None,
            production_yuan: Some(2000.0),
            property_yuan: None,
            transfer_yuan: None,
            production_expense_yuan: Some(500.0),
        });
        let merged = updated_income(&rec, &v).unwrap();
        assert_eq!(
            (
                merged.wage_yuan,
                merged.production_yuan,
                merged.transfer_yuan
            ),
            (15_000.0, 2000.0, 800.0)
        );
        assert_eq!(merged.production_expense_yuan, 500.0);
        v.income.as_mut().unwrap().year = 2016; // no stored 2016 record: unasked items are 0
        assert_eq!(updated_income(&rec, &v).unwrap().wage_yuan, 0.0);
    }
}
