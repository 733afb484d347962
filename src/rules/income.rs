//! Household income: net income, per-capita net income (人均纯收入), the poverty-line table and
//! where a household stands against the line of the year its income belongs to.
//!
//! Comparisons are made in whole fen (0.01 yuan), the precision every screen shows, so that a
//! household displayed as "2855.00" is never judged above a line of 2855 because of a rounding
//! error in the sum of its income items.

use crate::i18n::{Label, Lang};
use crate::model::{HouseholdRecord, IncomeYear, PovertyLine, Thresholds, default_poverty_lines};

/// The income items of a year as the registration form lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IncomeItem {
    Wage,
    Production,
    Property,
    Transfer,
    ProductionExpense,
}

impl IncomeItem {
    pub const ALL: [IncomeItem; 5] = [
        IncomeItem::Wage,
        IncomeItem::Production,
        IncomeItem::Property,
        IncomeItem::Transfer,
        IncomeItem::ProductionExpense,
    ];

    /// The amount of this item in `i`, yuan.
    pub fn amount(self, i: &IncomeYear) -> f64 {
        match self {
            IncomeItem::Wage => i.wage_yuan,
            IncomeItem::Production => i.production_yuan,
            IncomeItem::Property => i.property_yuan,
            IncomeItem::Transfer => i.transfer_yuan,
            IncomeItem::ProductionExpense => i.production_expense_yuan,
        }
    }
}

impl Label for IncomeItem {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            IncomeItem::Wage => lang.pick("工资性收入", "Wage income"),
            IncomeItem::Production => lang.pick("生产经营性收入", "Production and business income"),
            IncomeItem::Property => lang.pick("财产性收入", "Property income"),
            IncomeItem::Transfer => lang.pick("转移性收入", "Transfer income"),
            IncomeItem::ProductionExpense => {
                lang.pick("生产经营性支出", "Production and business expenses")
            }
        }
    }
}

/// Net income of the household for the year: wage + production/business + property + transfer
/// − production/business expenses.
pub fn net_income(i: &IncomeYear) -> f64 {
    i.wage_yuan + i.production_yuan + i.property_yuan + i.transfer_yuan - i.production_expense_yuan
}

/// Per-capita net income: net income ÷ household size; `None` for a household without members.
pub fn per_capita(i: &IncomeYear, size: usize) -> Option<f64> {
    (size > 0).then(|| net_income(i) / size as f64)
}

/// An amount in whole fen, the precision at which incomes are shown and compared.
fn fen(yuan: f64) -> i64 {
    (yuan * 100.0).round() as i64
}

/// Formats an amount of yuan the way every rule message shows it: always two decimals.
pub fn yuan(amount: f64) -> String {
    format!("{amount:.2}")
}

/// Yuan as screens and reports show them: thousands separators, fen only when there are any
/// (12,345 or 3,999.60). Never rounds to whole yuan, so 3,999.60 is not shown as the line 4,000
/// it fails to reach.
pub fn grouped_yuan(amount: f64) -> String {
    let fen = (amount * 100.0).round() as i64;
    let whole = (fen.unsigned_abs() / 100).to_string();
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    let cents = fen.unsigned_abs() % 100;
    if cents != 0 {
        out.push_str(&format!(".{cents:02}"));
    }
    if fen < 0 { format!("-{out}") } else { out }
}

/// The poverty-line table (one national rural line per income year), as the county edited it.
#[derive(Debug, Clone, PartialEq)]
pub struct PovertyLines {
    /// Sorted by year, one row per year.
    rows: Vec<PovertyLine>,
}

impl PovertyLines {
    /// Builds the table from rows in any order. If a year appears twice, the later row wins
    /// (it is the more recent edit).
    pub fn new(rows: Vec<PovertyLine>) -> Self {
        let mut rows = rows;
        rows.reverse();
        // Stable sort after reversing keeps the last-given row of a year first, so dedup keeps it.
        rows.sort_by_key(|r| r.year);
        rows.dedup_by_key(|r| r.year);
        PovertyLines { rows }
    }

    /// The line for incomes of `year`: the row of that exact year, else the row of the latest
    /// earlier year (the table may skip years in which the line was not revised, and a county
    /// may not yet have entered the current year). `None` before the first year of the table,
    /// since no line then can be inferred.
    pub fn line_for(&self, year: i32) -> Option<f64> {
        let after = self.rows.partition_point(|r| r.year <= year);
        after.checked_sub(1).map(|k| self.rows[k].line_yuan)
    }

    /// The rows, sorted by year.
    pub fn rows(&self) -> &[PovertyLine] {
        &self.rows
    }
}

