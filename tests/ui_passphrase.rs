//! The window and encryption at rest: the village setup asks for the passphrase twice (and
//! refuses a short or mismatched one), the new database is encrypted with it, and the next start
//! asks for it (a wrong one refused with nothing changed, 忘记口令？ explained, the right one
//! opens the village); 更改口令 in the settings; an unencrypted real database offered encryption.

mod common;

use common::window::{TEST_PASSPHRASE, click, harness, shown, type_into, type_password};
use dripline::store::{Store, StoreError, cipher};
use dripline::ui::Screen;
use egui_kittest::kittest::Queryable;

/// The passphrase is the process's: the tests of this file run one at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn a_new_village_is_encrypted_and_the_next_start_asks_for_its_passphrase() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    cipher::set_process_passphrase(None);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dripline.sqlite");
    let mut harness = harness(dir.path(), None);
    harness.run();
    click(&mut harness, "创建我的村");
    type_into(&mut harness, "村名", "红岩村");
    type_into(&mut harness, "乡镇", "歧坪镇");
    type_into(&mut harness, "县（区）", "苍溪县");
    type_into(&mut harness, "村代码（12位区划代码）", "510824101201");
    assert!(harness.query_by_label_contains("口令无法找回").is_some());
    // Too short: refused beside the fields, nothing created.
    type_password(&mut harness, "口令（至少 8 个字符）", "short", false);
    type_password(&mut harness, "再输一遍口令", "short", false);
    assert!(harness.query_by_label_contains("太短").is_some());
    click(&mut harness, "创建");
    assert_eq!(harness.state().screen(), Screen::VillageSetup);
    assert!(shown(&harness, "口令太短：至少 8 个字符。"));
    assert!(!db.exists());
    // The two differ: refused.
    type_password(&mut harness, "口令（至少 8 个字符）", " and longer", false);
    type_password(&mut harness, "再输一遍口令", " but other", false);
    click(&mut harness, "创建");
    assert_eq!(harness.state().screen(), Screen::VillageSetup);
    assert!(shown(&harness, "两次输入的口令不一样，请重输。"));
    assert!(!db.exists());
    // Both the same: created, encrypted.
    type_password(&mut harness, "口令（至少 8 个字符）", TEST_PASSPHRASE, true);
    type_password(&mut harness, "再输一遍口令", TEST_PASSPHRASE, true);
    click(&mut harness, "创建");
    assert_eq!(harness.state().screen(), Screen::Households);
    drop(harness);
    let bytes = std::fs::read(&db).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3"));
    assert!(
        !bytes
            .windows("红岩村".len())
            .any(|w| w == "红岩村".as_bytes())
    );
    assert!(matches!(
        Store::open_with(&db, None),
        Err(StoreError::NeedsPassphrase { .. })
    ));
    let store = Store::open_with(&db, Some(TEST_PASSPHRASE)).unwrap();
    assert_eq!(store.villages().unwrap()[0].name, "红岩村");
    store.close().unwrap();

    // The next start (a new process: no passphrase yet) asks for it.
    cipher::set_process_passphrase(None);
    let before = std::fs::read(&db).unwrap();
    let mut harness = common::window::harness(dir.path(), None);
    harness.run();
    assert!(shown(&harness, "打开加密数据库"));
    type_password(&mut harness, "口令", "not the passphrase", false);
    click(&mut harness, "打开");
    assert!(shown(&harness, "口令不对，数据没有改动。请重新输入。"));
    assert!(harness.query_by_label_contains("红岩村").is_none());
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "a wrong passphrase changed the file"
    );
    assert_eq!(cipher::process_passphrase(), None);
    click(&mut harness, "忘记口令？");
    assert!(harness.query_by_label_contains("county return").is_some());
    assert!(harness.query_by_label_contains("口令无法找回").is_some());
    type_password(&mut harness, "口令", TEST_PASSPHRASE, false);
    click(&mut harness, "打开");
    assert_eq!(harness.state().screen(), Screen::Households);
    harness.get_by_label_contains("红岩村");
    assert!(!shown(&harness, "打开加密数据库"));

    // 设置 → 更改口令: a wrong current passphrase is refused; the right one re-encrypts.
    click(&mut harness, "设置");
    let new = "a new village passphrase 2";
    type_password(&mut harness, "当前口令", "not the passphrase", false);
    type_password(&mut harness, "新口令（至少 8 个字符）", new, false);
    type_password(&mut harness, "再输一遍新口令", new, false);
    click(&mut harness, "确认更改口令");
    assert!(harness.query_by_label_contains("口令不对").is_some());
    assert_eq!(
        cipher::process_passphrase().as_deref(),
        Some(TEST_PASSPHRASE)
    );
    type_password(&mut harness, "当前口令", TEST_PASSPHRASE, false);
    type_password(&mut harness, "新口令（至少 8 个字符）", new, false);
    type_password(&mut harness, "再输一遍新口令", new, false);
    click(&mut harness, "确认更改口令");
    drop(harness);
    assert!(matches!(
        Store::open_with(&db, Some(TEST_PASSPHRASE)),
        Err(StoreError::WrongPassphrase { .. })
    ));
    assert!(Store::open_with(&db, Some(new)).is_ok());
}

