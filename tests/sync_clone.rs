//! A database file copied onto a second laptop becomes a new device there (bound to the
//! installation, `store::installation`), so both laptops' edits reach the county; a file restored
//! from an older backup on the same laptop numbers its next changes past what the county saw.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use dripline::i18n::{Lang, Localize};
use dripline::model::*;
use dripline::store::Store;
use dripline::store::installation::{Binding, Installation};
use dripline::sync::crypto::DeviceIdentity;
use dripline::sync::{SyncError, county, export, import};
use dripline::workspace::device::DeviceNotice;
use egui_kittest::kittest::Queryable;

struct World {
    dir: tempfile::TempDir,
    county: PathBuf,
    county_line: String,
    village: Village,
    household: Household,
    files: std::cell::Cell<usize>,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let county_db = dir.path().join("county.sqlite");
        let mut store = Store::open_or_create(&county_db).unwrap();
        let county_line = county::init_county(&mut store, "510824").unwrap().to_line();
        store.close().unwrap();
        let village = village();
        let household = household(village.id, "001");
        World {
            dir,
            county: county_db,
            county_line,
            village,
            household,
            files: std::cell::Cell::new(0),
        }
    }

    /// The data directory (installation) of laptop `name`.
    fn installation(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("home-{name}"))
    }

    /// Opens `db` as the window or the command line of laptop `on` does.
    fn open_on(&self, db: &Path, on: &str) -> (Store, Option<Binding>) {
        let mut store = Store::open_or_create(db).unwrap();
        let installation = Installation::in_dir(&self.installation(on)).unwrap();
        let found = store.bind_installation(&installation).unwrap();
        (store, found)
    }

    fn file(&self, stem: &str) -> PathBuf {
        self.files.set(self.files.get() + 1);
        self.dir
            .path()
            .join(format!("{stem}-{}.dripline", self.files.get()))
    }

    fn register(&self, db: &Path, on: &str) -> uuid::Uuid {
        let (mut store, _) = self.open_on(db, on);
        let public = DeviceIdentity::load_or_create(&mut store).unwrap().public();
        store.close().unwrap();
        let mut county_store = Store::open(&self.county).unwrap();
        county::register_device(&mut county_store, &self.village.code, &public.to_line()).unwrap();
        county_store.close().unwrap();
        public.device
    }

    fn export(&self, db: &Path, on: &str) -> (PathBuf, export::ExportSummary) {
        let out = self.file("village");
        let (mut store, _) = self.open_on(db, on);
        let summary = export::export_village(&mut store, &out, false, &mut |_| {}).unwrap();
        store.close().unwrap();
        (out, summary)
    }

    fn county_import(&self, bundle: &Path) -> Result<(), SyncError> {
        let mut store = Store::open(&self.county).unwrap();
        let result = import::import_files(&mut store, &[bundle.to_path_buf()], &mut |_| {});
        store.close().unwrap();
        result.map(|_| ())
    }

    fn receive(&self, db: &Path, on: &str) {
        let out = self.file("return");
        let mut store = Store::open(&self.county).unwrap();
        county::write_return(&mut store, &self.village.code, &out, &mut |_| {}).unwrap();
        store.close().unwrap();
        let (mut store, _) = self.open_on(db, on);
        import::import_files(&mut store, &[out], &mut |_| {}).unwrap();
        store.close().unwrap();
    }

    fn edit(&self, db: &Path, on: &str, change: impl FnOnce(&mut Household)) {
        let (mut store, _) = self.open_on(db, on);
        let mut h = store.household_record(self.household.id).unwrap().household;
        change(&mut h);
        store.save_household(&h).unwrap();
        store.close().unwrap();
    }

    /// Laptop A of the village, registered, its first bundle imported and acknowledged.
    fn laptop_a(&self) -> PathBuf {
        let a = self.dir.path().join("a").join("dripline.sqlite");
        let (mut store, found) = self.open_on(&a, "a");
        assert_eq!(found, None, "a new file is bound to its computer");
        store.save_village(&self.village).unwrap();
        store.save_household(&self.household).unwrap();
        county::set_county_key(&mut store, &self.county_line).unwrap();
        store.close().unwrap();
        self.register(&a, "a");
        let (bundle, _) = self.export(&a, "a");
        self.county_import(&bundle).unwrap();
        self.receive(&a, "a");
        a
    }

    fn county_household(&self) -> Household {
        let store = Store::open(&self.county).unwrap();
        store.household_record(self.household.id).unwrap().household
    }
}

/// Copies a closed database file (its WAL folded in by `close`).
fn copy_file(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap();
}

