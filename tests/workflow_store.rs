//! The six-precisions workflow records in the store: save, read, delete and undo for each
//! aggregate, link rows, photos (hash and size limit), the one-call village loader, and the
//! migration of a version-1 file with data.

mod common;

use chrono::NaiveDate;
use common::*;
use dripline::model::*;
use dripline::store::{MAX_PHOTO_BYTES, Store, StoreError, schema};
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use uuid::Uuid;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A store with one village and two registered households.
fn setup() -> (Store, Village, Household, Household) {
    let mut store = Store::in_memory().unwrap();
    let v = village();
    store.save_village(&v).unwrap();
    let a = household(v.id, "001");
    let b = household(v.id, "002");
    store.save_household(&a).unwrap();
    store.save_household(&b).unwrap();
    (store, v, a, b)
}

/// Adds the first secretary 张书记 and the team member 李队员 to the village: the people who may
/// confirm a survey or an exit.
fn add_team(store: &mut Store, village_id: Uuid) {
    for (name, role) in [
        ("张书记", TeamRole::FirstSecretary),
        ("李队员", TeamRole::Member),
    ] {
        store
            .save_team_member(&TeamMember {
                id: Uuid::new_v4(),
                village_id,
                name: name.into(),
                role,
                unit: "市委组织部".into(),
                phone: String::new(),
                term_start: date(2025, 8, 1),
                term_end: None,
            })
            .unwrap();
    }
}

fn helper(village_id: Uuid, households: Vec<Uuid>) -> Helper {
    Helper {
        id: Uuid::new_v4(),
        village_id,
        name: "赵强".into(),
        unit: "县卫健局".into(),
        phone: "13800001111".into(),
        household_ids: households,
    }
}

fn measure(household_id: Uuid) -> Measure {
    Measure {
        id: Uuid::new_v4(),
        household_id,
        kind: MeasureKind::Health,
        description: "慢病签约服务".into(),
        helper_id: None,
        helper_unit: "县人民医院".into(),
        project_id: None,
        fund_source: FundSource::County,
        amount_yuan: 1500.0,
        start: date(2026, 3, 1),
        due: date(2026, 12, 31),
        expected_income_yuan: 800.0,
        status: MeasureStatus::Planned,
    }
}

fn visit(household_id: Uuid) -> Visit {
    Visit {
        id: Uuid::new_v4(),
        household_id,
        date: date(2026, 11, 20),
        visitors: "赵强、张书记".into(),
        kind: VisitKind::PlanCheck,
        notes: "户主病情稳定".into(),
        checklist: VisitChecklist {
            food: Some(true),
            clothing: Some(true),
            education: None,
            medical: Some(false),
            housing: Some(true),
        },
        income: Some(VisitIncome {
            year: 2026,
            wage_yuan: Some(6000.0),
            production_yuan: None,
            property_yuan: None,
            transfer_yuan: Some(1200.0),
            production_expense_yuan: None,
        }),
        risk_events: vec![RiskEvent::SeriousIllness, RiskEvent::LostWork],
        problems: "医保未续缴".into(),
        next_actions: "协助续缴医保".into(),
        is_draft: false,
    }
}

#[test]
fn helpers_and_their_households_save_read_delete_undo() {
    let (mut store, v, a, b) = setup();
    let mut h = helper(v.id, vec![a.id]);
    store.save_helper(&h).unwrap().unwrap();
    assert_eq!(store.helpers(v.id).unwrap(), vec![h.clone()]);
    assert_eq!(store.helpers_of_household(a.id).unwrap(), vec![h.clone()]);
    assert!(store.helpers_of_household(b.id).unwrap().is_empty());

    // Reassigning is one change: one link tombstoned, one written; undo restores both.
    h.household_ids = vec![b.id, b.id];
    let change = store.save_helper(&h).unwrap().unwrap();
    assert_eq!(store.helpers(v.id).unwrap()[0].household_ids, [b.id]);
    assert_eq!(store.save_helper(&h).unwrap(), None);
    store.undo(change).unwrap();
    assert_eq!(store.helpers(v.id).unwrap()[0].household_ids, [a.id]);

    let change = store.delete_helper(h.id).unwrap().unwrap();
    assert!(store.helpers(v.id).unwrap().is_empty());
    assert!(store.helpers_of_household(a.id).unwrap().is_empty());
    store.undo(change).unwrap();
    assert_eq!(store.helpers_of_household(a.id).unwrap().len(), 1);

    // Links and references must point at real records (foreign keys).
    let orphan = helper(v.id, vec![Uuid::new_v4()]);
    assert!(matches!(
        store.save_helper(&orphan),
        Err(StoreError::Sqlite(_))
    ));
    assert!(store.save_measure(&measure(Uuid::new_v4())).is_err());
    assert_eq!(store.helpers(v.id).unwrap().len(), 1);

    let nameless = Helper {
        name: String::new(),
        ..helper(v.id, vec![])
    };
    assert!(matches!(
        store.save_helper(&nameless),
        Err(StoreError::InvalidWorkflow(_))
    ));
}

