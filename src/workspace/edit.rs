//! The changes a person makes to the data, and the one place they reach the store. A screen
//! emits a [`DataAction`]; [`Session::apply`] writes it through the store (which validates it and
//! records every changed field in the audit log), remembers the change for undo, and reloads the
//! view. The match below is exhaustive: a new kind of change does not compile until it says what
//! it writes.

use uuid::Uuid;

use super::session::Session;
use crate::i18n::{Lang, Localize};
use crate::model::MonitoringCase;
use crate::model::{
    ExitDecision, FundEntry, Helper, Household, HouseholdDeparture, IncomeYear, Measure, Member,
    PovertyLine, Product, Project, Sale, SurveyState, TeamMember, Thresholds, TownshipFacilities,
    Training, Village, Visit,
};
use crate::rules::identification;
use crate::rules::visits::{UnstableReason, flag_unstable};
use crate::store::{ChangeId, StoreError};
use crate::sync::SyncError;
use crate::sync::status::{ConflictKey, Resolution};

/// A change to the data of the shown village (or of the database's settings).
#[derive(Debug, Clone)]
pub enum DataAction {
    SaveVillage(Village),
    SaveHousehold(Household),
    /// The household form's save: the household and the helpers the register assigns to it
    /// (made exactly these), in one undoable change.
    SaveHouseholdWithHelpers {
        household: Household,
        helper_ids: Vec<Uuid>,
    },
    DeleteHousehold(Uuid),
    SaveMember(Member),
    DeleteMember(Uuid),
    /// A household leaving the registry (销户), with its date and reason; it stays on file.
    SaveDeparture(HouseholdDeparture),
    /// The household returns to the registry (the departure was a mistake).
    DeleteDeparture(Uuid),
    SaveIncome(IncomeYear),
    DeleteIncome(Uuid),
    SaveMeasure(Measure),
    DeleteMeasure(Uuid),
    /// A finished visit: saved, and an exited household it puts at risk is flagged 脱贫不稳定户
    /// (a second undoable change).
    SaveVisit(Visit),
    /// The autosave of an open visit form: saved silently, not an undo step.
    SaveVisitDraft(Visit),
    /// Remove a visit (a finished one, or a discarded draft) with its photos: an undoable change.
    DeleteVisit(Uuid),
    /// Save a survey's progress (a draft).
    SaveSurvey(SurveyState),
    /// Complete a survey: saved, and the household's status follows the confirmed
    /// identification (a second undoable change).
    CompleteSurvey(SurveyState),
    /// Remove a survey (a draft given up, or one entered for the wrong year): an undoable change.
    /// The household's status stays as it is: a status is changed on its own.
    DeleteSurvey(Uuid),
    /// Propose (no date) or confirm (with a date) a household's exit.
    SaveExitDecision(ExitDecision),
    DeleteExitDecision(Uuid),
    SaveTeamMember(TeamMember),
    DeleteTeamMember(Uuid),
    SaveHelper(Helper),
    DeleteHelper(Uuid),
    SaveProject(Project),
    DeleteProject(Uuid),
    SaveFund(FundEntry),
    DeleteFund(Uuid),
    SaveProduct(Product),
    DeleteProduct(Uuid),
    SaveSale(Sale),
    DeleteSale(Uuid),
    SaveTraining(Training),
    DeleteTraining(Uuid),
    /// A photo's bytes attached to a visit.
    AttachPhoto {
        visit_id: Uuid,
        file_name: String,
        bytes: Vec<u8>,
    },
    DeleteVisitPhoto(Uuid),
    SavePovertyLine(PovertyLine),
    /// A monitoring case opened, or a step of it recorded.
    SaveMonitoringCase(Box<MonitoringCase>),
    SaveThresholds(Thresholds),
    /// A township's three haves (一低三有), on a county database.
    SaveTownshipFacilities(TownshipFacilities),
    /// Set the county's public key: bundles are encrypted to it from then on.
    SetCountyKey(String),
    /// Decide a conflict left by a merge.
    ResolveConflict {
        key: ConflictKey,
        resolution: Resolution,
    },
    /// Resolve a clash of household numbers (two laptops both gave number 121): give this
    /// household a free number. An undoable change that travels like any edit.
    RenumberHousehold {
        id: Uuid,
        number: String,
    },
    /// Resolve a clash by keeping this record; the others holding its natural key are deleted
    /// (a household with its members and incomes). An undoable change.
    KeepClashRecord {
        kind: crate::store::clashes::ClashKind,
        id: Uuid,
    },
}

