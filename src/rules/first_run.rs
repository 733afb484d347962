//! The first steps of a new village (not the demo): add the village work team, add or import the
//! households, then survey them. Until every step is done the register shows this path instead of
//! an empty table, each step ticked once done; the demo village never shows it.

use std::collections::HashSet;

use uuid::Uuid;

use crate::i18n::Lang;
use crate::model::{HouseholdRecord, SurveyStatus, Village, VillageWorkflow};

/// One step of the first-run path, in the order they are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// 驻村工作队: at least one team member.
    Team,
    /// 农户: at least one household, typed in or imported from the survey spreadsheet.
    Households,
    /// 入户调查: every household's baseline survey completed.
    Survey,
}

impl Step {
    pub const ALL: [Step; 3] = [Step::Team, Step::Households, Step::Survey];

    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            Step::Team => lang.pick("添加驻村工作队", "Add the village work team"),
            Step::Households => lang.pick("添加或导入农户", "Add or import the households"),
            Step::Survey => lang.pick("完成入户调查", "Complete the baseline survey"),
        }
    }

    /// What the step is for, in a sentence.
    pub fn hint(self, lang: Lang) -> &'static str {
        match self {
            Step::Team => lang.pick(
                "第一书记和工作队员：走访、确认识别和退出都要写明是谁。",
                "The first secretary and team members: visits, identifications and exits name who did them.",
            ),
            Step::Households => lang.pick(
                "逐户录入，或把填好的入户调查表一次导入。",
                "Enter them one by one, or import a filled survey spreadsheet at once.",
            ),
            Step::Survey => lang.pick(
                "每户完成调查并确认识别后，贫困发生率和六个精准才有意义。",
                "Once every household is surveyed and identified, the incidence and the six precisions mean something.",
            ),
        }
    }
}

/// A step and whether it is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepState {
    pub step: Step,
    pub done: bool,
    /// For the survey step: how many households have a completed survey, of how many.
    pub progress: Option<(usize, usize)>,
}

/// Whether a household has a completed baseline survey (any year).
/// The households whose survey is completed: one pass over the surveys, so that the register,
/// which draws the path every frame, costs one lookup a household rather than a scan.
fn surveyed(workflow: &VillageWorkflow) -> HashSet<Uuid> {
    workflow
        .surveys
        .iter()
        .filter(|s| s.status == SurveyStatus::Complete)
        .map(|s| s.household_id)
        .collect()
}

/// The steps with what is done of each.
pub fn steps(records: &[HouseholdRecord], workflow: &VillageWorkflow) -> Vec<StepState> {
    let surveyed = surveyed(workflow);
    let surveyed_count = records
        .iter()
        .filter(|r| surveyed.contains(&r.household.id))
        .count();
    Step::ALL
        .iter()
        .map(|&step| match step {
            Step::Team => StepState {
                step,
                done: !workflow.team.is_empty(),
                progress: None,
            },
            Step::Households => StepState {
                step,
                done: !records.is_empty(),
                progress: None,
            },
            Step::Survey => StepState {
                step,
                done: !records.is_empty() && surveyed_count == records.len(),
                progress: Some((surveyed_count, records.len())),
            },
        })
        .collect()
}

/// Whether the village shows the first-run path: a real village with a step still open.
pub fn shows_path(village: &Village, steps: &[StepState]) -> bool {
    !village.is_demo && steps.iter().any(|s| !s.done)
}

/// The first household (in register order) whose survey is not completed yet.
pub fn next_to_survey(records: &[HouseholdRecord], workflow: &VillageWorkflow) -> Option<Uuid> {
    let surveyed = surveyed(workflow);
    records
        .iter()
        .map(|r| r.household.id)
        .find(|id| !surveyed.contains(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HouseholdStatus, SurveyState, TeamMember, TeamRole};
    use crate::rules::fixtures::{self, date, household};

    fn done(steps: &[StepState]) -> Vec<bool> {
        steps.iter().map(|s| s.done).collect()
    }

    #[test]
    fn the_steps_tick_as_the_team_the_households_and_their_surveys_come_in() {
        let mut village = fixtures::village();
        village.is_demo = false;
        let mut workflow = VillageWorkflow::default();
        let mut records = Vec::new();
        let s = steps(&records, &workflow);
        assert_eq!(done(&s), [false, false, false]);
        assert!(shows_path(&village, &s));
        assert_eq!(next_to_survey(&records, &workflow), None);

        workflow.team.push(TeamMember {
            id: Uuid::new_v4(),
            village_id: village.id,
            name: "张书记".into(),
            role: TeamRole::FirstSecretary,
            unit: "县农业局".into(),
            phone: String::new(),
            term_start: date(2020, 1, 1),
            term_end: None,
        });
        records.push(household("001", HouseholdStatus::NotRegistered));
        records.push(household("002", HouseholdStatus::NotRegistered));
        let s = steps(&records, &workflow);
        assert_eq!(done(&s), [true, true, false]);
        assert_eq!(s[2].progress, Some((0, 2)));
        let first = records[0].household.id;
        assert_eq!(next_to_survey(&records, &workflow), Some(first));

        // A draft survey is not done; a completed one is.
        let survey = |household_id, status| SurveyState {
            id: Uuid::new_v4(),
            household_id,
            year: 2020,
            status,
            computed_identification: None,
            confirmed_identification: None,
            override_reason: String::new(),
            confirmed_by: String::new(),
            confirmed_on: None,
        };
        workflow.surveys.push(survey(first, SurveyStatus::Draft));
        assert_eq!(next_to_survey(&records, &workflow), Some(first));
        workflow.surveys.push(survey(first, SurveyStatus::Complete));
        let second = records[1].household.id;
        assert_eq!(next_to_survey(&records, &workflow), Some(second));
        assert_eq!(steps(&records, &workflow)[2].progress, Some((1, 2)));
        workflow
            .surveys
            .push(survey(second, SurveyStatus::Complete));
        let s = steps(&records, &workflow);
        assert_eq!(done(&s), [true, true, true]);
        assert!(!shows_path(&village, &s));

        // The demo never shows the path.
        village.is_demo = true;
        assert!(!shows_path(
            &village,
            &steps(&[], &VillageWorkflow::default())
        ));
    }
}
