//! 备份 / 恢复 in the window: the sync screen warns when there is no recent backup, a backup is
//! written and verified by a background job while the window keeps its database open, and a
//! restore first asks (which backup, of which village and day, replaces which database, and that
//! the current one is kept aside), then puts it back in a background job, keeping the database it
//! replaced and the time of the last backup.

mod common;

use common::window::{click, harness, wait_for_job};
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
    assert!(
        harness.state().job_running(),
        "the backup runs in the background"
    );
    wait_for_job(&mut harness);
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

    // Asked first: which backup replaces what; 取消 changes nothing.
    harness
        .state_mut()
        .apply(Action::Restore(backups[0].clone()));
    harness.run();
    harness.get_by_label("确认恢复备份？");
    harness.get_by_label_contains("将替换当前数据库");
    harness.get_by_label_contains("当前数据库不会删除，会改名保留为");
    harness.get_by_label_contains("备份于");
    click(&mut harness, "取消");
    assert!(harness.query_by_label("确认恢复备份？").is_none());
    assert!(!harness.state().job_running());

    harness
        .state_mut()
        .apply(Action::Restore(backups[0].clone()));
    harness.run();
    click(&mut harness, "确认恢复");
    assert!(
        harness.state().job_running(),
        "the restore runs in the background"
    );
    wait_for_job(&mut harness);
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
    // The restored database was backed up today: no warning, the time not lost.
    harness.get_by_label_contains("（0 天前）");
    assert!(harness.query_by_label_contains("还没有备份过").is_none());
    assert!(
        harness
            .state()
            .store()
            .unwrap()
            .last_backup_at()
            .unwrap()
            .is_some()
    );

    // Another village's backup is refused before anything is asked.
    let other_dir = tempfile::tempdir().unwrap();
    let mut other =
        dripline::store::Store::open_or_create(&other_dir.path().join("other.sqlite")).unwrap();
    other.save_village(&common::village()).unwrap();
    let other_backup = other
        .backup_to(other_dir.path(), common::today())
        .unwrap()
        .path;
    drop(other);
    harness.state_mut().apply(Action::Restore(other_backup));
    harness.run();
    harness.get_by_label_contains("是其他村的备份");
    assert!(harness.query_by_label("确认恢复备份？").is_none());
}
