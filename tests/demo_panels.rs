//! The demo village 0 exercises every panel of the six precisions once loaded into a store and
//! read back (issue 3: "The demo data must exercise every panel").

mod common;

use dripline::demo::{self, DemoSpec, demo_today};
use dripline::store::Store;
use dripline::workspace::VillageView;

#[test]
fn demo_village_zero_fills_every_panel_after_a_store_round_trip() {
    let generated = demo::generate_village(&DemoSpec::default(), 0);
    let mut store = Store::in_memory().unwrap();
    common::insert_demo(&mut store, &generated);

    let village = generated.village.clone();
    let records = store.household_records(Some(village.id)).unwrap();
    let workflow = store.village_workflow(village.id).unwrap();
    assert_eq!(records.len(), generated.households.len());
    let w = &generated.workflow;
    assert_eq!(workflow.helpers.len(), w.helpers.len());
    assert_eq!(workflow.team.len(), w.team.len());
    assert_eq!(workflow.projects.len(), w.projects.len());
    assert_eq!(workflow.measures.len(), w.measures.len());
    assert_eq!(workflow.funds.len(), w.funds.len());
    assert_eq!(workflow.visits.len(), w.visits.len());
    assert_eq!(workflow.surveys.len(), w.surveys.len());
    assert_eq!(workflow.exits.len(), w.exits.len());
    assert_eq!(workflow.products.len(), w.products.len());
    assert_eq!(workflow.sales.len(), w.sales.len());
    assert_eq!(workflow.trainings.len(), w.trainings.len());
    assert!(workflow.photos.is_empty());

    // Evaluated as the window and the CLI evaluate it (the demo village at its fixed date).
    let view = VillageView::load(&store, village.id, demo_today()).unwrap();
    let p = view.precisions.clone();
    println!(
        "targets: findings {} ({} households), marginal {}, duplicate ids {}, elderly splits {}",
        p.targets.findings.len(),
        p.targets.households_with_findings,
        p.targets.marginal.len(),
        p.targets.duplicate_ids.len(),
        p.targets.elderly_splits.len()
    );
    println!(
        "projects: {} (without households {})",
        p.projects.projects.len(),
        p.projects.without_households.len()
    );
    println!(
        "funds: {} entries, {} sources, unattached {}, double-counted groups {}",
        workflow.funds.len(),
        p.funds.by_source.len(),
        p.funds.unattached.len(),
        p.funds.double_counted.len()
    );
    println!(
        "measures: {} registered, without plan {}, ignoring cause {}, repeated {}",
        p.measures.registered,
        p.measures.without_plan.len(),
        p.measures.ignoring_main_cause.len(),
        p.measures.repeated.len()
    );
    println!(
        "personnel: team {} (secretary serving {}), helpers {}, without helper {}, due visits {}",
        p.personnel.team.len(),
        p.personnel.first_secretary_serving,
        p.personnel.helpers.len(),
        p.personnel.without_helper.len(),
        p.personnel.due_visits.len()
    );
    println!(
        "results: ready {}, failing {}, at risk {}",
        p.results.ready.len(),
        p.results.failing.len(),
        p.results.at_risk.len()
    );

    assert!(!p.targets.findings.is_empty());
    assert!(!p.targets.duplicate_ids.is_empty());
    assert!(!p.projects.projects.is_empty());
    assert!(!p.projects.without_households.is_empty());
    assert!(p.funds.by_source.len() >= 3);
    assert!(!p.funds.unattached.is_empty());
    assert!(!p.funds.double_counted.is_empty());
    assert!(!p.measures.without_plan.is_empty());
    assert!(!p.measures.ignoring_main_cause.is_empty());
    assert!(!p.measures.repeated.is_empty());
    assert!(p.personnel.first_secretary_serving);
    assert!(p.personnel.team.len() >= 3);
    assert!(!p.personnel.helpers.is_empty());
    assert!(!p.personnel.without_helper.is_empty());
    assert!(!p.personnel.due_visits.is_empty());
    assert!(!p.results.ready.is_empty());
    assert!(!p.results.failing.is_empty());
    assert!(!p.results.at_risk.is_empty());

    // The county's side-by-side line for this village: every precision has something to show.
    let h = p.headline(&view.records, &view.lines, &view.thresholds);
    assert!(h.exited > 0 && h.never_registered > 0);
    assert_eq!(h.households, records.len());
    assert!(h.registered > 0 && h.incidence.is_some());
    assert!(h.households_with_findings > 0 && h.marginal > 0);
    assert!(h.projects_without_households > 0);
    assert!(h.funds_total_yuan > 0.0 && h.funds_unattached > 0);
    assert!(h.without_plan + h.ignoring_main_cause > 0);
    assert!(h.without_helper > 0 && h.due_visits > 0);
    assert!(h.ready + h.failing > 0 && h.at_risk > 0);
}
