//! What a village *is* for every face of the app: its records, its workflow, the findings, the
//! list lines, the village assessment and the six precisions, evaluated at one date. The window's
//! snapshot, the background jobs, the charts, the command line, the exports and printing all
//! build it with [`VillageView::load`], so they agree on every figure.

use chrono::NaiveDate;
use uuid::Uuid;

use super::date::evaluation_date;
use crate::io::print::PaperInputs;
use crate::model::{HouseholdRecord, Thresholds, Village, VillageWorkflow};
use crate::rules::income::PovertyLines;
use crate::rules::plan::CauseAnswers;
use crate::rules::precisions::{self, HouseholdRef, PrecisionInputs, Precisions, SplitHeuristic};
use crate::rules::quality::{self, Finding};
use crate::rules::summary::{self, HouseholdSummary};
use crate::rules::village::{self as village_rules, VillageAssessment};
use crate::store::{Store, StoreError};

/// One village with everything derived from it.
#[derive(Debug, Clone)]
pub struct VillageView {
    pub village: Village,
    /// The village's live households, in register order.
    pub records: Vec<HouseholdRecord>,
    /// One list line per household (the register's table).
    pub summaries: Vec<HouseholdSummary>,
    pub findings: Vec<Finding>,
    /// 一低五有 and the poverty incidence.
    pub assessment: VillageAssessment,
    /// Helpers, team, plans, visits, funds, products… of the village.
    pub workflow: VillageWorkflow,
    /// The six precisions' panels (六个精准).
    pub precisions: Precisions,
    pub lines: PovertyLines,
    pub thresholds: Thresholds,
    /// The date the village is evaluated at: [`evaluation_date`] of the village and the clock's
    /// date it was loaded with.
    pub today: NaiveDate,
}

impl VillageView {
    /// Reads the village `village_id` and its records from the store and evaluates them at
    /// `evaluation_date(village, clock_today)`.
    pub fn load(
        store: &Store,
        village_id: Uuid,
        clock_today: NaiveDate,
    ) -> Result<VillageView, StoreError> {
        let village = store.village(village_id)?;
        let records = store.household_records(Some(village_id))?;
        let workflow = store.village_workflow(village_id)?;
        let lines = store.poverty_lines()?;
        let thresholds = store.thresholds()?;
        Ok(VillageView::evaluate(
            village,
            records,
            workflow,
            lines,
            thresholds,
            clock_today,
        ))
    }

    /// Evaluates records already in hand (what [`VillageView::load`] does after reading).
    pub fn evaluate(
        village: Village,
        records: Vec<HouseholdRecord>,
        workflow: VillageWorkflow,
        lines: PovertyLines,
        thresholds: Thresholds,
        clock_today: NaiveDate,
    ) -> VillageView {
        let today = evaluation_date(&village, clock_today);
        let findings = quality::check_village(&records, today, &thresholds);
        let summaries =
            summary::summarize(&records, &lines, &thresholds, &findings, &workflow.helpers);
        let assessment = village_rules::assess_village(&village, &records, &thresholds);
        let precisions = precisions::evaluate(&PrecisionInputs {
            village: &village,
            records: &records,
            workflow: &workflow,
            lines: &lines,
            thresholds: &thresholds,
            cause_answers: &CauseAnswers::default(),
            split: &SplitHeuristic::default(),
            today,
        });
        VillageView {
            village,
            records,
            summaries,
            findings,
            assessment,
            workflow,
            precisions,
            lines,
            thresholds,
            today,
        }
    }

    pub fn record(&self, id: Uuid) -> Option<&HouseholdRecord> {
        self.records.iter().find(|r| r.household.id == id)
    }

    /// The household as the lists show it; `number` stands in for a household no longer stored.
    pub fn household_ref(&self, id: Uuid, number: &str) -> HouseholdRef {
        self.record(id)
            .map(HouseholdRef::of)
            .unwrap_or_else(|| HouseholdRef {
                household_id: id,
                number: number.to_string(),
                head_name: None,
            })
    }

    /// What a printed card or visit sheet of `record` (one of this village's) is made from.
    pub fn paper_inputs<'a>(&'a self, record: &'a HouseholdRecord) -> PaperInputs<'a> {
        PaperInputs {
            village: &self.village,
            record,
            workflow: &self.workflow,
            lines: &self.lines,
            thresholds: &self.thresholds,
            printed_on: self.today,
        }
    }
}