/// What an applied change asks the faces to say.
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    Saved,
    /// A household was created: the window opens it.
    Created(Uuid),
    /// A visit was saved and put the exited household under monitoring, for these reasons.
    Flagged(Vec<UnstableReason>),
    CountyKeySet,
    /// A draft saved in the background: nothing to say, nothing to undo, no form to close.
    Autosaved,
}

impl Localize for Applied {
    fn localize(&self, lang: Lang) -> String {
        match self {
            Applied::Saved | Applied::Created(_) | Applied::Autosaved => {
                lang.pick("已保存", "Saved").to_string()
            }
            Applied::Flagged(reasons) => format!(
                "{}{}",
                lang.pick(
                    "已保存。该户已标记为脱贫不稳定户：",
                    "Saved. The household is now monitored as exited but unstable: "
                ),
                reasons
                    .iter()
                    .map(|r| r.localize(lang))
                    .collect::<Vec<_>>()
                    .join(lang.pick("；", "; "))
            ),
            Applied::CountyKeySet => lang
                .pick(
                    "已设置县级密钥：此后导出的数据包只有县里能打开。",
                    "County key set: bundles exported from now on can be opened only by the county.",
                )
                .to_string(),
        }
    }
}

/// What an undo reverted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Undone {
    /// Only the county's own data (a township's facts): no village's figures moved.
    pub county_data_only: bool,
}

/// Why a change was not made (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("no village is shown")]
    NoVillage,
}

impl Localize for EditError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            EditError::Store(e) => e.localize(lang),
            EditError::Sync(e) => e.localize(lang),
            EditError::NoVillage => lang
                .pick(
                    "还没有村：请先创建本村，再录入数据。",
                    "There is no village yet: create your village before entering data.",
                )
                .to_string(),
        }
    }
}

impl Session {
    /// Writes `action` through the store, remembers its changes for undo and reloads the view.
    /// `clock_today` is the computer's date, read by the caller.
    pub fn apply(
        &mut self,
        action: DataAction,
        clock_today: chrono::NaiveDate,
    ) -> Result<Applied, EditError> {
        let applied = self.write(action)?;
        self.refresh(clock_today)?;
        Ok(applied)
    }

    /// Reverts the last change made in this session.
    pub fn undo(&mut self, clock_today: chrono::NaiveDate) -> Result<Undone, StoreError> {
        let change = self.undo_stack.pop().ok_or(StoreError::NothingToUndo)?;
        let undo = self.store.undo(change)?;
        let county_data_only = self.store.undo_is_county_only(undo)?;
        self.refresh(clock_today)?;
        Ok(Undone { county_data_only })
    }

    /// Remembers a change made elsewhere (a survey import written by a background job).
    pub fn remember(&mut self, change: Option<ChangeId>) {
        self.undo_stack.extend(change);
    }