#[test]
fn a_copied_database_becomes_a_new_device_and_both_laptops_edits_reach_the_county() {
    let world = World::new();
    let a = world.laptop_a();
    let device_a = Store::open(&a).unwrap().device_id();
    // A makes a change it has not sent yet, then the file is copied to laptop B.
    world.edit(&a, "a", |h| h.phone = "13900000001".into());
    let b = world.dir.path().join("b").join("dripline.sqlite");
    copy_file(&a, &b);

    // Opened on B, the copy becomes a new device, with new keys.
    let (mut store, found) = world.open_on(&b, "b");
    let Some(Binding::Renewed(renewal)) = found else {
        panic!("the copy is detected on laptop B: {found:?}");
    };
    assert_eq!(renewal.previous_device, device_a);
    assert_ne!(store.device_id(), device_a);
    assert_eq!(store.device_id(), renewal.device);
    let notice = DeviceNotice::of(&mut store).unwrap().expect("B is told");
    let key_line = notice.key_line().unwrap().to_string();
    assert!(key_line.starts_with(&format!("dripline-device:{}:", renewal.device)));
    let zh = notice.localize(Lang::Zh);
    let en = notice.localize(Lang::En);
    assert!(
        zh.contains("新设备") && zh.contains("登记") && zh.contains(&key_line),
        "{zh}"
    );
    assert!(
        en.contains("new device") && en.contains("Register") && en.contains(&key_line),
        "{en}"
    );
    store.close().unwrap();
    // Said until the county has acknowledged the new device, with the same key line.
    let (mut again, found) = world.open_on(&b, "b");
    assert_eq!(found, None, "renewed once");
    assert_eq!(
        DeviceNotice::of(&mut again).unwrap().unwrap().key_line(),
        Some(key_line.as_str())
    );
    again.close().unwrap();

    // B edits; before it is registered, the county refuses its bundle as an unknown device.
    world.edit(&b, "b", |h| h.address = "B 改的地址".into());
    let (unregistered, summary) = world.export(&b, "b");
    assert_eq!(summary.header.device, renewal.device);
    assert!(matches!(
        world.county_import(&unregistered),
        Err(SyncError::UnknownDevice { .. })
    ));
    // Registered at the county with the line it was shown, B's bundle imports with its edits
    // and with A's change from before the copy.
    assert_eq!(world.register(&b, "b"), renewal.device);
    let (bundle_b, _) = world.export(&b, "b");
    world.county_import(&bundle_b).unwrap();
    let merged = world.county_household();
    assert_eq!(merged.address, "B 改的地址");
    assert_eq!(merged.phone, "13900000001");

    // The original laptop is unaffected: same device, its next bundle imports.
    world.edit(&a, "a", |h| h.bank_account = "6217000000000001".into());
    let (bundle_a, summary_a) = world.export(&a, "a");
    assert_eq!(summary_a.header.device, device_a);
    world.county_import(&bundle_a).unwrap();
    let merged = world.county_household();
    assert_eq!(merged.address, "B 改的地址", "B's edit");
    assert_eq!(merged.bank_account, "6217000000000001", "A's edit");

    // Both laptops take the return bundle; B's notice ends once the county acknowledged it.
    world.receive(&a, "a");
    world.receive(&b, "b");
    for (db, on) in [(&a, "a"), (&b, "b")] {
        let (mut store, _) = world.open_on(db, on);
        let h = store
            .household_record(world.household.id)
            .unwrap()
            .household;
        assert_eq!(
            (h.address.as_str(), h.bank_account.as_str()),
            ("B 改的地址", "6217000000000001")
        );
        assert_eq!(DeviceNotice::of(&mut store).unwrap(), None, "{on}");
        store.close().unwrap();
    }
    let store = Store::open(&world.county).unwrap();
    let devices = county::devices(&store).unwrap();
    assert_eq!(devices.len(), 2, "A and B are two devices: {devices:?}");
    assert!(devices.iter().all(|d| d.last_seq > 0));
}

#[test]
fn a_database_restored_from_an_older_backup_numbers_its_changes_past_what_the_county_saw() {
    let world = World::new();
    let a = world.laptop_a();
    let backup = world.dir.path().join("backup.sqlite");
    copy_file(&a, &backup);
    // After the backup, A sends two more changes.
    world.edit(&a, "a", |h| h.phone = "13900000002".into());
    world.edit(&a, "a", |h| h.address = "备份之后".into());
    let (sent, summary) = world.export(&a, "a");
    world.county_import(&sent).unwrap();
    let exported = summary.header.seq_to;

    // The disk is restored from the backup (the same computer).
    copy_file(&backup, &a);
    let (mut store, found) = world.open_on(&a, "a");
    let Some(Binding::Rewound(rewound)) = found.clone() else {
        panic!("the restore is detected: {found:?}");
    };
    assert_eq!(rewound.exported, exported);
    assert!(rewound.file_change < exported);
    assert_eq!(store.sync_lseq().unwrap(), exported);
    let notice = DeviceNotice::of(&mut store).unwrap().unwrap();
    assert!(notice.localize(Lang::Zh).contains("备份"));
    assert!(notice.localize(Lang::En).contains("backup"));
    store.close().unwrap();

    // Its next change is numbered past the county's, so its bundle imports (no reused number).
    world.edit(&a, "a", |h| h.bank_account = "6217000000000002".into());
    let (bundle, summary) = world.export(&a, "a");
    assert!(summary.header.seq_to > exported);
    world.county_import(&bundle).unwrap();
    let merged = world.county_household();
    assert_eq!(merged.bank_account, "6217000000000002");
    assert_eq!(merged.address, "备份之后", "what the county had is kept");
    // And what the county had comes back to the laptop.
    world.receive(&a, "a");
    let store = Store::open(&a).unwrap();
    let h = store
        .household_record(world.household.id)
        .unwrap()
        .household;
    assert_eq!(h.address, "备份之后");
}