#[test]
fn team_projects_measures_and_funds_round_trip() {
    let (mut store, v, a, b) = setup();
    let secretary = TeamMember {
        id: Uuid::new_v4(),
        village_id: v.id,
        name: "张书记".into(),
        role: TeamRole::FirstSecretary,
        unit: "市委组织部".into(),
        phone: String::new(),
        term_start: date(2025, 8, 1),
        term_end: None,
    };
    let member = TeamMember {
        id: Uuid::new_v4(),
        name: "李队员".into(),
        role: TeamRole::Member,
        term_start: date(2024, 8, 1),
        ..secretary.clone()
    };
    store.save_team_member(&member).unwrap();
    store.save_team_member(&secretary).unwrap();
    assert_eq!(store.team(v.id).unwrap(), vec![secretary.clone(), member]);

    let project = Project {
        id: Uuid::new_v4(),
        village_id: v.id,
        name: "猕猴桃产业园".into(),
        kind: ProjectKind::IndustryBase,
        budget_yuan: 300_000.0,
        start: date(2026, 2, 1),
        end: Some(date(2026, 12, 31)),
        household_ids: vec![a.id, b.id],
    };
    store.save_project(&project).unwrap();
    assert_eq!(store.projects(v.id).unwrap(), vec![project.clone()]);

    let m = Measure {
        project_id: Some(project.id),
        ..measure(a.id)
    };
    store.save_measure(&m).unwrap();
    assert_eq!(store.measures_of(a.id).unwrap(), vec![m.clone()]);

    let f = FundEntry {
        id: Uuid::new_v4(),
        village_id: v.id,
        source: FundSource::Central,
        amount_yuan: 1500.0,
        date: date(2026, 4, 1),
        purpose: MeasureKind::Health,
        project_id: Some(project.id),
        household_id: Some(a.id),
        measure_id: Some(m.id),
        note: "第一批".into(),
    };
    store.save_fund_entry(&f).unwrap();
    assert_eq!(store.funds(v.id).unwrap(), vec![f.clone()]);

    // Deleting a project drops its household links in the same change.
    let change = store.delete_project(project.id).unwrap().unwrap();
    assert!(store.projects(v.id).unwrap().is_empty());
    store.undo(change).unwrap();
    assert_eq!(store.projects(v.id).unwrap(), vec![project]);

    let change = store.delete_measure(m.id).unwrap().unwrap();
    assert!(store.measures_of(a.id).unwrap().is_empty());
    store.undo(change).unwrap();
    let change = store.delete_fund_entry(f.id).unwrap().unwrap();
    assert!(store.funds(v.id).unwrap().is_empty());
    store.undo(change).unwrap();
    assert_eq!(store.funds(v.id).unwrap(), vec![f]);
    store.delete_team_member(secretary.id).unwrap().unwrap();
    assert_eq!(store.team(v.id).unwrap().len(), 1);

    let late = Measure {
        due: date(2025, 1, 1),
        ..measure(a.id)
    };
    let err = store.save_measure(&late).unwrap_err();
    assert!(matches!(err, StoreError::InvalidWorkflow(_)));
    use dripline::i18n::{Lang, Localize};
    assert!(err.localize(Lang::Zh).contains("早于开始日期"));
}

