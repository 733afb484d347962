//! Sales of village products flow into the household's production and business income
//! (生产经营性收入) of the year they were made in: the figure the income form offers to take over.

use chrono::Datelike;
use uuid::Uuid;

use crate::model::Sale;

/// Total sales of `household_id` dated in `year`, yuan.
pub fn sales_income_yuan<'a>(
    sales: impl IntoIterator<Item = &'a Sale>,
    household_id: Uuid,
    year: i32,
) -> f64 {
    sales
        .into_iter()
        .filter(|s| s.household_id == household_id && s.date.year() == year)
        .map(|s| s.amount_yuan)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SalesChannel;
    use crate::rules::fixtures::date;

    #[test]
    fn only_the_households_sales_of_the_year_count() {
        let household = Uuid::new_v4();
        let sale = |household_id, date, amount_yuan| Sale {
            id: Uuid::new_v4(),
            household_id,
            product_id: None,
            channel: SalesChannel::OnlineStore,
            date,
            amount_yuan,
            quantity: 1.0,
        };
        let sales = [
            sale(household, date(2016, 10, 1), 1200.0),
            sale(household, date(2016, 12, 31), 300.5),
            sale(household, date(2017, 1, 1), 999.0),
            sale(Uuid::new_v4(), date(2016, 10, 1), 5000.0),
        ];
        assert_eq!(sales_income_yuan(&sales, household, 2016), 1500.5);
        assert_eq!(sales_income_yuan(&sales, household, 2015), 0.0);
    }
}