    /// Whether there is a change to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo_stack.is_empty()
    }

    fn write(&mut self, action: DataAction) -> Result<Applied, EditError> {
        let view = self.view.as_ref();
        let today = view.map(|v| v.today).ok_or(EditError::NoVillage);
        let store = &mut self.store;
        let change = match action {
            DataAction::SaveHousehold(h) => {
                let created = view.is_some_and(|v| v.record(h.id).is_none());
                let change = store.save_household(&h)?;
                self.undo_stack.extend(change);
                return Ok(if created {
                    Applied::Created(h.id)
                } else {
                    Applied::Saved
                });
            }
            DataAction::SaveHouseholdWithHelpers {
                household,
                helper_ids,
            } => {
                let created = view.is_some_and(|v| v.record(household.id).is_none());
                let change = store.save_household_with_helpers(&household, &helper_ids)?;
                self.undo_stack.extend(change);
                return Ok(if created {
                    Applied::Created(household.id)
                } else {
                    Applied::Saved
                });
            }
            DataAction::SaveVisit(visit) => {
                let suggestion = view.and_then(|v| {
                    let record = v.record(visit.household_id)?;
                    flag_unstable(record, &visit, &v.lines, &v.thresholds)
                        .map(|s| (record.household.clone(), s))
                });
                let change = store.save_visit(&visit, today?)?;
                self.undo_stack.extend(change);
                let Some((mut household, suggestion)) = suggestion else {
                    return Ok(Applied::Saved);
                };
                household.status = suggestion.status;
                let change = store.save_household(&household)?;
                self.undo_stack.extend(change);
                return Ok(Applied::Flagged(suggestion.reasons));
            }
            DataAction::SaveVisitDraft(visit) => {
                store.save_visit(&visit, today?)?;
                return Ok(Applied::Autosaved);
            }
            DataAction::CompleteSurvey(survey) => {
                let household = view
                    .and_then(|v| v.record(survey.household_id))
                    .map(|r| r.household.clone());
                let change = store.save_survey(&survey, today?)?;
                self.undo_stack.extend(change);
                if let (Some(mut household), Some(confirmed)) =
                    (household, survey.confirmed_identification)
                {
                    let status = identification::status_for(confirmed, household.status);
                    if status != household.status {
                        household.status = status;
                        let change = store.save_household(&household)?;
                        self.undo_stack.extend(change);
                    }
                }
                return Ok(Applied::Saved);
            }
            DataAction::SetCountyKey(line) => {
                crate::sync::county::set_county_key(store, &line)?;
                return Ok(Applied::CountyKeySet);
            }
            DataAction::ResolveConflict { key, resolution } => {
                crate::sync::status::resolve(store, &key, resolution)?;
                return Ok(Applied::Saved);
            }
            DataAction::RenumberHousehold { id, number } => {
                store.renumber_household(id, &number)?
            }
            DataAction::KeepClashRecord { kind, id } => store.keep_clash_record(kind, id)?,
            DataAction::DeleteHousehold(id) => store.delete_household(id)?,
            DataAction::SaveMember(m) => store.save_member(&m, today?)?,
            DataAction::DeleteMember(id) => store.delete_member(id)?,
            DataAction::SaveDeparture(d) => store.save_departure(&d, today?)?,
            DataAction::DeleteDeparture(id) => store.delete_departure(id)?,
            DataAction::SaveIncome(i) => store.save_income(&i, today?)?,
            DataAction::DeleteIncome(id) => store.delete_income(id)?,
            DataAction::SaveVillage(v) => store.save_village(&v)?,
            DataAction::SaveMeasure(m) => store.save_measure(&m)?,
            DataAction::DeleteMeasure(id) => store.delete_measure(id)?,
            DataAction::SaveExitDecision(d) => store.save_exit_decision(&d, today?)?,
            DataAction::SaveSurvey(survey) => store.save_survey(&survey, today?)?,
            DataAction::DeleteSurvey(id) => store.delete_survey(id)?,
            DataAction::DeleteExitDecision(id) => store.delete_exit_decision(id)?,
            DataAction::SaveTeamMember(m) => store.save_team_member(&m)?,
            DataAction::DeleteTeamMember(id) => store.delete_team_member(id)?,
            DataAction::SaveHelper(h) => store.save_helper(&h)?,
            DataAction::DeleteHelper(id) => store.delete_helper(id)?,
            DataAction::SaveProject(p) => store.save_project(&p)?,
            DataAction::DeleteProject(id) => store.delete_project(id)?,
            DataAction::SaveFund(f) => store.save_fund_entry(&f)?,
            DataAction::DeleteFund(id) => store.delete_fund_entry(id)?,
            DataAction::SaveProduct(p) => store.save_product(&p)?,
            DataAction::DeleteProduct(id) => store.delete_product(id)?,
            DataAction::SaveSale(s) => store.save_sale(&s)?,
            DataAction::DeleteSale(id) => store.delete_sale(id)?,
            DataAction::SaveTraining(t) => store.save_training(&t)?,
            DataAction::DeleteTraining(id) => store.delete_training(id)?,
            DataAction::AttachPhoto {
                visit_id,
                file_name,
                bytes,
            } => store.add_visit_photo(visit_id, &file_name, &bytes)?,
            DataAction::DeleteVisitPhoto(id) => store.delete_visit_photo(id)?,
            DataAction::DeleteVisit(id) => store.delete_visit(id)?,
            DataAction::SavePovertyLine(line) => store.set_poverty_line(line)?,
            DataAction::SaveMonitoringCase(c) => store.save_monitoring_case(&c, today?)?,
            // Thresholds live in the file's settings, outside the audited records.
            DataAction::SaveThresholds(t) => {
                store.set_thresholds(&t)?;
                None
            }
            DataAction::SaveTownshipFacilities(f) => store.set_township_facilities(&f)?,
        };
        self.undo_stack.extend(change);
        Ok(Applied::Saved)
    }
}