#[test]
fn visits_save_drafts_and_carry_photos_with_their_hash() {
    let (mut store, _v, a, _b) = setup();
    let draft = Visit {
        visitors: String::new(),
        is_draft: true,
        ..visit(a.id)
    };
    store.save_visit(&draft, today()).unwrap();
    // Finishing the draft without visitors is refused; with them it is the same record.
    let unfinished = Visit {
        is_draft: false,
        ..draft.clone()
    };
    assert!(matches!(
        store.save_visit(&unfinished, today()),
        Err(StoreError::InvalidWorkflow(_))
    ));
    let done = Visit {
        id: draft.id,
        ..visit(a.id)
    };
    store.save_visit(&done, today()).unwrap();
    assert_eq!(store.visits_of(a.id).unwrap(), vec![done.clone()]);

    let bytes = b"\xFF\xD8\xFF\xE0 a tiny jpeg".to_vec();
    store
        .add_visit_photo(done.id, "院子.jpg", &bytes)
        .unwrap()
        .unwrap();
    // The same bytes again are stored once.
    assert_eq!(
        store.add_visit_photo(done.id, "copy.jpg", &bytes).unwrap(),
        None
    );
    let photos = store.visit_photos(done.id).unwrap();
    assert_eq!(photos.len(), 1);
    let expected: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(photos[0].sha256, expected);
    assert_eq!(photos[0].size_bytes, bytes.len() as u64);
    assert_eq!(photos[0].file_name, "院子.jpg");
    assert_eq!(store.visit_photo_bytes(photos[0].id).unwrap(), bytes);

    let too_big = vec![0u8; MAX_PHOTO_BYTES as usize + 1];
    let audit = store.audit_len().unwrap();
    let err = store
        .add_visit_photo(done.id, "big.jpg", &too_big)
        .unwrap_err();
    assert!(matches!(
        err,
        StoreError::PhotoTooLarge { size_bytes, max_bytes }
            if size_bytes == MAX_PHOTO_BYTES + 1 && max_bytes == MAX_PHOTO_BYTES
    ));
    use dripline::i18n::{Lang, Localize};
    assert!(err.localize(Lang::Zh).contains("5.0 MB"));
    assert!(err.localize(Lang::En).contains("5.0 MB limit"));
    assert_eq!(store.audit_len().unwrap(), audit);
    // Exactly the limit is accepted.
    let at_limit = vec![1u8; MAX_PHOTO_BYTES as usize];
    store
        .add_visit_photo(done.id, "limit.jpg", &at_limit)
        .unwrap()
        .unwrap();

    // Deleting the visit takes its photos with it; undo brings all back.
    let change = store.delete_visit(done.id).unwrap().unwrap();
    assert!(store.visits_of(a.id).unwrap().is_empty());
    assert!(store.visit_photos(done.id).unwrap().is_empty());
    assert!(matches!(
        store.visit_photo_bytes(photos[0].id),
        Err(StoreError::NotFound { .. })
    ));
    store.undo(change).unwrap();
    assert_eq!(store.visit_photos(done.id).unwrap().len(), 2);
    store.delete_visit_photo(photos[0].id).unwrap().unwrap();
    assert_eq!(store.visit_photos(done.id).unwrap().len(), 1);
}

#[test]
fn surveys_need_an_override_reason_and_are_one_per_year() {
    let (mut store, v, a, _b) = setup();
    add_team(&mut store, v.id);
    let mut survey = SurveyState {
        id: Uuid::new_v4(),
        household_id: a.id,
        year: 2025,
        status: SurveyStatus::Draft,
        computed_identification: None,
        confirmed_identification: None,
        override_reason: String::new(),
        confirmed_by: String::new(),
        confirmed_on: None,
    };
    store.save_survey(&survey, today()).unwrap();
    survey.status = SurveyStatus::Complete;
    survey.computed_identification = Some(Identification::Marginal);
    survey.confirmed_identification = Some(Identification::RegisteredPoor);
    survey.override_reason = "户主新发大病".into();
    survey.confirmed_on = Some(today());
    // The person confirming is named and on the village team.
    for (who, text) in [
        ("", "确认人：必须填写"),
        (
            "村两委",
            "确认人：村两委不在本村驻村工作队名单中；确认人须从工作队中选择",
        ),
    ] {
        survey.confirmed_by = who.into();
        let err = store.save_survey(&survey, today()).unwrap_err();
        use dripline::i18n::{Lang, Localize};
        assert_eq!(err.localize(Lang::Zh), text);
    }
    survey.confirmed_by = "张书记".into();
    survey.override_reason.clear();
    let err = store.save_survey(&survey, today()).unwrap_err();
    {
        use dripline::i18n::{Lang, Localize};
        assert_eq!(
            err.localize(Lang::Zh),
            "调整理由：确认结果与系统计算的识别结果不同，必须写明理由"
        );
        assert!(
            err.localize(Lang::En)
                .starts_with("Reason for the override: ")
        );
    }
    survey.override_reason = "户主新发大病".into();
    let change = store.save_survey(&survey, today()).unwrap().unwrap();
    assert_eq!(store.surveys_of(a.id).unwrap(), vec![survey.clone()]);
    store.undo(change).unwrap();
    assert_eq!(
        store.surveys_of(a.id).unwrap()[0].status,
        SurveyStatus::Draft
    );

    let second = SurveyState {
        id: Uuid::new_v4(),
        ..survey.clone()
    };
    let err = store.save_survey(&second, today()).unwrap_err();
    assert!(matches!(err, StoreError::DuplicateSurveyYear(2025)));
    use dripline::i18n::{Lang, Localize};
    assert_eq!(
        err.localize(Lang::Zh),
        "该户已有 2025 年的入户调查，请继续填写那一份。"
    );
    assert!(err.localize(Lang::En).contains("2025 survey"));
    store.delete_survey(survey.id).unwrap().unwrap();
    store.save_survey(&second, today()).unwrap().unwrap();
}