impl Default for PovertyLines {
    fn default() -> Self {
        PovertyLines::new(default_poverty_lines())
    }
}

/// The upper end of the warning band above the line: `marginal_factor × line`.
pub fn warning_line(line_yuan: f64, t: &Thresholds) -> f64 {
    line_yuan * t.marginal_factor
}

/// Where a per-capita income stands against the line of its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncomeStanding {
    /// At or below the line: not "above the line" in the sense of the exit standard.
    Below,
    /// Strictly above the line but strictly below `marginal_factor × line`.
    Marginal,
    /// At or above `marginal_factor × line`.
    Above,
}

impl Label for IncomeStanding {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            IncomeStanding::Below => lang.pick("未超过扶贫标准", "At or below the poverty line"),
            IncomeStanding::Marginal => lang.pick(
                "边缘（超过标准但在监测范围内）",
                "Marginal (above the line, within the warning band)",
            ),
            IncomeStanding::Above => lang.pick("高于监测范围", "Above the warning band"),
        }
    }
}

/// Classifies a per-capita income against `line`. "Above the line" means strictly greater:
/// a household exactly at the line is `Below`. The band's upper end is exclusive too, following
/// the 2020 rule "income below 1.5 × the line".
pub fn classify(per_capita: f64, line: f64, t: &Thresholds) -> IncomeStanding {
    let income = fen(per_capita);
    if income <= fen(line) {
        IncomeStanding::Below
    } else if income < fen(warning_line(line, t)) {
        IncomeStanding::Marginal
    } else {
        IncomeStanding::Above
    }
}

/// A household's income figures for one year, as the screens and rules show them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IncomeFigures {
    pub year: i32,
    pub net_yuan: f64,
    pub per_capita_yuan: f64,
    pub line_yuan: f64,
    pub standing: IncomeStanding,
}

/// The figures of `year`, or `None` when the household has no income record for that year, no
/// members that year, or the table has no line for that year. The income is divided by the
/// members of that year (`membership::size_in`), never by today's size.
pub fn figures(
    rec: &HouseholdRecord,
    year: i32,
    lines: &PovertyLines,
    t: &Thresholds,
) -> Option<IncomeFigures> {
    let income = rec.income_of(year)?;
    let per_capita_yuan = per_capita(income, super::membership::size_in(rec, year))?;
    let line_yuan = lines.line_for(year)?;
    Some(IncomeFigures {
        year,
        net_yuan: net_income(income),
        per_capita_yuan,
        line_yuan,
        standing: classify(per_capita_yuan, line_yuan, t),
    })
}

