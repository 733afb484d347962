//! Printing from the window: the household screen offers both documents, and the print action
//! (what the buttons emit once the save dialog has a path) writes a PDF whose text is the
//! household's and says so in the notice.

mod common;

use common::files::pdf_file_text as pdf_text;
use common::window::{harness, shown};

use dripline::io::print::PaperKind;
use dripline::ui::{Action, Screen};
use egui_kittest::kittest::Queryable;

#[test]
fn printing_a_card_and_a_visit_sheet_from_the_household_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), None);
    harness.run();
    // The demo village: take its first household with a head.
    let record = harness
        .state()
        .store()
        .unwrap()
        .household_records(None)
        .unwrap()
        .into_iter()
        .find(|r| r.head().is_some() && !r.incomes.is_empty())
        .expect("the demo has households with a head and incomes");
    let head = record.head().unwrap().name.clone();
    let number = record.household.number.clone();

    harness
        .state_mut()
        .apply(Action::Navigate(Screen::Household(record.household.id)));
    harness.run();
    assert!(
        shown(&harness, "打印明白卡"),
        "the card button is on the screen"
    );
    assert!(shown(&harness, "打印走访单"));

    let card = dir.path().join("明白卡.pdf");
    harness.state_mut().apply(Action::PrintHousehold {
        household: record.household.id,
        kind: PaperKind::Card,
        path: card.clone(),
    });
    harness.run();
    let notice = format!("已生成 PDF：{}", card.display());
    assert!(shown(&harness, &notice), "the notice names the file");
    let text = pdf_text(&card);
    assert!(text.contains("扶贫明白卡"), "{text}");
    assert!(text.contains(&head), "card lacks the head {head}: {text}");
    assert!(text.contains(&number), "card lacks number {number}: {text}");
    // Masked by default, as on screen.
    let id = &record.head().unwrap().id_number;
    assert!(!text.contains(id.as_str()));

    let sheet = dir.path().join("走访单.pdf");
    harness.state_mut().apply(Action::PrintHousehold {
        household: record.household.id,
        kind: PaperKind::VisitSheet,
        path: sheet.clone(),
    });
    harness.run();
    let text = pdf_text(&sheet);
    assert!(
        text.contains("入户走访记录单") && text.contains(&head),
        "{text}"
    );
}

#[test]
fn a_print_that_cannot_be_written_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), None);
    harness.run();
    let id = harness
        .state()
        .store()
        .unwrap()
        .household_records(None)
        .unwrap()[0]
        .household
        .id;
    let path = dir.path().join("missing-folder").join("card.pdf");
    harness.state_mut().apply(Action::PrintHousehold {
        household: id,
        kind: PaperKind::Card,
        path: path.clone(),
    });
    harness.run();
    assert!(!path.exists());
    let prefix = format!("无法写入 {}", path.display());
    let labels = std::cell::RefCell::new(Vec::new());
    let _ = harness
        .query_all_by(|node| {
            if let Some(l) = node.label().or(node.value()) {
                labels.borrow_mut().push(l.to_string());
            }
            false
        })
        .count();
    let labels = labels.into_inner();
    assert!(
        labels.iter().any(|l| l.starts_with(&prefix)),
        "an error notice in Chinese: {labels:?}"
    );
}