#[test]
fn confirming_an_exit_sets_the_household_exited_in_the_same_change() {
    let (mut store, v, a, _b) = setup();
    add_team(&mut store, v.id);
    let mut decision = ExitDecision {
        id: Uuid::new_v4(),
        household_id: a.id,
        proposed_on: date(2026, 10, 1),
        proposed_year: 2025,
        confirmed_on: None,
        confirmed_by: String::new(),
    };
    store.save_exit_decision(&decision, today()).unwrap();
    assert_eq!(
        store.household_record(a.id).unwrap().household.status,
        HouseholdStatus::Registered
    );
    decision.confirmed_on = Some(date(2026, 11, 15));
    assert!(
        matches!(
            store.save_exit_decision(&decision, today()),
            Err(StoreError::InvalidWorkflow(_))
        ),
        "a confirmation names its person"
    );
    assert_eq!(
        store.household_record(a.id).unwrap().household.status,
        HouseholdStatus::Registered
    );
    decision.confirmed_by = "张书记".into();
    let change = store
        .save_exit_decision(&decision, today())
        .unwrap()
        .unwrap();
    assert_eq!(
        store.household_record(a.id).unwrap().household.status,
        HouseholdStatus::Exited { year: 2026 }
    );
    assert_eq!(store.exits_of(a.id).unwrap(), vec![decision.clone()]);

    // Editing the confirmed decision later does not undo a later monitoring decision.
    let mut monitored = store.household_record(a.id).unwrap().household;
    monitored.status = HouseholdStatus::Monitored {
        kind: MonitoredKind::UnstableExited,
    };
    store.save_household(&monitored).unwrap();
    let edited = ExitDecision {
        confirmed_by: "李队员".into(),
        ..decision.clone()
    };
    store.save_exit_decision(&edited, today()).unwrap();
    assert_eq!(
        store.household_record(a.id).unwrap().household.status,
        monitored.status
    );
    store.save_household(&a).unwrap();

    store.undo(change).unwrap();
    assert_eq!(store.exits_of(a.id).unwrap()[0].confirmed_on, None);
    let early = ExitDecision {
        confirmed_on: Some(date(2026, 9, 1)),
        ..decision.clone()
    };
    assert!(matches!(
        store.save_exit_decision(&early, today()),
        Err(StoreError::InvalidWorkflow(_))
    ));
    store.delete_exit_decision(decision.id).unwrap().unwrap();
    assert!(store.exits_of(a.id).unwrap().is_empty());
}

#[test]
fn products_sales_and_trainings_round_trip() {
    let (mut store, v, a, b) = setup();
    let m = measure(a.id);
    store.save_measure(&m).unwrap();
    let mut product = Product {
        id: Uuid::new_v4(),
        village_id: v.id,
        name: "红心猕猴桃".into(),
        kind: "水果".into(),
        season: "9–11月".into(),
        volume: 12_000.0,
        unit: "斤".into(),
        price_yuan: 8.5,
        certification: Certification::GeographicIndication,
        producer_household_ids: vec![a.id],
        measure_id: Some(m.id),
    };
    store.save_product(&product).unwrap();
    product.producer_household_ids = vec![a.id, b.id];
    store.save_product(&product).unwrap().unwrap();
    assert_eq!(store.products(v.id).unwrap(), vec![product.clone()]);
    let change = store.delete_product(product.id).unwrap().unwrap();
    assert!(store.products(v.id).unwrap().is_empty());
    store.undo(change).unwrap();
    assert_eq!(store.products(v.id).unwrap(), vec![product.clone()]);

    let sale = Sale {
        id: Uuid::new_v4(),
        household_id: a.id,
        product_id: Some(product.id),
        channel: SalesChannel::LiveStream,
        date: date(2026, 10, 2),
        amount_yuan: 2550.0,
        quantity: 300.0,
    };
    store.save_sale(&sale).unwrap();
    assert_eq!(store.sales_of(a.id).unwrap(), vec![sale.clone()]);
    let change = store.delete_sale(sale.id).unwrap().unwrap();
    assert!(store.sales_of(a.id).unwrap().is_empty());
    store.undo(change).unwrap();

    let training = Training {
        id: Uuid::new_v4(),
        village_id: v.id,
        household_id: Some(a.id),
        member_id: None,
        person_name: "王德明".into(),
        course: "猕猴桃修剪".into(),
        date: date(2026, 3, 12),
        hours: 8.0,
    };
    store.save_training(&training).unwrap();
    assert_eq!(store.trainings(v.id).unwrap(), vec![training.clone()]);
    store.delete_training(training.id).unwrap().unwrap();
    assert!(store.trainings(v.id).unwrap().is_empty());
}