#[test]
fn an_unencrypted_village_database_is_offered_encryption_and_keeps_its_rows() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    cipher::set_process_passphrase(None);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    let out = common::cli::command()
        .env_remove(cipher::PASSPHRASE_ENV)
        .args(["demo", "--out", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    // A real village: the demo flag cleared, as an older Dripline's database would be.
    let before = {
        let mut store = Store::open(&db).unwrap();
        let mut village = store.villages().unwrap().remove(0);
        village.is_demo = false;
        store.save_village(&village).unwrap();
        let n = store.household_count(None).unwrap();
        store.close().unwrap();
        n
    };
    let mut harness = harness(dir.path(), Some(db.clone()));
    harness.run();
    assert!(shown(&harness, "数据库未加密"));
    click(&mut harness, "加密…");
    type_password(
        &mut harness,
        "加密口令（至少 8 个字符）",
        "encrypt me now 7",
        false,
    );
    type_password(&mut harness, "再输一遍加密口令", "encrypt me now 7", false);
    click(&mut harness, "现在加密");
    assert!(!shown(&harness, "数据库未加密"));
    assert!(harness.state().store().unwrap().is_encrypted());
    drop(harness);
    assert!(!std::fs::read(&db).unwrap().starts_with(b"SQLite format 3"));
    let store = Store::open_with(&db, Some("encrypt me now 7")).unwrap();
    assert_eq!(store.household_count(None).unwrap(), before);
}

/// `dripline --db new.sqlite` on a file that does not exist yet: the village setup asks for the
/// passphrase as it does in the data directory, and the file it made is encrypted with it (the
/// passphrase was once ignored there, leaving the new village's records in the clear).
#[test]
fn a_new_database_named_on_the_command_line_is_encrypted_too() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    cipher::set_process_passphrase(None);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("elsewhere").join("new-village.sqlite");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let mut harness = harness(dir.path(), Some(db.clone()));
    harness.run();
    assert_eq!(harness.state().screen(), Screen::VillageSetup);
    type_into(&mut harness, "村名", "红岩村");
    type_into(&mut harness, "乡镇", "歧坪镇");
    type_into(&mut harness, "县（区）", "苍溪县");
    type_into(&mut harness, "村代码（12位区划代码）", "510824101201");
    type_password(&mut harness, "口令（至少 8 个字符）", TEST_PASSPHRASE, true);
    type_password(&mut harness, "再输一遍口令", TEST_PASSPHRASE, true);
    click(&mut harness, "创建");
    assert_eq!(harness.state().screen(), Screen::Households);
    harness.get_by_label_contains("红岩村");
    drop(harness);
    let bytes = std::fs::read(&db).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3"));
    assert!(
        !bytes
            .windows("红岩村".len())
            .any(|w| w == "红岩村".as_bytes())
    );
    assert!(matches!(
        Store::open_with(&db, None),
        Err(StoreError::NeedsPassphrase { .. })
    ));
    let store = Store::open_with(&db, Some(TEST_PASSPHRASE)).unwrap();
    assert_eq!(store.villages().unwrap()[0].name, "红岩村");
    store.close().unwrap();
    // Nothing was made in the data directory: the file named is the village's database.
    assert!(!dir.path().join("dripline.sqlite").exists());
    cipher::set_process_passphrase(None);
}