#[test]
fn without_the_binding_the_county_would_refuse_the_copy() {
    // The same copy, opened without any installation: it keeps A's identity, and the county
    // refuses whichever of the two bundles comes second (what the binding prevents).
    let world = World::new();
    let a = world.laptop_a();
    let b = world.dir.path().join("b").join("dripline.sqlite");
    copy_file(&a, &b);
    {
        let mut store = Store::open(&b).unwrap();
        let mut h = store
            .household_record(world.household.id)
            .unwrap()
            .household;
        h.address = "B".into();
        store.save_household(&h).unwrap();
        let out = world.file("b");
        export::export_village(&mut store, &out, false, &mut |_| {}).unwrap();
        store.close().unwrap();
        world.county_import(&out).unwrap();
    }
    world.edit(&a, "a", |h| h.phone = "13900000003".into());
    let (bundle_a, _) = world.export(&a, "a");
    assert!(matches!(
        world.county_import(&bundle_a),
        Err(SyncError::Unauthorized { .. })
    ));
}

#[test]
fn the_command_line_says_on_stderr_that_the_copy_is_a_new_device_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite");
    let b = dir.path().join("b.sqlite");
    let run = |home: &str, lang: &str, db: &Path| {
        cli::command()
            .env("DRIPLINE_DATA_DIR", dir.path().join(home))
            .args(["--lang", lang, "keys", "show", "--db", db.to_str().unwrap()])
            .output()
            .unwrap()
    };
    {
        let mut store = Store::open_or_create(&a).unwrap();
        store.save_village(&village()).unwrap();
        store.close().unwrap();
    }
    let first = run("a", "zh", &a);
    assert!(first.status.success(), "{}", cli::text(&first.stderr));
    assert!(cli::text(&first.stderr).is_empty(), "nothing to say on A");
    let device_line = |out: &str| {
        out.split_whitespace()
            .find(|w| w.starts_with("dripline-device:"))
            .unwrap()
            .to_string()
    };
    let line_a = device_line(&cli::text(&first.stdout));
    copy_file(&a, &b);
    let on_b = run("b", "zh", &b);
    assert!(on_b.status.success());
    let (stdout, stderr) = (cli::text(&on_b.stdout), cli::text(&on_b.stderr));
    assert!(
        stderr.contains("新设备") && stderr.contains("登记"),
        "{stderr}"
    );
    let line_b = device_line(&stdout);
    assert!(stderr.contains(&line_b), "the line to register: {stderr}");
    assert_ne!(line_a, line_b, "another device than A's");
    // Said again (in English) until the county acknowledged the new device; A is left alone.
    let again = cli::text(&run("b", "en", &b).stderr);
    assert!(
        again.contains("new device") && again.contains(&line_b),
        "{again}"
    );
    let on_a = run("a", "en", &a);
    assert!(cli::text(&on_a.stderr).is_empty());
    assert_eq!(device_line(&cli::text(&on_a.stdout)), line_a);
}

#[test]
fn the_window_tells_in_the_asked_language_that_a_copied_file_is_a_new_device_and_the_notice_fits() {
    let files = tempfile::tempdir().unwrap();
    let db = files.path().join("village.sqlite");
    let first_laptop = tempfile::tempdir().unwrap();
    {
        let mut store = Store::open_or_create(&db).unwrap();
        store.save_village(&village()).unwrap();
        store
            .bind_installation(&Installation::in_dir(first_laptop.path()).unwrap())
            .unwrap();
        store.close().unwrap();
    }
    // The file opened in the window of another computer (its own data directory), with
    // `--lang en` while the saved preference is Chinese.
    let second_laptop = tempfile::tempdir().unwrap();
    let data_dir = second_laptop.path().to_path_buf();
    let opened = db.clone();
    let mut harness = common::window::builder().build_eframe(move |cc| {
        dripline::ui::App::new(cc, data_dir, Some(opened)).with_lang(Some(Lang::En))
    });
    harness.run();
    let notice = harness.get_by_label_contains("copied from another computer");
    let rect = notice.rect();
    assert!(
        rect.right() <= 1280.0,
        "the notice wraps inside the window: {rect:?}"
    );
    let text = notice.value().unwrap_or_default();
    assert!(text.contains("dripline-device:"), "{text}");
    assert!(
        harness
            .query_by_label_contains("从另一台电脑复制来的")
            .is_none()
    );
    // Dismissed, it is gone; opened again, it is said again until the county registers it.
    harness.get_by_label("×").click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("copied from another computer")
            .is_none()
    );
}