#[test]
fn village_workflow_loads_everything_of_one_village_only() {
    let (mut store, v, a, b) = setup();
    let other = Village {
        code: "510824105202".into(),
        ..village()
    };
    store.save_village(&other).unwrap();
    let elsewhere = household(other.id, "001");
    store.save_household(&elsewhere).unwrap();

    store.save_helper(&helper(v.id, vec![a.id, b.id])).unwrap();
    store
        .save_helper(&helper(other.id, vec![elsewhere.id]))
        .unwrap();
    store.save_measure(&measure(a.id)).unwrap();
    store.save_measure(&measure(elsewhere.id)).unwrap();
    let seen = visit(b.id);
    store.save_visit(&seen, today()).unwrap();
    store.save_visit(&visit(elsewhere.id), today()).unwrap();
    store.add_visit_photo(seen.id, "a.jpg", b"photo").unwrap();

    let w = store.village_workflow(v.id).unwrap();
    assert_eq!(w.helpers.len(), 1);
    assert_eq!(w.helpers[0].household_ids, [a.id, b.id]);
    assert_eq!(w.measures.len(), 1);
    assert_eq!(w.visits, vec![seen.clone()]);
    assert_eq!(w.photos.len(), 1);
    assert_eq!(w.photos[0].visit_id, seen.id);
    assert!(w.team.is_empty() && w.projects.is_empty() && w.funds.is_empty());
    assert!(w.surveys.is_empty() && w.exits.is_empty() && w.products.is_empty());
    assert!(w.sales.is_empty() && w.trainings.is_empty());
    assert_eq!(store.village_workflow(other.id).unwrap().measures.len(), 1);
}

#[test]
fn a_version_1_file_with_data_keeps_it_after_migration() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.sqlite");
    let v = village();
    let h = household(v.id, "007");
    {
        let mut conn = Connection::open(&path).unwrap();
        schema::migrate_to(&mut conn, 1).unwrap();
        // Rows as version 1 of the app wrote them.
        conn.execute_batch(&format!(
            "INSERT INTO village (id, created_at, updated_at, updated_by, code, name, township, county)
             VALUES ('{v}', 't', 't', 'd', '{code}', '{name}', '{township}', '{county}');
             INSERT INTO household (id, created_at, updated_at, updated_by, village_id, number,
                 address, attribute, status, main_cause, other_causes, housing_safe, water_safe,
                 electricity, radio_tv, road_hardened, helper_name)
             VALUES ('{h}', 't', 't', 'd', '{v}', '007', '三组', 'general', 'registered',
                 'illness', 'lack_skills', 1, 1, 1, 1, 0, '李明');",
            v = v.id,
            h = h.id,
            code = v.code,
            name = v.name,
            township = v.township,
            county = v.county,
        ))
        .unwrap();
        assert_eq!(
            conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
                .unwrap(),
            1
        );
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::latest_version());
    assert_eq!(store.villages().unwrap(), vec![v.clone()]);
    let back = store.household_record(h.id).unwrap().household;
    // No helper 李明 in the register: the free-text name is kept as the household's note.
    let kept = Household {
        unmatched_helper_name: "李明".into(),
        ..h.clone()
    };
    assert_eq!(back, kept);
    // The new tables work on the migrated file.
    store.save_measure(&measure(h.id)).unwrap().unwrap();
    assert_eq!(store.village_workflow(v.id).unwrap().measures.len(), 1);
    assert!(store.integrity_check().unwrap().is_empty());
}

