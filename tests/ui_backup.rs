//! 备份 / 恢复 in the window: the sync screen warns when there is no recent backup, a backup is
//! written and verified while the window keeps its database open, and a restore puts it back,
//! keeping the database it replaced.

mod common;

use common::window::{click, harness};
use dripline::ui::{Action, Screen};
use egui_kittest::kittest::Queryable;

#[test]
fn backup_and_restore_from_the_sync_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), None);
    harness.run();
    click(&mut harness, "数据同步");
    assert_eq!(harness.state().screen(), Screen::Sync);
    harness.get_by_label_contains("本数据库还没有备份过");
    harness.get_by_label("备份…");
    harness.get_by_label("恢复…");

    // The folder is what the folder dialog returns.
    let usb = dir.path().join("usb");
    harness.state_mut().apply(Action::Backup(usb.clone()));
    harness.run();
    harness.get_by_label_contains("已校验无误");
    assert!(harness.query_by_label_contains("还没有备份过").is_none());
    harness.get_by_label_contains("（0 天前）");
    let backups: Vec<_> = std::fs::read_dir(&usb)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(backups.len(), 1);
    let db = harness.state().store().unwrap().path().to_path_buf();
    let households = |harness: &egui_kittest::Harness<'static, dripline::ui::App>| {
        harness
            .state()
            .store()
            .unwrap()
            .household_records(None)
            .unwrap()
            .len()
    };
    let before = households(&harness);
    assert!(before > 0);

    harness
        .state_mut()
        .apply(Action::Restore(backups[0].clone()));
    harness.run();
    harness.get_by_label_contains("原数据库已保留为");
    assert_eq!(
        households(&harness),
        before,
        "the window works on the restored file"
    );
    assert_eq!(harness.state().store().unwrap().path(), db);
    let kept = std::fs::read_dir(db.parent().unwrap())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".before-restore-")
        })
        .count();
    assert_eq!(kept, 1);
}
