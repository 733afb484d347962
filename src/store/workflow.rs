//! The one-call loader of everything the six precision panels read about a village.

use uuid::Uuid;

use super::{Result, Store};
use crate::model::VillageWorkflow;

impl Store {
    /// Helpers, team, projects, measures, funds, visits (photos described without their bytes),
    /// surveys, exit decisions, products, sales and trainings of one village: the live records.
    pub fn village_workflow(&self, village_id: Uuid) -> Result<VillageWorkflow> {
        let conn = &self.conn;
        Ok(VillageWorkflow {
            helpers: super::helpers::load_helpers(conn, village_id)?,
            team: super::helpers::load_team(conn, village_id)?,
            projects: super::projects::load_projects(conn, village_id)?,
            measures: super::measures::load_measures(conn, village_id)?,
            funds: super::funds::load_funds(conn, village_id)?,
            visits: super::visits::load_visits(conn, village_id)?,
            photos: super::visits::load_photos(conn, village_id)?,
            surveys: super::survey::load_surveys(conn, village_id)?,
            exits: super::survey::load_exits(conn, village_id)?,
            products: super::products::load_products(conn, village_id)?,
            sales: super::products::load_sales(conn, village_id)?,
            trainings: super::products::load_trainings(conn, village_id)?,
            cases: super::monitoring_cases::load_cases(conn, village_id)?,
        })
    }
}