/// The figures of the latest year that has an income record (no fallback to earlier years: an
/// old year would describe a situation that no longer holds).
pub fn latest_figures(
    rec: &HouseholdRecord,
    lines: &PovertyLines,
    t: &Thresholds,
) -> Option<IncomeFigures> {
    figures(rec, rec.latest_income()?.year, lines, t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HouseholdStatus;
    use crate::rules::fixtures::*;

    fn income(
        wage: f64,
        production: f64,
        property: f64,
        transfer: f64,
        expense: f64,
    ) -> IncomeYear {
        IncomeYear {
            id: uuid::Uuid::nil(),
            household_id: uuid::Uuid::nil(),
            year: 2016,
            wage_yuan: wage,
            production_yuan: production,
            property_yuan: property,
            transfer_yuan: transfer,
            production_expense_yuan: expense,
        }
    }

    #[test]
    fn worked_example_of_per_capita_net_income() {
        // 6000 wage + 3000 production + 200 property + 1365 transfer − 2000 expenses = 8565;
        // a household of 3 → 2855 per person, exactly the 2016 line.
        let i = income(6000.0, 3000.0, 200.0, 1365.0, 2000.0);
        assert_eq!(net_income(&i), 8565.0);
        assert_eq!(per_capita(&i, 3), Some(2855.0));
        assert_eq!(per_capita(&i, 0), None);
        let t = Thresholds::default();
        assert_eq!(classify(2855.0, 2855.0, &t), IncomeStanding::Below);
    }

    #[test]
    fn exactly_at_the_line_is_not_above() {
        let t = Thresholds::default();
        assert_eq!(classify(2855.0, 2855.0, &t), IncomeStanding::Below);
        assert_eq!(classify(2854.99, 2855.0, &t), IncomeStanding::Below);
        assert_eq!(classify(2855.01, 2855.0, &t), IncomeStanding::Marginal);
        // A sum that floating point makes a hair above 2855 is still "2855.00", still not above.
        let i = income(1000.1, 1854.9, 0.0, 0.0, 0.0);
        assert_eq!(
            classify(per_capita(&i, 1).unwrap(), 2855.0, &t),
            IncomeStanding::Below
        );
    }

    #[test]
    fn marginal_band_runs_to_one_and_a_half_times_the_line() {
        // 2016 line 2855 → warning line 4282.5 (exclusive).
        let t = Thresholds::default();
        assert_eq!(warning_line(2855.0, &t), 4282.5);
        assert_eq!(classify(3000.0, 2855.0, &t), IncomeStanding::Marginal);
        assert_eq!(classify(4282.49, 2855.0, &t), IncomeStanding::Marginal);
        assert_eq!(classify(4282.5, 2855.0, &t), IncomeStanding::Above);
        // The factor is a county setting.
        let t = Thresholds {
            marginal_factor: 2.0,
            ..Thresholds::default()
        };
        assert_eq!(classify(5000.0, 2855.0, &t), IncomeStanding::Marginal);
        assert_eq!(classify(5710.0, 2855.0, &t), IncomeStanding::Above);
    }

    #[test]
    fn line_for_uses_exact_year_else_latest_earlier() {
        let lines = domain_lines();
        assert_eq!(lines.line_for(2016), Some(2855.0));
        assert_eq!(lines.line_for(2013), Some(2736.0));
        assert_eq!(lines.line_for(2014), Some(2736.0)); // no 2014 row: 2013's line
        assert_eq!(lines.line_for(2018), Some(3026.0));
        assert_eq!(lines.line_for(2025), Some(4000.0));
        assert_eq!(lines.line_for(2012), None);
        assert_eq!(PovertyLines::new(vec![]).line_for(2016), None);
    }

    #[test]
    fn table_is_sorted_and_a_later_row_of_a_year_wins() {
        let row = |year, line_yuan| PovertyLine { year, line_yuan };
        let lines = PovertyLines::new(vec![
            row(2016, 2952.0),
            row(2015, 2800.0),
            row(2016, 2855.0),
        ]);
        assert_eq!(lines.rows(), &[row(2015, 2800.0), row(2016, 2855.0)]);
        assert_eq!(lines.line_for(2016), Some(2855.0));
    }

    #[test]
    fn default_table_is_the_model_default() {
        let lines = PovertyLines::default();
        assert_eq!(lines.rows().len(), default_poverty_lines().len());
        assert_eq!(lines.line_for(2013), Some(2736.0));
        assert_eq!(lines.line_for(2020), Some(4000.0));
    }

    #[test]
    fn figures_of_a_year_and_of_the_latest_year() {
        let lines = domain_lines();
        let t = Thresholds::default();
        let mut rec = household("001", HouseholdStatus::Registered);
        add_adults(&mut rec, 3);
        add_income(&mut rec, 2015, 6000.0);
        add_income(&mut rec, 2016, 9000.0);

        let f = figures(&rec, 2016, &lines, &t).unwrap();
        assert_eq!(f.year, 2016);
        assert_eq!(f.net_yuan, 9000.0);
        assert_eq!(f.per_capita_yuan, 3000.0);
        assert_eq!(f.line_yuan, 2855.0);
        assert_eq!(f.standing, IncomeStanding::Marginal);
        assert_eq!(latest_figures(&rec, &lines, &t), Some(f));

        let f2015 = figures(&rec, 2015, &lines, &t).unwrap();
        assert_eq!(f2015.per_capita_yuan, 2000.0);
        assert_eq!(f2015.standing, IncomeStanding::Below);

        assert_eq!(figures(&rec, 2017, &lines, &t), None); // no record
        add_income(&mut rec, 2012, 9000.0);
        assert_eq!(figures(&rec, 2012, &lines, &t), None); // before the table
        rec.members.clear();
        assert_eq!(figures(&rec, 2016, &lines, &t), None); // no members
        assert_eq!(
            latest_figures(&household("002", HouseholdStatus::Registered), &lines, &t),
            None
        );
    }

    #[test]
    fn labels_in_both_languages() {
        assert_eq!(IncomeStanding::Below.label(Lang::Zh), "未超过扶贫标准");
        assert!(
            IncomeStanding::Marginal
                .label(Lang::En)
                .contains("Marginal")
        );
        assert_eq!(IncomeItem::Transfer.label(Lang::Zh), "转移性收入");
        let i = income(1.0, 2.0, 3.0, 4.0, 5.0);
        let amounts: Vec<f64> = IncomeItem::ALL.iter().map(|item| item.amount(&i)).collect();
        assert_eq!(amounts, [1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(yuan(2855.0), "2855.00");
        assert_eq!(yuan(4282.5), "4282.50");
    }
}