/// A case of household `h` discovered on 2025-11-03 and decided (admitted) on 2025-11-14.
fn decided_case(h: Uuid) -> MonitoringCase {
    let at = |d: u32, by: &str| {
        Some(CaseStep {
            on: date(2025, 11, d),
            by: by.into(),
        })
    };
    MonitoringCase {
        id: Uuid::new_v4(),
        household_id: h,
        kind: MonitoredKind::UnstableExited,
        source: DiscoverySource::CadreSweep,
        risk: "务工收入下降".into(),
        discovered: CaseStep {
            on: date(2025, 11, 3),
            by: "张书记".into(),
        },
        home_visit: at(4, "张书记"),
        authorization_signed: true,
        village_review: at(5, "张书记"),
        notice: Some(PublicNotice {
            start: date(2025, 11, 6),
            end: date(2025, 11, 10),
            by: "张书记".into(),
        }),
        township_review: at(11, "元坝镇 李主任"),
        decision: at(14, "县乡村振兴局"),
        admitted: true,
        elimination: RiskElimination::default(),
    }
}

#[test]
fn a_monitoring_case_is_checked_saved_undone_and_eliminated_only_on_its_criteria() {
    use dripline::i18n::Localize;
    let (mut store, v, a, _) = setup();
    let today = date(2026, 3, 1);
    store
        .save_team_member(&TeamMember {
            id: Uuid::new_v4(),
            village_id: v.id,
            name: "张书记".into(),
            role: TeamRole::FirstSecretary,
            unit: String::new(),
            phone: String::new(),
            term_start: date(2024, 1, 1),
            term_end: None,
        })
        .unwrap();
    let mut case = decided_case(a.id);
    // Someone off the team cannot hold a village step.
    let mut wrong = case.clone();
    wrong.village_review.as_mut().unwrap().by = "王五".into();
    let err = store.save_monitoring_case(&wrong, today).unwrap_err();
    assert!(matches!(err, StoreError::InvalidCase(_)), "{err:?}");
    assert!(
        err.localize(dripline::i18n::Lang::Zh)
            .contains("王五不在本村驻村工作队"),
        "{}",
        err.localize(dripline::i18n::Lang::Zh)
    );
    let saved = store.save_monitoring_case(&case, today).unwrap().unwrap();
    assert_eq!(store.cases_of(a.id).unwrap(), [case.clone()]);

    // Risk elimination on 2025 incomes: 6,600 a head is within Sichuan's band (2024's 7,300
    // used for 2025), so the proposal is refused with the reason.
    let member = Member {
        joined_on: Some(date(2016, 1, 1)),
        ..member(a.id, "王德明", Relation::Head, 1)
    };
    store.save_member(&member, today).unwrap();
    store
        .save_income(&income(a.id, 2025, 5000.0), today)
        .unwrap();
    case.elimination.proposed = Some(CaseStep {
        on: date(2026, 2, 1),
        by: "张书记".into(),
    });
    case.elimination.income_year = Some(2025);
    let err = store.save_monitoring_case(&case, today).unwrap_err();
    let zh = err.localize(dripline::i18n::Lang::Zh);
    assert!(zh.contains("未达到风险消除标准"), "{zh}");
    assert!(zh.contains("未达到监测标准7300.00元"), "{zh}");
    assert!(
        err.localize(dripline::i18n::Lang::En)
            .contains("monitoring threshold of 7300.00 yuan")
    );
    // At 8,000 a head it passes.
    let mut raised = income(a.id, 2025, 6400.0);
    raised.id = store.household_record(a.id).unwrap().incomes[0].id;
    store.save_income(&raised, today).unwrap();
    store.save_monitoring_case(&case, today).unwrap();
    assert_eq!(
        store.cases_of(a.id).unwrap()[0].elimination.income_year,
        Some(2025)
    );
    // Several cases over the years; undo takes back the first save.
    let mut second = decided_case(a.id);
    second.discovered.on = date(2025, 11, 20);
    second.home_visit = None;
    second.authorization_signed = false;
    second.village_review = None;
    second.notice = None;
    second.township_review = None;
    second.decision = None;
    store.save_monitoring_case(&second, today).unwrap();
    assert_eq!(store.cases_of(a.id).unwrap().len(), 2);
    store.undo(saved).unwrap();
    assert_eq!(store.cases_of(a.id).unwrap(), [second]);
}
